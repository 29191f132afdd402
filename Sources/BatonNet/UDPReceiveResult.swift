/// The outcome of one `UDPBatchReceiver.receive`.
///
/// Invariant: `.received(n)` has `1 <= n <= datagramCapacity`. Threading: a plain value.
@frozen
public enum UDPReceiveResult: Equatable, Sendable {
    /// `count` (>= 1) datagrams are in the receiver, `datagram(at: 0 ..< count)`.
    case received(Int)
    /// No datagram was queued (EAGAIN).
    case wouldBlock
    /// The receive failed (e.g. ECONNREFUSED: an earlier send on this socket drew an ICMP port unreachable).
    case error(Errno)
}
