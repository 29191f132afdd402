import BatonCodec

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
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct SubscribeBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.subscribe.rawValue }
    @inlinable public var subscriptionId: UInt32 {
        get { load(UInt32.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var streamId: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var from: UInt8 {
        get { address.load(fromByteOffset: 8, as: UInt8.self) }
        nonmutating set { address.storeBytes(of: newValue, toByteOffset: 8, as: UInt8.self) }
    }
    @inlinable public var reserved0: UInt8 {
        get { address.load(fromByteOffset: 9, as: UInt8.self) }
        nonmutating set { address.storeBytes(of: newValue, toByteOffset: 9, as: UInt8.self) }
    }
    @inlinable public var reserved1: UInt16 {
        get { load(UInt16.self, at: 10) }
        nonmutating set { store(newValue, at: 10) }
    }
    @inlinable public var credit: UInt32 {
        get { load(UInt32.self, at: 12) }
        nonmutating set { store(newValue, at: 12) }
    }
    @inlinable public var start: Int64 {
        get { load(Int64.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
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
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct SubscribedBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.subscribed.rawValue }
    @inlinable public var subscriptionId: UInt32 {
        get { load(UInt32.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var reserved0: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var startPosition: Int64 {
        get { load(Int64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
    @inlinable public var commitPosition: Int64 {
        get { load(Int64.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
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
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct DeliverBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.deliver.rawValue }
    @inlinable public var subscriptionId: UInt32 {
        get { load(UInt32.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var frameCount: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var firstPosition: Int64 {
        get { load(Int64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
    @inlinable public var bytes: UInt32 {
        get { load(UInt32.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
    }
    @inlinable public var reserved0: UInt32 {
        get { load(UInt32.self, at: 20) }
        nonmutating set { store(newValue, at: 20) }
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
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct CreditBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.credit.rawValue }
    @inlinable public var subscriptionId: UInt32 {
        get { load(UInt32.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var credit: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
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
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct UnsubscribeBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.unsubscribe.rawValue }
    @inlinable public var subscriptionId: UInt32 {
        get { load(UInt32.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var reserved0: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
}
