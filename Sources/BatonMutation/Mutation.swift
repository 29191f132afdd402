/// Deliberate bugs the simulator can switch on in the production code, one
/// at a time, to prove its checker catches each (a checker that never fails
/// proves nothing). Each is read only where the bug would be, off the
/// per-message path (once when the replicator is built, on a failed frame
/// check, per resend, once at recovery), and is nil in every real run: no
/// command but `baton sim --mutation` sets it, before it builds any node.
public enum Mutation: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A chain member counts its log durable as soon as it is appended, before
    /// the fdatasync completes: it reports and commits (and so acks) unsynced bytes.
    case ackBeforeSync = "ack-before-sync"
    /// The chain head commits the highest durable position it hears of, not the lowest.
    case commitMaximum = "commit-maximum"
    /// A follower accepts replicated frames without checking their CRC.
    case skipFrameCheck = "skip-frame-check"
    /// A resend (go-back-N, or a hole a Nak named) carries the log's bytes
    /// from one position after the one its datagram names. (Replaces
    /// `resend-one-frame-late`, which selective repeat now survives: the
    /// successor Naks the skipped frame and gets it.)
    case resendShiftedOneByte = "resend-shifted-one-byte"
    /// Recovery keeps a torn last frame instead of cutting it.
    case keepTornFrame = "keep-torn-frame"
    /// A chain follower publishes `leading` on its leadership gate.
    case followerLeads = "follower-leads"
    /// A Raft voter grants its vote without checking the candidate's log is as up to date as its own.
    case raftVotesForAnyLog = "raft-votes-for-any-log"
    /// A Raft follower takes a new leader's stream at its own log's end, without cutting a divergent suffix.
    case raftSkipsTruncation = "raft-skips-truncation"
    /// A Raft leader commits by counting replicas of earlier terms' bytes, without waiting for its own term's marker (Raft §5.4.2, figure 8).
    case raftCommitsEarlierTerms = "raft-commits-earlier-terms"
    /// Chain failover: a member removed from the chain keeps folding a commit (its own durable position).
    case removedMemberCommits = "removed-member-commits"

    public var description: String { rawValue }

    /// The mutation switched on, or nil (always nil outside the simulator).
    /// Set only by the simulation's thread before and between runs, never
    /// while another thread runs a node.
    public nonisolated(unsafe) static var active: Mutation? = nil

    /// Whether `self` is the mutation switched on.
    @inline(__always)
    public var isActive: Bool { Mutation.active == self }
}
