/// A helper's side of indirect probing: which members asked this one to
/// probe which target, so that the target's answer is relayed to each of
/// them. Bounded: a full table forgets its oldest request (the requester asks
/// again every probe interval while it still suspects the target), and a
/// request older than `lifetimeNanos` is dropped unanswered.
///
/// Invariant: no two live entries have the same target and requester (a
/// repeated request refreshes its entry); an empty entry has
/// `askedAt == .min`; `liveCount` counts the others.
/// Threading: part of its `FailureDetector`; the detector's thread only.
struct IndirectProbeRelays: Sendable {
    /// One request: `requester` asked at `askedAt` to have `target` probed.
    struct Entry: Sendable {
        var target: UInt32 = 0
        var requester: UInt32 = 0
        var askedAt: Int64 = .min
    }

    private var entries: [Entry]
    let lifetimeNanos: Int64
    private(set) var liveCount = 0

    init(capacity: Int, lifetimeNanos: Int64) {
        precondition(capacity > 0 && lifetimeNanos > 0, "relay table of \(capacity) entries living \(lifetimeNanos) ns")
        entries = Array(repeating: Entry(), count: capacity)
        self.lifetimeNanos = lifetimeNanos
    }

    /// `requester` asks at `now` to have `target` probed: a new entry, or the
    /// same request's entry refreshed; a full table gives up its oldest.
    mutating func record(target: UInt32, requester: UInt32, now: Int64) {
        var free = -1
        var oldest = 0
        var index = 0
        while index < entries.count {
            let entry = entries[index]
            defer { index &+= 1 }
            if entry.askedAt == .min {
                if free < 0 { free = index }
                continue
            }
            if entry.target == target && entry.requester == requester {
                entries[index].askedAt = now
                return
            }
            if entry.askedAt <= now &- lifetimeNanos {
                entries[index].askedAt = .min
                liveCount &-= 1
                if free < 0 { free = index }
                continue
            }
            if entry.askedAt < entries[oldest].askedAt || entries[oldest].askedAt == .min { oldest = index }
        }
        if free >= 0 {
            liveCount &+= 1
        } else {
            free = oldest
        }
        entries[free] = Entry(target: target, requester: requester, askedAt: now)
        assertInvariants()
    }

    /// `target` answered a probe at `now`: each live request about it becomes
    /// a `.relayProbeAnswer` in `actions`, and is done.
    mutating func take(answeredBy target: UInt32, now: Int64, into actions: inout FailureDetectorActions) {
        guard liveCount > 0 else { return }
        var index = 0
        while index < entries.count {
            if entries[index].askedAt != .min && entries[index].target == target {
                if entries[index].askedAt > now &- lifetimeNanos {
                    actions.append(.relayProbeAnswer(target: target, to: entries[index].requester))
                }
                entries[index].askedAt = .min
                liveCount &-= 1
            }
            index &+= 1
        }
        assertInvariants()
    }

    /// Drops every request by or about `member` (it is no longer watched).
    mutating func forget(_ member: UInt32) {
        var index = 0
        while index < entries.count {
            if entries[index].askedAt != .min && (entries[index].target == member || entries[index].requester == member) {
                entries[index].askedAt = .min
                liveCount &-= 1
            }
            index &+= 1
        }
        assertInvariants()
    }

    func assertInvariants() {
        #if DEBUG
        // An index loop: a `for` over an array allocates in a debug build (an unspecialised iterator).
        var live = 0
        var index = 0
        while index < entries.count {
            if entries[index].askedAt != .min { live &+= 1 }
            index &+= 1
        }
        assert(live == liveCount, "relay table counts \(liveCount) live entries, holds \(live)")
        #endif
    }
}
