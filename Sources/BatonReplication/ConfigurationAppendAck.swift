/// A follower's answer to a `ConfigurationAppend`: its current term (a later
/// one deposes a stale leader) and its last entry's `(matchedIndex,
/// matchedTerm)` after taking (or refusing) the leader's entry. `success`:
/// its last entry now is the one the Append carried. A leader counts the
/// follower as holding its last entry when the pair equals that entry's —
/// one leader per term, so an entry of its term at that index is its own.
/// Threading: a plain value.
public struct ConfigurationAppendAck: Equatable, Sendable {
    public var term: UInt64
    public var follower: UInt32
    public var matchedIndex: UInt64
    public var matchedTerm: UInt64
    public var success: Bool

    public init(term: UInt64, follower: UInt32, matchedIndex: UInt64, matchedTerm: UInt64, success: Bool) {
        self.term = term
        self.follower = follower
        self.matchedIndex = matchedIndex
        self.matchedTerm = matchedTerm
        self.success = success
    }
}
