import BatonReplication
import BatonTestSupport
import XCTest

/// The term index of a byte-positioned log, without a log: lookups,
/// appends and cuts, what a leader lists in a Sync, and the match a
/// follower converges to — Raft figure 7's followers (missing entries, extra
/// uncommitted entries of an old term, both) and random histories.
final class RaftTermIndexTests: XCTestCase {
    /// Bytes of one modelled log entry (a frame): a log here is a list of terms, one per block.
    private static let block: Int64 = 100

    /// The index of a log whose block `i` was written in `terms[i]`.
    private func index(_ terms: [UInt64]) -> RaftTermIndex {
        var index = RaftTermIndex()
        for (block, term) in terms.enumerated() where block == 0 || terms[block - 1] != term {
            index.append(term: term, start: Int64(block) * Self.block)
        }
        return index
    }

    private func end(_ terms: [UInt64]) -> Int64 { Int64(terms.count) * Self.block }

    func testAnEmptyIndex() {
        let empty = RaftTermIndex()
        XCTAssertTrue(empty.isEmpty)
        XCTAssertEqual(empty.term(at: 0), 0)
        XCTAssertEqual(empty.term(at: 5_000), 0)
        XCTAssertEqual(empty.lastTerm(logEnd: 0), 0)
        XCTAssertEqual(empty.lastTermStart(logEnd: 0), 0)
        XCTAssertNil(empty.start(ofTerm: 1))
        XCTAssertNil(empty.end(ofTerm: 1, logEnd: 0))
        XCTAssertTrue(empty.entries(from: 0, limit: 8) == ([], .max))
        XCTAssertEqual(empty.matchPosition(followerLastTerm: 0, followerLastTermStart: 0, followerEnd: 0, leaderEnd: 0), 0)
        XCTAssertEqual(empty.matchPosition(followerLastTerm: 3, followerLastTermStart: 200, followerEnd: 900, leaderEnd: 0), 200)
    }

    func testLookups() {
        let terms = RaftTermIndex(entries: [.init(term: 1, start: 0), .init(term: 4, start: 300),
                                            .init(term: 5, start: 500), .init(term: 6, start: 700)])
        XCTAssertFalse(terms.isEmpty)
        XCTAssertEqual([0, 299, 300, 499, 500, 699, 700, 999, 1_000, .max].map { terms.term(at: $0) }, [1, 1, 4, 4, 5, 5, 6, 6, 6, 6])
        XCTAssertEqual(terms.term(at: -1), 0, "before the log")
        XCTAssertEqual(terms.lastTerm(logEnd: 1_000), 6)
        XCTAssertEqual(terms.lastTerm(logEnd: 700), 5, "the byte at 699")
        XCTAssertEqual(terms.lastTerm(logEnd: 1), 1)
        XCTAssertEqual(terms.lastTerm(logEnd: 0), 0, "an empty log")
        XCTAssertEqual(terms.lastTermStart(logEnd: 1_000), 700)
        XCTAssertEqual(terms.lastTermStart(logEnd: 600), 500)
        XCTAssertEqual(terms.lastTermStart(logEnd: 300), 0)
        XCTAssertEqual(terms.lastTermStart(logEnd: 0), 0)
        XCTAssertEqual([1, 4, 5, 6].map { terms.start(ofTerm: $0) }, [0, 300, 500, 700])
        XCTAssertNil(terms.start(ofTerm: 2), "a term that wrote nothing here")
        XCTAssertNil(terms.start(ofTerm: 7))
        XCTAssertNil(terms.start(ofTerm: 0))
        XCTAssertEqual([1, 4, 5, 6].map { terms.end(ofTerm: $0, logEnd: 1_000) }, [300, 500, 700, 1_000])
        XCTAssertNil(terms.end(ofTerm: 3, logEnd: 1_000))
        XCTAssertTrue(RaftTermIndex.isOrdered(terms.entries))
        XCTAssertEqual(terms.description(), "term 1 from 0, term 4 from 300, term 5 from 500, term 6 from 700")
    }

    func testIsOrderedRefusesWhatTheInvariantForbids() {
        XCTAssertTrue(RaftTermIndex.isOrdered([]))
        XCTAssertTrue(RaftTermIndex.isOrdered([.init(term: 1, start: 0), .init(term: 9, start: 32)]))
        XCTAssertFalse(RaftTermIndex.isOrdered([.init(term: 0, start: 0)]), "term 0 is no term")
        XCTAssertFalse(RaftTermIndex.isOrdered([.init(term: 1, start: -1)]), "a negative start")
        XCTAssertFalse(RaftTermIndex.isOrdered([.init(term: 2, start: 0), .init(term: 2, start: 32)]), "a repeated term")
        XCTAssertFalse(RaftTermIndex.isOrdered([.init(term: 2, start: 0), .init(term: 1, start: 32)]), "terms going back")
        XCTAssertFalse(RaftTermIndex.isOrdered([.init(term: 1, start: 32), .init(term: 2, start: 32)]), "a term with no bytes")
        XCTAssertFalse(RaftTermIndex.isOrdered([.init(term: 1, start: 64), .init(term: 2, start: 32)]), "starts going back")
    }

    func testAppendReplacesATermThatWroteNothing() {
        var terms = RaftTermIndex()
        terms.append(term: 2, start: 0)
        terms.append(term: 3, start: 640)
        XCTAssertEqual(terms.entries, [.init(term: 2, start: 0), .init(term: 3, start: 640)])
        // A leader of term 5 begins at the log end; it loses leadership before writing a byte.
        terms.append(term: 5, start: 1_024)
        XCTAssertEqual(terms.end(ofTerm: 3, logEnd: 1_024), 1_024)
        XCTAssertEqual(terms.end(ofTerm: 5, logEnd: 1_024), 1_024, "begun, no bytes yet")
        XCTAssertEqual(terms.lastTerm(logEnd: 1_024), 3, "the last byte is still term 3's")
        XCTAssertEqual(terms.lastTermStart(logEnd: 1_024), 640)
        terms.append(term: 7, start: 1_024)
        XCTAssertEqual(terms.entries, [.init(term: 2, start: 0), .init(term: 3, start: 640), .init(term: 7, start: 1_024)],
                       "term 5 wrote nothing: superseded")
        terms.append(term: 1 << 40, start: 4_096)
        XCTAssertEqual(terms.entries.last, .init(term: 1 << 40, start: 4_096))
    }

    func testTruncateAndClip() {
        var terms = index([1, 1, 1, 4, 4, 5, 5, 6, 6, 6])
        terms.truncate(from: 1_000)
        XCTAssertEqual(terms.entries.count, 4, "a cut at the end removes nothing")
        terms.truncate(from: 600)
        XCTAssertEqual(terms.entries, [.init(term: 1, start: 0), .init(term: 4, start: 300), .init(term: 5, start: 500)],
                       "term 6 had no byte below 600; term 5 keeps its first")
        terms.truncate(from: 500)
        XCTAssertEqual(terms.entries.last, .init(term: 4, start: 300), "a cut at a term's start removes it")
        XCTAssertEqual(terms.lastTerm(logEnd: 500), 4)
        terms.append(term: 8, start: 500)
        XCTAssertEqual(terms.term(at: 500), 8, "a new leader writes from the cut")

        var recovered = index([1, 1, 2, 2, 3])
        recovered.append(term: 4, start: 500)  // begun at the end, nothing written
        recovered.clip(toLogEnd: 450)          // recovery cut a torn tail inside term 3
        XCTAssertEqual(recovered.entries, [.init(term: 1, start: 0), .init(term: 2, start: 200), .init(term: 3, start: 400)])
        recovered.clip(toLogEnd: 400)
        XCTAssertEqual(recovered.lastTerm(logEnd: 400), 2)
        recovered.clip(toLogEnd: 0)
        XCTAssertTrue(recovered.isEmpty)
    }

    func testEntriesForASyncStartAtTheCoveringEntry() {
        let terms = index([1, 1, 1, 4, 4, 5, 5, 6, 6, 6])
        var listed = terms.entries(from: 350, limit: 8)
        XCTAssertEqual(listed.entries, [.init(term: 4, start: 300), .init(term: 5, start: 500), .init(term: 6, start: 700)],
                       "term 4 covers 350 and keeps its start")
        XCTAssertEqual(listed.validUpTo, .max, "every later term listed")
        listed = terms.entries(from: 500, limit: 8)
        XCTAssertEqual(listed.entries.first, .init(term: 5, start: 500))
        listed = terms.entries(from: 1_000, limit: 8)
        XCTAssertEqual(listed.entries, [.init(term: 6, start: 700)], "at the leader's end: its last term")
        listed = terms.entries(from: 0, limit: 2)
        XCTAssertEqual(listed.entries, [.init(term: 1, start: 0), .init(term: 4, start: 300)])
        XCTAssertEqual(listed.validUpTo, 500, "term 5 left out: take bytes only below its start")
        listed = terms.entries(from: 299, limit: 1)
        XCTAssertEqual(listed.entries, [.init(term: 1, start: 0)])
        XCTAssertEqual(listed.validUpTo, 300)

        let many = RaftTermIndex(entries: (1...12).map { RaftTermEntry(term: UInt64($0 * 2), start: Int64($0 - 1) * 64) })
        listed = many.entries(from: 100, limit: 8)
        XCTAssertEqual(listed.entries.map(\.term), [4, 6, 8, 10, 12, 14, 16, 18])
        XCTAssertEqual(listed.validUpTo, 576, "term 20's start")
        listed = many.entries(from: 576, limit: 8)
        XCTAssertEqual(listed.entries.map(\.term), [20, 22, 24])
        XCTAssertEqual(listed.validUpTo, .max)

        let lateStart = RaftTermIndex(entries: [.init(term: 3, start: 64)])
        listed = lateStart.entries(from: 0, limit: 8)
        XCTAssertEqual(listed.entries, [.init(term: 3, start: 64)], "nothing covers 0: every later entry")
    }

    // MARK: Figure 7 of the Raft paper, in bytes

    /// The leader of term 8 (figure 7's top row: entries 1–10, 100 bytes each).
    private let leaderTerms: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]

    /// A follower's log being brought in step: asks, cuts, asks again until
    /// an answer is agreement (above the last term start it sent, or 0);
    /// then takes the leader's term starts (as a Sync lists them) and stream.
    private struct Follower {
        var terms: [UInt64]
        var index: RaftTermIndex
        var end: Int64 { Int64(terms.count) * RaftTermIndexTests.block }

        mutating func cut(to position: Int64) {
            terms.removeLast(terms.count - Int(position / RaftTermIndexTests.block))
            index.truncate(from: position)
        }
    }

    /// Runs the exchange; returns the agreed position and the round trips it took.
    private func synchronize(_ follower: inout Follower, leaderTerms: [UInt64],
                             file: StaticString = #filePath, line: UInt = #line) -> (agreed: Int64, roundTrips: Int) {
        let leader = index(leaderTerms)
        let leaderEnd = end(leaderTerms)
        for roundTrip in 1...64 {
            let lastTerm = follower.index.lastTerm(logEnd: follower.end)
            let lastTermStart = follower.index.lastTermStart(logEnd: follower.end)
            let match = leader.matchPosition(followerLastTerm: lastTerm, followerLastTermStart: lastTermStart,
                                             followerEnd: follower.end, leaderEnd: leaderEnd)
            XCTAssertLessThanOrEqual(match, follower.end, file: file, line: line)
            XCTAssertEqual(match % Self.block, 0, file: file, line: line)
            follower.cut(to: match)
            guard match > lastTermStart || match == 0 else { continue }
            // Agreement: everything below `match` is the leader's (the same term at each position).
            XCTAssertEqual(follower.terms, Array(leaderTerms.prefix(follower.terms.count)),
                           "agreed at \(match) but the logs differ below it", file: file, line: line)
            // Take the Sync's entries and the stream.
            var from = match
            while from < leaderEnd {
                let listed = leader.entries(from: from, limit: 8)
                for entry in listed.entries where entry.term > follower.index.lastTerm(logEnd: follower.end) {
                    follower.index.append(term: entry.term, start: entry.start)
                }
                let upTo = min(leaderEnd, listed.validUpTo)
                follower.terms += leaderTerms[follower.terms.count..<Int(upTo / Self.block)]
                from = upTo
            }
            XCTAssertEqual(follower.terms, leaderTerms, file: file, line: line)
            XCTAssertEqual(follower.index, leader, "the follower's term index is the leader's", file: file, line: line)
            return (match, roundTrip)
        }
        XCTFail("no agreement in 64 round trips", file: file, line: line)
        return (-1, 0)
    }

    private func figure7(_ terms: [UInt64], agreesAt expected: Int64, roundTrips expectedTrips: Int, _ message: String = "",
                         file: StaticString = #filePath, line: UInt = #line) {
        var follower = Follower(terms: terms, index: index(terms))
        let (agreed, trips) = synchronize(&follower, leaderTerms: leaderTerms, file: file, line: line)
        XCTAssertEqual(agreed, expected, "agreement \(message)", file: file, line: line)
        XCTAssertEqual(trips, expectedTrips, "round trips \(message)", file: file, line: line)
    }

    func testFigure7aMissingOneEntry() {
        figure7([1, 1, 1, 4, 4, 5, 5, 6, 6], agreesAt: 900, roundTrips: 1)
    }

    func testFigure7bMissingManyEntries() {
        figure7([1, 1, 1, 4], agreesAt: 400, roundTrips: 1)
    }

    func testFigure7cAnExtraEntryOfTheLeadersLastTerm() {
        figure7([1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], agreesAt: 1_000, roundTrips: 1)
    }

    func testFigure7dExtraEntriesOfATermTheLeaderNeverSaw() {
        figure7([1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], agreesAt: 1_000, roundTrips: 2)
    }

    func testFigure7eExtraUncommittedEntriesOfAnOldTerm() {
        figure7([1, 1, 1, 4, 4, 4, 4], agreesAt: 500, roundTrips: 1)
    }

    func testFigure7fBothMissingAndExtraOfTermsTheLeaderNeverSaw() {
        figure7([1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], agreesAt: 300, roundTrips: 3)
    }

    func testEmptyAndDisjointLogs() {
        figure7([], agreesAt: 0, roundTrips: 1)
        figure7([2, 2, 3], agreesAt: 0, roundTrips: 2, "nothing in common: cut to term 2's start, 0, which agrees")
        XCTAssertEqual(index(leaderTerms).matchPosition(followerLastTerm: 0, followerLastTermStart: 0, followerEnd: 0, leaderEnd: 1_000), 0)
    }

    func testAFollowerInStepAgreesAtItsEnd() {
        figure7(leaderTerms, agreesAt: 1_000, roundTrips: 1)
        let leader = index(leaderTerms)
        XCTAssertEqual(leader.matchPosition(followerLastTerm: 6, followerLastTermStart: 700, followerEnd: 1_000, leaderEnd: 1_000), 1_000)
        var begun = leader
        begun.append(term: 8, start: 1_000) // the leader's own term, begun, nothing written yet
        XCTAssertEqual(begun.matchPosition(followerLastTerm: 6, followerLastTermStart: 700, followerEnd: 1_000, leaderEnd: 1_000), 1_000)
        XCTAssertEqual(begun.entries(from: 1_000, limit: 8).entries, [.init(term: 8, start: 1_000)],
                       "the follower learns the new term's start before its first byte")
    }

    /// Random histories that keep Raft's one rule the index relies on — one
    /// leader per term, writing each position once, on top of a prefix of an
    /// earlier leader's log — and followers holding a prefix of any leader's
    /// log: the exchange always agrees at the longest common prefix.
    func testRandomHistoriesConvergeToTheLongestCommonPrefix() {
        let seed = testSeed(0x7E_5A_11)
        var random = SplitMix64(seed: seed)
        var cutsNeeded = 0, extraCut = 0, followerAhead = 0
        for round in 0..<2_000 {
            var logs: [[UInt64]] = [[]]
            for term in 1...UInt64(random.int(in: 1...12)) {
                let base = logs[Int(random.int(in: 0...Int64(logs.count - 1)))]
                let kept = Int(random.int(in: 0...Int64(base.count)))
                let written = Int(random.int(in: 1...4))
                logs.append(Array(base.prefix(kept)) + Array(repeating: term, count: written))
            }
            let leaderTerms = logs[logs.count - 1]
            let source = logs[Int(random.int(in: 0...Int64(logs.count - 1)))]
            let followerTerms = Array(source.prefix(Int(random.int(in: 0...Int64(source.count)))))
            let common = zip(followerTerms, leaderTerms).prefix { $0 == $1 }.count
            var follower = Follower(terms: followerTerms, index: index(followerTerms))
            let (agreed, trips) = synchronize(&follower, leaderTerms: leaderTerms)
            XCTAssertEqual(agreed, Int64(common) * Self.block,
                           "seed \(seed) round \(round): leader \(leaderTerms), follower \(followerTerms)")
            if trips >= 2 { cutsNeeded += 1 }
            if trips >= 3 { extraCut += 1 }
            if common < followerTerms.count { followerAhead += 1 }
        }
        // The histories reach every path: a cut, cuts across several terms, a follower holding bytes the leader lacks.
        XCTAssertGreaterThan(cutsNeeded, 100, "seed \(seed)")
        XCTAssertGreaterThan(extraCut, 10, "seed \(seed)")
        XCTAssertGreaterThan(followerAhead, 400, "seed \(seed)")
    }
}

private extension RaftTermIndex {
    func description() -> String { entries.map(\.description).joined(separator: ", ") }
}
