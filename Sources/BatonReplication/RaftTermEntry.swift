/// One leadership term of a byte-positioned log: the log's bytes from
/// `start` up to the next entry's start (or the log's end) were written by
/// the leader of `term`. An entry of a `RaftTermIndex`.
///
/// Invariant (kept by the index, not by this value): `term > 0` (term 0 means
/// "no term") and `start >= 0`. Threading: a plain value.
public struct RaftTermEntry: Equatable, Sendable {
    /// The leadership term (1, 2, …).
    public var term: UInt64
    /// The log position of the term's first byte.
    public var start: Int64

    public init(term: UInt64, start: Int64) {
        self.term = term
        self.start = start
    }
}

extension RaftTermEntry: CustomStringConvertible {
    public var description: String { "term \(term) from \(start)" }
}
