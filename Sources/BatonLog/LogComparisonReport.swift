/// What `LogComparison.compare` found: each log's extent, the range compared,
/// how much was compared, and the first difference if there is one.
///
/// Invariant: `logs` is in the order the directories were given;
/// `commonStart...comparedEnd` were compared frame by frame and are
/// byte-identical in every log (up to `difference.position` when there is a
/// difference, which is then `comparedEnd`).
/// Threading: an immutable value.
public struct LogComparisonReport: Sendable {
    /// One log directory as `baton log verify` sees it, read-only.
    public struct Log: Sendable {
        public var directory: String
        /// The read-only check of every frame (`LogVerifier.verify`): segments,
        /// frames, the checkpoint, and any torn tail or corruption after the end.
        public var verification: LogVerifyReport

        public init(directory: String, verification: LogVerifyReport) {
            self.directory = directory
            self.verification = verification
        }

        /// The first position the log holds (retention may have removed earlier ones).
        public var start: Int64 { verification.firstPosition }
        /// Where the valid frames end: the appended and durable position the
        /// log recovers to when a node opens it (a torn tail after it is cut).
        public var end: Int64 { verification.endPosition }
        /// The last checkpointed durable position, if the log has a checkpoint.
        public var checkpoint: Int64? { verification.checkpointPosition }
    }

    /// Every log, in the order given.
    public var logs: [Log]
    /// The highest start: the first position every log holds.
    public var commonStart: Int64
    /// The lowest end: the end of the prefix every log holds.
    public var commonEnd: Int64
    /// `upTo` as given: the comparison covers frames starting below it, and
    /// every log must hold them; without it the comparison stops at `commonEnd`.
    public var limit: Int64?
    /// Where the comparison stopped: the end of the compared range, or the first difference.
    public var comparedEnd: Int64
    /// Frames compared and found identical in every log (data and padding).
    public var frames = 0
    /// Log bytes those frames cover (aligned lengths).
    public var bytes: Int64 = 0
    /// The first position where the logs differ, or nil.
    public var difference: LogComparisonDifference?

    /// True when every log holds byte-identical frames over the compared range.
    public var isIdentical: Bool { difference == nil }

    /// The index of the log whose end is `commonEnd` (the first such).
    public var shortestLog: Int { logs.firstIndex { $0.end == commonEnd } ?? 0 }
}
