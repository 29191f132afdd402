/// The `[replication]` table of a tuning profile: a chain member's UDP
/// transport (applied over the cluster file's `[udp]`; a single node ignores it).
/// Threading: a plain value.
public struct ReplicationTuning: Sendable, Equatable {
    /// Datagrams per `sendmmsg`/`recvmmsg` call.
    public var udpBatch: Int?
    /// Largest datagram, bytes.
    public var mtu: Int?
    /// `SO_SNDBUF`/`SO_RCVBUF` of the replication sockets, bytes.
    public var socketBufferBytes: Int?

    public init(udpBatch: Int? = nil, mtu: Int? = nil, socketBufferBytes: Int? = nil) {
        self.udpBatch = udpBatch
        self.mtu = mtu
        self.socketBufferBytes = socketBufferBytes
    }

    static let keys = ["udp_batch", "mtu", "socket_buffer_bytes"]
    static let udpBatchRange = 1...1024
    static let mtuRange = 576...65_507
    static let socketBufferRange = (64 << 10)...(1 << 30)

    init(reading table: ConfigReader) throws(ConfigError) {
        try table.checkKeys(Self.keys)
        udpBatch = try table.integer("udp_batch", in: Self.udpBatchRange)
        mtu = try table.integer("mtu", in: Self.mtuRange)
        socketBufferBytes = try table.integer("socket_buffer_bytes", in: Self.socketBufferRange)
    }
}
