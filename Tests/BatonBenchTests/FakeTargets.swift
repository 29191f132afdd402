import BatonBench
import Glibc
import Histogram
import XCTest
#if canImport(CMallocCounter)
import CMallocCounter
#endif

/// The (intended, sent) times of messages a fake target holds until it
/// acknowledges them: a power-of-two ring allocated once. Test support;
/// one thread.
final class PendingTimes {
    let mask: Int64
    let intended: UnsafeMutablePointer<Int64>
    let sent: UnsafeMutablePointer<Int64>

    init(capacity: Int = 1 << 17) {
        mask = Int64(capacity - 1)
        intended = .allocate(capacity: capacity)
        sent = .allocate(capacity: capacity)
    }

    deinit {
        intended.deallocate()
        sent.deallocate()
    }
}

/// A target with no service time — each message is acknowledged and
/// delivered once, answered at the instant it was sent — except once: message
/// `stallAtIndex` is answered only after `stallNanos` (as a GC pause, a page
/// fault storm or a blocked call would stall a real client's only thread),
/// and, like a stalled client, nothing is sent while it stalls.
///
/// Deterministic on a busy machine: completion times are the target's own
/// answer times, not when a descheduled test thread got round to polling,
/// and the stalled message is alone in flight (the offer of `stallAtIndex`
/// is refused until every earlier message is answered, and later offers
/// until the stall is over). So the only latency measured from the sends
/// (uncorrected) is the stall's own message; the lateness of the sends the
/// stall held back shows only in the latency measured from the schedule
/// (corrected). The injected stall is the fault under test, not a wait.
struct StallingTarget: OpenLoopTarget {
    let stallAtIndex: Int64
    let stallNanos: Int64
    let pending = PendingTimes()
    var stalled = false
    var offered: Int64 = 0
    var acknowledged: Int64 = 0

    init(stallAtIndex: Int64, stallNanos: Int64) {
        self.stallAtIndex = stallAtIndex
        self.stallNanos = stallNanos
    }

    var deliveriesPerMessage: Int { 1 }

    mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool {
        if index == stallAtIndex && acknowledged < offered { return false }
        if index > stallAtIndex && !stalled { return false }
        pending.intended[Int(index & pending.mask)] = intendedNanos
        pending.sent[Int(index & pending.mask)] = sentNanos
        offered = index + 1
        return true
    }

    mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int {
        guard offered > acknowledged else { return 0 }
        for index in acknowledged..<offered {
            let slot = Int(index & pending.mask)
            var answered = pending.sent[slot]
            if index == stallAtIndex {
                stalled = true
                BenchClock.sleep(untilMonotonic: BenchClock.monotonicNanos() + stallNanos)
                answered = BenchClock.monotonicNanos()
            }
            completions.acked(through: index, completedNanos: answered)
            completions.delivered(intendedNanos: pending.intended[slot], sentNanos: pending.sent[slot], completedNanos: answered)
        }
        let work = Int(offered - acknowledged)
        acknowledged = offered
        return work
    }
}

/// Wraps a target and counts the allocations of the sender thread between
/// the offers of message `from` and message `to` (the steady state: the
/// runner's loop, the recording, interval hand-offs, and the inner target).
struct AllocationCountingTarget<Inner: OpenLoopTarget>: OpenLoopTarget {
    var inner: Inner
    let from: Int64
    let to: Int64
    let counter: @convention(c) () -> UInt64
    let result = Box()

    final class Box {
        var before: UInt64 = 0
        var allocations: UInt64?
    }

    var deliveriesPerMessage: Int { inner.deliveriesPerMessage }

    mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool {
        if index == from { result.before = counter() }
        if index == to { result.allocations = counter() &- result.before }
        return try inner.offer(index: index, intendedNanos: intendedNanos, sentNanos: sentNanos)
    }

    mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int {
        try inner.poll(&completions)
    }
}

/// A target that never acknowledges anything (a dead broker).
struct SilentTarget: OpenLoopTarget {
    var deliveriesPerMessage: Int { 0 }
    mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool { true }
    mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int { 0 }
}

/// A target that fails when message `failAt` is offered.
struct FailingTarget: OpenLoopTarget {
    let failAt: Int64
    var deliveriesPerMessage: Int { 0 }
    var offered: Int64 = 0
    var acknowledged: Int64 = 0

    mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool {
        if index == failAt { throw BenchError("the fake target failed at message \(index)") }
        offered = index + 1
        return true
    }

    mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int {
        guard offered > acknowledged else { return 0 }
        completions.acked(through: offered - 1, completedNanos: BenchClock.monotonicNanos())
        acknowledged = offered
        return 1
    }
}

/// `baton_malloc_count_thread` when the CMallocCounter interposer is linked
/// and active (nil under sanitizers: allocation tests skip).
func mallocCounter() -> (@convention(c) () -> UInt64)? {
    #if canImport(CMallocCounter)
    guard baton_malloc_counter_active() != 0 else { return nil }
    return baton_malloc_count_thread
    #else
    return nil
    #endif
}

/// Allocation counts hold for optimized builds (`make test` runs release):
/// at -Onone the runner's generic code is not specialised and boxes.
func skipUnlessOptimized() throws {
    #if DEBUG
    throw XCTSkip("allocation counts are checked in optimized builds (swift test -c release)")
    #endif
}

/// Milliseconds and seconds as nanoseconds, for readable settings.
func millis(_ value: Int64) -> Int64 { value * 1_000_000 }
func seconds(_ value: Double) -> Int64 { Int64(value * 1e9) }

/// Where two histograms of one layout differ (nil when they hold the same
/// counts, total and max). Compares without the library's iterators and
/// descriptions, which overflow on huge counts. (`minNonZero` is left out: a
/// value below the lowest discernible unit counts at index 0, which encodes
/// as the value 0, so a decoded histogram's smallest non-zero value is the
/// next one up — as in every reference implementation.)
func histogramDifference(_ left: Histogram<UInt64>, _ right: Histogram<UInt64>) -> String? {
    if left.lowestDiscernibleValue != right.lowestDiscernibleValue
        || left.numberOfSignificantValueDigits != right.numberOfSignificantValueDigits {
        return "layouts differ"
    }
    if left.totalCount != right.totalCount { return "total \(left.totalCount) vs \(right.totalCount)" }
    if left.max != right.max { return "max \(left.max) vs \(right.max)" }
    let layout = HistogramLayout(lowestDiscernibleValue: left.lowestDiscernibleValue,
                                 significantDigits: Int(left.numberOfSignificantValueDigits.rawValue))
    guard left.totalCount > 0 else { return nil }
    for index in 0...layout.countsIndex(for: left.max) {
        let value = layout.value(atIndex: index)
        if left.countForValue(value) != right.countForValue(value) {
            return "count at index \(index) (value \(value)): \(left.countForValue(value)) vs \(right.countForValue(value))"
        }
    }
    return nil
}
