/// Checks a stream of delivered messages carrying `GeneratedPayload`s for
/// exactly-once, in-order delivery: positions strictly increase (log order),
/// each payload is intact and names the producer and sequence its frame
/// does, and each producer's sequences are consecutive from the first one
/// seen (a repeat or step back is a duplicate or reorder; a jump is a gap).
/// One checker for `baton subscribe --verify`, the end-to-end tests and the
/// simulator.
///
/// Invariant: `nextSequence[p]` is one past the last sequence of producer
/// `p` accepted; `lastPosition` is the last position accepted.
/// Threading: one thread (the subscriber's).
public struct ExactlyOnceChecker {
    /// Messages checked (whether or not they passed).
    public private(set) var checked = 0
    public private(set) var firstPosition: Int64 = -1
    public private(set) var lastPosition: Int64 = -1
    public private(set) var nextSequence: [UInt64: UInt64] = [:]

    public init() {}

    /// Producers seen.
    public var producerCount: Int { nextSequence.count }

    /// Checks one message; nil when it is the one expected, else what is wrong
    /// (the checker's expectations then carry on from this message).
    public mutating func check(_ message: DeliveredMessage) -> String? {
        check(position: message.position, producerId: message.producerId, sequence: message.sequence, payload: message.payload)
    }

    public mutating func check(position: Int64, producerId: UInt64, sequence: UInt64,
                               payload: UnsafeRawBufferPointer) -> String? {
        checked += 1
        // The message's name is built only for a problem: a clean stream formats nothing.
        func problem(_ text: String) -> String { "message at position \(position) (producer \(producerId), sequence \(sequence)): \(text)" }
        let previous = lastPosition
        if firstPosition < 0 { firstPosition = position }
        lastPosition = max(lastPosition, position)
        if position <= previous { return problem("position not after the previous one, \(previous)") }
        switch GeneratedPayload.verify(payload) {
        case .valid(let payloadProducer, let payloadSequence):
            guard payloadProducer == producerId && payloadSequence == sequence else {
                return problem("the payload names producer \(payloadProducer), sequence \(payloadSequence)")
            }
        case let other:
            return problem("\(other)")
        }
        let expected = nextSequence[producerId]
        nextSequence[producerId] = max(expected ?? 0, sequence &+ 1)
        guard let expected else { return nil }
        if sequence < expected { return problem("duplicate or out of order, after sequence \(expected - 1)") }
        if sequence > expected { return problem("gap, \(sequence - expected) messages missing after sequence \(expected - 1)") }
        return nil
    }
}
