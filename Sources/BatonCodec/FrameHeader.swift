/// A flyweight over one log frame in raw memory (the log buffer, a segment
/// mapping, a datagram). See `FrameDescriptor` for the layout.
///
/// A view, not an owner: it holds a pointer and nothing else, so it costs no
/// allocation and no reference counting. Whoever makes it guarantees the
/// memory stays valid, and — for reads from untrusted bytes — calls
/// `FrameHeader.check(...)` first, which bounds-checks the frame against the
/// bytes available and verifies the checksum.
///
/// Threading: none of its own; it is as safe as the memory it points at.
@frozen
public struct FrameHeader {
    public let address: UnsafeMutableRawPointer

    @inlinable @inline(__always)
    public init(_ address: UnsafeMutableRawPointer) { self.address = address }

    @inlinable public var frameLength: Int {
        get { Int(address.loadLittleEndian(fromByteOffset: FrameDescriptor.frameLengthOffset, as: UInt32.self)) }
        nonmutating set { address.storeLittleEndian(UInt32(truncatingIfNeeded: newValue), toByteOffset: FrameDescriptor.frameLengthOffset) }
    }
    @inlinable public var checksum: UInt32 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.checksumOffset, as: UInt32.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.checksumOffset) }
    }
    @inlinable public var version: UInt8 {
        get { address.load(fromByteOffset: FrameDescriptor.versionOffset, as: UInt8.self) }
        nonmutating set { address.storeBytes(of: newValue, toByteOffset: FrameDescriptor.versionOffset, as: UInt8.self) }
    }
    @inlinable public var flags: UInt8 {
        get { address.load(fromByteOffset: FrameDescriptor.flagsOffset, as: UInt8.self) }
        nonmutating set { address.storeBytes(of: newValue, toByteOffset: FrameDescriptor.flagsOffset, as: UInt8.self) }
    }
    /// The raw type code; `FrameType(rawValue:)` for the known ones.
    @inlinable public var typeCode: UInt16 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.typeOffset, as: UInt16.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.typeOffset) }
    }
    @inlinable public var streamId: UInt32 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.streamIdOffset, as: UInt32.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.streamIdOffset) }
    }
    @inlinable public var position: Int64 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.positionOffset, as: Int64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.positionOffset) }
    }
    @inlinable public var producerId: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.producerIdOffset, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.producerIdOffset) }
    }
    @inlinable public var sequence: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.sequenceOffset, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.sequenceOffset) }
    }
    @inlinable public var timestampNanos: Int64 {
        get { address.loadLittleEndian(fromByteOffset: FrameDescriptor.timestampOffset, as: Int64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: FrameDescriptor.timestampOffset) }
    }
    /// The first payload byte.
    @inlinable public var payload: UnsafeMutableRawPointer { address + FrameDescriptor.headerLength }
    /// Payload bytes of a data frame.
    @inlinable public var payloadLength: Int { frameLength &- FrameDescriptor.headerLength }
    /// Log space the frame takes (frame length rounded up to the alignment).
    @inlinable public var alignedLength: Int { FrameDescriptor.aligned(frameLength) }

    /// Writes a complete data frame header for a payload already in place
    /// (or to be copied to `payload` before `seal()`), leaving the checksum 0.
    @inlinable
    public func writeDataHeader(payloadLength: Int, streamId: UInt32, position: Int64,
                                producerId: UInt64, sequence: UInt64, timestampNanos: Int64, flags: UInt8 = 0) {
        self.frameLength = FrameDescriptor.headerLength &+ payloadLength
        self.checksum = 0
        self.version = FrameDescriptor.currentVersion
        self.flags = flags
        self.typeCode = FrameType.data.rawValue
        self.streamId = streamId
        self.position = position
        self.producerId = producerId
        self.sequence = sequence
        self.timestampNanos = timestampNanos
    }

    /// Writes a padding frame of `length` bytes (a multiple of 32, at least 32) and seals it.
    @inlinable
    public func writePadding(length: Int, position: Int64) {
        precondition(length >= FrameDescriptor.minimumFrameLength && length % FrameDescriptor.alignment == 0,
                     "padding length \(length) must be a positive multiple of \(FrameDescriptor.alignment)")
        self.frameLength = length
        self.checksum = 0
        self.version = FrameDescriptor.currentVersion
        self.flags = 0
        self.typeCode = FrameType.padding.rawValue
        self.streamId = 0
        self.position = position
        seal()
    }

    /// The checksum the frame's current bytes should carry.
    @inlinable
    public func computeChecksum() -> UInt32 {
        let end = typeCode == FrameType.padding.rawValue ? FrameDescriptor.paddingChecksumEnd : frameLength
        return CRC32C.update(0, UnsafeRawPointer(address) + FrameDescriptor.checksumStart, end &- FrameDescriptor.checksumStart)
    }

    /// Computes and stores the checksum. Call after the header and payload are complete.
    @inlinable
    public func seal() { checksum = computeChecksum() }

    /// Validates the frame at `address` against `available` readable bytes and
    /// the position it is expected at. Never traps and never reads past
    /// `available`, whatever the bytes say.
    @inlinable
    public static func check(_ address: UnsafeRawPointer, available: Int, expectedPosition: Int64,
                             maximumFrameLength: Int = FrameDescriptor.maximumFrameLength) -> FrameCheck {
        if available < 4 { return .truncated(needed: 4, available: available) }
        let length = Int(address.loadLittleEndian(fromByteOffset: 0, as: UInt32.self))
        if length == 0 { return .empty }
        if available < FrameDescriptor.minimumFrameLength {
            return .truncated(needed: FrameDescriptor.minimumFrameLength, available: available)
        }
        let typeCode = address.loadLittleEndian(fromByteOffset: FrameDescriptor.typeOffset, as: UInt16.self)
        let version = address.load(fromByteOffset: FrameDescriptor.versionOffset, as: UInt8.self)
        if version != FrameDescriptor.currentVersion { return .unsupportedVersion(version) }
        let checksumEnd: Int
        switch typeCode {
        case FrameType.data.rawValue:
            if length < FrameDescriptor.headerLength || length > maximumFrameLength { return .badLength(length) }
            checksumEnd = length
        case FrameType.padding.rawValue:
            if length < FrameDescriptor.minimumFrameLength || length % FrameDescriptor.alignment != 0 { return .badLength(length) }
            checksumEnd = FrameDescriptor.paddingChecksumEnd
        default:
            return .unknownType(typeCode)
        }
        if checksumEnd > available { return .truncated(needed: checksumEnd, available: available) }
        let stored = address.loadLittleEndian(fromByteOffset: FrameDescriptor.checksumOffset, as: UInt32.self)
        let actual = CRC32C.update(0, address + FrameDescriptor.checksumStart, checksumEnd &- FrameDescriptor.checksumStart)
        if stored != actual { return .badChecksum(stored: stored, computed: actual) }
        let position = address.loadLittleEndian(fromByteOffset: FrameDescriptor.positionOffset, as: Int64.self)
        if position != expectedPosition { return .wrongPosition(found: position, expected: expectedPosition) }
        return .valid(frameLength: length, type: typeCode == FrameType.data.rawValue ? .data : .padding)
    }
}

/// The verdict of `FrameHeader.check`: a valid frame, or exactly what is wrong.
public enum FrameCheck: Equatable, Sendable, CustomStringConvertible {
    /// A whole, valid frame of `frameLength` bytes (not counting alignment padding).
    case valid(frameLength: Int, type: FrameType)
    /// `frameLength` is 0: nothing has been written here (the end of the log).
    case empty
    /// Fewer bytes are available than the frame needs.
    case truncated(needed: Int, available: Int)
    /// `frameLength` is below the header or above the limit.
    case badLength(Int)
    /// The version byte is not one this build reads.
    case unsupportedVersion(UInt8)
    /// The type code is neither data nor padding.
    case unknownType(UInt16)
    /// The stored CRC32C does not match the bytes.
    case badChecksum(stored: UInt32, computed: UInt32)
    /// A valid-looking frame that claims another position (misplaced or stale).
    case wrongPosition(found: Int64, expected: Int64)

    public var isValid: Bool { if case .valid = self { return true } else { return false } }

    public var description: String {
        switch self {
        case let .valid(length, type): return "valid \(type) frame of \(length) bytes"
        case .empty: return "no frame (length 0)"
        case let .truncated(needed, available): return "truncated frame: needs \(needed) bytes, \(available) available"
        case let .badLength(length): return "invalid frame length \(length)"
        case let .unsupportedVersion(version): return "unsupported frame version \(version) (this build reads \(FrameDescriptor.currentVersion))"
        case let .unknownType(code): return "unknown frame type \(code)"
        case let .badChecksum(stored, computed):
            return "checksum mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case let .wrongPosition(found, expected): return "frame claims position \(found), expected \(expected)"
        }
    }
}
