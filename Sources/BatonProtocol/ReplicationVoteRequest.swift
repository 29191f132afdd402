import BatonCodec

/// Raft, a candidate → every other voter: vote for me in the term of the
/// header's `epoch` (the candidate's proposed term; in Raft mode the header's
/// epoch is the sender's term). `lastTerm` and `lastPosition` describe the
/// candidate's log (the term of its last byte, 0 for an empty log, and its
/// end), so a voter can refuse a candidate whose log is behind its own. A
/// pre-vote (flag bit 0) asks "would you vote for me?" without the voter
/// moving to that term or recording a vote.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = proposed term, sender)
///    24  lastTerm (UInt64: term of the candidate's last log byte; 0 for an empty log)
///    32  lastPosition (Int64: the candidate's log end)
///    40  flags (UInt32: bit 0 pre-vote; other bits written 0, ignored)
///    44  reserved (4 bytes, written 0, ignored)
///    48  checksum (UInt32: CRC32C of bytes 0..<48), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationVoteRequest: ReplicationMessage {
    public static let lastTermFieldOffset = 24
    public static let lastPositionFieldOffset = 32
    public static let flagsFieldOffset = 40
    public static let reservedFieldOffset = 44
    /// `flags` bit 0: a pre-vote (the voter neither changes term nor records a vote).
    public static let preVoteFlag: UInt32 = 1 << 0
    /// The leader handed over to this candidate (a leadership transfer): voters that still hear it grant anyway.
    public static let transferFlag: UInt32 = 1 << 1

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 56 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .voteRequest }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var lastTerm: UInt64 {
        get { load(UInt64.self, at: Self.lastTermFieldOffset) }
        nonmutating set { store(newValue, at: Self.lastTermFieldOffset) }
    }
    @inlinable public var lastPosition: Int64 {
        get { load(Int64.self, at: Self.lastPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.lastPositionFieldOffset) }
    }
    @inlinable public var flags: UInt32 {
        get { load(UInt32.self, at: Self.flagsFieldOffset) }
        nonmutating set { store(newValue, at: Self.flagsFieldOffset) }
    }
    /// Flag bit 0.
    @inlinable public var isPreVote: Bool {
        get { flags & Self.preVoteFlag != 0 }
        nonmutating set { flags = newValue ? flags | Self.preVoteFlag : flags & ~Self.preVoteFlag }
    }
    @inlinable public var isTransfer: Bool {
        get { flags & Self.transferFlag != 0 }
        nonmutating set { flags = newValue ? flags | Self.transferFlag : flags & ~Self.transferFlag }
    }
}
