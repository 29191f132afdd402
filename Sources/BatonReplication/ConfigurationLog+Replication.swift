extension ConfigurationLog {
    /// An Append from the leader of its term: a stale one is answered with
    /// this member's term; otherwise this member follows the leader, takes
    /// its entry in place of its own last entry when it is at least as up to
    /// date (a new leader's always is: its term is later; an older entry of
    /// this leader's term is a reordered datagram), takes its committed
    /// entry when newer, and acks its last entry.
    public mutating func onAppend(_ append: ConfigurationAppend, now: Int64) -> ConfigurationLogAction {
        guard otherVoterSlot(append.leaderId) != nil else { return .none }
        guard append.entry.term == append.term, append.committedEntry.index <= append.entry.index else {
            return refuse(append, because: "a malformed Append: entry \(append.entry.index) of term \(append.entry.term),"
                              + " committed \(append.committedEntry.index), from the leader of term \(append.term)")
        }
        guard election.onLeaderMessage(from: append.leaderId, term: append.term, now: now) else {
            return .send(.appendAck(ack(success: false)), to: append.leaderId)
        }
        var next = persistentState
        if append.entry.isAtLeastAsUpToDate(as: lastEntry) { next.lastEntry = append.entry }
        if append.committedEntry.index > committedEntry.index {
            next.committedEntry = append.committedEntry
        } else if append.committedEntry.index == committedEntry.index && append.committedEntry != committedEntry {
            return refuse(append, because: "the leader's committed \(append.committedEntry) differs from this member's \(committedEntry)")
        }
        if let reason = next.inconsistency { return refuse(append, because: reason) }
        if next.lastEntry != lastEntry || next.committedEntry != committedEntry {
            lastEntry = next.lastEntry
            committedEntry = next.committedEntry
            entriesNeedPersisting = true
        }
        assertInvariant()
        return .send(.appendAck(ack(success: lastEntry == append.entry)), to: append.leaderId)
    }

    /// An AppendAck: a later term deposes this leader; an ack of its term
    /// counts for check-quorum and, when it names the leader's last entry,
    /// towards committing it.
    public mutating func onAppendAck(_ ack: ConfigurationAppendAck, now: Int64) -> ConfigurationLogAction {
        guard let slot = otherVoterSlot(ack.follower) else { return .none }
        if ack.term > term { return apply(election.observe(term: ack.term, now: now), now: now) }
        guard role == .leader, ack.term == term else { return .none }
        election.onFollowerMessage(from: ack.follower, term: ack.term, now: now)
        noteHeard(from: slot, term: ack.term, now: now)
        // An entry of this term at that index is this leader's own (one leader per term).
        if ack.matchedTerm == term && ack.matchedIndex > matchedIndexes[slot] { matchedIndexes[slot] = ack.matchedIndex }
        return advanceCommit(now: now)
    }

    /// Appends `membership` as the leader's next entry, of its term.
    mutating func append(membership: ChainMembership) {
        assert(role == .leader, "node \(nodeId) appends while \(role)")
        lastEntry = ConfigurationEntry(index: lastEntry.index + 1, term: term, membership: membership)
        entriesNeedPersisting = true
        assertInvariant()
    }

    /// Commits the leader's last entry once a majority (itself included)
    /// holds it — only an entry of its own term (an earlier term's entry
    /// commits under the no-op, never by counting its replicas: Raft's
    /// figure 8) — and then tells every follower at once.
    mutating func advanceCommit(now: Int64) -> ConfigurationLogAction {
        guard role == .leader, lastEntry.term == term, lastEntry.index > committedEntry.index else { return .none }
        var holding = 1
        for (slot, voter) in voters.enumerated() where voter != nodeId && matchedIndexes[slot] == lastEntry.index { holding &+= 1 }
        guard holding >= majority else { return .none }
        assert(lastEntry.membership.epoch == committedEntry.membership.epoch
                   || lastEntry.membership.epoch == committedEntry.membership.epoch + 1,
               "node \(nodeId) commits epoch \(lastEntry.membership.epoch) after \(committedEntry.membership.epoch)")
        committedEntry = lastEntry
        entriesNeedPersisting = true
        assertInvariant()
        return broadcastAppend(now: now)
    }

    /// The leader's Append to every follower.
    mutating func broadcastAppend(now: Int64) -> ConfigurationLogAction {
        lastAppendSentNanos = now
        return .broadcast(.append(ConfigurationAppend(term: term, leaderId: nodeId, entry: lastEntry, committedEntry: committedEntry)))
    }

    func ack(success: Bool) -> ConfigurationAppendAck {
        ConfigurationAppendAck(term: term, follower: nodeId, matchedIndex: lastEntry.index, matchedTerm: lastEntry.term, success: success)
    }

    /// An Append not taken: counted, and the leader told this member's last entry.
    mutating func refuse(_ append: ConfigurationAppend, because reason: String) -> ConfigurationLogAction {
        refusedAppendCount &+= 1
        lastRefusal = "from node \(append.leaderId) in term \(append.term): \(reason)"
        return .send(.appendAck(ack(success: false)), to: append.leaderId)
    }
}
