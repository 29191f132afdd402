import BatonCodec

/// What `LogVerifier.verify` found.
public struct LogVerifyReport: Sendable {
    public var segments = 0
    public var frames = 0
    public var dataFrames = 0
    public var paddingFrames = 0
    /// Log bytes covered by valid frames.
    public var bytes: Int64 = 0
    public var firstPosition: Int64 = 0
    /// Position of the last valid data frame, or -1.
    public var lastDataPosition: Int64 = -1
    /// End of the valid frames.
    public var endPosition: Int64 = 0
    public var checkpointPosition: Int64?
    /// The first problem, if any: a corrupt frame (durable, so open would
    /// refuse) or a torn tail (open would cut it).
    public var problem: LogError?
    /// True when the problem is a torn tail recovery would cut, false when it is durable data.
    public var problemIsTornTail = false
    /// Non-zero bytes after the end of the valid frames (within the in-flight window).
    public var trailingBytes: Int64 = 0

    public var isClean: Bool { problem == nil }
}

/// Read-only check of every frame of a log directory (`baton log verify`):
/// segment sizes and contiguity, then every frame's length, CRC32C and
/// position from the first segment to the end, then whether anything
/// follows the end (a torn tail, or corruption of durable data — decided by
/// the same rule as `LogRecovery`). Opens nothing for writing.
public enum LogVerifier {
    public static func verify(directory: String) throws(LogError) -> LogVerifyReport {
        guard let metadata = try LogMetadata.read(directory: directory) else {
            throw .badMetadata(path: LogMetadata.path(in: directory), reason: "missing: not a log directory")
        }
        let layout = SegmentLayout(directory: directory, segmentBytes: metadata.segmentBytes)
        let segments = try SegmentSet(layout: layout)
        var report = LogVerifyReport()
        report.segments = segments.bases.count
        report.firstPosition = segments.start
        guard !segments.isEmpty else { return report }
        let checkpoint = try CheckpointFile.read(directory: directory, fileSystem: SystemFileSystem())?.position
        report.checkpointPosition = checkpoint
        var scanner = FrameScanner(segments: segments, boundaryBytes: metadata.boundaryBytes,
                                   maximumFrameLength: metadata.maximumFrameLength)
        let scan = try scanner.scan(from: segments.start)
        report.frames = scan.frames
        report.dataFrames = scan.dataFrames
        report.paddingFrames = scan.paddingFrames
        report.bytes = scan.bytes
        report.lastDataPosition = scan.lastDataPosition
        report.endPosition = scan.end
        guard scan.stop != .endOfSegments else { return report }

        let window = Int64(metadata.maxInFlightBytes) + 2 * Int64(FrameDescriptor.aligned(metadata.maximumFrameLength))
        let mapping = try scanner.map(scan.end)
        let from = Int(layout.offset(of: scan.end))
        let to = Int(min(layout.segmentBytes, Int64(from) + window))
        if let last = mapping.lastNonZero(from: from, to: to) { report.trailingBytes = Int64(last + 1 - from) }
        for later in segments.bases where later > layout.base(of: scan.end) {
            let laterMapping = try scanner.map(later)
            if let last = laterMapping.lastNonZero(from: 0, to: Int(min(layout.segmentBytes, window))) {
                report.trailingBytes += Int64(last + 1)
            }
        }
        let segment = layout.path(ofSegmentHolding: scan.end)
        do {
            try LogRecovery.checkCutAllowed(at: scan.end, stop: scan.stop, checkpoint: checkpoint ?? segments.start,
                                            metadata: metadata, scanner: &scanner)
        } catch {
            report.problem = error
            return report
        }
        if !scan.stop.isEmpty || report.trailingBytes > 0 {
            report.problemIsTornTail = true
            report.problem = .corruptFrame(segment: segment, position: scan.end,
                                           reason: "\(scan.stop); torn tail of \(report.trailingBytes) bytes that open would cut")
        }
        return report
    }
}
