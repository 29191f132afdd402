/// What a Raft member must remember across a crash before it answers any
/// message (Raft's persistent state): the latest term it has seen, whom it
/// voted for in that term, and the terms of its log. Kept in
/// `RaftStateFile`, written (durably) before a vote is granted, a term
/// adopted, or a term's bytes taken.
///
/// Invariant: every term of `termIndex` is at most `currentTerm` (a member
/// adopts a term before it writes or takes the term's bytes); `votedFor`,
/// when set, is a vote cast in `currentTerm`. Threading: a plain value.
public struct RaftPersistentState: Equatable, Sendable {
    /// The latest term this member has seen (0 before any).
    public var currentTerm: UInt64
    /// The member this one voted for in `currentTerm`; nil when it has not voted.
    public var votedFor: UInt32?
    /// The leadership terms of the member's log.
    public var termIndex: RaftTermIndex

    public init(currentTerm: UInt64 = 0, votedFor: UInt32? = nil, termIndex: RaftTermIndex = RaftTermIndex()) {
        self.currentTerm = currentTerm
        self.votedFor = votedFor
        self.termIndex = termIndex
    }

    /// Whether no term of the log is past `currentTerm`.
    public var isConsistent: Bool { (termIndex.entries.last?.term ?? 0) <= currentTerm }
}
