/// The failure detector's timing (`FailureDetector`): how often a silent
/// member is probed, how long silence makes it suspected, how many other
/// members are asked to probe it indirectly, and how long a suspicion lasts
/// before the member is confirmed failed.
///
/// A member that stops is confirmed failed within `failureTimeNanos`
/// (`suspectAfterNanos + confirmAfterNanos`, plus the caller's tick
/// granularity and the last datagram's transit) of the last datagram heard
/// from it; a member that cannot hear a majority of the voters for
/// `fencingWindowNanos` (half that) stops acknowledging and serving, so it is
/// fenced before the others can have confirmed it failed and replaced it.
///
/// Invariant after `validate()`: every value is in the range it names.
/// Threading: a plain value; build it on one thread and hand it to the node.
public struct FailureDetectorConfiguration: Sendable, Equatable {
    /// A member not heard from (directly) for this long gets a direct Probe,
    /// and again at most once per interval while it stays silent; a suspected
    /// member's indirect probes are asked for again at this interval too. The
    /// chain heartbeat interval: a neighbour's heartbeats or Status already
    /// arrive this often, so Probes go mostly to members that are not neighbours.
    public var probeIntervalNanos: Int64 = FailureDetectorConfiguration.defaultProbeIntervalNanos
    /// Nothing heard from a member (directly or through a helper) for this
    /// long: it is suspected, and `indirectProbeCount` other members are
    /// asked to probe it. Ten probe intervals: ten lost heartbeats and Probes in a row.
    public var suspectAfterNanos: Int64 = FailureDetectorConfiguration.defaultSuspectAfterNanos
    /// How many other members (heard from recently) are asked to probe a
    /// suspected member, each probe interval, rotating among them (capped by
    /// how many there are). 0 turns indirect probing off — then one bad link
    /// can have a healthy member confirmed failed; `validate()` refuses it.
    public var indirectProbeCount: Int = FailureDetectorConfiguration.defaultIndirectProbeCount
    /// A suspected member from which nothing arrives — no datagram of its
    /// own, no answer relayed by a helper — for this long after the suspicion
    /// is confirmed failed. Twenty rounds of indirect probes.
    public var confirmAfterNanos: Int64 = FailureDetectorConfiguration.defaultConfirmAfterNanos

    public static let defaultProbeIntervalNanos: Int64 = ReplicationConfiguration.defaultHeartbeatIntervalNanos
    public static let defaultSuspectAfterNanos: Int64 = 100_000_000
    public static let defaultIndirectProbeCount = 2
    public static let defaultConfirmAfterNanos: Int64 = 200_000_000
    /// The most members asked to probe indirectly (every other member of the largest chain).
    public static let maximumIndirectProbeCount = FailureDetector.maximumMembers - 1

    public init() {}

    public init(probeIntervalNanos: Int64, suspectAfterNanos: Int64, indirectProbeCount: Int, confirmAfterNanos: Int64) {
        self.probeIntervalNanos = probeIntervalNanos
        self.suspectAfterNanos = suspectAfterNanos
        self.indirectProbeCount = indirectProbeCount
        self.confirmAfterNanos = confirmAfterNanos
    }

    /// The bounded time from the last datagram heard from a member to its
    /// confirmation as failed (before tick granularity).
    public var failureTimeNanos: Int64 { suspectAfterNanos &+ confirmAfterNanos }

    /// How long a member may go without hearing a majority of the voters
    /// before it fences itself: half the failure time.
    public var fencingWindowNanos: Int64 { failureTimeNanos / 2 }

    /// Checks every value; the error names the key and what is allowed.
    public func validate() throws(ReplicationConfigurationError) {
        if probeIntervalNanos < 1_000_000 || probeIntervalNanos > 10_000_000_000 {
            throw .invalid(key: "failure_detector.probe_interval_ms", reason: "\(probeIntervalNanos / 1_000_000) ms must be 1 ms to 10 s")
        }
        if suspectAfterNanos < 3 * probeIntervalNanos || suspectAfterNanos > 60_000_000_000 {
            throw .invalid(key: "failure_detector.suspect_after_ms",
                           reason: "\(suspectAfterNanos / 1_000_000) ms must be at least 3 probe intervals and at most 60 s")
        }
        if indirectProbeCount < 1 || indirectProbeCount > Self.maximumIndirectProbeCount {
            throw .invalid(key: "failure_detector.indirect_probes",
                           reason: "\(indirectProbeCount) must be 1 to \(Self.maximumIndirectProbeCount) (0 would let one bad link evict a healthy member)")
        }
        if confirmAfterNanos < 3 * probeIntervalNanos || confirmAfterNanos > 60_000_000_000 {
            throw .invalid(key: "failure_detector.confirm_after_ms",
                           reason: "\(confirmAfterNanos / 1_000_000) ms must be at least 3 probe intervals and at most 60 s")
        }
    }
}
