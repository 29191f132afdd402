/// The outcome of one `UDPBatchSender.send`: codes, not throws, since a
/// full socket or a refused peer is an ordinary event on the data path.
///
/// Invariant: `.sent(count, pending)` has `count >= 0`, `pending >= 0`, and
/// `count == 0` only when nothing was staged. Threading: a plain value.
@frozen
public enum UDPSendResult: Equatable, Sendable {
    /// The kernel took `count` datagrams in this call (`count >= 1`, or 0 when
    /// nothing was staged). `pending > 0` is a partial send: those datagrams
    /// stay staged, in order; call `send` again (the next call reports the
    /// error that stopped the batch, if one did).
    case sent(count: Int, pending: Int)
    /// Nothing went: the socket's send buffer is full (EAGAIN). Everything stays staged.
    case wouldBlock
    /// Nothing went: the first pending datagram failed (EINVAL for port 0,
    /// ECONNREFUSED after an ICMP unreachable on a connected socket, ...). It
    /// stays staged: `discardFirstPending()` to drop it, or send again.
    case error(Errno)
}
