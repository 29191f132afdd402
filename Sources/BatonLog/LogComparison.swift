import BatonCodec

#if canImport(Glibc)
import Glibc
#endif

/// Read-only, frame-by-frame comparison of log directories (`baton log
/// compare`): do the replicas of a log hold the same bytes?
///
/// Each directory is read the way `baton log verify` reads it —
/// `LogVerifier.verify` for its extent (start, the end recovery would keep,
/// checkpoint, any torn tail), then `FrameScanner` over read-only mappings of
/// its segment files — so nothing is opened for writing, nothing is cut or
/// recovered, and no lock is taken. Stop the nodes first, or compare copies:
/// a log being written may change under the comparison.
///
/// From the highest start of the logs, at each position every log must
/// hold a valid frame, and the frames must be byte-identical: for a data
/// frame all `frameLength` bytes (header, with its position and CRC, and
/// payload), for a padding frame its header (its body means nothing). The
/// walk stops at the first difference, or at the lowest end (the prefix all
/// logs hold: a log that is merely longer is not a difference), or — when
/// `upTo` is given — after the last frame starting below `upTo`; every log
/// must then reach that far, so a log that ends first is a difference
/// (`.missing`). Pass a commit position to check that the committed prefix
/// is the same everywhere.
///
/// Threading: stateless; each call maps its own segments. Call from any thread.
public enum LogComparison {
    /// Compares the logs in `directories` (at least two); log 0 is the
    /// reference a difference is described against.
    public static func compare(directories: [String], upTo limit: Int64? = nil) throws(LogComparisonError) -> LogComparisonReport {
        guard directories.count >= 2 else { throw .tooFewLogs(count: directories.count) }
        if let limit, limit < 0 { throw .invalidLimit(limit) }
        var logs: [LogComparisonReport.Log] = []
        var scanners: [FrameScanner] = []
        for directory in directories {
            do throws(LogError) {
                _ = try SystemFileSystem().list(directory) // a clear "no such directory" before "not a log directory"
                let verification = try LogVerifier.verify(directory: directory)
                guard let metadata = try LogMetadata.read(directory: directory) else {
                    throw .badMetadata(path: LogMetadata.path(in: directory), reason: "missing: not a log directory")
                }
                let segments = try SegmentSet(layout: SegmentLayout(directory: directory, segmentBytes: metadata.segmentBytes))
                logs.append(LogComparisonReport.Log(directory: directory, verification: verification))
                scanners.append(FrameScanner(segments: segments, boundaryBytes: metadata.boundaryBytes,
                                             maximumFrameLength: metadata.maximumFrameLength))
            } catch {
                throw .unreadable(directory: directory, reason: error.description)
            }
        }
        let commonStart = logs.map(\.start).max() ?? 0
        let commonEnd = logs.map(\.end).min() ?? 0
        var report = LogComparisonReport(logs: logs, commonStart: commonStart, commonEnd: commonEnd, limit: limit,
                                         comparedEnd: commonStart)
        let rangeEnd = limit ?? commonEnd
        var slots = [Slot](repeating: .absent(""), count: logs.count)
        var position = commonStart
        while position < rangeEnd {
            for index in logs.indices {
                do {
                    slots[index] = try slot(at: position, end: logs[index].end, scanner: &scanners[index])
                } catch {
                    throw .unreadable(directory: logs[index].directory, reason: error.description)
                }
            }
            guard case let .frame(first) = slots[0], slots.allSatisfy({ $0.matches(slots[0]) }) else {
                report.difference = difference(at: position, slots)
                break
            }
            let aligned = Int64(FrameDescriptor.aligned(first.length))
            report.frames += 1
            report.bytes += aligned
            position += aligned
        }
        report.comparedEnd = position
        return report
    }

    /// What one log holds at a position: a valid frame in a mapped segment, or why nothing.
    enum Slot {
        case frame(FrameView)
        case absent(String)

        /// Byte-identical frames, or both without one.
        func matches(_ other: Slot) -> Bool {
            switch (self, other) {
            case let (.frame(a), .frame(b)): return a.matches(b)
            case (.absent, .absent): return true
            default: return false
            }
        }
    }

    /// A valid frame inside a segment mapping (held, so the bytes stay mapped).
    struct FrameView {
        let mapping: SegmentMapping
        let address: UnsafeRawPointer
        let length: Int
        let type: FrameType

        /// The bytes that mean something: a data frame's whole length, a padding frame's header.
        var comparedBytes: Int { type == .data ? length : FrameDescriptor.paddingChecksumEnd }

        func matches(_ other: FrameView) -> Bool {
            type == other.type && length == other.length && memcmp(address, other.address, comparedBytes) == 0
        }

        var header: FrameHeader { FrameHeader(UnsafeMutableRawPointer(mutating: address)) }
    }

    private static func slot(at position: Int64, end: Int64, scanner: inout FrameScanner) throws(LogError) -> Slot {
        if position >= end { return .absent("the log ends at \(end)") }
        let check = try scanner.check(at: position)
        guard case let .valid(length, type) = check else { return .absent("no frame starts here: \(check)") }
        let mapping = try scanner.map(position)
        let address = mapping.bytes + Int(scanner.segments.layout.offset(of: position))
        return .frame(FrameView(mapping: mapping, address: address, length: length, type: type))
    }

    private static func difference(at position: Int64, _ slots: [Slot]) -> LogComparisonDifference {
        var frames: [LogComparisonDifference.Frame?] = []
        var absence: [String?] = []
        for slot in slots {
            switch slot {
            case let .frame(view):
                frames.append(LogComparisonDifference.Frame(view.header, type: view.type, length: view.length))
                absence.append(nil)
            case let .absent(reason):
                frames.append(nil)
                absence.append(reason)
            }
        }
        let differing = slots.indices.dropFirst().filter { !slots[$0].matches(slots[0]) }
        var fields = Set<LogComparisonDifference.Field>()
        if frames.contains(where: { $0 == nil }) { fields.insert(.missing) }
        if let reference = frames[0] {
            for index in differing { if let frame = frames[index] { fields.formUnion(frame.differences(from: reference)) } }
        }
        var firstPayloadByte: Int?
        if let index = differing.first, case let .frame(a) = slots[0], case let .frame(b) = slots[index],
           a.type == .data, b.type == .data {
            let count = min(a.length, b.length) - FrameDescriptor.headerLength
            let payloadA = a.address + FrameDescriptor.headerLength, payloadB = b.address + FrameDescriptor.headerLength
            firstPayloadByte = (0..<count).first {
                payloadA.load(fromByteOffset: $0, as: UInt8.self) != payloadB.load(fromByteOffset: $0, as: UInt8.self)
            }
        }
        return LogComparisonDifference(position: position, frames: frames, absence: absence, differing: Array(differing),
                                        fields: LogComparisonDifference.Field.allCases.filter(fields.contains),
                                        firstDifferingPayloadByte: firstPayloadByte)
    }
}
