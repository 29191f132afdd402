import BatonCodec

/// Chain mode, the failure detector's messages between any two configured
/// members (SWIM's ping, ack and ping-req in one type, told apart by `kind`):
///
/// - **probe** (0): "answer me" — sent to `subject`; `requester` is the member
///   that wants the answer (the sender itself, or the member an indirect probe
///   is made for);
/// - **answer** (1): "`subject` is alive" — the reply to a probe, sent to the
///   prober, which relays it to `requester` if that is another member;
/// - **request** (2): "probe `subject` for me" (an indirect probe: the
///   requester cannot hear it directly);
/// - **join** (3): "add `subject` (me) back to the chain as its tail" — a
///   removed member that has caught up, to the configuration leader;
/// - **handOver** (4): "stop ordering and tell me when your successor holds
///   everything you ordered" — the configuration leader (`requester`) to the
///   head (`subject`) an operator removes;
/// - **handedOver** (5): "my successor holds everything I ordered; I order
///   nothing more" — that head (`subject`) back to the leader.
///
/// `nonce` pairs answers with probes. The header's `epoch` is the sender's
/// chain epoch (informational: probes cross epochs).
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  nonce (UInt64)
///    32  kind (UInt32: 0 probe, 1 answer, 2 request, 3 join, 4 handOver, 5 handedOver)
///    36  subject (UInt32: the member probed, shown alive, or to probe)
///    40  requester (UInt32: the member that wants to know)
///    44  reserved (4 bytes, written 0, ignored)
///    48  checksum (UInt32: CRC32C of bytes 0..<48), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationProbe: ReplicationMessage {
    public static let nonceFieldOffset = 24
    public static let kindFieldOffset = 32
    public static let subjectFieldOffset = 36
    public static let requesterFieldOffset = 40
    public static let reservedFieldOffset = 44

    /// What a probe message asks or says.
    public enum Kind: UInt32, Sendable {
        case probe = 0
        case answer = 1
        case request = 2
        /// A removed member that has taken the log up to the commit asks the
        /// configuration leader to add it back as the tail (`subject`: itself).
        case join = 3
        /// The configuration leader asks the head it is to remove to hand over
        /// (`subject`: the head, `requester`: the leader).
        case handOver = 4
        /// The head has handed over: its successor holds all it ordered (`subject`: the head).
        case handedOver = 5
    }

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 56 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .probe }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var nonce: UInt64 {
        get { load(UInt64.self, at: Self.nonceFieldOffset) }
        nonmutating set { store(newValue, at: Self.nonceFieldOffset) }
    }
    /// The raw kind (a checked datagram holds 0 to 5).
    @inlinable public var kindCode: UInt32 {
        get { load(UInt32.self, at: Self.kindFieldOffset) }
        nonmutating set { store(newValue, at: Self.kindFieldOffset) }
    }
    @inlinable public var kind: Kind {
        get { Kind(rawValue: kindCode) ?? .probe }
        nonmutating set { kindCode = newValue.rawValue }
    }
    @inlinable public var subject: UInt32 {
        get { load(UInt32.self, at: Self.subjectFieldOffset) }
        nonmutating set { store(newValue, at: Self.subjectFieldOffset) }
    }
    @inlinable public var requester: UInt32 {
        get { load(UInt32.self, at: Self.requesterFieldOffset) }
        nonmutating set { store(newValue, at: Self.requesterFieldOffset) }
    }
}
