/// The chain's failure detector for one member, as a small object with time
/// passed in (SWIM's idea, Das, Gupta, Motivala 2002, on top of the traffic
/// the chain already sends). Every datagram from a member counts as hearing
/// it (`heard`); a member not heard for a probe interval gets a direct Probe;
/// one silent for `suspectAfterNanos` is *suspected*, and `indirectProbeCount`
/// other members that this one hears are asked to probe it and relay its
/// answer; it is *confirmed failed* only when, for `confirmAfterNanos` after
/// the suspicion, neither its own datagrams nor a relayed answer arrived — one
/// bad link does not evict a healthy member. While the direct link stays
/// silent, a member kept alive through helpers goes on being probed through
/// them every probe interval, so a dead link costs one suspicion, not one per
/// suspicion time. Anything heard from a suspected or failed member recovers it.
///
/// This member also helps the others (`onIndirectProbeRequest`,
/// `onProbeAnswer`: a small bounded table of whom to relay an answer to), and
/// tells the caller whether it still hears a majority of the voters
/// (`reachesMajority`), for fencing.
///
/// Nothing here does I/O: the caller sends what the actions say (and answers
/// every Probe it receives). Nothing allocates after init: members live in an
/// array reserved for `maximumMembers`, actions go into a caller-owned
/// `FailureDetectorActions`. `tick` compares `now` with one precomputed
/// deadline and returns when nothing is due, so it can run every duty cycle.
///
/// Invariant: the watched members are distinct and never `nodeId`, at most
/// `maximumMembers - 1`; after `tick(now:)`, `nextDeadline > now` (whatever
/// was due was done) and no member's next event is before `nextDeadline`;
/// `heard` from a member that is not alive pulls `nextDeadline` to its `now`.
/// Threading: owned by one replicator; its thread only.
public struct FailureDetector: Sendable {
    /// The most members a detector knows, this one included (the chain's limit).
    public static let maximumMembers = 16
    /// Indirect probe requests a helper keeps at once (oldest forgotten first).
    public static let relayCapacity = 32
    /// The most actions one call can produce: per watched member two state
    /// changes (recovered, and suspected again when the tick came late), a
    /// Probe and an indirect request per helper; or one relay per pending request.
    public static let maximumActionsPerCall =
        max((maximumMembers - 1) * (3 + FailureDetectorConfiguration.maximumIndirectProbeCount), relayCapacity)

    public let nodeId: UInt32
    public let configuration: FailureDetectorConfiguration
    /// Before this time `tick` has nothing to do.
    public private(set) var nextDeadline: Int64
    private var members: [WatchedMember]
    private var relays: IndirectProbeRelays
    /// Where the next choice of helpers starts (rotates, so the same bad helper is not always asked).
    private var helperCursor = 0

    /// Watches every member of `members` but `nodeId`, each as if heard at `now`.
    public init(nodeId: UInt32, members: [UInt32], configuration: FailureDetectorConfiguration = FailureDetectorConfiguration(), now: Int64) {
        precondition(configuration.probeIntervalNanos > 0 && configuration.suspectAfterNanos > 0 && configuration.confirmAfterNanos > 0,
                     "failure detector times must be positive: \(configuration)")
        precondition((0...FailureDetectorConfiguration.maximumIndirectProbeCount).contains(configuration.indirectProbeCount),
                     "indirect probe count \(configuration.indirectProbeCount)")
        self.nodeId = nodeId
        self.configuration = configuration
        self.members = []
        self.members.reserveCapacity(Self.maximumMembers - 1)
        relays = IndirectProbeRelays(capacity: Self.relayCapacity, lifetimeNanos: configuration.confirmAfterNanos)
        nextDeadline = now
        for member in members where member != nodeId { watch(member, now: now) }
    }

    // MARK: - Hearing

    /// Any datagram from `member` arrived at `now` (chain Data, Status,
    /// Heartbeat, configuration messages, Probes and probe answers alike).
    /// One lookup among at most 15 ids and one store.
    public mutating func heard(from member: UInt32, now: Int64) {
        guard let index = index(of: member) else { return }
        assert(now >= members[index].lastHeardDirectly, "time went back: heard \(member) at \(now), before \(members[index].lastHeardDirectly)")
        members[index].lastHeardDirectly = now
        if !members[index].isAlive { nextDeadline = min(nextDeadline, now) }
    }

    /// `helper` relayed that `target` answered its probe: `target` is alive
    /// (a suspicion is cleared at the next tick), though maybe not over the
    /// direct link — `indirectAnswerCount(about:)` counts these. Also counts
    /// as hearing `helper`.
    public mutating func heardIndirectly(about target: UInt32, via helper: UInt32, now: Int64) {
        heard(from: helper, now: now)
        guard let index = index(of: target) else { return }
        members[index].lastHeardIndirectly = max(members[index].lastHeardIndirectly, now)
        members[index].indirectAnswers &+= 1
        if !members[index].isAlive { nextDeadline = min(nextDeadline, now) }
    }

    // MARK: - Timers

    /// Does whatever is due at `now`: Probes to members not heard for a
    /// probe interval, suspicions (with indirect probe requests, repeated
    /// every probe interval while they last), confirmations, recoveries.
    /// `actions` is replaced (empty when nothing was due: one comparison).
    public mutating func tick(now: Int64, into actions: inout FailureDetectorActions) {
        actions.removeAll()
        guard now >= nextDeadline else { return }
        var next = Int64.max
        var index = 0
        while index < members.count {
            next = min(next, update(index, now: now, actions: &actions))
            index &+= 1
        }
        nextDeadline = next
        assertInvariants(now: now)
    }

    // MARK: - Helping others

    /// `requester` asks this member to probe `target` on its behalf. Returns
    /// whether to send `target` a Probe now (false for an unknown target, or
    /// this member itself); its answer, through `onProbeAnswer`, is then
    /// relayed to `requester`. Also counts as hearing `requester`.
    public mutating func onIndirectProbeRequest(about target: UInt32, from requester: UInt32, now: Int64) -> Bool {
        heard(from: requester, now: now)
        guard target != nodeId, target != requester, index(of: target) != nil else { return false }
        relays.record(target: target, requester: requester, now: now)
        return true
    }

    /// `target` answered a Probe at `now`: counts as hearing it, and
    /// `actions` is replaced by a `.relayProbeAnswer` for each member that
    /// asked (within the confirmation time) to have it probed.
    public mutating func onProbeAnswer(from target: UInt32, now: Int64, into actions: inout FailureDetectorActions) {
        actions.removeAll()
        heard(from: target, now: now)
        relays.take(answeredBy: target, now: now, into: &actions)
    }

    // MARK: - Fencing

    /// Whether this member heard at least a majority of `voters` (itself
    /// counted when it is one) within `windowNanos` before `now`, directly
    /// or through a helper's relayed answer (a helper is heard directly).
    /// The caller fences — stops acknowledging and serving — when not, with
    /// `configuration.fencingWindowNanos`. A scan of the voters; no allocation.
    ///
    /// Hearing is one-way evidence: a member whose outgoing datagrams are all
    /// lost still hears the others and keeps serving while they confirm it failed.
    public func reachesMajority(of voters: [UInt32], within windowNanos: Int64, now: Int64) -> Bool {
        let majority = voters.count / 2 + 1
        var reached = 0
        var position = 0
        while position < voters.count {
            let voter = voters[position]
            position &+= 1
            if voter == nodeId {
                reached &+= 1
            } else if let index = index(of: voter), members[index].lastHeard > now &- windowNanos {
                reached &+= 1
            }
        }
        return reached >= majority
    }

    // MARK: - Membership

    /// Starts watching `member` (a configuration change added it), as if heard at `now`.
    public mutating func watch(_ member: UInt32, now: Int64) {
        precondition(member != nodeId, "node \(nodeId) cannot watch itself")
        precondition(index(of: member) == nil, "node \(nodeId) already watches \(member)")
        precondition(members.count < Self.maximumMembers - 1, "a failure detector watches at most \(Self.maximumMembers - 1) members")
        members.append(WatchedMember(id: member, now: now))
        nextDeadline = min(nextDeadline, now)
    }

    /// Stops watching `member` (a configuration change removed it) and drops
    /// the indirect probes it asked for or was the target of. Returns whether it was watched.
    @discardableResult
    public mutating func unwatch(_ member: UInt32) -> Bool {
        guard let index = index(of: member) else { return false }
        members.remove(at: index)
        relays.forget(member)
        helperCursor = members.isEmpty ? 0 : helperCursor % members.count
        return true
    }

    // MARK: - Queries

    /// What this member believes about `member` as of the last tick (nil: not watched).
    public func liveness(of member: UInt32) -> MemberLiveness? {
        index(of: member).map { members[$0].liveness }
    }

    /// When `member`'s own datagrams were last heard (nil: not watched).
    public func lastHeardDirectly(from member: UInt32) -> Int64? {
        index(of: member).map { members[$0].lastHeardDirectly }
    }

    /// When a helper last relayed `member`'s answer (nil: never, or not watched).
    public func lastHeardIndirectly(about member: UInt32) -> Int64? {
        guard let index = index(of: member), members[index].lastHeardIndirectly != .min else { return nil }
        return members[index].lastHeardIndirectly
    }

    /// Relayed answers about `member` so far (0 when not watched): a count
    /// that grows while the direct link to it is bad.
    public func indirectAnswerCount(about member: UInt32) -> Int64 {
        index(of: member).map { members[$0].indirectAnswers } ?? 0
    }

    /// The watched members, in the order they were added (allocates: not for the duty cycle).
    public var watchedMembers: [UInt32] { members.map(\.id) }

    /// Members suspected as of the last tick (allocates).
    public var suspectedMembers: [UInt32] {
        members.filter { if case .suspected = $0.liveness { true } else { false } }.map(\.id)
    }

    /// Members confirmed failed as of the last tick (allocates).
    public var failedMembers: [UInt32] {
        members.filter { if case .failed = $0.liveness { true } else { false } }.map(\.id)
    }

    /// Indirect probe requests this member holds as a helper, waiting for the target's answer.
    public var pendingRelayCount: Int { relays.liveCount }

    // MARK: - Internals

    private func index(of member: UInt32) -> Int? {
        var index = 0
        while index < members.count {
            if members[index].id == member { return index }
            index &+= 1
        }
        return nil
    }

    /// One member's timers at `now`; returns when its next event is due.
    private mutating func update(_ index: Int, now: Int64, actions: inout FailureDetectorActions) -> Int64 {
        let probeInterval = configuration.probeIntervalNanos
        let suspectAfter = configuration.suspectAfterNanos
        var member = members[index]
        let lastHeard = member.lastHeard
        // Heard again since the suspicion or the confirmation.
        switch member.liveness {
        case .alive:
            break
        case let .suspected(since), let .failed(since):
            if lastHeard >= since {
                member.liveness = .alive
                actions.append(.recovered(member.id))
            }
        }
        switch member.liveness {
        case .alive:
            if lastHeard <= now &- suspectAfter {
                member.liveness = .suspected(since: now)
                member.lastIndirectRequest = .min
                actions.append(.suspected(member.id))
            }
        case let .suspected(since):
            if since <= now &- configuration.confirmAfterNanos {
                member.liveness = .failed(since: now)
                actions.append(.confirmedFailed(member.id))
            }
        case .failed:
            break
        }
        if member.lastHeardDirectly <= now &- probeInterval && member.lastProbeSent <= now &- probeInterval {
            member.lastProbeSent = now
            actions.append(.probe(member.id))
        }
        if wantsIndirectProbes(member, now: now) && member.lastIndirectRequest <= now &- probeInterval {
            member.lastIndirectRequest = now
            requestIndirectProbes(of: index, now: now, actions: &actions)
        }
        members[index] = member
        return nextEvent(of: member)
    }

    /// A suspected member, or one kept alive only by helpers while its direct link stays silent.
    private func wantsIndirectProbes(_ member: WatchedMember, now: Int64) -> Bool {
        guard configuration.indirectProbeCount > 0 else { return false }
        switch member.liveness {
        case .suspected: return true
        case .alive: return member.lastHeardDirectly <= now &- configuration.suspectAfterNanos
        case .failed: return false
        }
    }

    /// When `member`'s next Probe, suspicion, confirmation or indirect request falls due.
    private func nextEvent(of member: WatchedMember) -> Int64 {
        let probeInterval = configuration.probeIntervalNanos
        var next = max(member.lastHeardDirectly, member.lastProbeSent) &+ probeInterval
        let asksHelpers = configuration.indirectProbeCount > 0
        switch member.liveness {
        case .alive:
            next = min(next, member.lastHeard &+ configuration.suspectAfterNanos)
            if asksHelpers {
                next = min(next, max(member.lastHeardDirectly &+ configuration.suspectAfterNanos,
                                     member.lastIndirectRequest &+ probeInterval))
            }
        case let .suspected(since):
            next = min(next, since &+ configuration.confirmAfterNanos)
            if asksHelpers { next = min(next, member.lastIndirectRequest &+ probeInterval) }
        case .failed:
            break
        }
        return next
    }

    /// Asks up to `indirectProbeCount` other members, alive and heard
    /// directly within the suspicion time, to probe `members[target]`; the
    /// choice starts one further along each time.
    private mutating func requestIndirectProbes(of target: Int, now: Int64, actions: inout FailureDetectorActions) {
        let count = members.count
        guard count > 1 else { return }
        let targetId = members[target].id
        var asked = 0
        var step = 0
        while step < count && asked < configuration.indirectProbeCount {
            let helper = (helperCursor &+ step) % count
            step &+= 1
            guard helper != target, members[helper].isAlive,
                  members[helper].lastHeardDirectly > now &- configuration.suspectAfterNanos else { continue }
            actions.append(.requestIndirectProbe(target: targetId, via: members[helper].id))
            asked &+= 1
        }
        helperCursor = (helperCursor &+ 1) % count
    }

    private func assertInvariants(now: Int64) {
        #if DEBUG
        assert(nextDeadline > now, "tick at \(now) left something due (next deadline \(nextDeadline))")
        // An index loop: a `for` over an array allocates in a debug build (an unspecialised iterator).
        // (Distinct ids are `watch`'s precondition, the only place one is added.)
        var index = 0
        while index < members.count {
            let member = members[index]
            index &+= 1
            assert(member.id != nodeId, "node \(nodeId) watches itself")
            assert(member.lastHeardDirectly <= now && member.lastProbeSent <= now, "member \(member.id) has times past \(now)")
            switch member.liveness {
            case .alive:
                assert(member.lastHeard > now &- configuration.suspectAfterNanos, "member \(member.id) silent past the suspicion time, still alive")
            case let .suspected(since), let .failed(since):
                assert(since <= now && member.lastHeard < since, "member \(member.id) heard since \(member.liveness), not recovered")
            }
        }
        #endif
    }
}
