import BatonCodec

/// Raft, the leader → a follower, answering its `ReplicationSyncRequest`:
/// your log agrees with mine below `matchPosition` — truncate to it, then
/// take my Data stream from there. Or, when the leader's log has none of the
/// follower's last term, `matchPosition` is that term's start as the
/// follower sent it: a cut, not agreement — the follower truncates and asks
/// again (`RaftTermIndex.matchPosition` says how to tell the two apart).
/// The entries are the leader's term starts
/// from the one covering `matchPosition` on (`RaftTermIndex.entries(from:limit:)`),
/// so the follower can label what it takes with the right terms; it may take
/// bytes only below `validUpTo` (the start of the first term start left
/// out for want of slots, `Int64.max` when every later term start is listed)
/// and asks again when it gets there.
///
/// With `flags` bit 0 (`leaderStartsLater`) the leader no longer holds the
/// bytes the follower needs (its retention deleted them): `matchPosition` is
/// the first position the leader holds, the single entry is the term covering
/// the byte before it, and the follower cannot catch up by replication — it
/// records that it must rejoin from there (`RaftRejoinNote`).
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = the leader's term, sender)
///    24  matchPosition (Int64: truncate to here, then take the stream from here)
///    32  validUpTo (Int64: take bytes only below this; Int64.max when every later term start is listed)
///    40  entryCount (UInt32: entries used, at most maximumEntries = 8)
///    44  flags (UInt32: bit 0 leaderStartsLater; other bits written 0, ignored)
///    48  entry 0: term (UInt64), start (Int64)
///    64  entry 1
///        …
///   160  entry 7 (slots from entryCount on are written 0 and ignored)
///   176  checksum (UInt32: CRC32C of bytes 0..<176), reserved (4 bytes, zero)
/// ```
///
/// Fixed length: always eight slots, so the datagram check needs no
/// variable part and one header slot of the outbox holds the whole message.
/// The check refuses an `entryCount` past 8, a negative start, and entries
/// whose terms or starts do not strictly increase, so a receiver may feed
/// them to a `RaftTermIndex` in order.
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationSync: ReplicationMessage {
    public static let matchPositionFieldOffset = 24
    public static let validUpToFieldOffset = 32
    public static let entryCountFieldOffset = 40
    public static let flagsFieldOffset = 44
    /// `flags` bit 0: the leader's log starts at `matchPosition`, above what the follower needs.
    public static let leaderStartsLater: UInt32 = 1
    /// Where entry 0 starts; entry `i` is at `entriesOffset + i * entryStride`.
    public static let entriesOffset = 48
    /// Bytes of one entry: term (UInt64) at +0, start (Int64) at +8.
    public static let entryStride = 16
    /// Entry slots in every Sync.
    public static let maximumEntries = 8

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 184 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .sync }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var matchPosition: Int64 {
        get { load(Int64.self, at: Self.matchPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.matchPositionFieldOffset) }
    }
    @inlinable public var validUpTo: Int64 {
        get { load(Int64.self, at: Self.validUpToFieldOffset) }
        nonmutating set { store(newValue, at: Self.validUpToFieldOffset) }
    }
    @inlinable public var flags: UInt32 {
        get { load(UInt32.self, at: Self.flagsFieldOffset) }
        nonmutating set { store(newValue, at: Self.flagsFieldOffset) }
    }
    @inlinable public var entryCount: UInt32 {
        get { load(UInt32.self, at: Self.entryCountFieldOffset) }
        nonmutating set { store(newValue, at: Self.entryCountFieldOffset) }
    }

    /// The term of entry slot `index` (0 ..< `maximumEntries`).
    @inlinable public func entryTerm(at index: Int) -> UInt64 {
        load(UInt64.self, at: Self.entryOffset(index))
    }

    /// Where the term of entry slot `index` starts (0 ..< `maximumEntries`).
    @inlinable public func entryStart(at index: Int) -> Int64 {
        load(Int64.self, at: Self.entryOffset(index) &+ 8)
    }

    /// Writes entry slot `index` (0 ..< `maximumEntries`); `entryCount` is the caller's to set.
    @inlinable public func setEntry(at index: Int, term: UInt64, start: Int64) {
        let offset = Self.entryOffset(index)
        store(term, at: offset)
        store(start, at: offset &+ 8)
    }

    /// The byte offset of entry slot `index`; a slot outside the message is a programmer error.
    @inlinable static func entryOffset(_ index: Int) -> Int {
        precondition(index >= 0 && index < maximumEntries, "Sync entry slot \(index) outside 0..<\(maximumEntries)")
        return entriesOffset &+ index &* entryStride
    }
}
