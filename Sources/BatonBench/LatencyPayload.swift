/// The payload of a `bench latency` message: its due time and its actual
/// send time, so a subscriber anywhere can measure its delivery latency
/// from the payload alone (nothing is looked up per message).
///
/// ```
///     0  intended (due) time, monotonic nanoseconds (Int64, little-endian)
///     8  actual send time, monotonic nanoseconds (Int64, little-endian)
///    16  zeros, to the payload's length
/// ```
///
/// Both times come from `CLOCK_MONOTONIC` of the sending machine, so the
/// subscriber must run on the same machine (it does: the harness runs both).
/// Stateless; any thread; no allocation.
public enum LatencyPayload {
    public static let minimumLength = 16

    /// Fills all of `buffer` (at least `minimumLength` bytes).
    @inline(__always)
    public static func write(into buffer: UnsafeMutableRawBufferPointer, intendedNanos: Int64, sentNanos: Int64) {
        precondition(buffer.count >= minimumLength, "a latency payload needs \(minimumLength) bytes")
        let base = buffer.baseAddress.unsafelyUnwrapped
        base.storeBytes(of: intendedNanos.littleEndian, toByteOffset: 0, as: Int64.self)
        base.storeBytes(of: sentNanos.littleEndian, toByteOffset: 8, as: Int64.self)
        if buffer.count > minimumLength {
            (base + minimumLength).initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count &- minimumLength)
        }
    }

    /// The (intended, sent) times of a payload, nil when it is too short to be one.
    @inline(__always)
    public static func read(_ payload: UnsafeRawBufferPointer) -> (intendedNanos: Int64, sentNanos: Int64)? {
        guard payload.count >= minimumLength, let base = payload.baseAddress else { return nil }
        return (Int64(littleEndian: base.loadUnaligned(fromByteOffset: 0, as: Int64.self)),
                Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: Int64.self)))
    }
}
