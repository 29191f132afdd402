extension ConfigurationLog {
    /// A VoteRequest: `RaftElection.decideVote` on the last entries' `(term, index)`; answer the candidate.
    public mutating func onVoteRequest(_ request: ConfigurationVoteRequest, now: Int64) -> ConfigurationLogAction {
        guard otherVoterSlot(request.candidate) != nil else { return .none }
        let granted = election.decideVote(candidate: request.candidate, proposedTerm: request.proposedTerm,
                                          lastTerm: request.lastTerm, lastPosition: Int64(clamping: request.lastIndex),
                                          preVote: request.isPreVote, transfer: false,
                                          ownLastTerm: lastEntry.term, ownEnd: Int64(clamping: lastEntry.index), now: now)
        // A granted pre-vote names the proposed term (the asker matches it to its round), anything else this member's term.
        let answerTerm = request.isPreVote && granted ? request.proposedTerm : term
        let response = ConfigurationVoteResponse(voter: nodeId, term: answerTerm, granted: granted, isPreVote: request.isPreVote)
        return .send(.voteResponse(response), to: request.candidate)
    }

    /// A VoteResponse: counts towards the round it answers; a later term makes this member follow it.
    public mutating func onVoteResponse(_ response: ConfigurationVoteResponse, now: Int64) -> ConfigurationLogAction {
        guard let slot = otherVoterSlot(response.voter) else { return .none }
        if response.isPreVote {
            if response.granted {
                return apply(election.onPreVoteResponse(from: response.voter, proposedTerm: response.term, granted: true, now: now), now: now)
            }
            return response.term > term ? apply(election.observe(term: response.term, now: now), now: now) : .none
        }
        if response.term > term { return apply(election.observe(term: response.term, now: now), now: now) }
        if response.granted { noteHeard(from: slot, term: response.term, now: now) }
        return apply(election.onVoteResponse(from: response.voter, voteTerm: response.term, granted: response.granted, now: now), now: now)
    }

    /// Carries out what the election decided.
    mutating func apply(_ action: RaftElectionAction, now: Int64) -> ConfigurationLogAction {
        switch action {
        case .none, .stepDown:
            return .none
        case let .requestPreVotes(proposedTerm):
            return .broadcast(.voteRequest(voteRequest(proposedTerm: proposedTerm, isPreVote: true)))
        case let .requestVotes(proposedTerm):
            return .broadcast(.voteRequest(voteRequest(proposedTerm: proposedTerm, isPreVote: false)))
        case .becomeLeader:
            return startLeading(now: now)
        }
    }

    func voteRequest(proposedTerm: UInt64, isPreVote: Bool) -> ConfigurationVoteRequest {
        ConfigurationVoteRequest(candidate: nodeId, proposedTerm: proposedTerm, lastTerm: lastEntry.term,
                                 lastIndex: lastEntry.index, isPreVote: isPreVote)
    }

    /// Won the election: forget the last term's acks, append the no-op (the
    /// last entry's membership under this term, the epoch unchanged) so what
    /// was inherited commits, and send it to every follower.
    mutating func startLeading(now: Int64) -> ConfigurationLogAction {
        for slot in matchedIndexes.indices { matchedIndexes[slot] = 0 }
        append(membership: lastEntry.membership)
        let action = advanceCommit(now: now)
        return action == .none ? broadcastAppend(now: now) : action
    }
}
