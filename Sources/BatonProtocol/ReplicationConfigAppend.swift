import BatonCodec

/// Chain mode, the configuration log's leader → every other configured
/// member: its last configuration entry and its committed entry, whole (the
/// configuration log's AppendEntries and heartbeat in one: every entry is a
/// whole membership, so a member's log is its last entry, and a member that
/// holds an uncommitted entry still learns the committed membership). The
/// header's `epoch` is the leader's configuration **term** (as in Raft
/// mode), not the chain's epoch: these messages cross chain epochs.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = configuration term, sender)
///    24  entryIndex (UInt64: the leader's last entry, 1-based)
///    32  entryTerm (UInt64: the term that wrote it)
///    40  committedIndex (UInt64: the leader's committed entry; 0 = the cluster file's membership)
///    48  committedTerm (UInt64)
///    56  the last entry's membership (80 bytes, `ReplicationMembershipBlock`)
///   136  the committed entry's membership (80 bytes)
///   216  checksum (UInt32: CRC32C of bytes 0..<216), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationConfigAppend: ReplicationMessage {
    public static let entryIndexFieldOffset = 24
    public static let entryTermFieldOffset = 32
    public static let committedIndexFieldOffset = 40
    public static let committedTermFieldOffset = 48
    public static let entryMembershipOffset = 56
    public static let committedMembershipOffset = 136

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 224 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .configAppend }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var entryIndex: UInt64 {
        get { load(UInt64.self, at: Self.entryIndexFieldOffset) }
        nonmutating set { store(newValue, at: Self.entryIndexFieldOffset) }
    }
    @inlinable public var entryTerm: UInt64 {
        get { load(UInt64.self, at: Self.entryTermFieldOffset) }
        nonmutating set { store(newValue, at: Self.entryTermFieldOffset) }
    }
    @inlinable public var committedIndex: UInt64 {
        get { load(UInt64.self, at: Self.committedIndexFieldOffset) }
        nonmutating set { store(newValue, at: Self.committedIndexFieldOffset) }
    }
    @inlinable public var committedTerm: UInt64 {
        get { load(UInt64.self, at: Self.committedTermFieldOffset) }
        nonmutating set { store(newValue, at: Self.committedTermFieldOffset) }
    }
    /// The last entry's membership.
    @inlinable public var entryMembership: ReplicationMembershipBlock { ReplicationMembershipBlock(address + Self.entryMembershipOffset) }
    /// The committed entry's membership.
    @inlinable public var committedMembership: ReplicationMembershipBlock {
        ReplicationMembershipBlock(address + Self.committedMembershipOffset)
    }
}

/// A chain membership inside a replication message (80 bytes):
///
/// ```
///     0  epoch (UInt32: the chain epoch it sets, at least 1)
///     4  minimumLength (UInt32: writes are refused below this many members, at least 1)
///     8  memberCount (UInt32: 1 to 16)
///    12  heldOutCount (UInt32: members an operator holds out; memberCount + heldOutCount ≤ 16)
///    16  members (16 × UInt32: node ids in chain order, head first, then the
///        held-out ids; unused slots 0)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct ReplicationMembershipBlock: FixedLengthFlyweight {
    public static let epochFieldOffset = 0
    public static let minimumLengthFieldOffset = 4
    public static let memberCountFieldOffset = 8
    public static let heldOutCountFieldOffset = 12
    public static let membersFieldOffset = 16
    /// Member slots (a chain has at most 16 members).
    public static let memberSlots = 16

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 80 }
    @inlinable public var epoch: UInt32 {
        get { load(UInt32.self, at: Self.epochFieldOffset) }
        nonmutating set { store(newValue, at: Self.epochFieldOffset) }
    }
    @inlinable public var minimumLength: UInt32 {
        get { load(UInt32.self, at: Self.minimumLengthFieldOffset) }
        nonmutating set { store(newValue, at: Self.minimumLengthFieldOffset) }
    }
    @inlinable public var memberCount: UInt32 {
        get { load(UInt32.self, at: Self.memberCountFieldOffset) }
        nonmutating set { store(newValue, at: Self.memberCountFieldOffset) }
    }
    @inlinable public var heldOutCount: UInt32 {
        get { load(UInt32.self, at: Self.heldOutCountFieldOffset) }
        nonmutating set { store(newValue, at: Self.heldOutCountFieldOffset) }
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
    /// Whether a field is out of range (count, minimum, epoch).
    @inlinable public var hasInvalidField: Bool {
        memberCount < 1 || memberCount > UInt32(Self.memberSlots) || heldOutCount > UInt32(Self.memberSlots) - memberCount
            || minimumLength < 1 || epoch < 1
    }
}
