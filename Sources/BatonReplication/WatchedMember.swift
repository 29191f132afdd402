/// One member a `FailureDetector` watches: when it was last heard, directly
/// and through a helper, and when it was last probed or asked about.
///
/// Invariant: every time is at most the detector's latest `now`;
/// `lastHeardIndirectly` and `lastIndirectRequest` are `.min` until the first.
/// Threading: part of its detector; the detector's thread only.
struct WatchedMember: Sendable {
    let id: UInt32
    var liveness: MemberLiveness = .alive
    /// Any datagram of its own (chain traffic, configuration messages, probes, probe answers).
    var lastHeardDirectly: Int64
    /// An answer it gave to a helper's probe, relayed to this member.
    var lastHeardIndirectly: Int64 = .min
    var lastProbeSent: Int64
    var lastIndirectRequest: Int64 = .min
    /// Relayed answers about it so far: a count that grows while the direct link is bad.
    var indirectAnswers: Int64 = 0

    /// A member starts alive as if heard at `now`: it gets the whole
    /// suspicion time before anything is held against it.
    init(id: UInt32, now: Int64) {
        self.id = id
        lastHeardDirectly = now
        lastProbeSent = now
    }

    /// The latest evidence that it is alive, by either path.
    var lastHeard: Int64 { max(lastHeardDirectly, lastHeardIndirectly) }

    var isAlive: Bool {
        if case .alive = liveness { return true }
        return false
    }
}
