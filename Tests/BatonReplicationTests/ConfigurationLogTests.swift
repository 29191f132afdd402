import BatonReplication
import XCTest

/// `ConfigurationLog` rule by rule, without sockets: votes only for an
/// up-to-date last entry, the new leader's no-op, no commit of an earlier
/// term's entry by counting it, proposals and their refusals, a follower
/// replacing its last entry, refusing what would break its log, check-quorum,
/// fencing, persistence.
final class ConfigurationLogTests: XCTestCase {
    private let ms: Int64 = 1_000_000

    private func membership(_ epoch: UInt32, _ members: [UInt32], minimum: Int = 2) -> ChainMembership {
        do { return try ChainMembership(epoch: epoch, members: members, minimumLength: minimum) } catch { preconditionFailure("\(error)") }
    }

    private var initial: ChainMembership { membership(1, [1, 2, 3]) }

    private func member(_ id: UInt32, state: ConfigurationPersistentState? = nil, voters: [UInt32] = [1, 2, 3], now: Int64 = 0) -> ConfigurationLog {
        ConfigurationLog(nodeId: id, voters: voters, state: state, initialMembership: initial,
                         electionTimeoutMinimumNanos: 150 * ms, electionTimeoutMaximumNanos: 300 * ms,
                         heartbeatIntervalNanos: 50 * ms, seed: 7, now: now)
    }

    private func entry(_ index: UInt64, _ term: UInt64, _ membership: ChainMembership) -> ConfigurationEntry {
        ConfigurationEntry(index: index, term: term, membership: membership)
    }

    private func state(term: UInt64, committed: ConfigurationEntry, last: ConfigurationEntry, votedFor: UInt32? = nil) -> ConfigurationPersistentState {
        ConfigurationPersistentState(currentTerm: term, votedFor: votedFor, committedEntry: committed, lastEntry: last)
    }

    /// The Append a log's action carries to every follower.
    private func broadcastAppend(_ action: ConfigurationLogAction, file: StaticString = #filePath, line: UInt = #line) -> ConfigurationAppend? {
        guard case let .broadcast(.append(append)) = action else {
            XCTFail("expected an Append to every follower, got \(action)", file: file, line: line)
            return nil
        }
        return append
    }

    /// The ack a follower's action sends its leader.
    private func sentAck(_ action: ConfigurationLogAction, file: StaticString = #filePath, line: UInt = #line) -> ConfigurationAppendAck? {
        guard case let .send(.appendAck(ack), _) = action else {
            XCTFail("expected an AppendAck, got \(action)", file: file, line: line)
            return nil
        }
        return ack
    }

    private func vote(_ log: inout ConfigurationLog, candidate: UInt32, term: UInt64, lastTerm: UInt64, lastIndex: UInt64,
                      preVote: Bool = false, now: Int64 = 0) -> Bool {
        let request = ConfigurationVoteRequest(candidate: candidate, proposedTerm: term, lastTerm: lastTerm, lastIndex: lastIndex, isPreVote: preVote)
        guard case let .send(.voteResponse(response), to) = log.receive(.voteRequest(request), now: now), to == candidate else {
            XCTFail("no answer to the candidate")
            return false
        }
        XCTAssertEqual(response.voter, log.nodeId)
        return response.granted
    }

    /// Makes `log` leader (pre-vote, then the vote of node `voter`) at `now`; returns the no-op Append it sends.
    @discardableResult
    private func elect(_ log: inout ConfigurationLog, voter: UInt32 = 2, now: Int64 = 301 * 1_000_000) -> ConfigurationAppend? {
        let term = log.term
        guard case let .broadcast(.voteRequest(preVote)) = log.tick(now: now) else { XCTFail("no pre-vote round"); return nil }
        XCTAssertTrue(preVote.isPreVote)
        XCTAssertEqual(preVote.proposedTerm, term + 1)
        XCTAssertEqual(log.term, term, "a pre-vote does not move the term")
        let granted = ConfigurationVoteResponse(voter: voter, term: term + 1, granted: true, isPreVote: true)
        guard case let .broadcast(.voteRequest(request)) = log.receive(.voteResponse(granted), now: now) else {
            XCTFail("no election after a majority of pre-votes")
            return nil
        }
        XCTAssertFalse(request.isPreVote)
        XCTAssertEqual(request.lastTerm, log.lastEntry.term)
        XCTAssertEqual(request.lastIndex, log.lastEntry.index)
        let won = ConfigurationVoteResponse(voter: voter, term: term + 1, granted: true, isPreVote: false)
        let action = log.receive(.voteResponse(won), now: now)
        XCTAssertEqual(log.role, .leader)
        return broadcastAppend(action)
    }

    private func ack(_ follower: UInt32, term: UInt64, index: UInt64, entryTerm: UInt64) -> ConfigurationMessage {
        .appendAck(ConfigurationAppendAck(term: term, follower: follower, matchedIndex: index, matchedTerm: entryTerm, success: true))
    }

    // MARK: - Votes

    func testAVoterGrantsOnlyALastEntryAtLeastAsUpToDate() {
        let change = membership(2, [1, 2])
        var voter = member(2, state: state(term: 3, committed: .initial(initial), last: entry(5, 3, change)))
        XCTAssertFalse(vote(&voter, candidate: 1, term: 4, lastTerm: 3, lastIndex: 4), "the same last term, a lower index")
        XCTAssertFalse(vote(&voter, candidate: 1, term: 4, lastTerm: 2, lastIndex: 9), "an earlier last term, however high the index")
        XCTAssertFalse(vote(&voter, candidate: 1, term: 4, lastTerm: 3, lastIndex: 4, preVote: true), "pre-votes follow the same rule")
        XCTAssertEqual(voter.term, 4, "a later term is adopted even when the vote is refused")
        XCTAssertNil(voter.votedFor)
        XCTAssertTrue(vote(&voter, candidate: 3, term: 4, lastTerm: 3, lastIndex: 5), "as up to date")
        XCTAssertEqual(voter.votedFor, 3)
        XCTAssertTrue(voter.needsPersisting, "the vote is persisted before the answer is sent")
        XCTAssertFalse(vote(&voter, candidate: 1, term: 4, lastTerm: 9, lastIndex: 9), "one vote per term")
        XCTAssertTrue(vote(&voter, candidate: 1, term: 5, lastTerm: 4, lastIndex: 1), "a later last term, a lower index")
        let stranger = ConfigurationVoteRequest(candidate: 9, proposedTerm: 6, lastTerm: 9, lastIndex: 9, isPreVote: false)
        XCTAssertEqual(voter.receive(.voteRequest(stranger), now: 0), .none, "not a voter: no answer")
        XCTAssertEqual(voter.term, 5)
    }

    func testAVoteSurvivesARestartFromThePersistedState() {
        var voter = member(2)
        XCTAssertTrue(vote(&voter, candidate: 3, term: 1, lastTerm: 0, lastIndex: 0))
        let persisted = voter.persistentState
        voter.persisted()
        XCTAssertFalse(voter.needsPersisting)
        var restarted = member(2, state: persisted, now: 10 * ms)
        XCTAssertEqual(restarted.term, 1)
        XCTAssertEqual(restarted.votedFor, 3)
        XCTAssertFalse(vote(&restarted, candidate: 1, term: 1, lastTerm: 0, lastIndex: 0, now: 10 * ms), "already voted in term 1")
    }

    // MARK: - Leading

    func testANewLeaderAppendsANoOpOfItsTermWithTheSameMembership() throws {
        let change = membership(2, [1, 2])
        var leader = member(1, state: state(term: 2, committed: .initial(initial), last: entry(1, 2, change)))
        let append = try XCTUnwrap(elect(&leader))
        XCTAssertEqual(leader.term, 3)
        XCTAssertEqual(append.term, 3)
        XCTAssertEqual(append.leaderId, 1)
        XCTAssertEqual(append.entry, entry(2, 3, change), "index + 1, the new term, the inherited membership: no epoch change")
        XCTAssertEqual(append.committedEntry, .initial(initial))
        XCTAssertEqual(leader.lastEntry, append.entry)
        XCTAssertEqual(leader.committedMembership, initial, "nothing committed yet")
        XCTAssertTrue(leader.needsPersisting)
    }

    /// Raft's figure 8: an entry of an earlier term held by every member is
    /// still not committed by counting it; it commits under the no-op.
    func testAnEarlierTermsEntryCommitsOnlyUnderTheLeadersOwnEntry() throws {
        let change = membership(2, [1, 2])
        var leader = member(1, state: state(term: 2, committed: .initial(initial), last: entry(1, 2, change)))
        elect(&leader)
        let now = 302 * ms
        XCTAssertEqual(leader.receive(ack(2, term: 3, index: 1, entryTerm: 2), now: now), .none, "the old entry, acked")
        XCTAssertEqual(leader.receive(ack(3, term: 3, index: 1, entryTerm: 2), now: now), .none, "by everyone")
        XCTAssertEqual(leader.committedEntry, .initial(initial), "not committed by count alone")
        XCTAssertEqual(leader.receive(ack(2, term: 2, index: 2, entryTerm: 3), now: now), .none, "an ack of an earlier term")
        XCTAssertEqual(leader.committedEntry.index, 0)
        let commit = try XCTUnwrap(broadcastAppend(leader.receive(ack(2, term: 3, index: 2, entryTerm: 3), now: now)))
        XCTAssertEqual(leader.committedEntry, entry(2, 3, change), "the no-op, acked by a majority")
        XCTAssertEqual(leader.committedMembership, change, "the inherited change is committed with it")
        XCTAssertEqual(commit.committedEntry, leader.committedEntry, "followers are told at once")
        XCTAssertEqual(leader.receive(ack(3, term: 3, index: 2, entryTerm: 3), now: now), .none, "already committed")
    }

    func testProposalsAreRefusedUnlessTheLeaderIsReady() throws {
        var follower = member(2)
        XCTAssertEqual(follower.propose(membership(2, [1, 2]), now: 0), .refused(.notLeader(leaderId: nil)))
        _ = follower.receive(.append(ConfigurationAppend(term: 1, leaderId: 1, entry: entry(1, 1, initial), committedEntry: .initial(initial))), now: 0)
        XCTAssertEqual(follower.propose(membership(2, [1, 2]), now: 0), .refused(.notLeader(leaderId: 1)))

        var leader = member(1)
        elect(&leader)
        let now = 302 * ms
        XCTAssertEqual(leader.propose(membership(2, [1, 2]), now: now), .refused(.uncommittedEntry(index: 1)), "the no-op first")
        _ = leader.receive(ack(2, term: 1, index: 1, entryTerm: 1), now: now)
        XCTAssertEqual(leader.committedEntry.index, 1)
        XCTAssertEqual(leader.propose(membership(3, [1, 2]), now: now), .refused(.wrongEpoch(proposed: 3, expected: 2)))
        XCTAssertEqual(leader.propose(membership(1, [1, 2]), now: now), .refused(.wrongEpoch(proposed: 1, expected: 2)))
        XCTAssertEqual(leader.propose(membership(2, [1, 4]), now: now), .refused(.notAVoter(nodeId: 4)))
        XCTAssertEqual(leader.lastEntry.index, 1, "nothing appended")
        leader.persisted()

        let change = membership(2, [2, 3])
        guard case let .accepted(accepted, action) = leader.propose(change, now: now) else { return XCTFail("refused") }
        XCTAssertEqual(accepted, entry(2, 1, change))
        XCTAssertEqual(try XCTUnwrap(broadcastAppend(action)).entry, accepted)
        XCTAssertTrue(leader.needsPersisting, "the entry is durable before the Append goes out")
        XCTAssertEqual(leader.committedMembership, initial, "proposed, not committed")
        XCTAssertEqual(leader.propose(membership(3, [3]), now: now), .refused(.uncommittedEntry(index: 2)), "one change at a time")
        _ = leader.receive(ack(3, term: 1, index: 2, entryTerm: 1), now: now)
        XCTAssertEqual(leader.committedMembership, change)
        guard case .accepted = leader.propose(membership(3, [3]), now: now) else { return XCTFail("refused") }
        XCTAssertTrue(ConfigurationProposalRefusal.wrongEpoch(proposed: 3, expected: 2).description.contains("the next is 2"))
    }

    func testALoneVoterLeadsAndCommitsAtOnce() throws {
        let alone = membership(1, [4], minimum: 1)
        var log = ConfigurationLog(nodeId: 4, voters: [4], state: nil, initialMembership: alone,
                                   electionTimeoutMinimumNanos: 150 * ms, electionTimeoutMaximumNanos: 300 * ms,
                                   heartbeatIntervalNanos: 50 * ms, seed: 1, now: 0)
        _ = log.tick(now: 301 * ms)
        XCTAssertEqual(log.role, .leader)
        XCTAssertEqual(log.committedEntry, entry(1, 1, alone), "the no-op commits with a majority of one")
        guard case .accepted = log.propose(try alone.withMinimumLength(1), now: 302 * ms) else { return XCTFail("refused") }
        XCTAssertEqual(log.committedMembership.epoch, 2)
        XCTAssertTrue(log.heardMajority(withinNanos: 1, now: 400 * ms))
    }

    func testALeaderRepeatsItsAppendAndStepsDownWithoutAMajority() throws {
        var leader = member(1)
        elect(&leader)
        XCTAssertEqual(leader.tick(now: 320 * ms), .none, "the Append went out at 301 ms")
        let heartbeat = try XCTUnwrap(broadcastAppend(leader.tick(now: 351 * ms)))
        XCTAssertEqual(heartbeat.entry, leader.lastEntry)
        _ = leader.receive(ack(2, term: 1, index: 1, entryTerm: 1), now: 360 * ms)
        XCTAssertTrue(leader.heardMajority(withinNanos: 100 * ms, now: 400 * ms))
        XCTAssertFalse(leader.heardMajority(withinNanos: 100 * ms, now: 461 * ms))
        _ = leader.tick(now: 500 * ms)
        XCTAssertEqual(leader.role, .leader, "node 2 was heard within the minimum election timeout")
        XCTAssertEqual(leader.tick(now: 511 * ms), .none, "nobody heard for 150 ms: step down")
        XCTAssertEqual(leader.role, .follower)
        XCTAssertFalse(leader.heardMajority(withinNanos: 1_000 * ms, now: 511 * ms))
    }

    func testALaterTermInAnAckDeposesTheLeader() {
        var leader = member(1)
        elect(&leader)
        leader.persisted()
        let later = ConfigurationAppendAck(term: 5, follower: 3, matchedIndex: 0, matchedTerm: 0, success: false)
        XCTAssertEqual(leader.receive(.appendAck(later), now: 302 * ms), .none)
        XCTAssertEqual(leader.role, .follower)
        XCTAssertEqual(leader.term, 5)
        XCTAssertTrue(leader.needsPersisting)
        XCTAssertEqual(leader.propose(membership(2, [1, 2]), now: 302 * ms), .refused(.notLeader(leaderId: nil)))
    }

    // MARK: - Following

    func testAFollowerTakesTheLeadersEntryInPlaceOfItsOwn() throws {
        let inherited = membership(2, [1, 2])
        let stranded = membership(2, [2, 3])
        // Node 3 holds an uncommitted entry of term 2 at index 2 that the new leader never saw.
        var follower = member(3, state: state(term: 2, committed: entry(1, 1, initial), last: entry(2, 2, stranded)))
        let leaders = entry(1, 1, initial)
        let noOp = entry(2, 4, initial)
        var append = ConfigurationAppend(term: 4, leaderId: 1, entry: noOp, committedEntry: leaders)
        let ack = try XCTUnwrap(sentAck(follower.receive(.append(append), now: 10 * ms)))
        XCTAssertEqual(follower.lastEntry, noOp, "an entry of a later term replaces the stranded one")
        XCTAssertEqual(ack, ConfigurationAppendAck(term: 4, follower: 3, matchedIndex: 2, matchedTerm: 4, success: true))
        XCTAssertEqual(follower.leaderId, 1)
        XCTAssertEqual(follower.term, 4)
        XCTAssertTrue(follower.needsPersisting)
        follower.persisted()

        // A higher index of an earlier term is replaced too.
        var ahead = member(2, state: state(term: 3, committed: .initial(initial), last: entry(3, 3, inherited)))
        append = ConfigurationAppend(term: 4, leaderId: 1, entry: entry(2, 4, initial), committedEntry: .initial(initial))
        _ = ahead.receive(.append(append), now: 10 * ms)
        XCTAssertEqual(ahead.lastEntry, entry(2, 4, initial))

        // The leader commits and proposes; a reordered older Append of the same term does not undo the newer entry.
        let change = membership(2, [1, 3])
        let proposal = entry(3, 4, change)
        append = ConfigurationAppend(term: 4, leaderId: 1, entry: proposal, committedEntry: noOp)
        XCTAssertEqual(try XCTUnwrap(sentAck(follower.receive(.append(append), now: 20 * ms))).success, true)
        XCTAssertEqual(follower.committedEntry, noOp, "the leader's committed entry, taken whole")
        XCTAssertEqual(follower.committedMembership, initial)
        follower.persisted()
        let stale = ConfigurationAppend(term: 4, leaderId: 1, entry: noOp, committedEntry: leaders)
        let staleAck = try XCTUnwrap(sentAck(follower.receive(.append(stale), now: 30 * ms)))
        XCTAssertEqual(follower.lastEntry, proposal, "kept")
        XCTAssertEqual(follower.committedEntry, noOp, "the committed entry never goes back")
        XCTAssertEqual(staleAck, ConfigurationAppendAck(term: 4, follower: 3, matchedIndex: 3, matchedTerm: 4, success: false))
        XCTAssertFalse(follower.needsPersisting, "nothing changed")

        // The change commits: the committed membership arrives with it.
        append = ConfigurationAppend(term: 4, leaderId: 1, entry: proposal, committedEntry: proposal)
        _ = follower.receive(.append(append), now: 40 * ms)
        XCTAssertEqual(follower.committedMembership, change)
        XCTAssertTrue(follower.heardMajority(withinNanos: 100 * ms, now: 100 * ms), "its leader heard 60 ms ago")
        XCTAssertFalse(follower.heardMajority(withinNanos: 100 * ms, now: 141 * ms))
        XCTAssertEqual(follower.refusedAppendCount, 0)
    }

    func testAStaleLeaderIsToldTheCurrentTerm() throws {
        var follower = member(2, state: state(term: 5, committed: .initial(initial), last: .initial(initial)))
        let append = ConfigurationAppend(term: 4, leaderId: 1, entry: entry(1, 4, initial), committedEntry: .initial(initial))
        let ack = try XCTUnwrap(sentAck(follower.receive(.append(append), now: 0)))
        XCTAssertEqual(ack, ConfigurationAppendAck(term: 5, follower: 2, matchedIndex: 0, matchedTerm: 0, success: false))
        XCTAssertEqual(follower.lastEntry, .initial(initial))
        XCTAssertNil(follower.leaderId)
    }

    /// Only a leader that lost committed entries could send these (a bug, or
    /// a disk that forgot): the follower keeps its log and counts the refusal.
    func testAFollowerRefusesAnAppendThatWouldBreakItsLog() throws {
        let committed = entry(3, 2, membership(2, [1, 2]))
        let start = state(term: 2, committed: committed, last: committed)
        var follower = member(2, state: start)
        var append = ConfigurationAppend(term: 3, leaderId: 1, entry: entry(2, 3, initial), committedEntry: .initial(initial))
        XCTAssertEqual(try XCTUnwrap(sentAck(follower.receive(.append(append), now: 0))).success, false)
        XCTAssertEqual(follower.lastEntry, committed, "an entry below the committed one is refused")
        XCTAssertEqual(follower.refusedAppendCount, 1)
        XCTAssertTrue(follower.lastRefusal?.contains("past the last entry") == true, follower.lastRefusal ?? "")

        append = ConfigurationAppend(term: 3, leaderId: 1, entry: entry(4, 3, initial),
                                     committedEntry: entry(3, 1, initial))
        _ = follower.receive(.append(append), now: 0)
        XCTAssertEqual(follower.refusedAppendCount, 2, "another entry committed at index 3")
        XCTAssertEqual(follower.lastEntry, committed)

        append = ConfigurationAppend(term: 3, leaderId: 1, entry: entry(4, 3, membership(4, [1])), committedEntry: committed)
        _ = follower.receive(.append(append), now: 0)
        XCTAssertEqual(follower.refusedAppendCount, 3, "two epochs past the committed one")
        XCTAssertTrue(follower.lastRefusal?.contains("more than one change") == true, follower.lastRefusal ?? "")

        append = ConfigurationAppend(term: 3, leaderId: 1, entry: entry(4, 2, initial), committedEntry: committed)
        _ = follower.receive(.append(append), now: 0)
        XCTAssertEqual(follower.refusedAppendCount, 4, "a leader's entry is of its own term")
        XCTAssertEqual(follower.persistentState.lastEntry, committed)
        XCTAssertEqual(follower.persistentState.committedEntry, committed)

        append = ConfigurationAppend(term: 3, leaderId: 1, entry: entry(4, 3, membership(3, [1])), committedEntry: committed)
        _ = follower.receive(.append(append), now: 0)
        XCTAssertEqual(follower.lastEntry, append.entry, "a valid Append is still taken")
        XCTAssertEqual(follower.refusedAppendCount, 4)
    }

    func testMessagesFromNonVotersOrItselfAreIgnored() {
        var log = member(2)
        let append = ConfigurationAppend(term: 9, leaderId: 7, entry: entry(1, 9, initial), committedEntry: .initial(initial))
        XCTAssertEqual(log.receive(.append(append), now: 0), .none)
        let own = ConfigurationAppend(term: 9, leaderId: 2, entry: entry(1, 9, initial), committedEntry: .initial(initial))
        XCTAssertEqual(log.receive(.append(own), now: 0), .none)
        XCTAssertEqual(log.term, 0)
        XCTAssertEqual(log.receive(ack(9, term: 9, index: 1, entryTerm: 9), now: 0), .none)
        XCTAssertEqual(log.term, 0)
    }

    func testACandidateHasNotHeardAMajority() {
        var log = member(1)
        _ = log.tick(now: 301 * ms)
        XCTAssertEqual(log.role, .preCandidate)
        XCTAssertFalse(log.heardMajority(withinNanos: 1_000 * ms, now: 302 * ms))
    }
}
