import ArgumentParser
import BatonClient
import BatonNet
import Glibc
import Histogram

/// `baton bench`: load generators against a running node.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a running node: acknowledged throughput, or publish-to-ack latency at a fixed rate.",
        subcommands: [BenchThroughputCommand.self, BenchLatencyCommand.self]
    )
}

/// `value` with `digits` decimals (no Foundation in this target).
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (value * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(abs(scaled).truncatingRemainder(dividingBy: scale))
    if digits == 0 { return String(whole) }
    let text = String(fraction)
    return "\(value < 0 && whole == 0 ? "-" : "")\(whole).\(String(repeating: "0", count: digits - text.count))\(text)"
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC).
@inline(__always)
func monotonicNanos() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// `baton bench throughput`: P publishers (one thread and connection each)
/// publish as fast as the window allows; reports acknowledged msgs/s and MB/s.
struct BenchThroughputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "throughput",
                                                    abstract: "Acknowledged publish throughput of P publishers.")

    @Option(name: .long, help: "The node's client address HOST:PORT.") var broker: String
    @Option(name: .long, help: "Publishers, each its own connection and thread.") var publishers: Int = 1
    @Option(name: .long, help: "Messages per publisher.") var count: Int = 1_000_000
    @Option(name: .long, help: "Payload bytes.") var size: Int = 100
    @Option(name: .long, help: "Messages in flight per publisher.") var window: Int = 65_536
    @Option(name: .long, help: "Stream id.") var stream: UInt32 = 1

    func run() throws {
        ignoreSIGPIPE()
        let address = try IPv4SocketAddress(parsing: broker)
        let results = ResultBox()
        var threads: [pthread_t] = []
        let start = monotonicNanos()
        for index in 0..<publishers {
            let job = PublishJob(address: address, producerId: UInt64(getpid()) << 16 | UInt64(index), count: count,
                                 size: size, window: window, stream: stream, results: results)
            var thread = pthread_t()
            let box = Unmanaged.passRetained(job).toOpaque()
            pthread_create(&thread, nil, { raw in
                let job = Unmanaged<PublishJob>.fromOpaque(raw!).takeRetainedValue()
                job.run()
                return nil
            }, box)
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        let seconds = Double(monotonicNanos() - start) / 1e9
        if let failure = results.failure { throw ValidationError("publisher failed: \(failure)") }
        let messages = Double(publishers * count)
        let rate = messages / seconds
        let megabytes = rate * Double(size) / 1e6
        print("throughput: \(publishers) publishers x \(count) messages of \(size) bytes acknowledged in \(fixed(seconds, 2)) s: \(Int(rate)) msgs/s, \(fixed(megabytes, 1)) MB/s")
    }
}

final class ResultBox: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var failureText: String?
    init() { pthread_mutex_init(&lock, nil) }
    func fail(_ text: String) { pthread_mutex_lock(&lock); failureText = failureText ?? text; pthread_mutex_unlock(&lock) }
    var failure: String? { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return failureText }
}

final class PublishJob: @unchecked Sendable {
    let address: IPv4SocketAddress
    let producerId: UInt64
    let count: Int
    let size: Int
    let window: Int
    let stream: UInt32
    let results: ResultBox

    init(address: IPv4SocketAddress, producerId: UInt64, count: Int, size: Int, window: Int, stream: UInt32, results: ResultBox) {
        self.address = address
        self.producerId = producerId
        self.count = count
        self.size = size
        self.window = window
        self.stream = stream
        self.results = results
    }

    func run() {
        do {
            var configuration = PublisherConfiguration(streamId: stream)
            configuration.producerId = producerId
            configuration.windowMessages = window
            let publisher = try Publisher(broker: address, configuration: configuration)
            defer { publisher.close() }
            var sent = 0
            let producerId = self.producerId
            while sent < count {
                switch publisher.offer(length: size, { GeneratedPayload.write(into: $0, producerId: producerId, sequence: $1) }) {
                case .accepted: sent += 1
                case .backPressured: try publisher.poll()
                case .tooLarge(let limit): throw ValidationError("--size \(size) is over the node's payload limit \(limit)")
                case .closed(let error): throw error
                }
            }
            publisher.flush()
            try publisher.awaitAcks(timeout: .seconds(120))
        } catch {
            results.fail("\(error)")
        }
    }
}

/// `baton bench latency`: one publisher sends at a fixed rate on a schedule
/// fixed in advance; each message's latency runs from when it *should* have
/// been sent to when its ack arrived, so a stall is charged to every message
/// it delayed (coordinated omission corrected, as Gil Tene describes).
struct BenchLatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latency",
                                                    abstract: "Publish-to-ack latency at a fixed open-loop rate.")

    @Option(name: .long, help: "The node's client address HOST:PORT.") var broker: String
    @Option(name: .long, help: "Messages per second.") var rate: Int = 50_000
    @Option(name: .long, help: "Seconds of measured load.") var duration: Double = 10
    @Option(name: .long, help: "Seconds of unmeasured warm-up first.") var warmup: Double = 2
    @Option(name: .long, help: "Payload bytes.") var size: Int = 100
    @Option(name: .long, help: "Stream id.") var stream: UInt32 = 1
    @Option(name: .long, help: "Write the percentile distribution in HdrHistogram's .hgrm format here.") var hgrm: String?

    func run() throws {
        ignoreSIGPIPE()
        guard rate > 0, duration > 0 else { throw ValidationError("--rate and --duration must be positive") }
        var configuration = PublisherConfiguration(streamId: stream)
        configuration.producerId = UInt64(getpid()) << 20 | 0xBE
        configuration.linger = .zero
        let publisher = try Publisher(broker: try IPv4SocketAddress(parsing: broker), configuration: configuration)
        defer { publisher.close() }
        let interval = 1_000_000_000 / Int64(rate)
        let warmupCount = Int(warmup * Double(rate))
        let total = warmupCount + Int(duration * Double(rate))
        // Intended send times by sequence (allocated once, before the clock starts).
        var intended = [Int64](repeating: 0, count: total)
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 60_000_000_000,
                                          numberOfSignificantValueDigits: .three)
        let producerId = configuration.producerId!
        let start = monotonicNanos() + 10_000_000
        var next = 0
        var recorded = 0
        var late = 0
        while recorded < total {
            let now = monotonicNanos()
            sending: while next < total {
                let due = start + Int64(next) * interval
                if due > now { break }
                switch publisher.offer(length: size, { GeneratedPayload.write(into: $0, producerId: producerId, sequence: $1) }) {
                case .accepted(let sequence):
                    intended[Int(sequence)] = due
                    next += 1
                    if now - due > interval { late += 1 }
                case .backPressured:
                    break sending
                case .tooLarge(let limit): throw ValidationError("--size \(size) is over the node's payload limit \(limit)")
                case .closed(let error): throw error
                }
            }
            publisher.flush()
            try publisher.poll()
            if let acked = publisher.lastAckedSequence {
                let ackTime = monotonicNanos()
                while recorded <= Int(acked) {
                    if recorded >= warmupCount { histogram.record(UInt64(max(ackTime - intended[recorded], 0))) }
                    recorded += 1
                }
            }
        }
        func micros(_ p: Double) -> String { fixed(Double(histogram.valueAtPercentile(p)) / 1000, 1) }
        let summary = "p50 \(micros(50)) us, p90 \(micros(90)) us, p99 \(micros(99)) us, p99.9 \(micros(99.9)) us, p99.99 \(micros(99.99)) us, max \(fixed(Double(histogram.max) / 1000, 1)) us, mean \(fixed(histogram.mean / 1000, 1)) us"
        print("latency publish->ack at \(rate) msgs/s, \(size) bytes, \(histogram.totalCount) measured (\(late) sends late): \(summary)")
        if let hgrm {
            var text = ""
            histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000, format: .plainText)
            guard let file = fopen(hgrm, "w") else { throw ValidationError("cannot write \(hgrm)") }
            fputs(text, file)
            fclose(file)
        }
    }
}
