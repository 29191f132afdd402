import BatonCodec

/// Chain mode, the configuration log's leader → every other configured
/// member: its last configuration entry and the index committed so far (the
/// configuration log's AppendEntries and heartbeat in one: every entry is a
/// whole membership, so the last one is the whole log). The header's `epoch`
/// is the leader's configuration **term** (as in Raft mode), not the chain's
/// epoch: these messages cross chain epochs.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = configuration term, sender)
///    24  committedIndex (UInt64: the leader's committed entry index)
///    32  entryIndex (UInt64: its last entry's index, 1-based)
///    40  entryTerm (UInt64: the term that wrote that entry)
///    48  membershipEpoch (UInt32: the chain epoch the entry sets)
///    52  minimumLength (UInt32: writes are refused below this many members)
///    56  memberCount (UInt32: 1 to 16)
///    60  reserved (4 bytes, written 0, ignored)
///    64  members (16 × UInt32: node ids in chain order, head first; unused slots 0)
///   128  checksum (UInt32: CRC32C of bytes 0..<128), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationConfigAppend: ReplicationMessage {
    public static let committedIndexFieldOffset = 24
    public static let entryIndexFieldOffset = 32
    public static let entryTermFieldOffset = 40
    public static let membershipEpochFieldOffset = 48
    public static let minimumLengthFieldOffset = 52
    public static let memberCountFieldOffset = 56
    public static let reservedFieldOffset = 60
    public static let membersFieldOffset = 64
    /// Member slots in the message (a chain has at most 16 members).
    public static let memberSlots = 16

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 136 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .configAppend }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var committedIndex: UInt64 {
        get { load(UInt64.self, at: Self.committedIndexFieldOffset) }
        nonmutating set { store(newValue, at: Self.committedIndexFieldOffset) }
    }
    @inlinable public var entryIndex: UInt64 {
        get { load(UInt64.self, at: Self.entryIndexFieldOffset) }
        nonmutating set { store(newValue, at: Self.entryIndexFieldOffset) }
    }
    @inlinable public var entryTerm: UInt64 {
        get { load(UInt64.self, at: Self.entryTermFieldOffset) }
        nonmutating set { store(newValue, at: Self.entryTermFieldOffset) }
    }
    @inlinable public var membershipEpoch: UInt32 {
        get { load(UInt32.self, at: Self.membershipEpochFieldOffset) }
        nonmutating set { store(newValue, at: Self.membershipEpochFieldOffset) }
    }
    @inlinable public var minimumLength: UInt32 {
        get { load(UInt32.self, at: Self.minimumLengthFieldOffset) }
        nonmutating set { store(newValue, at: Self.minimumLengthFieldOffset) }
    }
    @inlinable public var memberCount: UInt32 {
        get { load(UInt32.self, at: Self.memberCountFieldOffset) }
        nonmutating set { store(newValue, at: Self.memberCountFieldOffset) }
    }
    /// Member `slot` (0 = the head); `slot` below `memberSlots`.
    @inlinable public func member(_ slot: Int) -> UInt32 {
        precondition(slot >= 0 && slot < Self.memberSlots, "member slot \(slot)")
        return load(UInt32.self, at: Self.membersFieldOffset + 4 * slot)
    }
    @inlinable public func setMember(_ slot: Int, _ nodeId: UInt32) {
        precondition(slot >= 0 && slot < Self.memberSlots, "member slot \(slot)")
        store(nodeId, at: Self.membersFieldOffset + 4 * slot)
    }
}
