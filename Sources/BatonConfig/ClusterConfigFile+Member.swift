import BatonNet

extension ClusterConfigFile {
    /// One `[[member]]` table: a node of the cluster. Its chain index is its
    /// place in `ClusterConfigFile.members` (0 = head).
    ///
    /// Keys, all required: `id` (0...2^32-1), `replication` (the UDP
    /// `HOST:PORT` it receives replication traffic on), `client` (the TCP
    /// `HOST:PORT` clients connect to), `data` (its log directory; resolved
    /// against the file's directory when relative and the file was loaded
    /// from a path).
    ///
    /// Invariant (once its file validated): both addresses resolve (dotted
    /// quad or `localhost`) and have a port in 1...65535; `data` is not empty.
    /// Threading: a plain value.
    public struct Member: Sendable, Equatable {
        public var id: UInt32
        /// Where this member receives replication datagrams (UDP).
        public var replication: HostAndPort
        /// Where this member accepts client connections (TCP).
        public var client: HostAndPort
        /// This member's data directory (resolved; see `ClusterConfigFile.load`).
        public var data: String

        public init(id: UInt32, replication: HostAndPort, client: HostAndPort, data: String) {
            self.id = id
            self.replication = replication
            self.client = client
            self.data = data
        }

        /// Every key of a `[[member]]` table.
        public static let keys = ["id", "replication", "client", "data"]
        static let idRange = 0...Int(UInt32.max)
        static let addressForm = "\"HOST:PORT\" (HOST an IPv4 dotted quad or localhost, PORT 1-65535)"

        init(reading table: ConfigReader, relativeTo baseDirectory: String?) throws(ConfigError) {
            try table.checkKeys(Self.keys)
            let id = try ClusterConfigFile.required(table, "id", try table.integer("id", in: Self.idRange),
                                                    expected: "an integer in \(Self.idRange.lowerBound)...\(Self.idRange.upperBound)")
            let replication = try Self.address(table, "replication")
            let client = try Self.address(table, "client")
            let expected = "a string: a non-empty directory path"
            let data = try ClusterConfigFile.required(table, "data", try table.string("data", expected: expected),
                                                      expected: expected)
            guard !data.isEmpty else {
                throw .invalidValue(.config, key: table.key("data"), value: "\"\"", allowed: "a non-empty directory path")
            }
            self.init(id: UInt32(id), replication: replication, client: client,
                      data: ClusterConfigFile.resolve(data, against: baseDirectory))
        }

        /// Checks a member built in code the way parsing checks one read from a file.
        func validate(index: Int) throws(ConfigError) {
            try Self.check(replication, key: "member[\(index)].replication")
            try Self.check(client, key: "member[\(index)].client")
            if data.isEmpty {
                throw .invalidValue(.config, key: "member[\(index)].data", value: "\"\"", allowed: "a non-empty directory path")
            }
        }

        /// A required `HOST:PORT` that resolves and has a non-zero port.
        private static func address(_ table: ConfigReader, _ name: String) throws(ConfigError) -> HostAndPort {
            let text = try ClusterConfigFile.required(table, name, try table.string(name, expected: "a string \(addressForm)"),
                                                      expected: "a string \(addressForm)")
            let address: HostAndPort
            do { address = try HostAndPort(parsing: text) } catch {
                throw .invalidValue(.config, key: table.key(name), value: "\"\(text)\"", allowed: "\(addressForm): \(error)")
            }
            try check(address, key: table.key(name))
            return address
        }

        private static func check(_ address: HostAndPort, key: String) throws(ConfigError) {
            do { _ = try IPv4SocketAddress(address) } catch {
                throw .invalidValue(.config, key: key, value: "\"\(address)\"", allowed: "\(addressForm): \(error)")
            }
            if address.port == 0 {
                throw .invalidValue(.config, key: key, value: "\"\(address)\"",
                                    allowed: "\(addressForm): port 0 (ephemeral) cannot be a member's address")
            }
        }
    }
}
