/// The leadership terms of a byte-positioned log: Raft's "term of the entry
/// at index i", for a log that is one byte stream rather than numbered
/// entries. One entry per term that wrote bytes, at the position of its
/// first byte; the byte at `p` belongs to the entry with the greatest start
/// ≤ `p`. A leader appends an entry when its term begins writing; a follower
/// appends the entries its leader's Sync lists; both truncate with the log.
///
/// ```
///     entries   (1, 0)        (4, 300)   (5, 500)     (6, 700)
///     log       [ term 1     )[ term 4  )[ term 5    )[ term 6     )
///               0            300        500          700          1000 = logEnd
/// ```
///
/// Safety rests on Raft's log matching property, restated for bytes: one
/// leader per term, and that leader writes each position of its log once, so
/// two logs holding the same term at the same position hold the same bytes
/// up to it (`matchPosition`).
///
/// Invariant: terms strictly increasing and above 0 ("no term"); starts
/// strictly increasing and ≥ 0 (a term with no bytes has no entry: appending
/// at the last entry's start replaces it). Entries describe one log: their
/// starts are at most its end (`clip(toLogEnd:)` after recovery cut a tail;
/// only a leader's just-begun term may sit at the end itself, with no bytes
/// yet). Threading: a plain value; its owner's thread.
public struct RaftTermIndex: Equatable, Sendable {
    /// The terms in log order.
    public private(set) var entries: [RaftTermEntry]

    /// An index of `entries` (a precondition: in order, `isOrdered`).
    public init(entries: [RaftTermEntry] = []) {
        precondition(Self.isOrdered(entries), "term index entries out of order: \(entries)")
        self.entries = entries
    }

    /// Whether `entries` keep the invariant: terms above 0 and strictly
    /// increasing, starts ≥ 0 and strictly increasing. For input from
    /// outside (a state file, a message) before it becomes an index.
    public static func isOrdered(_ entries: [RaftTermEntry]) -> Bool {
        var previous = RaftTermEntry(term: 0, start: -1)
        for entry in entries {
            guard entry.term > previous.term, entry.start > previous.start else { return false }
            previous = entry
        }
        return true
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The index of the entry with the greatest start ≤ `position`, or nil.
    func entryIndex(covering position: Int64) -> Int? {
        var low = 0
        var high = entries.count // the answer is below `high`: entries[high...] start after `position`
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].start <= position { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// The index of the entry of `term`, or nil.
    func entryIndex(ofTerm term: UInt64) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].term < term { low = middle + 1 } else { high = middle }
        }
        return low < entries.count && entries[low].term == term ? low : nil
    }

    /// The term of the byte at `position`: the entry with the greatest start
    /// ≤ `position`; 0 when no entry starts at or before it.
    public func term(at position: Int64) -> UInt64 {
        entryIndex(covering: position).map { entries[$0].term } ?? 0
    }

    /// The term of a log's last byte (its end `logEnd`); 0 for an empty log.
    public func lastTerm(logEnd: Int64) -> UInt64 {
        logEnd > 0 ? term(at: logEnd &- 1) : 0
    }

    /// Where `term` starts, or nil when this log has no byte of it.
    public func start(ofTerm term: UInt64) -> Int64? {
        entryIndex(ofTerm: term).map { entries[$0].start }
    }

    /// Where a log's last term (`lastTerm(logEnd:)`) starts; the log start, 0,
    /// when it has none.
    public func lastTermStart(logEnd: Int64) -> Int64 {
        guard logEnd > 0, let index = entryIndex(covering: logEnd &- 1) else { return 0 }
        return entries[index].start
    }

    /// Where `term`'s bytes end in a log ending at `logEnd`: the next entry's
    /// start, or `logEnd` when it is the last; nil when this log has no byte of it.
    public func end(ofTerm term: UInt64, logEnd: Int64) -> Int64? {
        guard let index = entryIndex(ofTerm: term) else { return nil }
        assert(entries[index].start <= logEnd, "term \(term) starts at \(entries[index].start), past the log end \(logEnd)")
        return index + 1 < entries.count ? entries[index + 1].start : logEnd
    }

    /// Records that `term` writes from `start` on. A precondition: `term` is
    /// above the last entry's and `start` not below its start. At the same
    /// start the last entry is replaced: a term that wrote nothing is
    /// superseded (it has no bytes, so no entry).
    public mutating func append(term: UInt64, start: Int64) {
        let last = entries.last ?? RaftTermEntry(term: 0, start: 0)
        precondition(term > last.term, "term \(term) appended after term \(last.term)")
        precondition(start >= last.start, "term \(term) starts at \(start), before term \(last.term)'s start \(last.start)")
        if !entries.isEmpty && start == last.start { entries.removeLast() }
        entries.append(RaftTermEntry(term: term, start: start))
        assert(Self.isOrdered(entries))
    }

    /// The log is cut at `position`: entries whose start is at or past it
    /// have no bytes left and go.
    public mutating func truncate(from position: Int64) {
        while let last = entries.last, last.start >= position { entries.removeLast() }
    }

    /// Recovery cut the log to `logEnd` (a torn tail): drops the entries
    /// whose start is at or past it, so every entry has bytes.
    public mutating func clip(toLogEnd logEnd: Int64) {
        truncate(from: logEnd)
    }

    /// What a leader lists in a Sync from `position` (the match position):
    /// the entry covering `position`, with its start as it is (it may lie
    /// below `position`), and every later one, at most `limit` (a
    /// precondition: at least 1). `validUpTo` is the start of the first entry
    /// left out — the receiver may label bytes only below it — or
    /// `Int64.max` when none was.
    public func entries(from position: Int64, limit: Int) -> (entries: [RaftTermEntry], validUpTo: Int64) {
        precondition(limit > 0, "a Sync lists at least one entry slot")
        let first = entryIndex(covering: position) ?? 0
        let end = min(entries.count, first + limit)
        let validUpTo = end < entries.count ? entries[end].start : Int64.max
        return (Array(entries[first..<end]), validUpTo)
    }

    /// For a follower's SyncRequest, answered by the leader (this index, its
    /// log ending at `leaderEnd`): the position to which the follower's log
    /// is known to agree with this one — or, when this log has no byte of the
    /// follower's last term, where the follower cuts its log before asking again.
    ///
    /// - This log has `followerLastTerm`: `min(followerEnd, end(ofTerm:
    ///   followerLastTerm))`. Raft's log matching property: one leader per
    ///   term wrote each position once, so the follower's bytes of that term
    ///   are that leader's, at the same positions (the term starts at the
    ///   same place in both logs), and so is everything before them; the
    ///   logs agree up to where either stops holding the term.
    /// - It has not: `min(followerEnd, followerLastTermStart)`. None of the
    ///   follower's last-term bytes is in this log (a leader that never
    ///   reached a majority wrote them), so the follower cuts them and asks
    ///   again with its previous term: one term per round trip, down to a
    ///   term both logs hold, or to 0 (an empty log agrees with any). This
    ///   answer is a cut, not agreement: the bytes below it are not yet
    ///   known to match, and the follower must not take the stream from it.
    ///
    /// The follower tells the two apart by the `followerLastTermStart` it
    /// sent: an answer above it is agreement (the follower holds bytes of
    /// that term, so both its end and the term's end here lie above the
    /// term's start); an answer equal to it is a cut — final only when it
    /// is 0. A follower with an empty log (`followerLastTerm` 0) gets 0.
    public func matchPosition(followerLastTerm: UInt64, followerLastTermStart: Int64,
                              followerEnd: Int64, leaderEnd: Int64) -> Int64 {
        if followerLastTerm > 0, let end = end(ofTerm: followerLastTerm, logEnd: leaderEnd) {
            return min(followerEnd, end)
        }
        return max(0, min(followerEnd, followerLastTermStart))
    }
}
