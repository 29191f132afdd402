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
    /// A state file write failed: nothing that depends on it was sent; tried again next cycle.
    var persistFailed = false
}
