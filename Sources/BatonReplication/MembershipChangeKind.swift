/// What `baton admin` asks of the chain's membership (the
/// `replication.membership.kind` counter).
/// Threading: a plain value.
public enum MembershipChangeKind: Int64, Sendable {
    /// Let a member the operator held out back in: it catches up from the
    /// tail as a learner and joins as the new tail.
    case add = 1
    /// Take a member out of the chain and keep it out until added back (the
    /// head's successor heads the chain; its neighbours close up).
    case remove = 2
}
