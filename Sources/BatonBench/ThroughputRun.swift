import BatonClient
import BatonNet
import Synchronization

/// Runs `bench throughput`: subscribers connect first (from the latest
/// position, counting only this run's producers), then P publisher threads
/// publish self-verifying generated payloads as fast as their windows allow
/// until the duration or their count is reached, and drain their
/// acknowledgements. The calling thread samples every publisher's and
/// subscriber's padded counter each second, reports the sample, and ends
/// the run once everything acknowledged was delivered to every subscriber
/// (or the drain timeout passed).
///
/// Threading: publishers and subscribers each on a `BenchThread`; counters
/// single-writer per slot; stop flags are atomics. `onSample` runs on the
/// calling thread.
public enum ThroughputRun {
    public static func run(_ configuration: ThroughputConfiguration,
                           onSample: (ThroughputSample) -> Void) throws -> ThroughputResult {
        try configuration.validate()
        let shared = ThroughputShared(publishers: configuration.publishers, subscribers: configuration.subscribeTo.count)
        var subscriberThreads = BenchThreadGroup()
        var publisherThreads = BenchThreadGroup()
        defer {
            shared.aborting.store(true, ordering: .releasing)
            shared.stopPublishing.store(true, ordering: .releasing)
            shared.stopSubscribing.store(true, ordering: .releasing)
            publisherThreads.joinAll()
            subscriberThreads.joinAll()
        }
        for (index, address) in configuration.subscribeTo.enumerated() {
            let subscriber: Subscriber
            do {
                subscriber = try Subscriber(broker: address, configuration: SubscriberConfiguration(streamId: configuration.streamId, from: .latest))
            } catch {
                throw BenchError("subscriber \(index) on \(address): \(error)")
            }
            let handed = HandedOver(subscriber)
            try subscriberThreads.start {
                subscribe(handed.take(), index: index, configuration: configuration, shared: shared)
            }
        }
        let startNanos = BenchClock.monotonicNanos()
        for index in 0..<configuration.publishers {
            try publisherThreads.start {
                publish(index: index, configuration: configuration, shared: shared)
            }
        }
        return try sample(configuration, shared: shared, startNanos: startNanos, onSample: onSample)
    }

    /// The calling thread's part: samples, stops publishing at the end of
    /// the duration, decides when the run is over, and computes the result.
    static func sample(_ configuration: ThroughputConfiguration, shared: ThroughputShared, startNanos: Int64,
                       onSample: (ThroughputSample) -> Void) throws -> ThroughputResult {
        let publishers = 0..<configuration.publishers
        let subscribers = configuration.subscribeTo.count
        let warmupEnd = startNanos &+ configuration.warmupNanos
        let publishEnd = configuration.durationNanos.map { warmupEnd &+ $0 }
        func snapshot(_ now: Int64) -> Snapshot {
            Snapshot(nanos: now, acked: shared.acked.sum(publishers),
                     delivered: shared.delivered.sum(0..<max(subscribers, 1)) * (subscribers > 0 ? 1 : 0),
                     deliveredBytes: shared.deliveredBytes.sum(0..<max(subscribers, 1)) * (subscribers > 0 ? 1 : 0))
        }
        var samples: [ThroughputSample] = []
        var previous = snapshot(startNanos)
        var atWarmupEnd: Snapshot? = configuration.warmupNanos == 0 ? previous : nil
        var atPublishEnd: Snapshot?
        var publishDone: Snapshot?
        var deliveryDone: Snapshot?
        var nextTick = startNanos &+ 1_000_000_000
        var lastAckProgress = (acked: Int64(0), nanos: startNanos)
        while true {
            var wake = min(nextTick, BenchClock.monotonicNanos() &+ 10_000_000)
            if atWarmupEnd == nil { wake = min(wake, warmupEnd) }
            if let publishEnd, atPublishEnd == nil { wake = min(wake, publishEnd) }
            BenchClock.sleep(untilMonotonic: wake)
            let now = BenchClock.monotonicNanos()
            if let failure = shared.failure.message { throw BenchError(failure) }
            let current = snapshot(now)
            if current.acked != lastAckProgress.acked {
                lastAckProgress = (current.acked, now)
            } else if publishDone == nil && now &- lastAckProgress.nanos >= configuration.drainTimeoutNanos {
                throw BenchError("no acknowledgement for \(BenchDuration.format(nanos: configuration.drainTimeoutNanos)): "
                                 + "the broker stopped answering")
            }
            if atWarmupEnd == nil && now >= warmupEnd { atWarmupEnd = current }
            if let publishEnd, atPublishEnd == nil, now >= publishEnd {
                atPublishEnd = current
                shared.stopPublishing.store(true, ordering: .releasing)
            }
            if publishDone == nil && shared.publishersDone.load(ordering: .acquiring) == configuration.publishers {
                publishDone = current
                shared.stopPublishing.store(true, ordering: .releasing)
            }
            if let done = publishDone, deliveryDone == nil,
               current.delivered >= done.acked &* Int64(subscribers) || now &- done.nanos >= configuration.drainTimeoutNanos {
                deliveryDone = current
            }
            let finished = deliveryDone != nil
            if now >= nextTick || finished {
                let seconds = Double(now &- previous.nanos) / 1e9
                if seconds > 0.05 || finished {
                    // Marked warm-up when it began inside the warm-up.
                    let sample = ThroughputSample(current: current, previous: previous, startNanos: startNanos,
                                                  isWarmup: previous.nanos &+ 1_000_000 < warmupEnd,
                                                  payloadLength: configuration.payloadLength)
                    samples.append(sample)
                    onSample(sample)
                    previous = current
                }
                while nextTick <= now { nextTick &+= 1_000_000_000 }
            }
            if finished { break }
        }
        shared.stopSubscribing.store(true, ordering: .releasing)
        let done = publishDone!
        let delivered = deliveryDone!
        var windowStart = atWarmupEnd ?? Snapshot(nanos: startNanos, acked: 0, delivered: 0, deliveredBytes: 0)
        if windowStart.nanos >= (atPublishEnd ?? done).nanos {
            windowStart = Snapshot(nanos: startNanos, acked: 0, delivered: 0, deliveredBytes: 0)  // warm-up longer than the run
        }
        let ackEnd = atPublishEnd ?? done
        let deliveryEnd = atPublishEnd ?? delivered
        return ThroughputResult(
            samples: samples, publishers: configuration.publishers, subscribers: subscribers,
            payloadLength: configuration.payloadLength,
            ackedSeconds: Double(ackEnd.nanos &- windowStart.nanos) / 1e9,
            deliveredSeconds: Double(deliveryEnd.nanos &- windowStart.nanos) / 1e9,
            ackedInWindow: ackEnd.acked &- windowStart.acked, deliveredInWindow: deliveryEnd.delivered &- windowStart.delivered,
            deliveredBytesInWindow: deliveryEnd.deliveredBytes &- windowStart.deliveredBytes,
            totalAcked: delivered.acked, totalDelivered: delivered.delivered)
    }

    /// A publisher thread: publish until told to stop or the count is
    /// reached, then drain acknowledgements (at most the drain timeout).
    static func publish(index: Int, configuration: ThroughputConfiguration, shared: ThroughputShared) {
        defer { shared.publishersDone.add(1, ordering: .releasing) }
        let producerId = configuration.runTag | UInt64(index)
        var publisherConfiguration = PublisherConfiguration(streamId: configuration.streamId)
        publisherConfiguration.producerId = producerId
        publisherConfiguration.windowMessages = configuration.windowMessages
        let publisher: Publisher
        do {
            publisher = try Publisher(broker: configuration.publishTo, configuration: publisherConfiguration)
        } catch {
            shared.failure.report("publisher \(index) connecting to \(configuration.publishTo): \(error)")
            return
        }
        defer { publisher.close() }
        let size = configuration.payloadLength
        let count = configuration.countPerPublisher ?? Int.max
        var sent = 0
        func noteAcks() { shared.acked.store(index, Int64(publisher.lastAckedSequence.map { $0 &+ 1 } ?? 0)) }
        do {
            while sent < count && !shared.stopPublishing.load(ordering: .relaxed) {
                switch publisher.offer(length: size, { GeneratedPayload.write(into: $0, producerId: producerId, sequence: $1) }) {
                case .accepted:
                    sent &+= 1
                    if sent & 255 == 0 {
                        try publisher.poll()
                        noteAcks()
                    }
                case .backPressured:
                    if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
                    noteAcks()
                case .tooLarge(let limit):
                    throw BenchError("--size \(size) is over the broker's payload limit \(limit)")
                case .closed(let error):
                    throw error
                }
            }
            publisher.flush()
            let deadline = BenchClock.monotonicNanos() &+ configuration.drainTimeoutNanos
            while publisher.inFlight > 0 {
                if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
                noteAcks()
                if shared.aborting.load(ordering: .relaxed) { return }
                if BenchClock.monotonicNanos() >= deadline {
                    throw BenchError("\(publisher.inFlight) messages still unacknowledged after the drain timeout")
                }
            }
            noteAcks()
        } catch {
            shared.failure.report("publisher \(index): \(error)")
        }
    }

    /// A subscriber thread: count this run's messages until told to stop.
    static func subscribe(_ subscriber: Subscriber, index: Int, configuration: ThroughputConfiguration, shared: ThroughputShared) {
        defer { subscriber.close() }
        let tagMask: UInt64 = ~0xFFFF
        let runTag = configuration.runTag
        var messages: Int64 = 0
        var bytes: Int64 = 0
        do {
            while !shared.stopSubscribing.load(ordering: .relaxed) {
                let received = try subscriber.poll { message in
                    guard message.producerId & tagMask == runTag else { return }
                    messages &+= 1
                    bytes &+= Int64(message.payload.count)
                }
                if received == 0 {
                    subscriber.waitForData(timeout: .milliseconds(1))
                } else {
                    shared.delivered.store(index, messages)
                    shared.deliveredBytes.store(index, bytes)
                }
            }
        } catch {
            shared.failure.report("subscriber \(index): \(error)")
        }
    }
}

/// The counters at one moment.
struct Snapshot {
    var nanos: Int64
    var acked: Int64
    var delivered: Int64
    var deliveredBytes: Int64
}

extension ThroughputSample {
    init(current: Snapshot, previous: Snapshot, startNanos: Int64, isWarmup: Bool, payloadLength: Int) {
        let seconds = max(Double(current.nanos &- previous.nanos) / 1e9, 1e-9)
        let acked = Double(current.acked &- previous.acked) / seconds
        let delivered = Double(current.delivered &- previous.delivered) / seconds
        self.init(elapsedSeconds: Double(current.nanos &- startNanos) / 1e9, intervalSeconds: seconds, isWarmup: isWarmup,
                  acked: current.acked, delivered: current.delivered, deliveredBytes: current.deliveredBytes,
                  ackedPerSecond: acked, ackedMegabytesPerSecond: acked * Double(payloadLength) / 1e6,
                  deliveredPerSecond: delivered,
                  deliveredMegabytesPerSecond: Double(current.deliveredBytes &- previous.deliveredBytes) / seconds / 1e6)
    }
}

/// What the threads of a throughput run share: counters (one slot per
/// thread), stop flags, the count of publishers finished, the first failure.
/// Threading: see each member; all `Sendable`.
final class ThroughputShared: Sendable {
    let acked: PaddedCounters
    let delivered: PaddedCounters
    let deliveredBytes: PaddedCounters
    let stopPublishing = Atomic<Bool>(false)
    let stopSubscribing = Atomic<Bool>(false)
    let publishersDone = Atomic<Int>(0)
    /// Set when the run ends early (a failure): publishers stop draining.
    let aborting = Atomic<Bool>(false)
    let failure = FirstFailure()

    init(publishers: Int, subscribers: Int) {
        acked = PaddedCounters(count: publishers)
        delivered = PaddedCounters(count: max(subscribers, 1))
        deliveredBytes = PaddedCounters(count: max(subscribers, 1))
    }
}

/// A non-`Sendable` value moved to exactly one other thread, deliberately:
/// the creating thread gives it up, the worker `take()`s it once.
final class HandedOver<Value>: @unchecked Sendable {
    private var value: Value?

    init(_ value: Value) { self.value = value }

    func take() -> Value {
        guard let taken = value else { preconditionFailure("handed over twice") }
        value = nil
        return taken
    }
}
