import Histogram
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The background half of a latency run: takes each finished
/// `IntervalRecording` from the sender thread, adds it to the run's totals,
/// encodes it for the `.hlog`, and reports progress — so the sender's only
/// per-interval cost is a swap, an atomic store and a `sem_post`, and the
/// harness adds no hiccup of its own to what it measures.
///
/// Hand-off protocol: one slot. While `slotFull` is false the slot belongs
/// to the sender, which swaps its recording in, sets `slotFull` (release)
/// and posts the semaphore; the reporter wakes, reads the slot (acquire),
/// processes it, empties its histograms and clears `slotFull` (release).
/// A sender that finds the slot still full keeps recording into the
/// current interval and tries again on its next loop (or, at the start of
/// measurement and at the end, waits: the reporter always finishes).
///
/// Threading: `handOff`/`finish` from the sender thread only; everything
/// else runs on the reporter's own thread. `progress` is called there.
final class IntervalReporter: @unchecked Sendable {
    private var slot = IntervalRecording()
    private let slotFull = Atomic<Bool>(false)
    private let finishing = Atomic<Bool>(false)
    private let wakeup: UnsafeMutablePointer<sem_t>
    private var thread: BenchThread?

    // Owned by the reporter thread until `finish` has joined it.
    private var totals = LatencyHistograms()
    private var entries: [HistogramLogEntry] = []
    private var summaries: [IntervalSummary] = []
    private var failure: HistogramCodecError?
    private var clampedValues: Int64 = 0

    private let scheduleStartNanos: Int64
    private let measureStartNanos: Int64
    private let keepsLog: Bool
    private let logsDelivery: Bool
    private let progress: (@Sendable (LatencyProgress) -> Void)?

    init(schedule: OpenLoopSchedule, keepsLog: Bool, logsDelivery: Bool,
         progress: (@Sendable (LatencyProgress) -> Void)?) {
        scheduleStartNanos = schedule.startNanos
        measureStartNanos = schedule.measureStartNanos
        self.keepsLog = keepsLog
        self.logsDelivery = logsDelivery
        self.progress = progress
        wakeup = .allocate(capacity: 1)
        sem_init(wakeup, 0, 0)
    }

    deinit {
        sem_destroy(wakeup)
        wakeup.deallocate()
    }

    /// Starts the reporter thread.
    func start() throws(BenchError) {
        thread = try BenchThread { [self] in self.runLoop() }
    }

    /// Sender: hands `recording`, ended at `endNanos`, to the reporter and
    /// leaves in its place an empty recording begun at `endNanos`. Returns
    /// false, changing nothing, while the reporter still holds the previous
    /// interval — unless `waiting`, when it yields until the slot is free.
    func handOff(_ recording: inout IntervalRecording, endNanos: Int64, nextIsWarmup: Bool, waiting: Bool) -> Bool {
        while slotFull.load(ordering: .acquiring) {
            if !waiting { return false }
            sched_yield()
        }
        recording.endNanos = endNanos
        swap(&recording, &slot)
        recording.begin(at: endNanos, isWarmup: nextIsWarmup)
        slotFull.store(true, ordering: .releasing)
        sem_post(wakeup)
        return true
    }

    /// Sender, once: hands over the last interval, stops the reporter thread
    /// and returns what it gathered.
    func finish(_ recording: inout IntervalRecording, endNanos: Int64)
        -> (totals: LatencyHistograms, entries: [HistogramLogEntry], summaries: [IntervalSummary], clampedValues: Int64,
            failure: HistogramCodecError?) {
        _ = handOff(&recording, endNanos: endNanos, nextIsWarmup: false, waiting: true)
        finishing.store(true, ordering: .releasing)
        sem_post(wakeup)
        thread.take()?.join()
        return (totals, entries, summaries, clampedValues, failure)
    }

    private func runLoop() {
        while true {
            while sem_wait(wakeup) != 0 {}  // EINTR
            if slotFull.load(ordering: .acquiring) {
                process(slot)
                slot.histograms.reset()
                slotFull.store(false, ordering: .releasing)
            }
            if finishing.load(ordering: .acquiring) && !slotFull.load(ordering: .acquiring) { return }
        }
    }

    private func process(_ recording: IntervalRecording) {
        let lengthNanos = max(recording.endNanos &- recording.startNanos, 1)
        let seconds = Double(lengthNanos) / 1e9
        let histograms = recording.histograms
        clampedValues &+= recording.clampedValues
        if !recording.isWarmup {
            totals.add(histograms)
            let startSeconds = Double(recording.startNanos &- measureStartNanos) / 1e9
            if keepsLog && failure == nil {
                do throws(HistogramCodecError) {
                    for series in LatencySeries.allCases where logsDelivery || !series.isDelivery {
                        let histogram = histograms[series]
                        entries.append(HistogramLogEntry(tag: series.logTag, startSeconds: startSeconds, lengthSeconds: seconds,
                                                         maxValue: histogram.max,
                                                         encodedHistogram: try HistogramV2.encodeCompressedBase64(histogram)))
                    }
                } catch {
                    failure = error
                }
            }
            summaries.append(IntervalSummary(
                startSeconds: startSeconds, lengthSeconds: seconds,
                sent: recording.sent, acked: recording.acked, delivered: recording.delivered,
                ackP99Nanos: Self.p99(histograms.ackCorrected), ackMaxNanos: histograms.ackCorrected.max,
                deliveryP99Nanos: Self.p99(histograms.deliveryCorrected), deliveryMaxNanos: histograms.deliveryCorrected.max))
        }
        guard let progress else { return }
        let measured = !recording.isWarmup
        progress(LatencyProgress(
            elapsedSeconds: Double(recording.endNanos &- scheduleStartNanos) / 1e9, intervalSeconds: seconds,
            isWarmup: recording.isWarmup,
            sentPerSecond: Double(recording.sent) / seconds, ackedPerSecond: Double(recording.acked) / seconds,
            deliveredPerSecond: Double(recording.delivered) / seconds,
            ackP99SoFarNanos: measured && totals.ackCorrected.totalCount > 0 ? Self.p99(totals.ackCorrected) : nil,
            deliveryP99SoFarNanos: measured && totals.deliveryCorrected.totalCount > 0 ? Self.p99(totals.deliveryCorrected) : nil))
    }

    private static func p99(_ histogram: Histogram<UInt64>) -> UInt64 {
        histogram.totalCount > 0 ? histogram.valueAtPercentile(99) : 0
    }
}
