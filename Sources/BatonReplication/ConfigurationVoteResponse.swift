/// A voter's answer to a `ConfigurationVoteRequest`. `term` is the proposed
/// term for a granted pre-vote (so the pre-candidate matches it to its
/// round), else the voter's current term (a later one makes the asker follow it).
/// Threading: a plain value.
public struct ConfigurationVoteResponse: Equatable, Sendable {
    public var voter: UInt32
    public var term: UInt64
    public var granted: Bool
    public var isPreVote: Bool

    public init(voter: UInt32, term: UInt64, granted: Bool, isPreVote: Bool) {
        self.voter = voter
        self.term = term
        self.granted = granted
        self.isPreVote = isPreVote
    }
}
