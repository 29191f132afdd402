#if canImport(Glibc)
import Glibc
#endif

/// Runs open-loop load against a target: every message has a due time fixed
/// before the first send (`OpenLoopSchedule`); the sender sends whatever is
/// due, never waiting for an acknowledgement (only a full window of
/// `windowMessages` unacknowledged messages or the target's back-pressure
/// holds a send back, and then the send is late, not skipped). Each
/// acknowledgement and delivery is measured twice: from the due time
/// (corrected for coordinated omission: a stall is charged to every message
/// it delayed) and from the actual send (uncorrected, for comparison).
///
/// The loop, on the caller's thread: hand the interval over when a
/// boundary has passed; send every due message; poll the target; stop when
/// everything is acknowledged and delivered, or the drain timeout after the
/// last due time has passed. It busy-polls (yielding the CPU when idle), as
/// a load generator must to send on time. Per message it allocates
/// nothing, takes no lock, and calls the target statically (generic).
///
/// Threading: the calling thread is the sender; an `IntervalReporter`
/// thread summarises intervals and calls `progress`.
public enum OpenLoopRunner {
    public static func run<Target: OpenLoopTarget>(_ target: inout Target, configuration: OpenLoopConfiguration,
                                                   progress: (@Sendable (LatencyProgress) -> Void)? = nil)
        throws -> OpenLoopResult {
        try configuration.validate()
        let schedule = OpenLoopSchedule(
            startNanos: BenchClock.monotonicNanos() &+ configuration.startDelayNanos,
            ratePerSecond: Int64(configuration.ratePerSecond), warmupMessages: configuration.warmupMessages,
            messageCount: configuration.warmupMessages + configuration.measuredMessages)
        let deliveriesPerMessage = target.deliveriesPerMessage
        var completions = OpenLoopCompletions(schedule: schedule,
                                              sendTimes: SendTimeRing(minimumCapacity: configuration.windowMessages))
        completions.recording.begin(at: schedule.startNanos, isWarmup: schedule.warmupMessages > 0)
        let reporter = IntervalReporter(schedule: schedule, keepsLog: configuration.keepsIntervalLog,
                                        logsDelivery: deliveriesPerMessage > 0, progress: progress)
        try reporter.start()
        var statistics = SendStatistics()
        var loopError: (any Error)?
        do {
            try sendAndPoll(&target, &completions, &statistics, reporter: reporter, configuration: configuration,
                            deliveriesPerMessage: Int64(deliveriesPerMessage))
        } catch {
            loopError = error
        }
        let endNanos = BenchClock.monotonicNanos()
        let gathered = reporter.finish(&completions.recording, endNanos: endNanos)
        if let loopError { throw loopError }
        if let failure = gathered.failure { throw BenchError("encoding an interval histogram: \(failure)") }
        let measureStart = schedule.measureStartNanos
        let measuredSendNanos = statistics.lastMeasuredSentNanos > 0
            ? statistics.lastMeasuredSentNanos &- measureStart &+ schedule.periodNanos : 0
        return OpenLoopResult(
            configuration: configuration, schedule: schedule, histograms: gathered.totals, intervals: gathered.summaries,
            log: gathered.entries, measureStartWallNanos: BenchClock.wallNanos(atMonotonic: measureStart),
            deliveriesPerMessage: deliveriesPerMessage, sent: completions.sentCount,
            sentMeasured: max(0, completions.sentCount - schedule.warmupMessages), acked: completions.ackedThrough + 1,
            delivered: completions.deliveredCount, lateSends: statistics.lateSends, maxSendLagNanos: statistics.maxSendLagNanos,
            offersRefused: statistics.offersRefused, windowFullRounds: statistics.windowFullRounds,
            clampedValues: gathered.clampedValues,
            measuredSendSeconds: Double(measuredSendNanos) / 1e9,
            totalSeconds: Double(endNanos &- schedule.startNanos) / 1e9)
    }

    /// The sender's loop (see the type's comment).
    static func sendAndPoll<Target: OpenLoopTarget>(_ target: inout Target, _ completions: inout OpenLoopCompletions,
                                                    _ statistics: inout SendStatistics, reporter: IntervalReporter,
                                                    configuration: OpenLoopConfiguration, deliveriesPerMessage: Int64) throws {
        let schedule = completions.schedule
        let total = schedule.messageCount
        let window = Int64(completions.sendTimes.capacity)
        let measureStart = schedule.measureStartNanos
        let period = schedule.periodNanos
        let interval = configuration.intervalNanos
        let giveUpNanos = schedule.lastIntendedNanos &+ configuration.drainTimeoutNanos
        let deliveriesExpected = total &* deliveriesPerMessage
        // Interval boundaries: every `interval` through the warm-up, one at
        // the start of measurement, then every `interval` from there.
        func boundary(after nanos: Int64) -> Int64 {
            if nanos < measureStart { return min(nanos &+ interval, measureStart) }
            return measureStart &+ ((nanos &- measureStart) / interval &+ 1) &* interval
        }
        var nextBoundary = boundary(after: schedule.startNanos)
        var next: Int64 = 0
        while true {
            var now = BenchClock.monotonicNanos()
            if now >= nextBoundary {
                // Entering measurement: the warm-up interval must go before any
                // measured message is sent, so wait for the slot if need be.
                let entering = completions.recording.isWarmup && now >= measureStart
                if reporter.handOff(&completions.recording, endNanos: now, nextIsWarmup: now < measureStart, waiting: entering) {
                    nextBoundary = boundary(after: now)
                }
            }
            while next < total {
                let due = schedule.intendedNanos(next)
                if due > now { break }
                if next &- completions.ackedThrough > window {
                    statistics.windowFullRounds &+= 1
                    break
                }
                let sent = BenchClock.monotonicNanos()
                guard try target.offer(index: next, intendedNanos: due, sentNanos: sent) else {
                    statistics.offersRefused &+= 1
                    break
                }
                completions.noteSent(index: next, sentNanos: sent)
                let lag = sent &- due
                if lag > period { statistics.lateSends &+= 1 }
                if lag > statistics.maxSendLagNanos { statistics.maxSendLagNanos = lag }
                if due >= measureStart { statistics.lastMeasuredSentNanos = sent }
                next &+= 1
                now = sent
            }
            let work = try target.poll(&completions)
            if next == total && completions.ackedThrough == total &- 1 && completions.deliveredCount >= deliveriesExpected {
                return
            }
            now = BenchClock.monotonicNanos()
            if now >= giveUpNanos { return }
            if work == 0 && (next == total || schedule.intendedNanos(next) &- now > 20_000) {
                sched_yield()
            }
        }
    }
}

/// The sender's own counts during a run (see `OpenLoopResult`).
struct SendStatistics {
    var lateSends: Int64 = 0
    var maxSendLagNanos: Int64 = 0
    var offersRefused: Int64 = 0
    var windowFullRounds: Int64 = 0
    var lastMeasuredSentNanos: Int64 = 0
}
