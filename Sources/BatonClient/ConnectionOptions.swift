/// How a `BatonConnection` connects and watches its session.
///
/// Invariant: every timeout is finite (nothing in the client waits
/// forever). A plain value: `Sendable`. The defaults suit a broker on the
/// same machine or network.
public struct ConnectionOptions: Sendable {
    /// Upper bound of the TCP handshake.
    public var connectTimeout: Duration = .seconds(5)
    /// Upper bound of Hello → Welcome (and of Subscribe → Subscribed).
    public var handshakeTimeout: Duration = .seconds(5)
    /// The name sent in Hello (the broker logs it).
    public var clientName: String = "baton-swift"
    /// The session is declared lost when nothing (not even a Heartbeat) has
    /// come from the broker for this long while the owner polls; nil never.
    /// The broker heartbeats an idle session, so silence means it is gone.
    public var serverSilenceTimeout: Duration? = .seconds(30)

    public init() {}
}
