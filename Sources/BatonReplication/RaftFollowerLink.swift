import BatonLog
import BatonRing

/// A Raft leader's view of one follower: whether it has matched its log to
/// this term's (a Sync answered and a Status back), how far it holds and has
/// made durable, and what to send it next — new bytes zero-copy from the log
/// buffer (`sender`, the same flow control and resend decisions as a chain
/// member's successor), or a re-read through `resender` when it is behind
/// what the buffer protects or asked again.
///
/// Invariant: `durable` never decreases within a term (reset when this member
/// starts leading); while `synced`, the follower's log below what it reports
/// is a prefix of the leader's.
/// Threading: owned by one replicator; its thread only.
final class RaftFollowerLink {
    let member: ClusterMember
    /// Index among the replicator's peers (its counters' order).
    let index: Int
    var sender: SuccessorSender
    let resender: LogResendCursor
    /// The follower matched its log to this term's: its Status counts and it gets Data.
    var synced = false
    /// The follower takes bytes only below this (the Sync listed no term starting later).
    var validUpTo: Int64 = .max
    /// Its durable position in this term (0 until it reports one), published as `raft.follower.N.durable`.
    var durable: Int64 = 0 {
        didSet { durableCounter.setReleaseAllowingDecrease(durable) }
    }
    private let durableCounter: PositionCounter
    /// When this leader last heard from it (Status, Nak, SyncRequest), on its own clock.
    var lastHeardNanos: Int64 = .min
    /// Told to rejoin from `position`: retention keeps it until `until` (time to restart the member).
    var rejoinHold: (position: Int64, until: Int64)?

    init(member: ClusterMember, index: Int, stagedPosition: Int64, heartbeatIntervalNanos: Int64, resender: LogResendCursor,
         durableCounter: PositionCounter) {
        self.member = member
        self.index = index
        self.durableCounter = durableCounter
        sender = SuccessorSender(stagedPosition: stagedPosition, heartbeatIntervalNanos: heartbeatIntervalNanos)
        self.resender = resender
    }

    /// A new term of this leader: nothing is known of the follower.
    func reset(stagedPosition: Int64) {
        sender = SuccessorSender(stagedPosition: stagedPosition, heartbeatIntervalNanos: sender.heartbeatIntervalNanos)
        resender.stop()
        synced = false
        validUpTo = .max
        durable = 0
    }

    /// The follower asked to match its log again (it restarted, or reached `validUpTo`).
    func resync(validUpTo limit: Int64) {
        synced = false
        validUpTo = limit
        resender.stop()
    }

    /// The first Status after a Sync: the follower holds `received`; sending restarts there.
    func startStreaming(received: Int64) {
        sender = SuccessorSender(stagedPosition: received, heartbeatIntervalNanos: sender.heartbeatIntervalNanos)
        resender.stop()
        synced = true
    }
}
