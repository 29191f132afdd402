import ArgumentParser
import BatonCodec
import BatonLog
import BatonRing
import BatonTime
import Histogram
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `baton log bench`: append throughput (msgs/s, MB/s) and, with `--rate`,
/// append→durable latency under a steady open-loop rate.
///
/// The appender runs on the main thread, the writer agent on a second thread
/// (busy-spinning its duty cycle). Latency is measured from each message's
/// *intended* send time (open loop, so a stall is charged to every message
/// that should have gone out during it: no coordinated omission) to the moment
/// the writer thread sees `durable` pass it. The writer thread walks the newly
/// durable frames in the log buffer, protected by a gating counter of its own.
struct LogBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark appends: throughput, or append→durable latency at --rate."
    )

    @Option(name: .long, help: "A directory for the benchmark's log (a fresh subdirectory is used and removed).")
    var data: String
    @Option(name: .long, help: "none | batch | interval:MS") var policy: String = "batch"
    @Option(name: .long, help: "Messages to append.") var count: Int = 1_000_000
    @Option(name: .long, help: "Payload bytes per message.") var size: Int = 100
    @Option(name: .long, help: "Open-loop rate in messages/s (latency mode).") var rate: Double?
    @Option(name: .long) var segmentBytes: Int = 1 << 30
    @Option(name: .long) var bufferBytes: Int = 64 << 20
    @Option(name: .long) var batchBytes: Int = 4 << 20
    @Option(name: .long) var writeBytes: Int = 1 << 20
    @Option(name: .long) var batchesInFlight: Int = 2
    @Option(name: .long) var maxInFlightBytes: Int = 16 << 20
    @Option(name: .long, help: "Largest frame the log accepts.") var maxFrame: Int = 64 << 10
    @Flag(name: .long, help: "io_uring SQPOLL.") var sqpoll = false
    @Flag(name: .long, help: "Register the log buffer with io_uring.") var fixedBuffer = false
    @Flag(name: .long, help: "Force the pwrite fallback.") var pwrite = false
    @Flag(name: .long, help: "Keep the log directory afterwards.") var keep = false
    @Flag(name: .long, help: "When idle, block in io_uring (up to 20 µs) while I/O is in flight, and let the appender yield while early, instead of busy-spinning both threads.") var wait = false
    @Option(name: .long, help: "Write the latency distribution (.hgrm) here.") var hgrm: String?

    func run() throws {
        guard let durability = DurabilityPolicy(parsing: policy) else { LogTool.fail("bad --policy '\(policy)'") }
        LogTool.makeDirectory(data)
        let directory = data + "/bench-\(getpid())"
        LogTool.makeDirectory(directory)
        defer { if !keep { LogTool.removeDirectory(directory) } }

        var configuration = LogConfiguration(directory: directory)
        configuration.durability = durability
        configuration.segmentBytes = segmentBytes
        configuration.bufferBytes = bufferBytes
        configuration.maximumBatchBytes = batchBytes
        configuration.maximumWriteBytes = writeBytes
        configuration.maximumBatchesInFlight = batchesInFlight
        configuration.maxInFlightBytes = maxInFlightBytes
        configuration.maximumFrameLength = maxFrame
        configuration.queueDepth = 256
        configuration.uring.sqPoll = sqpoll
        configuration.uring.registerBuffer = fixedBuffer
        if pwrite { configuration.ioBackend = .pwrite }

        let logger = LogTool.logger(level: .info)
        let log: DurableLog
        let writer: LogWriter<SystemStorage, SystemClock>
        let measuredCounters = CounterSet(capacity: 1)
        let measured = measuredCounters.allocate(label: "bench.measured")
        do {
            log = try DurableLog.open(configuration, logger: logger)
            if rate != nil { log.addGating(measured) }
            writer = try log.makeWriter()
        } catch {
            LogTool.fail("\(error)")
        }
        log.buffer.prefault()
        let box = BenchWriterThread(writer: writer, log: log, measured: measured, latency: rate != nil, yieldWhenIdle: wait)
        let thread = box.start()
        while !box.started.withLock({ $0 }) { usleep(100) }

        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        payload.initializeMemory(as: UInt8.self, repeating: 0xAB)
        defer { payload.deallocate() }
        let appender = log.appender
        let frameBytes = FrameDescriptor.alignedFrameLength(payloadLength: size)
        let clock = SystemClock()
        var backPressured = 0
        let started = clock.monotonicNanos()
        if let rate {
            let intervalNanos = 1e9 / rate
            for index in 0..<count {
                let intended = started + Int64(Double(index) * intervalNanos)
                while true {
                    let now = clock.monotonicNanos()
                    if now >= intended { break }
                    if intended - now > 50_000 && wait { sched_yield() }
                }
                while true {
                    let result = appender.tryAppend(payload: UnsafeRawBufferPointer(payload), streamId: 1, producerId: 1,
                                                    sequence: UInt64(index), timestampNanos: intended)
                    if case .appended = result { break }
                    backPressured += 1
                }
            }
        } else {
            for index in 0..<count {
                while true {
                    let result = appender.tryAppend(payload: UnsafeRawBufferPointer(payload), streamId: 1, producerId: 1,
                                                    sequence: UInt64(index), timestampNanos: 0)
                    if case .appended = result { break }
                    backPressured += 1
                }
            }
        }
        let appendedAt = clock.monotonicNanos()
        let end = appender.position
        while log.durablePosition < end {}
        let durableAt = clock.monotonicNanos()
        box.stop.withLock { $0 = true }
        pthread_join(thread, nil)

        let appendSeconds = Double(appendedAt - started) / 1e9
        let durableSeconds = Double(durableAt - started) / 1e9
        let payloadMB = Double(count * size) / 1e6
        let logMB = Double(end - log.recovery.endPosition) / 1e6
        let f = LogTool.fixed
        print("baton log bench: policy \(durability), \(count) messages x \(size) B (frame \(frameBytes) B), storage \(writer.storage.name)")
        let appendRate = Double(count) / appendSeconds
        let durableRate = Double(count) / durableSeconds
        print("  append:        \(f(appendSeconds, 3)) s  \(f(appendRate, 0)) msgs/s  \(f(payloadMB / appendSeconds, 1)) MB/s payload  \(f(logMB / appendSeconds, 1)) MB/s log")
        print("  until durable: \(f(durableSeconds, 3)) s  \(f(durableRate, 0)) msgs/s  \(f(payloadMB / durableSeconds, 1)) MB/s payload  \(f(logMB / durableSeconds, 1)) MB/s log")
        print("  back-pressured attempts: \(backPressured), batches: \(writer.batchesCompleted), short writes: \(writer.shortWrites), errors: \(writer.errorsReported)")
        if let rate {
            let histogram = box.histogram
            func micros(_ value: UInt64) -> String { f(Double(value) / 1000, 1) }
            print("  rate: target \(f(rate, 0)) msgs/s, achieved \(f(appendRate, 0)) msgs/s")
            let p50 = micros(histogram.valueAtPercentile(50)), p90 = micros(histogram.valueAtPercentile(90))
            let p99 = micros(histogram.valueAtPercentile(99)), p999 = micros(histogram.valueAtPercentile(99.9))
            print("  append->durable latency (us): p50 \(p50) p90 \(p90) p99 \(p99) p99.9 \(p999) max \(micros(histogram.max)) (n=\(histogram.totalCount))")
            if let hgrm {
                var text = ""
                histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
                do {
                    try SystemFileSystem().writeFileAtomically(hgrm, directory: ".", bytes: Array(text.utf8))
                } catch {
                    LogTool.printError("cannot write \(hgrm): \(error)")
                }
            }
        }
    }
}

/// The writer's thread in the benchmark: busy-spins `doWork`; in latency mode
/// records append→durable latency of every frame as `durable` passes it.
final class BenchWriterThread: @unchecked Sendable {
    let writer: LogWriter<SystemStorage, SystemClock>
    let log: DurableLog
    let measured: PositionCounter
    let latency: Bool
    let yieldWhenIdle: Bool
    let started = Mutex(false)
    let stop = Mutex(false)
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    init(writer: LogWriter<SystemStorage, SystemClock>, log: DurableLog, measured: PositionCounter, latency: Bool, yieldWhenIdle: Bool) {
        self.writer = writer
        self.yieldWhenIdle = yieldWhenIdle
        self.log = log
        self.measured = measured
        self.latency = latency
        measured.setPlain(log.recovery.endPosition)
    }

    /// Starts the thread (a plain pthread: the body is this object, passed retained).
    func start() -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<BenchWriterThread>.fromOpaque(raw!).takeRetainedValue()
            box.run()
            return nil
        }, context)
        if rc != 0 { LogTool.fail("pthread_create: \(errnoText(rc))") }
        return thread
    }

    func run() {
        do { try writer.onStart() } catch { LogTool.fail("writer start: \(error)") }
        started.withLock { $0 = true }
        let clock = SystemClock()
        var seen = log.recovery.endPosition
        var cycles = 0
        while true {
            var work = 0
            do { work = try writer.doWork() } catch { LogTool.printError("writer: \(error)") }
            // --wait: idle with I/O in flight, block in io_uring until a completion
            // (up to 20 µs) so the kernel's I/O workers get the core. Measured on
            // this 2-core box under load from other processes, busy-spinning
            // (the default) gave lower latency: a sleeping thread waits for a slice.
            if work == 0 && yieldWhenIdle { writer.awaitCompletion(timeoutNanos: 20_000) }
            if latency {
                let durable = log.durablePosition
                if durable > seen {
                    let now = clock.monotonicNanos()
                    var position = seen
                    while position < durable {
                        let frame = FrameHeader(log.buffer.address(of: position))
                        if frame.typeCode == FrameType.data.rawValue {
                            histogram.record(UInt64(max(1, now - frame.timestampNanos)))
                        }
                        position += Int64(frame.alignedLength)
                    }
                    seen = durable
                    measured.setRelease(durable)
                }
            }
            cycles &+= 1
            if cycles & 1023 == 0 && stop.withLock({ $0 }) && writer.isIdle { break }
        }
        writer.onClose()
    }
}
