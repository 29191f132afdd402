import Histogram

/// Where a target reports acknowledgements and deliveries during a run, and
/// where they become latencies: corrected from the message's due time in
/// the schedule, uncorrected from its actual send time, into the current
/// `IntervalRecording`. Messages of the warm-up are counted, not recorded.
///
/// Invariant: `ackedThrough < sentCount`; acknowledgements only move
/// forward. Threading: the run's sender thread only (the target's `poll`
/// gets it `inout`). Recording allocates nothing.
public struct OpenLoopCompletions {
    public let schedule: OpenLoopSchedule
    let sendTimes: SendTimeRing
    let measureStartNanos: Int64
    var recording = IntervalRecording()
    /// Messages sent so far (indices `0..<sentCount`).
    public private(set) var sentCount: Int64 = 0
    /// The highest index acknowledged (-1 before the first).
    public private(set) var ackedThrough: Int64 = -1
    /// Deliveries reported, over all subscribers, warm-up included.
    public private(set) var deliveredCount: Int64 = 0

    init(schedule: OpenLoopSchedule, sendTimes: SendTimeRing) {
        self.schedule = schedule
        self.sendTimes = sendTimes
        measureStartNanos = schedule.measureStartNanos
    }

    /// Every message up to `index` is acknowledged, as seen at `completedNanos`.
    @inline(__always)
    public mutating func acked(through index: Int64, completedNanos: Int64) {
        precondition(index < sentCount, "acknowledgement of message \(index), but only \(sentCount) were sent")
        var current = ackedThrough &+ 1
        guard current <= index else { return }
        // A measured interval counts measured messages only (warm-up stragglers are neither counted nor recorded).
        if recording.isWarmup { recording.acked &+= index &- ackedThrough }
        while current <= index {
            let intended = schedule.intendedNanos(current)
            if intended >= measureStartNanos {
                if !recording.isWarmup { recording.acked &+= 1 }
                let sent = sendTimes[current]
                Self.record(completedNanos &- intended, into: &recording.histograms.ackCorrected,
                            clamped: &recording.clampedValues)
                Self.record(completedNanos &- sent, into: &recording.histograms.ackUncorrected,
                            clamped: &recording.clampedValues)
            }
            current &+= 1
        }
        ackedThrough = index
    }

    /// One delivery of the message due at `intendedNanos` and sent at
    /// `sentNanos` (as carried in its payload), received at `completedNanos`.
    @inline(__always)
    public mutating func delivered(intendedNanos: Int64, sentNanos: Int64, completedNanos: Int64) {
        deliveredCount &+= 1
        let measured = intendedNanos >= measureStartNanos
        if measured || recording.isWarmup { recording.delivered &+= 1 }
        guard measured else { return }
        Self.record(completedNanos &- intendedNanos, into: &recording.histograms.deliveryCorrected,
                    clamped: &recording.clampedValues)
        Self.record(completedNanos &- sentNanos, into: &recording.histograms.deliveryUncorrected,
                    clamped: &recording.clampedValues)
    }

    /// The runner's note of a send (after the target accepted it).
    @inline(__always)
    mutating func noteSent(index: Int64, sentNanos: Int64) {
        sendTimes[index] = sentNanos
        sentCount = index &+ 1
        if recording.isWarmup || schedule.intendedNanos(index) >= measureStartNanos { recording.sent &+= 1 }
    }

    @inline(__always)
    static func record(_ nanos: Int64, into histogram: inout Histogram<UInt64>, clamped: inout Int64) {
        var value = UInt64(clamping: nanos)
        if nanos < 0 || value > LatencyHistograms.highestTrackableNanos {
            value = min(value, LatencyHistograms.highestTrackableNanos)
            clamped &+= 1
        }
        histogram.record(value)
    }
}
