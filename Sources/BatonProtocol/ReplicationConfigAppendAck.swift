import BatonCodec

/// Chain mode, a configured member → the configuration log's leader: the
/// last entry it holds after an Append (index and term), and whether it took
/// the leader's. The header's `epoch` is the member's configuration term (a
/// later one than the leader's deposes it).
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = configuration term, sender)
///    24  matchedIndex (UInt64: the member's last entry index)
///    32  matchedTerm (UInt64: that entry's term)
///    40  flags (UInt32: bit 0 success; other bits written 0, ignored)
///    44  reserved (4 bytes, written 0, ignored)
///    48  checksum (UInt32: CRC32C of bytes 0..<48), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationConfigAppendAck: ReplicationMessage {
    public static let matchedIndexFieldOffset = 24
    public static let matchedTermFieldOffset = 32
    public static let flagsFieldOffset = 40
    public static let reservedFieldOffset = 44
    /// `flags` bit 0: the member took the leader's entry.
    public static let successFlag: UInt32 = 1 << 0

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 56 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .configAppendAck }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var matchedIndex: UInt64 {
        get { load(UInt64.self, at: Self.matchedIndexFieldOffset) }
        nonmutating set { store(newValue, at: Self.matchedIndexFieldOffset) }
    }
    @inlinable public var matchedTerm: UInt64 {
        get { load(UInt64.self, at: Self.matchedTermFieldOffset) }
        nonmutating set { store(newValue, at: Self.matchedTermFieldOffset) }
    }
    @inlinable public var flags: UInt32 {
        get { load(UInt32.self, at: Self.flagsFieldOffset) }
        nonmutating set { store(newValue, at: Self.flagsFieldOffset) }
    }
    /// Flag bit 0.
    @inlinable public var isSuccess: Bool {
        get { flags & Self.successFlag != 0 }
        nonmutating set { flags = newValue ? flags | Self.successFlag : flags & ~Self.successFlag }
    }
}
