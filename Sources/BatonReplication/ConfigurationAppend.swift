/// The configuration-log leader of `term` to a follower (sent at once after
/// a change and every heartbeat interval): its last entry, which the follower
/// takes in place of its own, and the newest entry the leader knows to be
/// committed — whole, so a follower that missed it learns the committed
/// membership even while a later entry is not yet committed.
///
/// Invariant (a follower refuses one that breaks it): `entry.term == term`
/// (a leader's last entry is of its own term: it appends a no-op when
/// elected), `committedEntry.index <= entry.index`. Threading: a plain value.
public struct ConfigurationAppend: Equatable, Sendable {
    public var term: UInt64
    public var leaderId: UInt32
    public var entry: ConfigurationEntry
    public var committedEntry: ConfigurationEntry

    public init(term: UInt64, leaderId: UInt32, entry: ConfigurationEntry, committedEntry: ConfigurationEntry) {
        self.term = term
        self.leaderId = leaderId
        self.entry = entry
        self.committedEntry = committedEntry
    }
}
