import BatonNet

/// The one place the probed-port race of a local chain is handled: a chain's
/// members must all know each other's replication addresses before any of
/// them binds, so the ports are probed (`FreePorts.loopbackUDP`) and another
/// process may take one first. Then a member's bind fails with EADDRINUSE and
/// the whole start-up runs again with freshly probed ports.
extension FreePorts {
    /// Start-up attempts `retryingAddressInUse` makes by default.
    public static let startAttempts = 5

    /// Runs `body` with `count` freshly probed UDP ports of 127.0.0.1; when it
    /// throws an address-in-use error, runs it again with new ports, at most
    /// `attempts` times in all. `body` must undo its partial start-up before
    /// throwing. Threading: the caller's (set-up) thread.
    public static func retryingAddressInUse<T>(count: Int, attempts: Int = startAttempts,
                                               _ body: ([UInt16]) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body(try loopbackUDP(count))
            } catch where attempt < attempts && isAddressInUse(error) {
                attempt += 1
            }
        }
    }

    /// Whether `error` is a bind that failed because the address is in use: a
    /// `NetError` with EADDRINUSE, or a node's replication bind failing with one.
    public static func isAddressInUse(_ error: any Error) -> Bool {
        if let error = error as? NetError { return error.errno == .addressInUse }
        if case let .replicationBind(_, underlying)? = error as? NodeError { return isAddressInUse(underlying) }
        return false
    }
}
