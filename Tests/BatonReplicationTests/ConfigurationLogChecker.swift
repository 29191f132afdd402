import BatonReplication

/// The safety rules of the configuration log, checked against every
/// member's state after every step of a simulated run:
/// - at most one leader per term, over the whole run;
/// - a committed index names one entry, on every member, over the whole run;
/// - a member's committed entry never goes back (a restart included);
/// - committed epochs only grow, by exactly one per committed change: between
///   committed indexes `i < j`, the epoch grows by 0 to `j - i`, and one epoch
///   is committed as one membership only (a no-op keeps it).
/// Records what it saw; `violation` is the first rule broken, in words.
/// A value; the test's thread.
struct ConfigurationLogChecker {
    private(set) var violation: String?
    /// The leader of each term seen.
    private(set) var leaders: [UInt64: UInt32] = [:]
    /// Every committed entry seen, by index.
    private(set) var committedByIndex: [UInt64: ConfigurationEntry] = [:]
    private var committedIndexes: [UInt64] = []
    /// Every committed membership seen, by epoch.
    private var membershipByEpoch: [UInt32: ChainMembership] = [:]
    /// Each member's committed entry when last checked.
    private var lastCommitted: [UInt32: ConfigurationEntry] = [:]

    /// Checks `log`'s state (a live member) against the rules and the history.
    mutating func observe(_ log: ConfigurationLog) {
        guard violation == nil else { return }
        if log.role == .leader {
            if let known = leaders[log.term], known != log.nodeId {
                return fail("two leaders in term \(log.term): node \(known) and node \(log.nodeId)")
            }
            leaders[log.term] = log.nodeId
        }
        let committed = log.committedEntry
        if let previous = lastCommitted[log.nodeId] {
            if previous == committed { return }
            if committed.index < previous.index {
                return fail("node \(log.nodeId)'s committed entry went back from \(previous) to \(committed)")
            }
        }
        lastCommitted[log.nodeId] = committed
        record(committed, on: log.nodeId)
    }

    private mutating func record(_ entry: ConfigurationEntry, on node: UInt32) {
        if let known = committedByIndex[entry.index] {
            if known != entry { fail("index \(entry.index) committed as \(known) and as \(entry) (node \(node))") }
            return
        }
        let epoch = entry.membership.epoch
        if let known = membershipByEpoch[epoch], known != entry.membership {
            return fail("epoch \(epoch) committed as \(known) and as \(entry.membership) (node \(node), index \(entry.index))")
        }
        membershipByEpoch[epoch] = entry.membership
        let slot = committedIndexes.firstIndex { $0 > entry.index } ?? committedIndexes.count
        if slot > 0, let lower = committedByIndex[committedIndexes[slot - 1]], let reason = Self.epochStep(from: lower, to: entry) {
            return fail(reason)
        }
        if slot < committedIndexes.count, let upper = committedByIndex[committedIndexes[slot]], let reason = Self.epochStep(from: entry, to: upper) {
            return fail(reason)
        }
        committedIndexes.insert(entry.index, at: slot)
        committedByIndex[entry.index] = entry
    }

    /// Why committed `later` cannot follow committed `earlier`, or nil.
    private static func epochStep(from earlier: ConfigurationEntry, to later: ConfigurationEntry) -> String? {
        let from = UInt64(earlier.membership.epoch)
        let to = UInt64(later.membership.epoch)
        if to < from { return "the committed epoch went back: \(earlier), then \(later)" }
        if to - from > later.index - earlier.index {
            return "the committed epoch grew by \(to - from) in \(later.index - earlier.index) entries: \(earlier), then \(later)"
        }
        return nil
    }

    /// A violation found outside the state (a liveness bound missed).
    mutating func fail(_ reason: String) {
        if violation == nil { violation = reason }
    }

    /// The highest committed epoch seen.
    var highestCommittedEpoch: UInt32 { membershipByEpoch.keys.max() ?? 0 }
}
