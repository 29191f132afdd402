/// A message a ring buffer refuses outright: a programmer or input error, not
/// back-pressure (a full ring is reported by `nil` / `false`, not by an error).
///
/// Thrown with typed throws, so the hot path never boxes an existential.
public enum RingBufferError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload is longer than the ring accepts (`capacity / 8`).
    case messageTooLong(length: Int, maxMessageLength: Int)
    /// A negative payload length.
    case negativeLength(length: Int)
    /// A type id below 1 (the padding type id -1 and 0 are reserved).
    case invalidTypeId(typeId: Int32)

    public var description: String {
        switch self {
        case .messageTooLong(let length, let maxMessageLength):
            return "message length \(length) exceeds the ring buffer's maximum message length \(maxMessageLength) (capacity / 8)"
        case .negativeLength(let length):
            return "message length \(length) is negative"
        case .invalidTypeId(let typeId):
            return "message type id \(typeId) is invalid: type ids must be >= 1 (-1 is reserved for padding)"
        }
    }
}
