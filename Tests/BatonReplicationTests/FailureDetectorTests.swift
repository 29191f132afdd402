import BatonReplication
import BatonTestSupport
import CMallocCounter
import XCTest

/// `FailureDetector` without sockets: time is a number the test passes in.
final class FailureDetectorTests: XCTestCase {
    private let ms: Int64 = 1_000_000
    private let defaults = FailureDetectorConfiguration()

    /// Ticks `detector` every `stepNanos` over `(from, through]`, feeding
    /// `hear` before each tick; returns every action with its time.
    private func run(_ detector: inout FailureDetector, from: Int64, through: Int64, stepNanos: Int64 = 1_000_000,
                     hear: (inout FailureDetector, Int64) -> Void = { _, _ in }) -> [(at: Int64, action: FailureDetectorAction)] {
        var actions = FailureDetectorActions()
        var seen: [(at: Int64, action: FailureDetectorAction)] = []
        var now = from
        while now < through {
            now += stepNanos
            hear(&detector, now)
            detector.tick(now: now, into: &actions)
            for action in actions { seen.append((now, action)) }
        }
        return seen
    }

    // MARK: - Configuration

    func testDefaultsBoundTheFailureTimeAndTheFencingWindow() throws {
        XCTAssertEqual(defaults.probeIntervalNanos, 10 * ms, "the chain heartbeat interval")
        XCTAssertEqual(defaults.probeIntervalNanos, ReplicationConfiguration.defaultHeartbeatIntervalNanos)
        XCTAssertEqual(defaults.suspectAfterNanos, 100 * ms)
        XCTAssertEqual(defaults.indirectProbeCount, 2)
        XCTAssertEqual(defaults.confirmAfterNanos, 200 * ms)
        XCTAssertEqual(defaults.failureTimeNanos, 300 * ms)
        XCTAssertEqual(defaults.fencingWindowNanos, 150 * ms)
        try defaults.validate()
    }

    func testValidationNamesTheKey() {
        func key(_ change: (inout FailureDetectorConfiguration) -> Void) -> String? {
            var configuration = FailureDetectorConfiguration()
            change(&configuration)
            do {
                try configuration.validate()
                return nil
            } catch {
                guard case let .invalid(key, _) = error else { return nil }
                return key
            }
        }
        XCTAssertEqual(key { $0.probeIntervalNanos = 500_000 }, "failure_detector.probe_interval_ms")
        XCTAssertEqual(key { $0.probeIntervalNanos = 11_000_000_000 }, "failure_detector.probe_interval_ms")
        XCTAssertEqual(key { $0.suspectAfterNanos = 20 * self.ms }, "failure_detector.suspect_after_ms", "fewer than 3 probe intervals")
        XCTAssertEqual(key { $0.indirectProbeCount = 0 }, "failure_detector.indirect_probes")
        XCTAssertEqual(key { $0.indirectProbeCount = 16 }, "failure_detector.indirect_probes")
        XCTAssertEqual(key { $0.confirmAfterNanos = 0 }, "failure_detector.confirm_after_ms")
        XCTAssertEqual(key { $0.confirmAfterNanos = 61_000_000_000 }, "failure_detector.confirm_after_ms")
        XCTAssertNil(key { $0.indirectProbeCount = 15 })
        var wrong = FailureDetectorConfiguration()
        wrong.indirectProbeCount = 0
        XCTAssertThrowsError(try wrong.validate()) { error in
            XCTAssertTrue("\(error)".contains("failure_detector.indirect_probes"), "\(error)")
        }
    }

    // MARK: - Probes and the tick

    func testTickDoesNothingBeforeTheNextDeadline() {
        var detector = FailureDetector(nodeId: 1, members: [1, 2, 3], now: 0)
        XCTAssertEqual(detector.watchedMembers, [2, 3])
        var actions = FailureDetectorActions()
        detector.tick(now: 0, into: &actions)
        XCTAssertTrue(actions.isEmpty, "members start as if just heard")
        XCTAssertEqual(detector.nextDeadline, 10 * ms, "the first Probe is due a probe interval after start")
        for now in stride(from: Int64(1), to: 10 * ms, by: 97_003) {
            detector.tick(now: now, into: &actions)
            XCTAssertTrue(actions.isEmpty, "nothing due at \(now)")
        }
        detector.tick(now: 10 * ms, into: &actions)
        XCTAssertEqual(Array(actions), [.probe(2), .probe(3)])
        detector.tick(now: 10 * ms, into: &actions)
        XCTAssertTrue(actions.isEmpty, "the same instant again: done")
        XCTAssertEqual(detector.nextDeadline, 20 * ms)
    }

    func testAMemberHeardWithinTheProbeIntervalIsNeverProbed() {
        var detector = FailureDetector(nodeId: 1, members: [1, 2, 3], now: 0)
        let seen = run(&detector, from: 0, through: 2_000 * ms) { detector, now in
            if now % (9 * self.ms) == 0 { detector.heard(from: 2, now: now) }
            if now % (5 * self.ms) == 0 { detector.heard(from: 3, now: now) }
        }
        XCTAssertTrue(seen.isEmpty, "\(seen.prefix(5))")
        XCTAssertEqual(detector.liveness(of: 2), .alive)
    }

    func testASilentMemberIsProbedOncePerInterval() {
        var detector = FailureDetector(nodeId: 1, members: [1, 2], now: 0)
        let seen = run(&detector, from: 0, through: 95 * ms, stepNanos: 250_000)
        XCTAssertEqual(seen.map(\.at), (1...9).map { Int64($0) * 10 * ms })
        XCTAssertTrue(seen.allSatisfy { $0.action == .probe(2) })
    }

    // MARK: - Suspicion, indirect probes, confirmation

    func testASilentMemberIsSuspectedAskedAboutAndConfirmedFailedOnTime() {
        // Node 1 watches four; 3, 4 and 5 keep talking, 2 says nothing after time 0.
        var detector = FailureDetector(nodeId: 1, members: [1, 2, 3, 4, 5], now: 0)
        let seen = run(&detector, from: 0, through: 400 * ms, stepNanos: 500_000) { detector, now in
            if now % (4 * self.ms) == 0 { for helper: UInt32 in 3...5 { detector.heard(from: helper, now: now) } }
        }
        let changes = seen.filter { if case .probe = $0.action { false } else if case .requestIndirectProbe = $0.action { false } else { true } }
        XCTAssertEqual(changes.map(\.action), [.suspected(2), .confirmedFailed(2)])
        XCTAssertEqual(changes.first?.at, defaults.suspectAfterNanos, "suspected exactly the suspicion time after it was last heard")
        XCTAssertEqual(changes.last?.at, defaults.failureTimeNanos, "confirmed exactly suspectAfter + confirmAfter after, not before")
        XCTAssertEqual(detector.liveness(of: 2), .failed(since: defaults.failureTimeNanos))
        XCTAssertEqual(detector.failedMembers, [2])

        // Indirect probes: from the suspicion on, every probe interval, k = 2 distinct helpers, rotating; never before, never after the confirmation.
        let requests = seen.compactMap { entry -> (at: Int64, helper: UInt32)? in
            guard case let .requestIndirectProbe(target, helper) = entry.action else { return nil }
            XCTAssertEqual(target, 2)
            return (entry.at, helper)
        }
        let rounds = Dictionary(grouping: requests, by: \.at)
        XCTAssertEqual(rounds.keys.sorted(), (10..<30).map { Int64($0) * 10 * ms })
        for (at, round) in rounds {
            XCTAssertEqual(Set(round.map(\.helper)).count, 2, "two distinct helpers at \(at)")
            XCTAssertTrue(round.allSatisfy { (3...5).contains($0.helper) }, "helpers are heard members, never the target")
        }
        XCTAssertEqual(Set(requests.map(\.helper)), [3, 4, 5], "the choice rotates over every helper")
        // Direct probes keep going at the probe interval, failed or not.
        let probes = seen.filter { $0.action == .probe(2) }.map(\.at)
        XCTAssertEqual(probes, (1...40).map { Int64($0) * 10 * ms })
        XCTAssertFalse(seen.contains { $0.action == .probe(3) }, "heard every 4 ms: no Probe")
    }

    func testHelpersAreOnlyMembersHeardRecentlyAndKIsCappedByWhatExists() {
        // Three members: only one possible helper, asked alone though k = 2.
        var three = FailureDetector(nodeId: 1, members: [1, 2, 3], now: 0)
        let seen = run(&three, from: 0, through: 115 * ms) { detector, now in detector.heard(from: 3, now: now) }
        let requests = seen.filter { if case .requestIndirectProbe = $0.action { true } else { false } }
        XCTAssertEqual(requests.map(\.action), [.requestIndirectProbe(target: 2, via: 3), .requestIndirectProbe(target: 2, via: 3)])
        XCTAssertEqual(requests.map(\.at), [100 * ms, 110 * ms])
        // Nobody heard: suspected, nobody to ask, confirmed on time.
        var alone = FailureDetector(nodeId: 1, members: [1, 2, 3], now: 0)
        let lonely = run(&alone, from: 0, through: 300 * ms)
        XCTAssertFalse(lonely.contains { if case .requestIndirectProbe = $0.action { true } else { false } })
        XCTAssertEqual(alone.failedMembers, [2, 3])
    }

    func testHeardAgainRecoversFromSuspicionAndFromFailure() {
        var detector = FailureDetector(nodeId: 1, members: [1, 2, 3], now: 0)
        var actions = FailureDetectorActions()
        _ = run(&detector, from: 0, through: 150 * ms) { detector, now in detector.heard(from: 3, now: now) }
        XCTAssertEqual(detector.liveness(of: 2), .suspected(since: 100 * ms))
        XCTAssertEqual(detector.suspectedMembers, [2])
        detector.heard(from: 2, now: 150 * ms + 1)
        XCTAssertEqual(detector.nextDeadline, 150 * ms + 1, "hearing a suspect makes the next tick due")
        detector.tick(now: 150 * ms + 2, into: &actions)
        XCTAssertEqual(Array(actions), [.recovered(2)])
        XCTAssertEqual(detector.liveness(of: 2), .alive)
        XCTAssertEqual(detector.suspectedMembers, [])

        // Silent again: a fresh suspicion time, then failure, then recovery.
        let seen = run(&detector, from: 150 * ms, through: 690 * ms) { detector, now in
            detector.heard(from: 3, now: now)
            if now == 600 * ms { detector.heard(from: 2, now: now) }
        }
        let changes = seen.filter { if case .probe = $0.action { false } else if case .requestIndirectProbe = $0.action { false } else { true } }
        XCTAssertEqual(changes.map(\.action), [.suspected(2), .confirmedFailed(2), .recovered(2)])
        XCTAssertEqual(changes.map(\.at), [251 * ms, 451 * ms, 600 * ms])
        XCTAssertEqual(detector.liveness(of: 2), .alive)
        XCTAssertEqual(detector.failedMembers, [])
    }

    func testARelayedAnswerKeepsAMemberAliveWhileItsDirectLinkIsDead() {
        // 2 is never heard directly; each request to 3 about it comes back as a relayed answer 2 ms later.
        var detector = FailureDetector(nodeId: 1, members: [1, 2, 3], now: 0)
        var actions = FailureDetectorActions()
        var answersDue: [Int64] = []
        var changes: [FailureDetectorAction] = []
        var requests = 0
        var now: Int64 = 0
        while now < 2_000 * ms {
            now += ms
            detector.heard(from: 3, now: now)
            while let first = answersDue.first, first <= now {
                answersDue.removeFirst()
                detector.heardIndirectly(about: 2, via: 3, now: now)
            }
            detector.tick(now: now, into: &actions)
            for action in actions {
                switch action {
                case .requestIndirectProbe(target: 2, via: 3):
                    requests += 1
                    answersDue.append(now + 2 * ms)
                case .probe: break
                default: changes.append(action)
                }
            }
        }
        XCTAssertEqual(changes, [.suspected(2), .recovered(2)], "one suspicion for a dead link, not one per suspicion time")
        XCTAssertEqual(detector.liveness(of: 2), .alive)
        XCTAssertEqual(requests, 191, "asked every probe interval from 100 ms on")
        XCTAssertEqual(detector.indirectAnswerCount(about: 2), 190)
        XCTAssertEqual(detector.lastHeardDirectly(from: 2), 0, "never heard directly: the caller can see the link is bad")
        XCTAssertEqual(detector.lastHeardIndirectly(about: 2), 1_992 * ms)
        XCTAssertNil(detector.lastHeardIndirectly(about: 3))
        // The link comes back: indirect probing stops once 2 is heard directly.
        detector.heard(from: 2, now: 2_000 * ms + 1)
        let after = run(&detector, from: 2_000 * ms, through: 2_050 * ms) { detector, now in
            detector.heard(from: 2, now: now)
            detector.heard(from: 3, now: now)
        }
        XCTAssertTrue(after.isEmpty, "\(after)")
    }

    // MARK: - The helper's side

    func testAHelperRelaysTheTargetsAnswerToEveryRequesterOnce() {
        var helper = FailureDetector(nodeId: 3, members: [1, 2, 3, 4, 5], now: 0)
        var actions = FailureDetectorActions()
        XCTAssertTrue(helper.onIndirectProbeRequest(about: 2, from: 1, now: 10 * ms))
        XCTAssertTrue(helper.onIndirectProbeRequest(about: 2, from: 4, now: 11 * ms))
        XCTAssertTrue(helper.onIndirectProbeRequest(about: 2, from: 1, now: 12 * ms), "asked again: the entry is refreshed")
        XCTAssertTrue(helper.onIndirectProbeRequest(about: 5, from: 1, now: 12 * ms))
        XCTAssertEqual(helper.pendingRelayCount, 3)
        XCTAssertFalse(helper.onIndirectProbeRequest(about: 3, from: 1, now: 12 * ms), "about the helper itself")
        XCTAssertFalse(helper.onIndirectProbeRequest(about: 9, from: 1, now: 12 * ms), "about a member it does not know")
        XCTAssertEqual(helper.lastHeardDirectly(from: 1), 12 * ms, "a request counts as hearing its sender")

        helper.onProbeAnswer(from: 2, now: 13 * ms, into: &actions)
        XCTAssertEqual(Set(actions), [.relayProbeAnswer(target: 2, to: 1), .relayProbeAnswer(target: 2, to: 4)])
        XCTAssertEqual(helper.lastHeardDirectly(from: 2), 13 * ms)
        helper.onProbeAnswer(from: 2, now: 14 * ms, into: &actions)
        XCTAssertTrue(actions.isEmpty, "each request is answered once")
        XCTAssertEqual(helper.pendingRelayCount, 1)

        // A request older than the confirmation time is dropped unanswered.
        helper.onProbeAnswer(from: 5, now: 12 * ms + defaults.confirmAfterNanos, into: &actions)
        XCTAssertTrue(actions.isEmpty)
        XCTAssertEqual(helper.pendingRelayCount, 0)
    }

    func testTheRelayTableIsBoundedAndForgetsTheOldestRequestFirst() {
        let everyone = (1...16).map { UInt32($0) }
        var helper = FailureDetector(nodeId: 16, members: everyone, now: 0)
        var actions = FailureDetectorActions()
        var now: Int64 = 0
        var asked: [(target: UInt32, requester: UInt32)] = []
        for target: UInt32 in 1...3 {
            for requester: UInt32 in 1...15 where requester != target {
                now += 1_000
                XCTAssertTrue(helper.onIndirectProbeRequest(about: target, from: requester, now: now))
                asked.append((target, requester))
            }
        }
        XCTAssertEqual(asked.count, 42)
        XCTAssertEqual(helper.pendingRelayCount, FailureDetector.relayCapacity)
        // The first ten (all about target 1) were forgotten.
        helper.onProbeAnswer(from: 1, now: now, into: &actions)
        let kept = asked.dropFirst(10).filter { $0.target == 1 }.map { FailureDetectorAction.relayProbeAnswer(target: 1, to: $0.requester) }
        XCTAssertEqual(Set(actions), Set(kept))
        XCTAssertEqual(actions.count, 4)
        helper.onProbeAnswer(from: 3, now: now, into: &actions)
        XCTAssertEqual(actions.count, 14)
        // Forgetting a member drops its requests.
        XCTAssertTrue(helper.unwatch(5))
        XCTAssertEqual(helper.pendingRelayCount, 13)
        helper.onProbeAnswer(from: 2, now: now, into: &actions)
        XCTAssertEqual(actions.count, 13)
        XCTAssertFalse(actions.contains(.relayProbeAnswer(target: 2, to: 5)))
    }

    // MARK: - Fencing

    func testReachesMajorityCountsItselfAndMembersHeardWithinTheWindow() {
        var detector = FailureDetector(nodeId: 1, members: [1, 2, 3, 4, 5], now: 0)
        let voters: [UInt32] = [1, 2, 3, 4, 5]
        let window = defaults.fencingWindowNanos
        XCTAssertTrue(detector.reachesMajority(of: voters, within: window, now: 100 * ms), "everyone counts as heard at start")
        XCTAssertFalse(detector.reachesMajority(of: voters, within: window, now: window), "the window is open at its far end")
        detector.heard(from: 2, now: 200 * ms)
        XCTAssertFalse(detector.reachesMajority(of: voters, within: window, now: 200 * ms), "2 of 5")
        detector.heardIndirectly(about: 4, via: 3, now: 250 * ms)
        XCTAssertTrue(detector.reachesMajority(of: voters, within: window, now: 250 * ms), "1, 2, 3 directly, 4 through 3")
        XCTAssertTrue(detector.reachesMajority(of: voters, within: window, now: 200 * ms + window - 1))
        XCTAssertFalse(detector.reachesMajority(of: voters, within: window, now: 250 * ms + window), "everything heard is too old")
        // A learner (not a voter) counts only the voters, itself not among them.
        XCTAssertFalse(detector.reachesMajority(of: [2, 5, 6], within: window, now: 260 * ms), "1 of 3: this member is no voter here")
        XCTAssertTrue(detector.reachesMajority(of: [1, 2, 5], within: window, now: 260 * ms), "itself and 2 of 3")
        XCTAssertTrue(detector.reachesMajority(of: [1], within: window, now: 10_000 * ms), "a one-member configuration")
    }

    // MARK: - Membership changes

    func testWatchAndUnwatch() {
        var detector = FailureDetector(nodeId: 1, members: [1, 2], now: 0)
        var actions = FailureDetectorActions()
        _ = run(&detector, from: 0, through: 50 * ms) { detector, now in detector.heard(from: 2, now: now) }
        detector.watch(3, now: 50 * ms)
        XCTAssertEqual(detector.watchedMembers, [2, 3])
        XCTAssertEqual(detector.liveness(of: 3), .alive)
        let seen = run(&detector, from: 50 * ms, through: 160 * ms) { detector, now in detector.heard(from: 2, now: now) }
        XCTAssertEqual(seen.first.map { $0.at }, 60 * ms, "a new member gets a probe interval of grace")
        XCTAssertEqual(seen.first { $0.action == .suspected(3) }?.at, 150 * ms, "and a whole suspicion time")
        XCTAssertTrue(detector.unwatch(3))
        XCTAssertFalse(detector.unwatch(3))
        XCTAssertNil(detector.liveness(of: 3))
        detector.heard(from: 3, now: 161 * ms)
        let later = run(&detector, from: 160 * ms, through: 1_000 * ms) { detector, now in detector.heard(from: 2, now: now) }
        XCTAssertTrue(later.isEmpty, "nothing about a member no longer watched: \(later.prefix(3))")
        detector.tick(now: 1_000 * ms, into: &actions)
        XCTAssertTrue(actions.isEmpty)
    }

    // MARK: - Cost

    /// The duty-cycle calls allocate nothing, due or not, with the malloc
    /// interposer counting this thread's calls; and a tick with nothing due
    /// returns before looking at any member.
    func testTheDutyCycleCallsAllocateNothing() throws {
        try XCTSkipIf(baton_malloc_counter_active() == 0, "the malloc interposer is not active (sanitizer build)")
        let everyone = (1...16).map { UInt32($0) }
        var detector = FailureDetector(nodeId: 1, members: everyone, now: 0)
        var actions = FailureDetectorActions()
        var relays = FailureDetectorActions()
        var voters = everyone
        voters.removeLast()
        var produced = 0
        AllocationTrace.clear()
        let before = baton_malloc_count_thread()
        AllocationTrace.arm()
        var now: Int64 = 0
        for step in 0..<20_000 {
            now += 50_000  // a duty cycle every 50 µs: 1 s in all
            // Everyone but 7 is heard every 15 cycles; 7 is suspected, asked about, confirmed failed.
            let member = UInt32(2 + step % 15)
            if member != 7 { detector.heard(from: member, now: now) }
            if step % 40 == 0 { detector.heardIndirectly(about: 9, via: 3, now: now) }
            if step % 25 == 0 && member != 7 {
                _ = detector.onIndirectProbeRequest(about: member == 9 ? 10 : member, from: 9, now: now)
                detector.onProbeAnswer(from: member == 9 ? 10 : member, now: now, into: &relays)
                produced += relays.count
            }
            detector.tick(now: now, into: &actions)
            produced += actions.count
            _ = detector.reachesMajority(of: voters, within: 150 * ms, now: now)
        }
        AllocationTrace.disarm()
        let allocations = baton_malloc_count_thread() &- before
        XCTAssertEqual(allocations, 0, AllocationTrace.report())
        XCTAssertEqual(detector.failedMembers, [7], "the measured span went through suspicion and failure")
        XCTAssertGreaterThan(produced, 100, "the measured span produced actions")
    }
}
