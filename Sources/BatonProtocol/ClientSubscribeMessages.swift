import BatonCodec

/// A message of a subscription (Subscribe, Subscribed, Deliver, Credit,
/// Unsubscribe): its block starts with the subscription it concerns, so that
/// field is written once, here:
///
/// ```
///     0  subscriptionId (UInt32: chosen by the client in Subscribe)
/// ```
///
/// Threading: a flyweight, as thread-safe as the memory it views.
public protocol SubscriptionMessage: MessageFlyweight {}

extension SubscriptionMessage {
    @inlinable public static var subscriptionIdFieldOffset: Int { 0 }
    @inlinable public var subscriptionId: UInt32 {
        get { load(UInt32.self, at: Self.subscriptionIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.subscriptionIdFieldOffset) }
    }
}

/// Subscribe (client → server): start a subscription to one stream (or all) from earliest, latest, a position or a timestamp.
///
/// Fixed block (24 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  subscriptionId (UInt32)
///     4  streamId (UInt32)
///     8  from (UInt8)
///     9  reserved0 (UInt8)
///    10  reserved1 (UInt16)
///    12  credit (UInt32)
///    16  start (Int64)
/// ```
///
/// A flyweight (`subscriptionId` from `SubscriptionMessage`): a pointer and
/// nothing else; as thread-safe as the memory it views.
@frozen
public struct SubscribeBlock: SubscriptionMessage {
    public static let streamIdFieldOffset = 4
    public static let fromFieldOffset = 8
    public static let reserved0FieldOffset = 9
    public static let reserved1FieldOffset = 10
    public static let creditFieldOffset = 12
    public static let startFieldOffset = 16

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.subscribe.rawValue }
    @inlinable public var streamId: UInt32 {
        get { load(UInt32.self, at: Self.streamIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.streamIdFieldOffset) }
    }
    @inlinable public var from: UInt8 {
        get { load(UInt8.self, at: Self.fromFieldOffset) }
        nonmutating set { store(newValue, at: Self.fromFieldOffset) }
    }
    @inlinable public var reserved0: UInt8 {
        get { load(UInt8.self, at: Self.reserved0FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved0FieldOffset) }
    }
    @inlinable public var reserved1: UInt16 {
        get { load(UInt16.self, at: Self.reserved1FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved1FieldOffset) }
    }
    @inlinable public var credit: UInt32 {
        get { load(UInt32.self, at: Self.creditFieldOffset) }
        nonmutating set { store(newValue, at: Self.creditFieldOffset) }
    }
    @inlinable public var start: Int64 {
        get { load(Int64.self, at: Self.startFieldOffset) }
        nonmutating set { store(newValue, at: Self.startFieldOffset) }
    }
}

/// Subscribed (server → client): the subscription is live from `startPosition`.
///
/// Fixed block (24 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  subscriptionId (UInt32)
///     4  reserved0 (UInt32)
///     8  startPosition (Int64)
///    16  commitPosition (Int64)
/// ```
///
/// A flyweight (`subscriptionId` from `SubscriptionMessage`): a pointer and
/// nothing else; as thread-safe as the memory it views.
@frozen
public struct SubscribedBlock: SubscriptionMessage {
    public static let reserved0FieldOffset = 4
    public static let startPositionFieldOffset = 8
    public static let commitPositionFieldOffset = 16

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.subscribed.rawValue }
    @inlinable public var reserved0: UInt32 {
        get { load(UInt32.self, at: Self.reserved0FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved0FieldOffset) }
    }
    @inlinable public var startPosition: Int64 {
        get { load(Int64.self, at: Self.startPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.startPositionFieldOffset) }
    }
    @inlinable public var commitPosition: Int64 {
        get { load(Int64.self, at: Self.commitPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.commitPositionFieldOffset) }
    }
}

/// Deliver (server → client): `bytes` of committed log frames from `firstPosition` follow the block.
///
/// Fixed block (24 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  subscriptionId (UInt32)
///     4  frameCount (UInt32)
///     8  firstPosition (Int64)
///    16  bytes (UInt32)
///    20  reserved0 (UInt32)
/// ```
///
/// A flyweight (`subscriptionId` from `SubscriptionMessage`): a pointer and
/// nothing else; as thread-safe as the memory it views.
@frozen
public struct DeliverBlock: SubscriptionMessage {
    public static let frameCountFieldOffset = 4
    public static let firstPositionFieldOffset = 8
    public static let bytesFieldOffset = 16
    public static let reserved0FieldOffset = 20

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.deliver.rawValue }
    @inlinable public var frameCount: UInt32 {
        get { load(UInt32.self, at: Self.frameCountFieldOffset) }
        nonmutating set { store(newValue, at: Self.frameCountFieldOffset) }
    }
    @inlinable public var firstPosition: Int64 {
        get { load(Int64.self, at: Self.firstPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.firstPositionFieldOffset) }
    }
    @inlinable public var bytes: UInt32 {
        get { load(UInt32.self, at: Self.bytesFieldOffset) }
        nonmutating set { store(newValue, at: Self.bytesFieldOffset) }
    }
    @inlinable public var reserved0: UInt32 {
        get { load(UInt32.self, at: Self.reserved0FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved0FieldOffset) }
    }
}

/// Credit (client → server): the client can take `credit` more bytes of Deliver.
///
/// Fixed block (8 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  subscriptionId (UInt32)
///     4  credit (UInt32)
/// ```
///
/// A flyweight (`subscriptionId` from `SubscriptionMessage`): a pointer and
/// nothing else; as thread-safe as the memory it views.
@frozen
public struct CreditBlock: SubscriptionMessage {
    public static let creditFieldOffset = 4

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.credit.rawValue }
    @inlinable public var credit: UInt32 {
        get { load(UInt32.self, at: Self.creditFieldOffset) }
        nonmutating set { store(newValue, at: Self.creditFieldOffset) }
    }
}

/// Unsubscribe (client → server): end a subscription.
///
/// Fixed block (8 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  subscriptionId (UInt32)
///     4  reserved0 (UInt32)
/// ```
///
/// A flyweight (`subscriptionId` from `SubscriptionMessage`): a pointer and
/// nothing else; as thread-safe as the memory it views.
@frozen
public struct UnsubscribeBlock: SubscriptionMessage {
    public static let reserved0FieldOffset = 4

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.unsubscribe.rawValue }
    @inlinable public var reserved0: UInt32 {
        get { load(UInt32.self, at: Self.reserved0FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved0FieldOffset) }
    }
}
