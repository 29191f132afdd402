/// A configuration-log candidate (or pre-candidate) asks a voter for its vote
/// in `proposedTerm`, showing its last entry's `(lastTerm, lastIndex)` so the
/// voter grants only a log at least as up to date as its own.
/// Threading: a plain value.
public struct ConfigurationVoteRequest: Equatable, Sendable {
    public var candidate: UInt32
    /// A pre-vote: the candidate's term + 1 (its term unchanged); a vote: its term.
    public var proposedTerm: UInt64
    public var lastTerm: UInt64
    public var lastIndex: UInt64
    /// A pre-vote: would the voter grant, were the election held (nothing recorded)?
    public var isPreVote: Bool

    public init(candidate: UInt32, proposedTerm: UInt64, lastTerm: UInt64, lastIndex: UInt64, isPreVote: Bool) {
        self.candidate = candidate
        self.proposedTerm = proposedTerm
        self.lastTerm = lastTerm
        self.lastIndex = lastIndex
        self.isPreVote = isPreVote
    }
}
