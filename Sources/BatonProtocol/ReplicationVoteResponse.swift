import BatonCodec

/// Raft, a voter → the candidate that asked: whether it has the vote. The
/// header's `epoch` is the voter's term (higher than the candidate's: the
/// candidate is stale and steps down). A response to a pre-vote carries the
/// pre-vote bit, so a late answer to a pre-vote is never counted as a vote.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = the voter's term, sender)
///    24  flags (UInt32: bit 0 granted, bit 1 pre-vote; other bits written 0, ignored)
///    28  reserved (4 bytes, written 0, ignored)
///    32  checksum (UInt32: CRC32C of bytes 0..<32), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationVoteResponse: ReplicationMessage {
    public static let flagsFieldOffset = 24
    public static let reservedFieldOffset = 28
    /// `flags` bit 0: the vote is granted.
    public static let grantedFlag: UInt32 = 1 << 0
    /// `flags` bit 1: the answer to a pre-vote.
    public static let preVoteFlag: UInt32 = 1 << 1

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 40 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .voteResponse }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var flags: UInt32 {
        get { load(UInt32.self, at: Self.flagsFieldOffset) }
        nonmutating set { store(newValue, at: Self.flagsFieldOffset) }
    }
    /// Flag bit 0.
    @inlinable public var isGranted: Bool {
        get { flags & Self.grantedFlag != 0 }
        nonmutating set { flags = newValue ? flags | Self.grantedFlag : flags & ~Self.grantedFlag }
    }
    /// Flag bit 1.
    @inlinable public var isPreVote: Bool {
        get { flags & Self.preVoteFlag != 0 }
        nonmutating set { flags = newValue ? flags | Self.preVoteFlag : flags & ~Self.preVoteFlag }
    }
}
