/// A chain member's failover state (owned by its `ChainReplicator`, nil
/// when the chain is static): the configuration log it keeps with the
/// other configured members, its failure detector, and the scratch the two
/// need. `ChainReplicator+Failover` drives them.
///
/// Invariant: `log.committedMembership.epoch` is at most one apply ahead of
/// the replicator's epoch (the replicator applies each committed membership
/// in the duty cycle that learns it, after persisting it).
/// Threading: the replicator's thread only.
struct ChainFailover {
    var log: ConfigurationLog
    var detector: FailureDetector
    /// Every configured member, this one included: the configuration log's voters.
    let voters: [UInt32]
    /// A head that hears no majority of the voters for this long orders nothing.
    let fencingWindowNanos: Int64
    /// When fencing is looked at next (every probe interval).
    var nextFencingCheckNanos: Int64 = 0
    var fenced = false
    /// Pairs probe answers with probes (no meaning beyond that).
    var nonce: UInt64 = 0
    /// When failover started on this member: a member not heard from since
    /// is never proposed for removal (it may just start later than this one).
    let startedNanos: Int64
    /// A removed member's way back in.
    var rejoin = ChainRejoin.none
    /// This member (the tail) sends to a removed member learning the log: its
    /// `successor` is that learner, not a member of the chain (no commit counts it).
    var successorIsLearner = false
    /// The tail counts its learner in the chain-durable it reports (its
    /// commit fold has a successor): set once the learner holds everything
    /// this tail ever reported durable, so from then on nothing commits that
    /// the learner lacks — and only then is its join passed on.
    var learnerCounts = false
    /// The last membership-change request number taken from the counters (`baton admin`).
    var membershipRequestSeen: Int64 = 0
    /// The configuration leader: an operator's removal of the head, waiting for the head to hand over.
    var pendingHeadRemoval: PendingHeadRemoval?
    /// The head: ordering paused for an operator's removal (`ChainReplicator+HandOver`).
    var handOver: HeadHandOver?
    /// A state file write failed: nothing that depends on it was sent; tried again next cycle.
    var persistFailed = false
}

/// An operator's removal of the head, held by the configuration leader until
/// the head has handed over (or `proposeByNanos` passes: then it is proposed
/// anyway — safe, only not clean: what the head ordered and did not forward
/// is not acknowledged, and its publishers send it again to the new head).
/// Threading: the replicator's thread only.
struct PendingHeadRemoval {
    /// The `baton admin` request it answers once proposed.
    let request: Int64
    let head: UInt32
    /// The committed epoch it was asked in: any other change meanwhile ends it (the tool asks again).
    let epoch: UInt32
    let proposeByNanos: Int64
    var lastAskedNanos: Int64
    var handedOver = false
}

/// A head handing over before an operator's removal: its order stage is
/// paused (the gate publishes `waiting`: publishes wait, nothing is refused)
/// until the removal commits, or until `resumeAtNanos`.
/// Threading: the replicator's thread only.
struct HeadHandOver {
    /// The configuration leader to tell (this member itself when it leads).
    var requester: UInt32
    /// The gate generation of the pause: the order stage appends nothing more once it has seen it.
    let pauseGeneration: Int64
    let resumeAtNanos: Int64
    var lastToldNanos: Int64 = .min / 2
}
