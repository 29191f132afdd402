import BatonCodec

/// Predecessor → successor (or successor → a head catching up, answering a Pull): the log's bytes `[position, position + n)`, exactly as the head laid them out; a datagram may end inside a frame.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  position (Int64: where the log bytes start)
///    32  senderIncarnation (Int64: the sending member's incarnation — changes when it
///        restarts — so a follower never joins bytes of one incarnation's stream held
///        past a gap to another's: a restarted member may lay different frames at the
///        same positions, as after a cut of a rotten log; 0 from Raft)
///    40  checksum (UInt32: CRC32C of bytes 0..<40), reserved (4 bytes, zero) — the fixed
///        part only: a flipped byte in the position or the incarnation is dropped
///    48  log bytes (any length ≥ 0, up to the MTU)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationData: ReplicationMessage {
    public static let positionFieldOffset = 24
    public static let senderIncarnationFieldOffset = 32
    /// Where the log bytes start (they are copied, never read in place: no alignment is needed).
    public static let bytesOffset = 48

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length without its log bytes.
    @inlinable public static var encodedLength: Int { 48 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .data }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var position: Int64 {
        get { load(Int64.self, at: Self.positionFieldOffset) }
        nonmutating set { store(newValue, at: Self.positionFieldOffset) }
    }
    @inlinable public var senderIncarnation: Int64 {
        get { load(Int64.self, at: Self.senderIncarnationFieldOffset) }
        nonmutating set { store(newValue, at: Self.senderIncarnationFieldOffset) }
    }
}
