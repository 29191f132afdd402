import BatonNet
import BatonProtocol

/// The replicator's outgoing batch: begins each message in a header slot of
/// its own (the fixed fields, written by the caller through the type's
/// flyweight) and hands the slot and any payload regions to the transport as
/// one datagram; `flush` sends the batch. Slots are reused only after a
/// complete flush, so staged headers stay put until the kernel has them.
///
/// Invariant: `0 <= slotsUsed <= slotCount`; `slotsUsed == 0` after a
/// `.complete` flush. Threading: owned by one replicator; its thread only.
public final class ReplicationOutbox<Transport: ReplicationTransport> {
    /// Bytes of one header slot: every fixed message fits (the largest, a
    /// Raft Sync, is 184 bytes), rounded up to whole 64-byte cache lines.
    public static var slotBytes: Int { 256 }
    public let transport: Transport
    let nodeId: UInt32
    let clusterId: UInt64
    /// Written into every header (chain: the configuration epoch; Raft: the
    /// current term, updated by the replicator).
    public var epoch: UInt32
    let slots: UnsafeMutableRawPointer
    public let slotCount: Int
    public private(set) var slotsUsed = 0
    /// Slots below this have their checksum trailer written (sealed at flush, once the caller wrote the fields).
    private var slotsSealed = 0

    /// Written into every Data datagram (`ReplicationData.senderIncarnation`; 0: Raft).
    public var senderIncarnation: Int64 = 0

    public init(transport: Transport, nodeId: UInt32, clusterId: UInt64, epoch: UInt32) {
        self.transport = transport
        self.nodeId = nodeId
        self.clusterId = clusterId
        self.epoch = epoch
        slotCount = max(1, transport.datagramRoom)
        slots = .allocate(byteCount: slotCount * Self.slotBytes, alignment: 64)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: slotCount * Self.slotBytes)
    }

    deinit { slots.deallocate() }

    /// Writes the checksum trailer of every message begun since the last
    /// flush (all types but Data): their fields are final by now.
    @inline(__always)
    private func sealStaged() {
        while slotsSealed < slotsUsed {
            let slot = slots + slotsSealed &* Self.slotBytes
            slotsSealed &+= 1
            guard let type = ReplicationProtocol.MessageType(rawValue: ReplicationHeader(slot).templateId), type.hasChecksum else { continue }
            ReplicationChecksum.seal(slot, length: type.fixedLength)
        }
    }

    /// Datagrams that can still be begun, keeping `reserve` for later messages.
    @inline(__always)
    public func hasRoom(reserving reserve: Int = 0) -> Bool {
        transport.datagramRoom > reserve && slotsUsed < slotCount &- reserve
    }

    /// Staged datagrams the transport has not yet sent.
    public var pendingCount: Int { transport.pendingCount }

    /// Begins a message of `Message`'s type to `destination`: a fresh slot
    /// with the common header written; nil when the batch is full. The caller
    /// writes the fields through the returned flyweight before the next call.
    @inline(__always)
    public func begin<Message: ReplicationMessage>(_: Message.Type,
                                                     to destination: IPv4SocketAddress) -> Message? {
        assert(Message.encodedLength <= Self.slotBytes, "\(Message.self) is \(Message.encodedLength) bytes, a slot \(Self.slotBytes)")
        guard slotsUsed < slotCount, transport.datagramRoom > 0, transport.beginDatagram(to: destination) else { return nil }
        let slot = slots + slotsUsed &* Self.slotBytes
        slotsUsed &+= 1
        ReplicationHeader(slot).write(type: Message.messageType, fromNode: nodeId, clusterId: clusterId, epoch: epoch)
        let appended = transport.append(UnsafeRawBufferPointer(start: slot, count: Message.encodedLength))
        assert(appended, "a fixed message of \(Message.encodedLength) bytes always fits a fresh datagram")
        return Message(slot)
    }

    /// Appends log bytes to the Data message begun last.
    @inline(__always)
    public func appendPayload(_ bytes: UnsafeRawBufferPointer) {
        let appended = transport.append(bytes)
        assert(appended, "a Data payload of at most the datagram's room fits its datagram")
    }

    /// Sends what is staged; after a complete flush every slot is free again.
    public func flush() -> TransportFlushResult {
        sealStaged()
        let result = transport.flush()
        if case .complete = result {
            slotsUsed = 0
            slotsSealed = 0
        }
        assert(slotsUsed >= 0 && slotsUsed <= slotCount)
        return result
    }
}
