#if canImport(Glibc)
import Glibc
#endif

/// The segment files of a log directory as found on disk: their bases,
/// checked to be contiguous and of the right size. Read-only; used by
/// recovery, `baton log verify` and `baton log dump`.
public struct SegmentSet: Sendable {
    public let layout: SegmentLayout
    /// Bases in ascending order, contiguous.
    public let bases: [Int64]

    /// The file system the segments are on.
    public let fileSystem: any LogFileSystem

    /// Lists and checks the segments of `layout.directory`.
    public init(layout: SegmentLayout, fileSystem: any LogFileSystem = SystemFileSystem()) throws(LogError) {
        self.layout = layout
        self.fileSystem = fileSystem
        var found: [Int64] = []
        for name in try fileSystem.list(layout.directory) {
            if let base = SegmentLayout.base(fileName: name) { found.append(base) }
        }
        found.sort()
        for (index, base) in found.enumerated() {
            let path = layout.path(base: base)
            if base % layout.segmentBytes != 0 {
                throw .badMetadata(path: path, reason: "segment base \(base) is not a multiple of the segment size \(layout.segmentBytes)")
            }
            let size = try fileSystem.fileSize(path)
            if size != layout.segmentBytes { throw .wrongSegmentSize(path: path, size: size, expected: layout.segmentBytes) }
            if index > 0 && base != found[index - 1] + layout.segmentBytes {
                throw .missingSegment(path: layout.path(base: found[index - 1] + layout.segmentBytes))
            }
        }
        bases = found
    }

    public var isEmpty: Bool { bases.isEmpty }
    public var start: Int64 { bases.first ?? 0 }
    /// One past the last byte of the last segment.
    public var end: Int64 { (bases.last ?? 0) + (bases.isEmpty ? 0 : layout.segmentBytes) }

    public func contains(_ position: Int64) -> Bool { position >= start && position < end }
}

/// A read-only `mmap` of one whole segment file.
///
/// Threading: immutable after init; safe to read from any thread while the file exists.
public final class SegmentMapping: @unchecked Sendable {
    public let base: Int64
    public let path: String
    public let bytes: UnsafeRawPointer
    public let length: Int
    private let fileSystem: any LogFileSystem

    public init(layout: SegmentLayout, base: Int64, fileSystem: any LogFileSystem = SystemFileSystem()) throws(LogError) {
        self.base = base
        path = layout.path(base: base)
        length = Int(layout.segmentBytes)
        self.fileSystem = fileSystem
        bytes = try fileSystem.mapReadOnly(path, length: length)
    }

    deinit { fileSystem.unmap(bytes, length: length) }

    /// Index of the last non-zero byte in `[from, to)`, or nil if all are zero.
    public func lastNonZero(from: Int, to: Int) -> Int? {
        var index = to
        while index > from && (index - from) % 8 != 0 {
            index -= 1
            if bytes.load(fromByteOffset: index, as: UInt8.self) != 0 { return index }
        }
        while index > from {
            index -= 8
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 {
                var byte = index + 7
                while bytes.load(fromByteOffset: byte, as: UInt8.self) == 0 { byte -= 1 }
                return byte
            }
        }
        return nil
    }
}
