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
    public static let minVersionFieldOffset = 0
    public static let maxVersionFieldOffset = 2
    public static let flagsFieldOffset = 4

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.hello.rawValue }
    @inlinable public var minVersion: UInt16 {
        get { load(UInt16.self, at: Self.minVersionFieldOffset) }
        nonmutating set { store(newValue, at: Self.minVersionFieldOffset) }
    }
    @inlinable public var maxVersion: UInt16 {
        get { load(UInt16.self, at: Self.maxVersionFieldOffset) }
        nonmutating set { store(newValue, at: Self.maxVersionFieldOffset) }
    }
    @inlinable public var flags: UInt32 {
        get { load(UInt32.self, at: Self.flagsFieldOffset) }
        nonmutating set { store(newValue, at: Self.flagsFieldOffset) }
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
    public static let versionFieldOffset = 0
    public static let reserved0FieldOffset = 2
    public static let nodeIdFieldOffset = 4
    public static let sessionIdFieldOffset = 8
    public static let maxMessageLengthFieldOffset = 16
    public static let maxPayloadLengthFieldOffset = 20
    public static let heartbeatIntervalMillisFieldOffset = 24
    public static let maxBatchCountFieldOffset = 28
    public static let commitPositionFieldOffset = 32

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 40 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.welcome.rawValue }
    @inlinable public var version: UInt16 {
        get { load(UInt16.self, at: Self.versionFieldOffset) }
        nonmutating set { store(newValue, at: Self.versionFieldOffset) }
    }
    @inlinable public var reserved0: UInt16 {
        get { load(UInt16.self, at: Self.reserved0FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved0FieldOffset) }
    }
    @inlinable public var nodeId: UInt32 {
        get { load(UInt32.self, at: Self.nodeIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.nodeIdFieldOffset) }
    }
    @inlinable public var sessionId: UInt64 {
        get { load(UInt64.self, at: Self.sessionIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.sessionIdFieldOffset) }
    }
    @inlinable public var maxMessageLength: UInt32 {
        get { load(UInt32.self, at: Self.maxMessageLengthFieldOffset) }
        nonmutating set { store(newValue, at: Self.maxMessageLengthFieldOffset) }
    }
    @inlinable public var maxPayloadLength: UInt32 {
        get { load(UInt32.self, at: Self.maxPayloadLengthFieldOffset) }
        nonmutating set { store(newValue, at: Self.maxPayloadLengthFieldOffset) }
    }
    @inlinable public var heartbeatIntervalMillis: UInt32 {
        get { load(UInt32.self, at: Self.heartbeatIntervalMillisFieldOffset) }
        nonmutating set { store(newValue, at: Self.heartbeatIntervalMillisFieldOffset) }
    }
    @inlinable public var maxBatchCount: UInt32 {
        get { load(UInt32.self, at: Self.maxBatchCountFieldOffset) }
        nonmutating set { store(newValue, at: Self.maxBatchCountFieldOffset) }
    }
    @inlinable public var commitPosition: Int64 {
        get { load(Int64.self, at: Self.commitPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.commitPositionFieldOffset) }
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
    public static let codeFieldOffset = 0
    public static let reserved0FieldOffset = 2
    public static let reserved1FieldOffset = 4
    public static let relatedIdFieldOffset = 8

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 16 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.error.rawValue }
    @inlinable public var code: UInt16 {
        get { load(UInt16.self, at: Self.codeFieldOffset) }
        nonmutating set { store(newValue, at: Self.codeFieldOffset) }
    }
    @inlinable public var reserved0: UInt16 {
        get { load(UInt16.self, at: Self.reserved0FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved0FieldOffset) }
    }
    @inlinable public var reserved1: UInt32 {
        get { load(UInt32.self, at: Self.reserved1FieldOffset) }
        nonmutating set { store(newValue, at: Self.reserved1FieldOffset) }
    }
    @inlinable public var relatedId: UInt64 {
        get { load(UInt64.self, at: Self.relatedIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.relatedIdFieldOffset) }
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
    public static let timestampNanosFieldOffset = 0

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 8 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.heartbeat.rawValue }
    @inlinable public var timestampNanos: Int64 {
        get { load(Int64.self, at: Self.timestampNanosFieldOffset) }
        nonmutating set { store(newValue, at: Self.timestampNanosFieldOffset) }
    }
}
