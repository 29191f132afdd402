import BatonCodec

/// Hello: the first message of a session (client → server).
///
/// Fixed block (8 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  minVersion (UInt16)
///     2  maxVersion (UInt16)
///     4  flags (UInt32)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct HelloBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.hello.rawValue }
    @inlinable public var minVersion: UInt16 {
        get { load(UInt16.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var maxVersion: UInt16 {
        get { load(UInt16.self, at: 2) }
        nonmutating set { store(newValue, at: 2) }
    }
    @inlinable public var flags: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
}

/// Welcome: the answer to Hello (server → client); the session may now publish or subscribe.
///
/// Fixed block (40 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  version (UInt16)
///     2  reserved0 (UInt16)
///     4  nodeId (UInt32)
///     8  sessionId (UInt64)
///    16  maxMessageLength (UInt32)
///    20  maxPayloadLength (UInt32)
///    24  heartbeatIntervalMillis (UInt32)
///    28  maxBatchCount (UInt32)
///    32  commitPosition (Int64)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct WelcomeBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 40 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.welcome.rawValue }
    @inlinable public var version: UInt16 {
        get { load(UInt16.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var reserved0: UInt16 {
        get { load(UInt16.self, at: 2) }
        nonmutating set { store(newValue, at: 2) }
    }
    @inlinable public var nodeId: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var sessionId: UInt64 {
        get { load(UInt64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
    @inlinable public var maxMessageLength: UInt32 {
        get { load(UInt32.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
    }
    @inlinable public var maxPayloadLength: UInt32 {
        get { load(UInt32.self, at: 20) }
        nonmutating set { store(newValue, at: 20) }
    }
    @inlinable public var heartbeatIntervalMillis: UInt32 {
        get { load(UInt32.self, at: 24) }
        nonmutating set { store(newValue, at: 24) }
    }
    @inlinable public var maxBatchCount: UInt32 {
        get { load(UInt32.self, at: 28) }
        nonmutating set { store(newValue, at: 28) }
    }
    @inlinable public var commitPosition: Int64 {
        get { load(Int64.self, at: 32) }
        nonmutating set { store(newValue, at: 32) }
    }
}

/// Error (server → client): a code and a text naming the problem; fatal codes close the session.
///
/// Fixed block (16 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  code (UInt16)
///     2  reserved0 (UInt16)
///     4  reserved1 (UInt32)
///     8  relatedId (UInt64)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct ErrorBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 16 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.error.rawValue }
    @inlinable public var code: UInt16 {
        get { load(UInt16.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var reserved0: UInt16 {
        get { load(UInt16.self, at: 2) }
        nonmutating set { store(newValue, at: 2) }
    }
    @inlinable public var reserved1: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var relatedId: UInt64 {
        get { load(UInt64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
}

/// Heartbeat (both directions): sent when nothing else was sent for the heartbeat interval.
///
/// Fixed block (8 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  timestampNanos (Int64)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct HeartbeatBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.heartbeat.rawValue }
    @inlinable public var timestampNanos: Int64 {
        get { load(Int64.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
}
