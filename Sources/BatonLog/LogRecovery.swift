import BatonCodec
import BatonMutation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// What recovery found and did, logged in one line at open.
public struct LogRecoveryReport: Sendable, CustomStringConvertible {
    public var directory: String
    /// True when the directory held no log and a new one was created.
    public var createdNewLog = false
    /// First position still in a segment file.
    public var startPosition: Int64 = 0
    /// The checkpoint found (a position known durable), or `startPosition`.
    public var checkpointPosition: Int64 = 0
    /// Where the CRC scan began (the base of the segment holding the checkpoint's last frame).
    public var scanStartPosition: Int64 = 0
    /// The end of the log after recovery: `appended == durable == end`.
    public var endPosition: Int64 = 0
    public var framesScanned = 0
    public var bytesScanned: Int64 = 0
    /// Where the log was cut (the first invalid frame) when something was cut.
    public var cutPosition: Int64?
    /// Non-zero bytes removed at and after `cutPosition` (including deleted segments).
    public var cutBytes: Int64 = 0
    /// Why the frame at `cutPosition` was invalid.
    public var cutReason: String?
    /// Set when the cut removed frames that were durable (a corrupted byte in
    /// a replicated member's log, `repairsFromReplicas`): the chain must send
    /// everything from here again.
    public var repairedPosition: Int64?
    public var segmentCount = 0
    public var highestSegmentBase: Int64 = 0

    public var description: String {
        var text = "log recovery \(directory): segments \(segmentCount) [\(startPosition), ...), checkpoint \(checkpointPosition), "
        text += "scanned \(framesScanned) frames (\(bytesScanned) bytes) from \(scanStartPosition), end \(endPosition)"
        if createdNewLog { text += " (new log)" }
        if let repaired = repairedPosition {
            text += "; REPAIR: durable frame at \(repaired) failed its check, cut \(cutBytes) bytes from there to fetch again from the chain (\(cutReason ?? "invalid frame"))"
        } else if let cut = cutPosition {
            text += "; CUT \(cutBytes) bytes at position \(cut) (\(cutReason ?? "invalid frame"))"
        } else {
            text += "; clean"
        }
        return text
    }
}

/// Recovery at open: makes the files a clean, durable log again and says
/// where it ends.
///
/// Steps:
/// 1. Check the directory, remove `*.tmp` leftovers, read `log.meta` (create
///    it for a new log), list the segments (contiguous, each exactly
///    `segmentBytes`), read the checkpoint `C` (a position known durable).
/// 2. Scan frames with `FrameHeader.check` (length, version, type, CRC32C,
///    position) from the base of the segment holding `C - 1` until the first
///    position `P` that is not a valid frame.
/// 3. Decide whether `P` may be cut (the rule below). If not, refuse to open
///    with `LogError.corruptDurableFrame` naming segment and position.
/// 4. Cut: zero every non-zero byte in `[P, P + maxInFlightBytes + 2 ×
///    maximumFrameLength)` of P's segment and delete later segments, so no
///    stale frame survives to be mistaken for a new one; fdatasync the scanned
///    segments (their frames may have been only in the page cache); record
///    `P` as the new checkpoint.
///
/// **The rule: a frame that was reported durable is never cut.** Let `M` be
/// `maxInFlightBytes` as recorded in `log.meta` (the value the writer ran
/// with). The writer never has more than `M` bytes submitted beyond
/// `durable`, so any byte it ever wrote lies below `durable_then + M`.
/// Recovery refuses when either holds:
/// - `P < C`: the checkpoint says `P` was durable;
/// - a valid frame (right CRC *and* right position) starts at some
///   `Q >= P + M`: it was written when `durable > Q - M >= P`, so `P` was
///   durable. Recovery probes every 32 bytes of `[P + M, P + M + 2 ×
///   maximumFrameLength)` — if the log ever went past `P + M`, some frame
///   starts there, because no frame (nor padding) is longer than
///   `maximumFrameLength` — and every segment base and boundary multiple at
///   or after `P + M` (frames always start there).
/// Stale frames cannot fool the probe: segment files start zeroed
/// (preallocated) and every cut zeroes what it cuts — recovery's, and a
/// running log's truncation (`DurableLog.requestTruncation`), which lowers
/// the checkpoint to its position first and then writes synced zeros over
/// the discarded suffix from the top down (see `LogWriter`): after it, the
/// log ends at the truncation position plus what was written since, and at
/// any crash during it, the checkpoint is at or below the first invalid
/// frame and no valid frame lies `maxInFlightBytes` or more beyond it.
///
/// Otherwise `P` was never durable and everything from `P` on is an
/// unfinished write: cutting it loses nothing that was acknowledged.
public enum LogRecovery {
    public struct Outcome {
        public var report: LogRecoveryReport
        public var metadata: LogMetadata
        public var checkpointSequence: UInt64
    }

    public static func recover(configuration: LogConfiguration, fileSystem: any LogFileSystem = SystemFileSystem(),
                               logger: Logger) throws(LogError) -> Outcome {
        let directory = configuration.directory
        try fileSystem.checkDirectory(directory)
        for name in try fileSystem.list(directory) where name.hasSuffix(".tmp") {
            try fileSystem.remove(directory + "/" + name)
        }
        var report = LogRecoveryReport(directory: directory)
        let layout = SegmentLayout(directory: directory, segmentBytes: configuration.segmentBytes)
        var metadata: LogMetadata
        if let recorded = try LogMetadata.read(directory: directory, fileSystem: fileSystem) {
            metadata = recorded
            if recorded.segmentBytes != configuration.segmentBytes {
                throw .invalidConfiguration(key: "segmentBytes",
                                            reason: "the log in \(directory) was created with segmentBytes \(recorded.segmentBytes), not \(configuration.segmentBytes)")
            }
        } else {
            let existing = try SegmentSet(layout: layout, fileSystem: fileSystem)
            if !existing.isEmpty {
                throw .badMetadata(path: LogMetadata.path(in: directory), reason: "missing, but segment files exist")
            }
            metadata = LogMetadata(configuration)
            try metadata.write(directory: directory, fileSystem: fileSystem)
            report.createdNewLog = true
        }

        var segments = try SegmentSet(layout: layout, fileSystem: fileSystem)
        if segments.isEmpty {
            let table = SegmentTable(layout: layout, fileSystem: fileSystem)
            _ = try table.openOrCreate(base: 0) { fileSystem.preallocate($0, length: $1) }
            table.closeAll()
            segments = try SegmentSet(layout: layout, fileSystem: fileSystem)
        }
        let checkpoint = try CheckpointFile.read(directory: directory, fileSystem: fileSystem)
        var sequence = checkpoint?.sequence ?? 0
        var checkpointPosition = max(checkpoint?.position ?? segments.start, segments.start)
        report.startPosition = segments.start
        report.checkpointPosition = checkpointPosition
        report.segmentCount = segments.bases.count
        var checkpointedTailLost = false
        if checkpointPosition > segments.end && configuration.repairsFromReplicas {
            // A repair cut whose checkpoint rewrite failed (a disk error) left the checkpoint past the
            // segments: the chain sends that tail again, as for any repair.
            logger.error("log recovery \(directory): the checkpoint says durable up to \(checkpointPosition) but the segments end at \(segments.end); fetching the rest again from the chain")
            checkpointPosition = segments.end
            checkpointedTailLost = true
        }
        if checkpointPosition > segments.end {
            throw .corruptDurableFrame(segment: layout.path(ofSegmentHolding: segments.end - 1), position: segments.end,
                                       reason: "the checkpoint says the log is durable up to \(checkpointPosition) but the segments end at \(segments.end)")
        }

        // A member that can repair from replicas checks every frame (the start also reads the whole log to
        // rebuild its producer table); otherwise the scan starts at the segment of the checkpoint's last frame.
        let scanStart = checkpointPosition > segments.start && !configuration.repairsFromReplicas
            ? layout.base(of: checkpointPosition - 1) : segments.start
        report.scanStartPosition = scanStart
        var scanner = FrameScanner(segments: segments, boundaryBytes: metadata.boundaryBytes,
                                   maximumFrameLength: metadata.maximumFrameLength)
        let scan = try scanner.scan(from: scanStart)
        report.framesScanned = scan.frames
        report.bytesScanned = scan.bytes
        var end = scan.end
        if Mutation.keepTornFrame.isActive, case .invalid(.badChecksum) = scan.stop {
            // `Mutation.keepTornFrame` (simulator only): the torn frame counts as written; the cut starts after it.
            let segment = try scanner.map(end)
            let header = FrameHeader(UnsafeMutableRawPointer(mutating: segment.bytes + Int(layout.offset(of: end))))
            end += Int64(header.alignedLength)
        }

        if scan.stop != .endOfSegments {
            var repairing = false
            do {
                try checkCutAllowed(at: end, stop: scan.stop, checkpoint: checkpointPosition, metadata: metadata, scanner: &scanner)
            } catch .corruptDurableFrame(_, _, let reason) where configuration.repairsFromReplicas {
                logger.error("log recovery \(directory): durable frame at \(end) is corrupt (\(reason)); cutting the log there to fetch the rest again from the chain")
                repairing = true
            }
            try cut(at: end, stop: scan.stop, metadata: metadata, segments: segments, report: &report, wholeSegment: repairing)
            if repairing { report.repairedPosition = end }
        }
        if checkpointedTailLost && report.repairedPosition == nil { report.repairedPosition = end }
        report.endPosition = end

        // Frames between the scan start and the end may have been only in the
        // page cache (the process died, not the machine): make them durable
        // before calling them so.
        var base = scanStart - layout.offset(of: scanStart)
        while base < min(end, segments.end) {
            let path = layout.path(base: base)
            let fd = try fileSystem.openReadWrite(path, create: false)
            defer { fileSystem.close(fd) }
            try fileSystem.dataSync(fd, path: path)
            base += layout.segmentBytes
        }
        let remaining = try SegmentSet(layout: layout, fileSystem: fileSystem)
        report.highestSegmentBase = remaining.bases.last ?? 0
        report.segmentCount = remaining.bases.count
        // After a repair the checkpoint goes back to the cut: the bytes above it come again from the chain.
        if end > checkpointPosition || checkpoint == nil || report.repairedPosition != nil {
            sequence += 1
            try CheckpointFile.writeSynchronously(directory: directory, sequence: sequence, position: end, fileSystem: fileSystem)
        }
        let wanted = LogMetadata(configuration)
        if wanted != metadata {
            try wanted.write(directory: directory, fileSystem: fileSystem)
            metadata = wanted
        }
        if report.cutPosition != nil { logger.warning("\(report)") } else { logger.info("\(report)") }
        return Outcome(report: report, metadata: metadata, checkpointSequence: sequence)
    }

    /// Throws `corruptDurableFrame` when the frame at `position` was durable (see the rule above).
    static func checkCutAllowed(at position: Int64, stop: ScanStop, checkpoint: Int64, metadata: LogMetadata,
                                scanner: inout FrameScanner) throws(LogError) {
        let layout = scanner.segments.layout
        let segment = layout.path(ofSegmentHolding: position)
        if position < checkpoint {
            throw .corruptDurableFrame(segment: segment, position: position,
                                       reason: "\(stop), below the checkpoint \(checkpoint)")
        }
        let inFlight = Int64(metadata.maxInFlightBytes)
        let window = 2 * Int64(FrameDescriptor.aligned(metadata.maximumFrameLength))
        let probeFrom = position + inFlight
        var proof = try scanner.findValidFrame(from: probeFrom, to: probeFrom + window)
        if proof == nil {
            // Frames always start at segment bases and boundary multiples.
            let boundary = Int64(metadata.boundaryBytes)
            var candidate = (probeFrom + boundary - 1) / boundary * boundary
            while proof == nil && candidate < scanner.segments.end {
                if case .valid = try scanner.check(at: candidate) { proof = candidate }
                candidate += boundary
            }
        }
        if let found = proof {
            throw .corruptDurableFrame(segment: segment, position: position,
                                       reason: "\(stop); a valid frame at \(found) >= position + maxInFlightBytes (\(inFlight)) proves it was durable")
        }
    }

    /// Zeroes what follows `position` in its segment (within the in-flight
    /// window) and deletes later segments.
    /// `wholeSegment` (a repair, far below the end): zeroes to the end of
    /// the segment and looks for non-zero bytes in the whole of later ones.
    static func cut(at position: Int64, stop: ScanStop, metadata: LogMetadata, segments: SegmentSet,
                    report: inout LogRecoveryReport, wholeSegment: Bool = false) throws(LogError) {
        let fileSystem = segments.fileSystem
        let layout = segments.layout
        let base = layout.base(of: position)
        let window = wholeSegment ? layout.segmentBytes
            : Int64(metadata.maxInFlightBytes) + 2 * Int64(FrameDescriptor.aligned(metadata.maximumFrameLength))
        var cutBytes: Int64 = 0
        let mapping = try SegmentMapping(layout: layout, base: base, fileSystem: fileSystem)
        let from = Int(layout.offset(of: position))
        let to = Int(min(layout.segmentBytes, Int64(from) + window))
        if let last = mapping.lastNonZero(from: from, to: to) {
            let count = last + 1 - from
            cutBytes += Int64(count)
            let fd = try fileSystem.openReadWrite(mapping.path, create: false)
            defer { fileSystem.close(fd) }
            let zeros = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
            defer { zeros.deallocate() }
            zeros.initializeMemory(as: UInt8.self, repeating: 0, count: 1 << 20)
            var done = 0
            while done < count {
                let chunk = min(1 << 20, count - done)
                try fileSystem.writeFully(fd, zeros, chunk, at: Int64(from + done), path: mapping.path)
                done += chunk
            }
            try fileSystem.dataSync(fd, path: mapping.path)
        }
        var deleted = false
        for later in segments.bases where later > base {
            let laterMapping = try SegmentMapping(layout: layout, base: later, fileSystem: fileSystem)
            if let last = laterMapping.lastNonZero(from: 0, to: Int(min(layout.segmentBytes, window))) {
                cutBytes += Int64(last + 1)
            }
            try fileSystem.remove(laterMapping.path)
            deleted = true
        }
        if deleted { try fileSystem.syncDirectory(layout.directory) }
        if cutBytes > 0 || !stop.isEmpty {
            report.cutPosition = position
            report.cutBytes = cutBytes
            report.cutReason = "\(stop) in \(layout.path(base: base))"
        }
    }
}
