import BatonCodec

/// Why a scan of the segment files stopped.
public enum ScanStop: Equatable, Sendable, CustomStringConvertible {
    /// The last segment is full of valid frames: nothing after it.
    case endOfSegments
    /// A frame that is not valid (`.empty` = zero length: nothing was written there).
    case invalid(FrameCheck)
    /// A valid-looking frame that crosses a boundary no frame may cross.
    case crossesBoundary(frameLength: Int)

    public var description: String {
        switch self {
        case .endOfSegments: return "end of the last segment"
        case let .invalid(check): return check.description
        case let .crossesBoundary(length): return "frame of \(length) bytes crosses a buffer/segment boundary"
        }
    }

    /// True for the clean end of a log: zero length where the next frame would be.
    public var isEmpty: Bool { self == .invalid(.empty) }
}

/// The outcome of `FrameScanner.scan`.
public struct ScanResult: Sendable {
    /// The first position that is not the start of a valid frame.
    public var end: Int64
    public var stop: ScanStop
    public var frames: Int = 0
    public var dataFrames: Int = 0
    public var paddingFrames: Int = 0
    /// Bytes of log covered by the valid frames scanned (aligned lengths).
    public var bytes: Int64 = 0
    /// Position of the last valid data frame, or -1.
    public var lastDataPosition: Int64 = -1
}

/// Walks frames in segment files with `FrameHeader.check` (length, version,
/// type, CRC32C, position), across segment ends, until the first frame that
/// is not valid. Shared by recovery and `baton log verify`.
///
/// Threading: one scanner per thread; it owns its mappings.
public struct FrameScanner {
    public let segments: SegmentSet
    public let boundaryBytes: Int64
    public let maximumFrameLength: Int
    private var mapping: SegmentMapping?

    public init(segments: SegmentSet, boundaryBytes: Int, maximumFrameLength: Int) {
        self.segments = segments
        self.boundaryBytes = Int64(boundaryBytes)
        self.maximumFrameLength = maximumFrameLength
    }

    /// The mapping of the segment holding `position` (cached: scans are sequential).
    public mutating func map(_ position: Int64) throws(LogError) -> SegmentMapping {
        let base = segments.layout.base(of: position)
        if let mapping, mapping.base == base { return mapping }
        let fresh = try SegmentMapping(layout: segments.layout, base: base, fileSystem: segments.fileSystem)
        mapping = fresh
        return fresh
    }

    /// Checks the frame at `position` (which must be inside a segment).
    public mutating func check(at position: Int64) throws(LogError) -> FrameCheck {
        let segment = try map(position)
        let offset = Int(segments.layout.offset(of: position))
        return FrameHeader.check(segment.bytes + offset, available: segment.length - offset, expectedPosition: position,
                                 maximumFrameLength: maximumFrameLength)
    }

    /// Scans from `position` (a frame boundary) until the first invalid frame
    /// or the end of the last segment; `body` sees every valid frame.
    public mutating func scan(from position: Int64, _ body: (FrameHeader) throws(LogError) -> Void = { _ in }) throws(LogError) -> ScanResult {
        var result = ScanResult(end: position, stop: .endOfSegments)
        var current = position
        while current < segments.end {
            let segment = try map(current)
            let offset = Int(segments.layout.offset(of: current))
            let check = FrameHeader.check(segment.bytes + offset, available: segment.length - offset, expectedPosition: current,
                                          maximumFrameLength: maximumFrameLength)
            guard case let .valid(frameLength, type) = check else {
                result.end = current
                result.stop = .invalid(check)
                return result
            }
            let aligned = Int64(FrameDescriptor.aligned(frameLength))
            if (current & (boundaryBytes - 1)) + aligned > boundaryBytes {
                result.end = current
                result.stop = .crossesBoundary(frameLength: frameLength)
                return result
            }
            try body(FrameHeader(UnsafeMutableRawPointer(mutating: segment.bytes + offset)))
            result.frames += 1
            if type == .data {
                result.dataFrames += 1
                result.lastDataPosition = current
            } else {
                result.paddingFrames += 1
            }
            result.bytes += aligned
            current += aligned
        }
        result.end = current
        result.stop = .endOfSegments
        return result
    }

    /// A valid frame at some position in `[from, to)` (probing every 32 bytes,
    /// cheap filter on the position field first), or nil.
    public mutating func findValidFrame(from: Int64, to: Int64) throws(LogError) -> Int64? {
        var position = (from + Int64(FrameDescriptor.alignment) - 1) & ~Int64(FrameDescriptor.alignment - 1)
        let limit = min(to, segments.end)
        while position < limit {
            let segment = try map(position)
            let offset = Int(segments.layout.offset(of: position))
            if offset + FrameDescriptor.headerLength <= segment.length,
               segment.bytes.loadLittleEndian(fromByteOffset: offset + FrameDescriptor.positionOffset, as: Int64.self) == position,
               FrameHeader.check(segment.bytes + offset, available: segment.length - offset, expectedPosition: position,
                                 maximumFrameLength: maximumFrameLength).isValid {
                return position
            }
            position += Int64(FrameDescriptor.alignment)
        }
        return nil
    }
}
