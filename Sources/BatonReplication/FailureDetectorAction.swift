/// What a member must do, or should know, after a `FailureDetector` call.
/// Sending is the caller's: the detector does no I/O.
public enum FailureDetectorAction: Hashable, Sendable {
    /// Send a Probe to `member` (it answers with a probe answer).
    case probe(UInt32)
    /// Ask `helper` to probe `target` on this member's behalf and relay the answer.
    case requestIndirectProbe(target: UInt32, via: UInt32)
    /// This member probed `target` for `requester`, and `target` answered:
    /// tell `requester` that `target` is alive.
    case relayProbeAnswer(target: UInt32, to: UInt32)
    /// `member` has been silent for the suspicion time (it may only be one bad link).
    case suspected(UInt32)
    /// `member` stayed silent, directly and through the helpers, for the confirmation time.
    case confirmedFailed(UInt32)
    /// `member`, suspected or confirmed failed, was heard again.
    case recovered(UInt32)
}
