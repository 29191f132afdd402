import BatonNet

/// The seam between the replication protocol and the network: the
/// `ChainReplicator` stages datagrams (a header plus regions of memory it
/// keeps valid until `flush` reports them gone) and receives batches. The
/// real implementation is `UDPReplicationTransport` (sendmmsg/recvmmsg);
/// tests wrap it in `FaultInjectingTransport` (drop, duplicate, reorder) or
/// substitute their own. The replicator is generic over it, so the seam costs
/// no dynamic dispatch in production.
///
/// Threading: one transport per replicator, used only on the replicator's thread.
public protocol ReplicationTransport: AnyObject {
    /// Where this member receives (the real port when bound to port 0).
    var localAddress: IPv4SocketAddress { get }
    /// Releases the endpoint (the node's stop, after its agents have stopped).
    func close()
    /// The largest datagram `append` accepts.
    var datagramBytesMax: Int { get }
    /// Datagrams that can still be begun before a `flush`.
    var datagramRoom: Int { get }
    /// Staged datagrams not yet taken by the kernel.
    var pendingCount: Int { get }
    /// Starts a datagram to `destination`; false when the batch is full.
    func beginDatagram(to destination: IPv4SocketAddress) -> Bool
    /// Appends a region to the datagram begun last; false (nothing changes)
    /// when it would exceed `datagramBytesMax` or the iovecs are used up.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Sends what is staged. `.complete` when every datagram went (failed
    /// ones are counted in `failed` and dropped); `.blocked` when the socket
    /// buffer is full — the rest stays staged (and its memory must stay valid).
    func flush() -> TransportFlushResult
    /// Receives one batch without waiting, calling `body` for each datagram
    /// (its bytes valid only during the call). Returns how many.
    func receive(_ body: (UnsafeRawBufferPointer, IPv4SocketAddress) -> Void) -> Int
}

/// What `ReplicationTransport.flush` did.
public enum TransportFlushResult: Equatable, Sendable {
    case complete(sent: Int, failed: Int)
    case blocked(sent: Int, failed: Int)

    public var sent: Int {
        switch self {
        case let .complete(sent, _), let .blocked(sent, _): return sent
        }
    }

    public var failed: Int {
        switch self {
        case let .complete(_, failed), let .blocked(_, failed): return failed
        }
    }
}
