/// A flyweight over one log frame in raw memory (the log buffer, a segment
/// mapping, a datagram). See `FrameDescriptor` for the layout.
///
/// A view, not an owner: it holds a pointer and nothing else, so it costs no
/// allocation and no reference counting. Whoever makes it guarantees the
/// memory stays valid, and — for reads from untrusted bytes — calls
/// `FrameHeader.check(...)` first, which bounds-checks the frame against the
/// bytes available and verifies the checksum.
///
/// Invariant: holds only the address (no allocation, no ARC; `Flyweight`).
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
    /// Traps if `payloadLength` is negative or the frame would exceed
    /// `FrameDescriptor.maximumFrameLength` (a caller bug, never input).
    @inlinable
    public func writeDataHeader(payloadLength: Int, streamId: UInt32, position: Int64,
                                producerId: UInt64, sequence: UInt64, timestampNanos: Int64, flags: UInt8 = 0) {
        precondition(payloadLength >= 0 && payloadLength <= FrameDescriptor.maximumFrameLength &- FrameDescriptor.headerLength,
                     "payload length \(payloadLength) out of range")
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

    /// Writes a padding frame of `length` bytes (a multiple of 32, at least 32)
    /// and seals it. Writes only the first 32 bytes (the smallest padding frame
    /// ends there), all of them, so the bytes are the same on every replica.
    @inlinable
    public func writePadding(length: Int, position: Int64) {
        precondition(length >= FrameDescriptor.minimumFrameLength && length % FrameDescriptor.alignment == 0
                     && length <= Int(UInt32.max),
                     "padding length \(length) must be a positive multiple of \(FrameDescriptor.alignment)")
        self.frameLength = length
        self.checksum = 0
        self.version = FrameDescriptor.currentVersion
        self.flags = 0
        self.typeCode = FrameType.padding.rawValue
        self.streamId = 0
        self.position = position
        self.producerId = 0
        seal()
    }

    /// The checksum the frame's current bytes should carry. For frames this
    /// process writes: it trusts `frameLength` to lie within the memory, and
    /// traps (rather than reading wild memory) when a data frame's length is
    /// outside `[headerLength, maximumFrameLength]`. Untrusted bytes go through `check`.
    @inlinable
    public func computeChecksum() -> UInt32 {
        let typeCode = self.typeCode
        let frameLength = self.frameLength
        precondition(typeCode == FrameType.padding.rawValue
                     || (frameLength >= FrameDescriptor.headerLength && frameLength <= FrameDescriptor.maximumFrameLength),
                     "frame length \(frameLength) out of range: cannot checksum")
        return FrameHeader.coveredChecksum(UnsafeRawPointer(address), typeCode: typeCode, frameLength: frameLength)
    }

    /// Computes and stores the checksum. Call after the header and payload are complete.
    @inlinable
    public func seal() { checksum = computeChecksum() }

    /// The checksum rule of `FrameDescriptor` in one place: data frames cover
    /// `[checksumStart, frameLength)`; padding frames cover
    /// `[checksumStart, paddingChecksumEnd)` and then the 4 `frameLength` bytes.
    /// The caller has checked those bytes are there.
    @inlinable @inline(__always)
    static func coveredChecksum(_ address: UnsafeRawPointer, typeCode: UInt16, frameLength: Int) -> UInt32 {
        let start = FrameDescriptor.checksumStart
        if typeCode == FrameType.padding.rawValue {
            let head = CRC32C.update(0, address + start, FrameDescriptor.paddingChecksumEnd &- start)
            return CRC32C.update(head, address + FrameDescriptor.frameLengthOffset, 4)
        }
        return CRC32C.update(0, address + start, frameLength &- start)
    }

    /// Validates the frame at `address` against `available` readable bytes and
    /// the position it is expected at. Never traps and never reads past
    /// `available`, whatever the bytes say.
    ///
    /// Checked in this order, the first failure returned: 4 bytes to read the
    /// length (`truncated`), length 0 (`empty`), 32 bytes to read the header
    /// fields (`truncated`), `version`, `type`, the length against the type's
    /// rules and `maximumFrameLength` (`badLength`), the checksummed bytes are
    /// there (`truncated`), the checksum, the position. A data frame is
    /// `valid` only when all `frameLength` bytes are available; a padding
    /// frame needs only its first 32 (its body is not meaningful), so the
    /// caller must not assume the whole padding is readable.
    @inlinable
    public static func check(_ address: UnsafeRawPointer, available: Int, expectedPosition: Int64,
                             maximumFrameLength: Int = FrameDescriptor.maximumFrameLength) -> FrameCheck {
        if available < 4 { return .truncated(needed: 4, available: available) }
        let length = Int(address.loadLittleEndian(fromByteOffset: FrameDescriptor.frameLengthOffset, as: UInt32.self))
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
        let actual = coveredChecksum(address, typeCode: typeCode, frameLength: length)
        if stored != actual { return .badChecksum(stored: stored, computed: actual) }
        let position = address.loadLittleEndian(fromByteOffset: FrameDescriptor.positionOffset, as: Int64.self)
        if position != expectedPosition { return .wrongPosition(found: position, expected: expectedPosition) }
        return .valid(frameLength: length, type: typeCode == FrameType.data.rawValue ? .data : .padding)
    }

    /// `check` over the bytes of `buffer` from its start.
    @inlinable
    public static func check(_ buffer: UnsafeRawBufferPointer, expectedPosition: Int64,
                             maximumFrameLength: Int = FrameDescriptor.maximumFrameLength) -> FrameCheck {
        guard let base = buffer.baseAddress else { return .truncated(needed: 4, available: 0) }
        return check(base, available: buffer.count, expectedPosition: expectedPosition,
                     maximumFrameLength: maximumFrameLength)
    }
}

extension FrameHeader: Flyweight {}
