import BatonNet

/// Replication transports that exchange datagrams in memory, for running
/// replicators in one thread with time passed in: socket-free tests of the
/// replication protocol now, the deterministic simulator next. A flush
/// copies each staged datagram into its destination's inbox, in order; a
/// datagram to an address nobody holds is lost (like UDP). Wrap a transport
/// in `FaultInjectingTransport` to drop, duplicate and reorder.
///
/// Invariant: each address has at most one transport; inboxes hold only
/// whole datagrams of at most `datagramBytesMax` bytes.
/// Threading: one thread drives the whole network (the test's or the
/// simulator's): every node built over it runs its agents on that thread.
/// The compiler cannot check that (hence unchecked `Sendable`: nodes hand
/// their agents between set-up and the driving thread). It allocates per
/// datagram: it is not a production path.
public final class InMemoryReplicationNetwork: @unchecked Sendable {
    public let datagramBytesMax: Int
    public let batchDatagrams: Int
    private var transports: [IPv4SocketAddress: InMemoryReplicationTransport] = [:]
    /// Called on every datagram as it is delivered (source, destination):
    /// the place to damage bytes on the wire in a test. Nil: delivered as sent.
    public var tamper: ((inout [UInt8], IPv4SocketAddress, IPv4SocketAddress) -> Void)?
    /// Datagrams handed to an address no transport holds.
    public private(set) var undeliverable = 0
    /// When set, every flushed datagram is handed here instead of to its
    /// destination's inbox: the simulator's network, which delays, drops,
    /// duplicates, reorders, partitions and later hands it on with `inject`.
    public var router: ((_ datagram: [UInt8], _ source: IPv4SocketAddress, _ destination: IPv4SocketAddress) -> Void)?

    public init(datagramBytesMax: Int = 8_192, batchDatagrams: Int = 64) {
        precondition(datagramBytesMax >= 64 && batchDatagrams >= 2, "a network needs room for a header and a batch of two")
        self.datagramBytesMax = datagramBytesMax
        self.batchDatagrams = batchDatagrams
    }

    /// The transport bound to `address` (a precondition: not yet bound).
    public func bind(_ address: IPv4SocketAddress) -> InMemoryReplicationTransport {
        precondition(transports[address] == nil, "\(address) is already bound")
        let transport = InMemoryReplicationTransport(network: self, address: address)
        transports[address] = transport
        return transport
    }

    /// The transport bound to `address`, if any.
    public func transport(at address: IPv4SocketAddress) -> InMemoryReplicationTransport? { transports[address] }

    /// Frees `address` (a member that crashed); its inbox is gone with it.
    public func unbind(_ address: IPv4SocketAddress) { transports[address] = nil }

    func deliver(_ datagram: [UInt8], from source: IPv4SocketAddress, to destination: IPv4SocketAddress) {
        if let router {
            router(datagram, source, destination)
            return
        }
        inject(datagram, from: source, to: destination)
    }

    /// Puts `datagram` in `destination`'s inbox now (lost when no transport holds the address).
    public func inject(_ datagram: [UInt8], from source: IPv4SocketAddress, to destination: IPv4SocketAddress) {
        guard let transport = transports[destination] else {
            undeliverable += 1
            return
        }
        var datagram = datagram
        tamper?(&datagram, source, destination)
        transport.inbox.append((datagram, source))
    }
}

/// One member's end of an `InMemoryReplicationNetwork`.
///
/// Like the UDP transport's iovecs, a staged datagram is a list of regions,
/// read only at `flush`: the caller may still write a header it has appended
/// (and must keep every region valid) until then.
///
/// Invariant: `staged` holds at most `network.batchDatagrams` datagrams,
/// each at most `datagramBytesMax` bytes. Threading: the network's thread.
public final class InMemoryReplicationTransport: ReplicationTransport, @unchecked Sendable {
    public unowned let network: InMemoryReplicationNetwork
    public let address: IPv4SocketAddress
    public var localAddress: IPv4SocketAddress { address }
    private var staged: [(destination: IPv4SocketAddress, regions: [UnsafeRawBufferPointer], length: Int)] = []
    var inbox: [(bytes: [UInt8], source: IPv4SocketAddress)] = []
    private var inboxHead = 0

    init(network: InMemoryReplicationNetwork, address: IPv4SocketAddress) {
        self.network = network
        self.address = address
    }

    /// Unbinds the address: datagrams to it are lost from now on.
    public func close() { network.unbind(address) }

    public var datagramBytesMax: Int { network.datagramBytesMax }
    public var datagramRoom: Int { network.batchDatagrams - staged.count }
    public var pendingCount: Int { staged.count }
    /// Datagrams waiting to be received.
    public var inboxCount: Int { inbox.count - inboxHead }

    public func beginDatagram(to destination: IPv4SocketAddress) -> Bool {
        guard staged.count < network.batchDatagrams else { return false }
        staged.append((destination, [], 0))
        return true
    }

    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        precondition(!staged.isEmpty, "append before beginDatagram")
        let last = staged.count - 1
        guard staged[last].length + bytes.count <= datagramBytesMax else { return false }
        staged[last].regions.append(bytes)
        staged[last].length += bytes.count
        return true
    }

    public func flush() -> TransportFlushResult {
        let sent = staged.count
        for datagram in staged {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(datagram.length)
            for region in datagram.regions { bytes.append(contentsOf: region) }
            network.deliver(bytes, from: address, to: datagram.destination)
        }
        staged.removeAll(keepingCapacity: true)
        return .complete(sent: sent, failed: 0)
    }

    public func receive(_ body: (UnsafeRawBufferPointer, IPv4SocketAddress) -> Void) -> Int {
        var count = 0
        while inboxHead < inbox.count && count < network.batchDatagrams {
            let (bytes, source) = inbox[inboxHead]
            inboxHead += 1
            count += 1
            bytes.withUnsafeBytes { body($0, source) }
        }
        if inboxHead == inbox.count {
            inbox.removeAll(keepingCapacity: true)
            inboxHead = 0
        }
        return count
    }
}
