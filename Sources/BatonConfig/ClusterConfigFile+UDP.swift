extension ClusterConfigFile {
    /// The optional `[udp]` table: the replication transport's settings.
    /// Every key is optional; nil keeps the replication layer's default.
    ///
    /// Keys and ranges: `batch` (datagrams per `sendmmsg`/`recvmmsg`,
    /// 1...1024), `mtu` (largest datagram, bytes, 576...65507),
    /// `socket_buffer_bytes` (`SO_SNDBUF`/`SO_RCVBUF`, 64 KiB...1 GiB),
    /// `receiver_window_bytes` (how far a predecessor may send past what this
    /// member has logged, 64 KiB...1 GiB), `nak_delay_us` (wait before asking
    /// for a gap to be resent, 1...1,000,000 µs), `heartbeat_interval_ms`
    /// (1...10,000 ms). The ranges of `batch`, `mtu` and
    /// `socket_buffer_bytes` are those of a tuning profile's `[replication]`.
    ///
    /// Invariant: every non-nil value lies in its range.
    /// Threading: a plain value.
    public struct UDP: Sendable, Equatable {
        /// Datagrams per `sendmmsg`/`recvmmsg` call.
        public var batch: Int?
        /// Largest datagram, bytes.
        public var mtu: Int?
        /// `SO_SNDBUF`/`SO_RCVBUF` of the replication sockets, bytes.
        public var socketBufferBytes: Int?
        /// The receiver window a member advertises to its predecessor, bytes.
        public var receiverWindowBytes: Int?
        /// Delay before a gap is Nak-ed, microseconds.
        public var nakDelayMicros: Int?
        /// Interval between heartbeats on an idle link, milliseconds.
        public var heartbeatIntervalMillis: Int?

        public init(batch: Int? = nil, mtu: Int? = nil, socketBufferBytes: Int? = nil, receiverWindowBytes: Int? = nil,
                    nakDelayMicros: Int? = nil, heartbeatIntervalMillis: Int? = nil) {
            self.batch = batch
            self.mtu = mtu
            self.socketBufferBytes = socketBufferBytes
            self.receiverWindowBytes = receiverWindowBytes
            self.nakDelayMicros = nakDelayMicros
            self.heartbeatIntervalMillis = heartbeatIntervalMillis
        }

        /// Every key of the `[udp]` table.
        public static let keys = ["batch", "mtu", "socket_buffer_bytes", "receiver_window_bytes", "nak_delay_us",
                                  "heartbeat_interval_ms"]
        static let batchRange = ReplicationTuning.udpBatchRange
        static let mtuRange = ReplicationTuning.mtuRange
        static let socketBufferRange = ReplicationTuning.socketBufferRange
        static let receiverWindowRange = (64 << 10)...(1 << 30)
        static let nakDelayRange = 1...1_000_000
        static let heartbeatRange = 1...10_000

        init(reading table: ConfigReader) throws(ConfigError) {
            try table.checkKeys(Self.keys)
            batch = try table.integer("batch", in: Self.batchRange)
            mtu = try table.integer("mtu", in: Self.mtuRange)
            socketBufferBytes = try table.integer("socket_buffer_bytes", in: Self.socketBufferRange)
            receiverWindowBytes = try table.integer("receiver_window_bytes", in: Self.receiverWindowRange)
            nakDelayMicros = try table.integer("nak_delay_us", in: Self.nakDelayRange)
            heartbeatIntervalMillis = try table.integer("heartbeat_interval_ms", in: Self.heartbeatRange)
        }

        /// Checks values set in code against the ranges parsing enforces.
        func validate() throws(ConfigError) {
            let checks: [(String, Int?, ClosedRange<Int>)] = [
                ("batch", batch, Self.batchRange), ("mtu", mtu, Self.mtuRange),
                ("socket_buffer_bytes", socketBufferBytes, Self.socketBufferRange),
                ("receiver_window_bytes", receiverWindowBytes, Self.receiverWindowRange),
                ("nak_delay_us", nakDelayMicros, Self.nakDelayRange),
                ("heartbeat_interval_ms", heartbeatIntervalMillis, Self.heartbeatRange),
            ]
            for (name, value, range) in checks {
                if let value, !range.contains(value) {
                    throw .invalidValue(.config, key: "udp." + name, value: "\(value)",
                                        allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
                }
            }
        }
    }
}
