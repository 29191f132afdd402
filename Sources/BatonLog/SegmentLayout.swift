/// Position ↔ (segment, offset) arithmetic and segment file names.
///
/// Segments are fixed-size files named by their base position, 20 decimal
/// digits zero padded (`00000000000000000000.log`); the segment holding
/// position `p` has base `p & ~(segmentBytes - 1)` and `p` is at offset
/// `p & (segmentBytes - 1)`. No index is needed.
///
/// Threading: a value; safe anywhere.
@frozen
public struct SegmentLayout: Sendable, Equatable {
    public let segmentBytes: Int64
    public let directory: String

    public init(directory: String, segmentBytes: Int) {
        precondition(segmentBytes > 0 && segmentBytes & (segmentBytes - 1) == 0, "segment size must be a power of two")
        self.directory = directory
        self.segmentBytes = Int64(segmentBytes)
    }

    @inlinable @inline(__always)
    public func base(of position: Int64) -> Int64 { position & ~(segmentBytes &- 1) }

    @inlinable @inline(__always)
    public func offset(of position: Int64) -> Int64 { position & (segmentBytes &- 1) }

    /// `00000000000000001024.log` for base 1024.
    public static func fileName(base: Int64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".log"
    }

    /// The base position a segment file name stands for, or nil if it is not one.
    public static func base(fileName name: String) -> Int64? {
        guard name.utf8.count == 24, name.hasSuffix(".log") else { return nil }
        let digits = name.dropLast(4)
        guard digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(digits)
    }

    public func path(base: Int64) -> String { directory + "/" + SegmentLayout.fileName(base: base) }

    public func path(ofSegmentHolding position: Int64) -> String { path(base: base(of: position)) }

    /// Calls `body` with the NUL-terminated path of the segment at `base`
    /// (what `path(base:)` returns), built in temporary memory on the stack,
    /// for opening a segment on a per-message path (a resend that reads the
    /// files) without allocating a `String`.
    public func withPath<Result>(base: Int64, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        precondition(base >= 0, "segment base \(base) is negative")
        var directory = self.directory
        return directory.withUTF8 { directoryBytes in
            let length = directoryBytes.count + 1 + 24
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 1) { path in
                var index = 0
                for byte in directoryBytes { path[index] = byte; index += 1 }
                path[index] = UInt8(ascii: "/")
                var value = base
                for digit in stride(from: index + 20, to: index, by: -1) {
                    path[digit] = UInt8(ascii: "0") &+ UInt8(value % 10)
                    value /= 10
                }
                index += 21
                path[index] = UInt8(ascii: ".")
                path[index + 1] = UInt8(ascii: "l")
                path[index + 2] = UInt8(ascii: "o")
                path[index + 3] = UInt8(ascii: "g")
                path[index + 4] = 0
                return path.baseAddress!.withMemoryRebound(to: CChar.self, capacity: length + 1) { body($0) }
            }
        }
    }
}
