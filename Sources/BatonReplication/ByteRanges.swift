/// A small set of log byte ranges for selective repeat (in the manner of
/// TCP's SACK and Aeron's loss handling), with two uses:
///
/// - a follower's ranges held past a gap: Data that arrives beyond the
///   received position is copied into the log buffer at its own position
///   (past `appended`, so no reader or writer looks at it yet) and its range
///   is kept here; when the gap fills, the received position absorbs every
///   range it reaches (`absorb`), and the follower Naks only the holes;
/// - a sender's ranges asked for again: each Nak's hole is inserted, and
///   resent front first (`trimFront`).
///
/// At most `capacity` disjoint ranges, in position order, each with the time
/// it was first seen (a hole below a range seen less than the Nak delay ago
/// may still be reordering, and is not asked for yet) and, for a follower,
/// when the hole below it was last asked for and how long to wait before
/// asking again (doubling: the resend may be on its way). Storage is
/// allocated once; nothing here allocates afterwards.
///
/// Invariant: for every i, `start[i] < end[i] < start[i+1]` (ranges are
/// disjoint and do not touch: touching ones are merged); a follower's first
/// range starts past its received position.
/// Threading: owned by one replicator; its thread only.
public final class ByteRanges {
    /// How many ranges a chain member keeps (held past gaps; asked for again):
    /// enough for the holes 5 % loss leaves in a full receive window.
    public static let chainCapacity = 1_024
    public let capacity: Int
    private let starts: UnsafeMutablePointer<Int64>
    private let ends: UnsafeMutablePointer<Int64>
    private let seen: UnsafeMutablePointer<Int64>
    private let asked: UnsafeMutablePointer<Int64>
    private let wait: UnsafeMutablePointer<Int64>
    /// Range `i` is stored at slot `low + i` (removing from the front moves `low`).
    private var low = 0
    public private(set) var count = 0
    /// A follower's estimate of how long a hole takes to fill once asked for
    /// (smoothed round trip and its variation, in the manner of TCP's RTO;
    /// 0: no sample yet), from every asked-for hole that closed.
    public private(set) var repairRoundTripNanos: Int64 = 0
    public private(set) var repairRoundTripVariationNanos: Int64 = 0

    /// `capacity` 0: nothing is kept (go-back-N: Data past a gap is dropped).
    public init(capacity: Int) {
        precondition(capacity >= 0, "capacity \(capacity) must not be negative")
        self.capacity = capacity
        starts = .allocate(capacity: max(1, capacity))
        ends = .allocate(capacity: max(1, capacity))
        seen = .allocate(capacity: max(1, capacity))
        asked = .allocate(capacity: max(1, capacity))
        wait = .allocate(capacity: max(1, capacity))
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        seen.deallocate()
        asked.deallocate()
        wait.deallocate()
    }

    public var isEmpty: Bool { count == 0 }
    public func start(_ index: Int) -> Int64 { starts[low + index] }
    public func end(_ index: Int) -> Int64 { ends[low + index] }
    public func seenNanos(_ index: Int) -> Int64 { seen[low + index] }

    /// Whether the hole below range `index` is due to be asked for at `now`:
    /// never asked and the range seen at least `delay` ago, or asked and its wait over.
    public func holeDue(below index: Int, now: Int64, delay: Int64) -> Bool {
        let slot = low + index
        return asked[slot] == 0 ? now &- seen[slot] >= delay : now &- asked[slot] >= wait[slot]
    }

    /// The hole below range `index` was asked for at `now`: the next ask
    /// waits `firstWait`, then twice the wait before, at most `maximumWait`.
    /// How long to wait for an asked-for hole before asking again: the
    /// smoothed round trip plus four variations (0: no sample yet). On a busy
    /// machine this grows, so a resend that is merely slow is not asked for twice.
    public var repairTimeoutNanos: Int64 { repairRoundTripNanos &+ 4 &* repairRoundTripVariationNanos }

    private func holeClosed(slot: Int, now: Int64) {
        guard asked[slot] != 0 else { return }
        let sample = max(0, now &- asked[slot])
        if repairRoundTripNanos == 0 {
            repairRoundTripNanos = max(1, sample)
            repairRoundTripVariationNanos = sample / 2
        } else {
            repairRoundTripVariationNanos = (3 &* repairRoundTripVariationNanos &+ abs(repairRoundTripNanos &- sample)) / 4
            repairRoundTripNanos = max(1, (7 &* repairRoundTripNanos &+ sample) / 8)
        }
    }

    public func holeAsked(below index: Int, now: Int64, firstWait: Int64, maximumWait: Int64) {
        let slot = low + index
        wait[slot] = asked[slot] == 0 ? firstWait : min(wait[slot] &* 2, maximumWait)
        asked[slot] = now
    }

    /// Forgets every range (a follower's received position was reset: a
    /// corrupt frame, a truncation, a new predecessor or epoch — what is held
    /// may not be what will be sent again).
    public func removeAll() {
        low = 0
        count = 0
    }

    /// The first range now starts at `position` (its bytes below were sent
    /// again); it goes once `position` reaches its end.
    public func trimFront(to position: Int64) {
        guard count > 0, position > starts[low] else { return }
        if position >= ends[low] {
            removeFront(1)
        } else {
            starts[low] = position
        }
    }

    /// Whether `[start, end)` can be recorded: it overlaps or touches a range
    /// already kept, or there is a free slot.
    public func canInsert(start: Int64, end: Int64) -> Bool {
        count < capacity || (capacity > 0 && firstReaching(start) < count && self.start(firstReaching(start)) <= end)
    }

    /// Records `[start, end)`, merging it with the ranges it overlaps or
    /// touches; the earliest first-seen time of those is kept. The caller
    /// checked `canInsert`. Ranges mostly arrive in order, so the search runs
    /// from the back.
    public func insert(start: Int64, end: Int64, now: Int64) {
        precondition(start < end, "empty range [\(start), \(end))")
        let first = firstReaching(start)
        var last = first
        var mergedStart = start
        var mergedEnd = end
        var mergedSeen = now
        // The hole below keeps its asking state: that of the lowest range merged, or — a
        // new range splitting a hole — that of the range above it (the resend asked for
        // covers both pieces).
        var holeAsked: Int64 = 0
        var holeWait: Int64 = 0
        if first < count {
            holeAsked = asked[low + first]
            holeWait = wait[low + first]
        }
        while last < count && self.start(last) <= end {
            // The hole below each range after the first one merged is closed.
            if last > first { holeClosed(slot: low + last, now: now) }
            mergedStart = min(mergedStart, self.start(last))
            mergedEnd = max(mergedEnd, self.end(last))
            mergedSeen = min(mergedSeen, seenNanos(last))
            last += 1
        }
        let merged = last - first
        if merged == 0 {
            precondition(count < capacity, "no room for another range (capacity \(capacity))")
            if low + count == capacity { compact() }
            var index = count
            while index > first {
                move(from: index - 1, to: index)
                index -= 1
            }
            count += 1
        } else if merged > 1 {
            for index in last..<count { move(from: index, to: first + 1 + index - last) }
            count -= merged - 1
        }
        starts[low + first] = mergedStart
        ends[low + first] = mergedEnd
        seen[low + first] = mergedSeen
        asked[low + first] = holeAsked
        wait[low + first] = holeWait
        assertInvariants()
    }

    /// The received position moved to `received`: drops the ranges it
    /// reaches and returns the end of the contiguous bytes from it (past every
    /// range it reaches).
    public func absorb(received: Int64, now: Int64) -> Int64 {
        var position = received
        var taken = 0
        while taken < count && start(taken) <= position {
            holeClosed(slot: low + taken, now: now)
            position = max(position, end(taken))
            taken += 1
        }
        removeFront(taken)
        return position
    }

    /// The index of the first range whose end reaches `position` (`count`: none).
    private func firstReaching(_ position: Int64) -> Int {
        var index = count
        while index > 0 && end(index - 1) >= position { index -= 1 }
        return index
    }

    private func removeFront(_ ranges: Int) {
        low += ranges
        count -= ranges
        if count == 0 { low = 0 }
    }

    /// Moves the ranges to the front of the storage.
    private func compact() {
        for index in 0..<count {
            starts[index] = starts[low + index]
            ends[index] = ends[low + index]
            seen[index] = seen[low + index]
            asked[index] = asked[low + index]
            wait[index] = wait[low + index]
        }
        low = 0
    }

    @inline(__always)
    private func move(from source: Int, to target: Int) {
        starts[low + target] = starts[low + source]
        ends[low + target] = ends[low + source]
        seen[low + target] = seen[low + source]
        asked[low + target] = asked[low + source]
        wait[low + target] = wait[low + source]
    }

    func assertInvariants() {
        #if DEBUG
        assert(low >= 0 && low + count <= capacity, "ranges at \(low) + \(count) outside capacity \(capacity)")
        for index in 0..<count {
            assert(start(index) < end(index), "range \(index) [\(start(index)), \(end(index))) is empty")
            if index > 0 {
                assert(end(index - 1) < start(index), "ranges \(index - 1) and \(index) overlap or touch")
            }
        }
        #endif
    }
}
