import BatonReplication
import XCTest

/// `RaftElection` without sockets: timeouts, pre-vote, votes, check-quorum, terms.
final class RaftElectionTests: XCTestCase {
    private let ms: Int64 = 1_000_000

    private func member(_ id: UInt32, term: UInt64 = 0, votedFor: UInt32? = nil, now: Int64 = 0) -> RaftElection {
        RaftElection(nodeId: id, voters: [1, 2, 3], term: term, votedFor: votedFor,
                     electionTimeoutMinimumNanos: 150 * ms, electionTimeoutMaximumNanos: 300 * ms, seed: 7, now: now)
    }

    func testTimeoutsAreDrawnFromTheConfiguredRange() {
        for seed in 0..<100 as Range<UInt64> {
            let election = RaftElection(nodeId: 1, voters: [1, 2, 3], term: 0, votedFor: nil,
                                        electionTimeoutMinimumNanos: 150 * ms, electionTimeoutMaximumNanos: 300 * ms, seed: seed, now: 1_000)
            XCTAssert((1_000 + 150 * ms...1_000 + 300 * ms).contains(election.electionDeadline), "seed \(seed): \(election.electionDeadline)")
        }
    }

    func testAFollowerWhoseDeadlinePassesAsksForPreVotesWithoutBumpingItsTerm() {
        var election = member(1, term: 4)
        XCTAssertEqual(election.tick(now: 100 * ms, mayStand: true), .none)
        XCTAssertEqual(election.tick(now: 301 * ms, mayStand: true), .requestPreVotes(term: 5))
        XCTAssertEqual(election.role, .preCandidate)
        XCTAssertEqual(election.term, 4)
        XCTAssertFalse(election.needsPersisting)
    }

    func testAMemberCuttingItsLogDoesNotStand() {
        var election = member(1)
        XCTAssertEqual(election.tick(now: 301 * ms, mayStand: false), .none)
        XCTAssertEqual(election.role, .follower)
    }

    func testMajorityOfPreVotesStartsTheElectionAndVotesWinIt() {
        var election = member(1, term: 4)
        _ = election.tick(now: 301 * ms, mayStand: true)
        XCTAssertEqual(election.onPreVoteResponse(from: 2, proposedTerm: 5, granted: true, now: 302 * ms), .requestVotes(term: 5))
        XCTAssertEqual(election.role, .candidate)
        XCTAssertEqual(election.term, 5)
        XCTAssertEqual(election.votedFor, 1)
        XCTAssertTrue(election.needsPersisting)
        election.persisted()
        XCTAssertEqual(election.onVoteResponse(from: 3, voteTerm: 4, granted: true, now: 303 * ms), .none, "a vote of another term")
        XCTAssertEqual(election.onVoteResponse(from: 3, voteTerm: 5, granted: true, now: 303 * ms), .becomeLeader(term: 5))
        XCTAssertEqual(election.role, .leader)
        XCTAssertEqual(election.leaderId, 1)
    }

    func testAVoterGrantsOneVotePerTermAndOnlyToAnUpToDateLog() {
        var voter = member(2, term: 3)
        // Behind: a shorter log of the same last term.
        XCTAssertFalse(voter.decideVote(candidate: 1, proposedTerm: 4, lastTerm: 3, lastPosition: 100, preVote: false, transfer: false,
                                        ownLastTerm: 3, ownEnd: 200, now: 0))
        XCTAssertEqual(voter.term, 4, "a later term is adopted even when the vote is refused")
        XCTAssertNil(voter.votedFor)
        // Behind: an older last term, however long.
        XCTAssertFalse(voter.decideVote(candidate: 1, proposedTerm: 4, lastTerm: 2, lastPosition: 900, preVote: false, transfer: false,
                                        ownLastTerm: 3, ownEnd: 200, now: 0))
        XCTAssertTrue(voter.decideVote(candidate: 3, proposedTerm: 4, lastTerm: 3, lastPosition: 200, preVote: false, transfer: false,
                                       ownLastTerm: 3, ownEnd: 200, now: 0))
        XCTAssertEqual(voter.votedFor, 3)
        XCTAssertTrue(voter.needsPersisting)
        XCTAssertFalse(voter.decideVote(candidate: 1, proposedTerm: 4, lastTerm: 9, lastPosition: 900, preVote: false, transfer: false,
                                        ownLastTerm: 3, ownEnd: 200, now: 0), "already voted in term 4")
        XCTAssertTrue(voter.decideVote(candidate: 3, proposedTerm: 4, lastTerm: 3, lastPosition: 200, preVote: false, transfer: false,
                                       ownLastTerm: 3, ownEnd: 200, now: 0), "the same candidate asking again")
    }

    func testAVoterThatHearsALiveLeaderRefusesPreVotesAndLaterTerms() {
        var voter = member(2, term: 3)
        XCTAssertTrue(voter.onLeaderMessage(from: 1, term: 3, now: 10 * ms))
        XCTAssertFalse(voter.decideVote(candidate: 3, proposedTerm: 4, lastTerm: 3, lastPosition: 500, preVote: true, transfer: false,
                                        ownLastTerm: 3, ownEnd: 100, now: 20 * ms))
        XCTAssertFalse(voter.decideVote(candidate: 3, proposedTerm: 4, lastTerm: 3, lastPosition: 500, preVote: false, transfer: false,
                                        ownLastTerm: 3, ownEnd: 100, now: 20 * ms))
        XCTAssertEqual(voter.term, 3, "a disruptive candidate does not move the term while the leader is heard")
        // A hand-over from the leader itself passes the lease.
        XCTAssertTrue(voter.decideVote(candidate: 3, proposedTerm: 4, lastTerm: 3, lastPosition: 500, preVote: false, transfer: true,
                                       ownLastTerm: 3, ownEnd: 100, now: 20 * ms))
        // Once the leader has been silent for the minimum timeout, pre-votes are granted (term unchanged).
        var later = member(2, term: 3)
        XCTAssertTrue(later.onLeaderMessage(from: 1, term: 3, now: 10 * ms))
        XCTAssertTrue(later.decideVote(candidate: 3, proposedTerm: 4, lastTerm: 3, lastPosition: 500, preVote: true, transfer: false,
                                       ownLastTerm: 3, ownEnd: 100, now: 161 * ms))
        XCTAssertEqual(later.term, 3)
        XCTAssertNil(later.votedFor)
    }

    func testALeaderThatLosesItsMajorityStepsDown() {
        var leader = member(1, term: 4)
        _ = leader.tick(now: 301 * ms, mayStand: true)
        _ = leader.onPreVoteResponse(from: 2, proposedTerm: 5, granted: true, now: 301 * ms)
        XCTAssertEqual(leader.onVoteResponse(from: 2, voteTerm: 5, granted: true, now: 301 * ms), .becomeLeader(term: 5))
        leader.onFollowerMessage(from: 2, term: 5, now: 400 * ms)
        XCTAssertEqual(leader.tick(now: 440 * ms, mayStand: true), .none, "heard node 2 40 ms ago: a majority with itself")
        XCTAssertEqual(leader.tick(now: 551 * ms, mayStand: true), .stepDown, "nobody heard for 150 ms")
        XCTAssertEqual(leader.role, .follower)
        XCTAssertNil(leader.leaderId)
        XCTAssertEqual(leader.term, 5)
    }

    func testALaterTermDeposesALeaderAndClearsTheVote() {
        var leader = member(1, term: 4)
        _ = leader.tick(now: 301 * ms, mayStand: true)
        _ = leader.onPreVoteResponse(from: 2, proposedTerm: 5, granted: true, now: 301 * ms)
        _ = leader.onVoteResponse(from: 2, voteTerm: 5, granted: true, now: 301 * ms)
        leader.persisted()
        XCTAssertEqual(leader.observe(term: 7, now: 310 * ms), .stepDown)
        XCTAssertEqual(leader.term, 7)
        XCTAssertNil(leader.votedFor)
        XCTAssertTrue(leader.needsPersisting)
        XCTAssertFalse(leader.onLeaderMessage(from: 2, term: 6, now: 311 * ms), "a leader of an older term is stale")
        XCTAssertTrue(leader.onLeaderMessage(from: 2, term: 7, now: 311 * ms))
        XCTAssertEqual(leader.leaderId, 2)
    }

    func testACandidateHearingItsTermsLeaderFollowsIt() {
        var candidate = member(3, term: 4)
        _ = candidate.tick(now: 301 * ms, mayStand: true)
        _ = candidate.onPreVoteResponse(from: 1, proposedTerm: 5, granted: true, now: 301 * ms)
        XCTAssertEqual(candidate.role, .candidate)
        XCTAssertTrue(candidate.onLeaderMessage(from: 2, term: 5, now: 302 * ms))
        XCTAssertEqual(candidate.role, .follower)
        XCTAssertEqual(candidate.leaderId, 2)
        XCTAssertEqual(candidate.votedFor, 3, "the vote in term 5 stays")
    }
}

/// The commit rule on byte positions, in the state of the Raft paper's figure 8.
final class RaftCommitRuleTests: XCTestCase {
    /// Figure 8 (c): the term-4 leader has copied its old term-2 bytes (up to
    /// 4,096) to a majority, and its own term starts at 4,096 (its marker),
    /// which no follower has yet. Counting replicas would commit 4,096; a
    /// member holding term-3 bytes there can still win and overwrite them.
    func testOldTermBytesOnAMajorityDoNotCommitBeforeTheLeadersOwnTerm() {
        let quorum = RaftQuorum(members: 5)
        // Leader (durable through its marker), two followers with the old bytes, two without.
        let durable: [Int64] = [4_128, 4_096, 4_096, 2_048, 2_048]
        let majority = quorum.position { durable[$0] }
        XCTAssertEqual(majority, 4_096)
        XCTAssertEqual(RaftCommitRule.commit(current: 2_048, majorityDurable: majority, termStart: 4_096), 2_048)
        // Figure 8 (e): the marker reaches the majority; everything before it commits with it.
        let later: [Int64] = [4_128, 4_128, 4_128, 2_048, 2_048]
        XCTAssertEqual(RaftCommitRule.commit(current: 2_048, majorityDurable: quorum.position { later[$0] }, termStart: 4_096), 4_128)
    }

    func testTheQuorumIsTheMajorityThLargest() {
        let three = RaftQuorum(members: 3)
        XCTAssertEqual(three.position { [10, 30, 20][$0] }, 20)
        XCTAssertEqual(three.position { [5, 5, 0][$0] }, 5)
        let seven = RaftQuorum(members: 7)
        XCTAssertEqual(seven.position { Int64([70, 10, 60, 20, 50, 30, 40][$0]) }, 40)
    }

    func testTheCommitNeverGoesBack() {
        XCTAssertEqual(RaftCommitRule.commit(current: 9_000, majorityDurable: 8_000, termStart: 100), 9_000)
    }
}
