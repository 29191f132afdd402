import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// `FailureDetector` on every member of simulated 3- and 5-member clusters
/// (`FailureDetectorWorld`, 1 % background loss, 1–3 ms latency): one bad
/// link never gets a healthy member confirmed failed (and does without
/// indirect probes: the check bites); a dead or cut-off member always is,
/// by every other member, within the bound; a cut-off member fences itself
/// within half of it, before anyone confirms it failed.
///
/// Seeds `BATON_TEST_SEED` (default 1) onwards, `BATON_DETECTOR_SEEDS`
/// (default 200) of them; each lossy-link run lasts `BATON_DETECTOR_SECONDS`
/// simulated seconds (default 10: 200 × 60 s takes about a minute in a debug build).
final class FailureDetectorSimulationTests: XCTestCase {
    private let ms = FailureDetectorWorld.ms
    private let configuration = FailureDetectorConfiguration()
    private let backgroundLoss = 0.01

    private var firstSeed: UInt64 { testSeed(1) }
    private var seedCount: Int { environmentInt("BATON_DETECTOR_SEEDS") ?? 200 }
    private var lossySeconds: Int64 { Int64(environmentInt("BATON_DETECTOR_SECONDS") ?? 10) }

    private func environmentInt(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    // MARK: - One bad link

    /// A world with one bad link: a random pair, one direction or both, dropping
    /// 100 % (half the seeds) or a uniform 50–100 %.
    private func lossyWorld(members: Int, seed: UInt64, indirectProbes: Int) -> (world: FailureDetectorWorld, link: String) {
        var configuration = configuration
        configuration.indirectProbeCount = indirectProbes
        var world = FailureDetectorWorld(members: members, configuration: configuration, seed: seed, backgroundLoss: backgroundLoss)
        let from = world.draw(below: members)
        var to = world.draw(below: members - 1)
        if to >= from { to += 1 }
        let bothWays = world.draw(below: 2) == 0
        let rate = world.draw(below: 2) == 0 ? 1 : 0.5 + 0.5 * world.unit()
        world.setDropRate(from: from, to: to, rate)
        if bothWays { world.setDropRate(from: to, to: from, rate) }
        let link = "link \(from + 1) \(bothWays ? "<->" : "->") \(to + 1) drops \(Int(rate * 100)) %"
        return (world, link)
    }

    func testOneLossyLinkNeverGetsAHealthyMemberConfirmedFailed() {
        let started = Date()
        for members in [3, 5] {
            var suspicions = 0
            var seedsWithSuspicion = 0
            var relayedAnswers: Int64 = 0
            var datagrams = 0
            for seed in firstSeed..<firstSeed + UInt64(seedCount) {
                var (world, link) = lossyWorld(members: members, seed: seed, indirectProbes: configuration.indirectProbeCount)
                world.run(until: lossySeconds * 1_000 * ms)
                for confirmation in world.confirmations {
                    XCTFail("\(members) members, seed \(seed), \(link): node \(confirmation.observer) \(confirmation.action) at \(confirmation.at / ms) ms")
                }
                suspicions += world.suspicionCount
                seedsWithSuspicion += world.suspicionCount > 0 ? 1 : 0
                datagrams += world.datagramsSent
                for member in 0..<members {
                    for other in world.ids { relayedAnswers += world.detector(member).indirectAnswerCount(about: other) }
                }
            }
            // The runs went through what they are meant to test: suspicions cleared by relayed answers.
            XCTAssertGreaterThan(seedsWithSuspicion, seedCount / 2, "\(members) members: the bad link caused suspicions")
            XCTAssertGreaterThan(relayedAnswers, Int64(seedCount) * 100, "\(members) members: relayed answers kept members alive")
            print("FailureDetector: \(members) members, one bad link, seeds \(firstSeed)-\(firstSeed + UInt64(seedCount) - 1), "
                  + "\(lossySeconds) s each: no confirmed failure; \(suspicions) suspicions in \(seedsWithSuspicion) seeds, "
                  + "\(relayedAnswers) relayed answers, \(datagrams) datagrams")
        }
        print("FailureDetector: one-bad-link runs took \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    /// The checker bites: without indirect probes the same bad links get a
    /// healthy member confirmed failed in most seeds.
    func testWithoutIndirectProbesOneLossyLinkEvictsAHealthyMember() {
        for members in [3, 5] {
            var evicted = 0
            for seed in firstSeed..<firstSeed + UInt64(seedCount) {
                var (world, _) = lossyWorld(members: members, seed: seed, indirectProbes: 0)
                world.run(until: lossySeconds * 1_000 * ms, stopAtConfirmation: true)
                evicted += world.confirmationCount > 0 ? 1 : 0
            }
            XCTAssertGreaterThan(evicted, seedCount / 2, "\(members) members, k = 0: a healthy member confirmed failed in most seeds")
            print("FailureDetector: \(members) members, one bad link, no indirect probes: "
                  + "a healthy member confirmed failed in \(evicted) of \(seedCount) seeds")
        }
    }

    // MARK: - A dead member

    func testADeadMemberIsConfirmedFailedByEveryOtherWithinTheBound() {
        let bound = configuration.failureTimeNanos + configuration.probeIntervalNanos
        for members in [3, 5] {
            var latest: Int64 = 0
            var earliest = Int64.max
            for seed in firstSeed..<firstSeed + UInt64(seedCount) {
                var world = FailureDetectorWorld(members: members, configuration: configuration, seed: seed, backgroundLoss: backgroundLoss)
                let victim = world.draw(below: members)
                let diesAt = (1_000 + Int64(world.draw(below: 1_000))) * ms
                world.run(until: diesAt)
                world.running[victim] = false
                world.run(until: diesAt + 1_000 * ms)
                let context = "\(members) members, seed \(seed): node \(victim + 1) dies at \(diesAt / ms) ms"
                for observer in 0..<members where observer != victim {
                    let id = world.ids[observer]
                    guard let confirmed = world.confirmation(by: id, of: world.ids[victim]) else {
                        XCTFail("\(context): node \(id) never confirms it failed")
                        continue
                    }
                    XCTAssertLessThanOrEqual(confirmed - diesAt, bound, "\(context): node \(id) confirms at \(confirmed / ms) ms")
                    // Not before: the whole failure time after the last thing heard of it.
                    let detector = world.detector(observer)
                    let lastHeard = max(detector.lastHeardDirectly(from: world.ids[victim]) ?? 0,
                                        detector.lastHeardIndirectly(about: world.ids[victim]) ?? 0)
                    XCTAssertGreaterThanOrEqual(confirmed - lastHeard, configuration.failureTimeNanos, "\(context): node \(id) confirms early")
                    latest = max(latest, confirmed - diesAt)
                    earliest = min(earliest, confirmed - diesAt)
                }
                let wrong = world.confirmations.filter { $0.action != .confirmedFailed(world.ids[victim]) }
                XCTAssertTrue(wrong.isEmpty, "\(context): healthy members confirmed failed: \(wrong.map { "\($0.observer): \($0.action)" })")
            }
            print("FailureDetector: \(members) members, one dies: every other confirms it \(earliest / ms)-\(latest / ms) ms after its death "
                  + "(bound \(bound / ms) ms), \(seedCount) seeds")
        }
    }

    // MARK: - A partition

    func testACutOffMemberIsConfirmedFailedAndFencesItselfFirst() {
        let bound = configuration.failureTimeNanos + configuration.probeIntervalNanos
        let fencingBound = configuration.fencingWindowNanos + configuration.probeIntervalNanos
        for members in [3, 5] {
            var latestFence: Int64 = 0
            var latestConfirmation: Int64 = 0
            for seed in firstSeed..<firstSeed + UInt64(seedCount) {
                var world = FailureDetectorWorld(members: members, configuration: configuration, seed: seed, backgroundLoss: backgroundLoss)
                let victim = world.draw(below: members)
                let cutAt = (1_000 + Int64(world.draw(below: 1_000))) * ms
                let context = "\(members) members, seed \(seed): node \(victim + 1) cut off at \(cutAt / ms) ms"
                world.run(until: cutAt)
                XCTAssertTrue(world.confirmations.isEmpty, "\(context): a failure confirmed before the cut")
                world.isolate(victim)
                var fencedAt: Int64?
                while world.now < cutAt + 1_000 * ms {
                    world.step()
                    let reaches = world.detector(victim).reachesMajority(of: world.ids, within: configuration.fencingWindowNanos, now: world.now)
                    if let fencedAt {
                        XCTAssertFalse(reaches, "\(context): fenced at \(fencedAt / ms) ms, reaches a majority again at \(world.now / ms) ms")
                    } else if !reaches {
                        fencedAt = world.now
                    }
                    for other in 0..<members where other != victim {
                        XCTAssertTrue(world.detector(other).reachesMajority(of: world.ids, within: configuration.fencingWindowNanos, now: world.now),
                                      "\(context): node \(other + 1), on the majority side, fenced at \(world.now / ms) ms")
                    }
                }
                guard let fencedAt else {
                    XCTFail("\(context): never fenced")
                    continue
                }
                XCTAssertLessThanOrEqual(fencedAt - cutAt, fencingBound, "\(context): fenced at \(fencedAt / ms) ms")
                latestFence = max(latestFence, fencedAt - cutAt)
                for observer in 0..<members where observer != victim {
                    let confirmed = world.confirmation(by: world.ids[observer], of: world.ids[victim])
                    XCTAssertNotNil(confirmed, "\(context): node \(observer + 1) never confirms it failed")
                    guard let confirmed else { continue }
                    XCTAssertLessThanOrEqual(confirmed - cutAt, bound, "\(context): node \(observer + 1) confirms at \(confirmed / ms) ms")
                    XCTAssertLessThan(fencedAt, confirmed, "\(context): node \(observer + 1) confirmed it failed before it fenced itself")
                    latestConfirmation = max(latestConfirmation, confirmed - cutAt)
                    // The cut-off member confirms the others failed too.
                    XCTAssertNotNil(world.confirmation(by: world.ids[victim], of: world.ids[observer]), "\(context)")
                }
                let wrong = world.confirmations.filter { $0.observer != world.ids[victim] && $0.action != .confirmedFailed(world.ids[victim]) }
                XCTAssertTrue(wrong.isEmpty,
                              "\(context): on the majority side, healthy members confirmed failed: \(wrong.map { "\($0.observer): \($0.action)" })")

                // Healed: everyone recovers everyone within a few probe intervals, and the member serves again.
                world.isolate(victim, rate: backgroundLoss)
                let healedAt = world.now
                world.run(until: healedAt + 100 * ms)
                for member in 0..<members {
                    let detector = world.detector(member)
                    for other in world.ids where other != world.ids[member] {
                        XCTAssertEqual(detector.liveness(of: other), .alive, "\(context): node \(member + 1) about node \(other) after healing")
                    }
                }
                XCTAssertTrue(world.detector(victim).reachesMajority(of: world.ids, within: configuration.fencingWindowNanos, now: world.now), "\(context)")
                let recoveries = world.events.filter { $0.at > healedAt && $0.action == .recovered(world.ids[victim]) }
                XCTAssertEqual(recoveries.count, members - 1, "\(context): every other member recovers it")
            }
            print("FailureDetector: \(members) members, one cut off: fenced within \(latestFence / ms) ms (bound \(fencingBound / ms) ms), "
                  + "confirmed failed within \(latestConfirmation / ms) ms (bound \(bound / ms) ms), \(seedCount) seeds")
        }
    }
}
