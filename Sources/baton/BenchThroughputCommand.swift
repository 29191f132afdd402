import ArgumentParser
import BatonBench
import BatonNet
import Glibc

/// `baton bench throughput`: P publishers (a thread and connection each)
/// publish as fast as their windows allow while S subscribers receive;
/// reports acknowledged and delivered msgs/s and MB/s, a line per second and
/// overall. See `ThroughputRun`.
struct BenchThroughputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Acknowledged and delivered throughput of P publishers and S subscribers.",
        discussion: "Publishers connect to the first broker; subscriber i to broker i modulo the number of brokers. "
            + "Without --duration or --count the run lasts 10s after the warm-up."
    )

    @OptionGroup var target: BenchTargetOptions

    @Option(name: .long, help: "Publishers, each its own connection and thread.") var publishers: Int = 1
    @Option(name: .long, help: "Subscribers, each its own connection and thread.") var subscribers: Int = 1
    @Option(name: .long, help: "Payload bytes (at least 24).") var size: Int = 100
    @Option(name: .long, help: "Publish for this long after the warm-up (10s, 500ms; a bare number is seconds).")
    var duration: BenchDurationArgument?
    @Option(name: .long, help: "Messages per publisher (ends the run early when reached).") var count: Int?
    @Option(name: .long, help: "Unmeasured time at the start.") var warmup = BenchDurationArgument(nanos: 1_000_000_000)
    @Option(name: .long, help: "Messages in flight per publisher.") var window: Int = 65_536
    @Option(name: .long, help: "Stream id.") var stream: UInt32 = 1
    @Option(name: .long, help: "Write a machine-readable summary (JSON).") var json: String?
    @Flag(name: .long, help: "No live line on stderr.") var quiet = false

    func run() throws {
        ignoreSIGPIPE()
        guard subscribers >= 0 else { throw ValidationError("--subscribers must not be negative") }
        let (addresses, cluster) = try target.resolve()
        defer { cluster?.stop() }
        let subscribeTo = (0..<subscribers).map { addresses[$0 % addresses.count] }
        let durationNanos = duration?.nanos ?? (count == nil ? 10_000_000_000 : nil)
        var configuration = ThroughputConfiguration(
            publishTo: addresses[0], subscribeTo: subscribeTo, publishers: publishers, payloadLength: size,
            durationNanos: durationNanos, countPerPublisher: count,
            runTag: UInt64(getpid()) << 40 | UInt64(monotonicNanos() & 0xFF_FFFF) << 16)
        configuration.warmupNanos = warmup.nanos
        configuration.windowMessages = window
        configuration.streamId = stream
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }
        print("baton bench throughput: \(publishers) publishers, \(subscribers) subscribers, \(size)-byte payloads, "
              + (durationNanos.map { "\(BenchDuration.format(nanos: $0))" } ?? "until done")
              + (count.map { " or \(DecimalText.grouped(Int64($0))) messages per publisher" } ?? "")
              + " after \(warmup) warm-up, stream \(stream) (\(target.describe(addresses, cluster)))")
        fflush(nil)
        let quiet = self.quiet
        let result = try ThroughputRun.run(configuration) { sample in
            if !quiet { BenchOutput.progress(sample.line) }
        }
        print("per second:")
        for sample in result.samples { print("  " + sample.line) }
        for line in result.summaryLines { print(line) }
        if let json {
            try BenchOutput.write(report(result, addresses: addresses, cluster: cluster).rendered() + "\n", to: json)
            print("wrote \(json)")
        }
        if !result.isComplete { throw ValidationError("incomplete run: not every acknowledged message was delivered") }
    }

    func report(_ result: ThroughputResult, addresses: [IPv4SocketAddress], cluster: EmbeddedCluster?) -> JSONValue {
        .object([
            ("benchmark", .string("throughput")),
            ("config", .object([
                ("publishers", .integer(Int64(publishers))),
                ("subscribers", .integer(Int64(subscribers))),
                ("payload_bytes", .integer(Int64(size))),
                ("duration_s", duration.map { .number($0.seconds) } ?? .null),
                ("count_per_publisher", count.map { .integer(Int64($0)) } ?? .null),
                ("warmup_s", .number(warmup.seconds)),
                ("window_messages", .integer(Int64(window))),
                ("stream", .integer(Int64(stream))),
            ] + target.json(addresses, cluster))),
            ("acked", .object([
                ("messages", .integer(result.ackedInWindow)),
                ("seconds", .number(result.ackedSeconds)),
                ("msgs_per_s", .number(result.ackedPerSecond.rounded())),
                ("mb_per_s", .number((result.ackedMegabytesPerSecond * 10).rounded() / 10)),
            ])),
            ("delivered", .object([
                ("messages", .integer(result.deliveredInWindow)),
                ("seconds", .number(result.deliveredSeconds)),
                ("msgs_per_s", .number(result.deliveredPerSecond.rounded())),
                ("mb_per_s", .number((result.deliveredMegabytesPerSecond * 10).rounded() / 10)),
            ])),
            ("complete", .bool(result.isComplete)),
            ("per_second", .array(result.samples.map { sample in
                .object([
                    ("elapsed_s", .number((sample.elapsedSeconds * 1000).rounded() / 1000)),
                    ("warmup", .bool(sample.isWarmup)),
                    ("acked_msgs_per_s", .number(sample.ackedPerSecond.rounded())),
                    ("acked_mb_per_s", .number((sample.ackedMegabytesPerSecond * 10).rounded() / 10)),
                    ("delivered_msgs_per_s", .number(sample.deliveredPerSecond.rounded())),
                    ("delivered_mb_per_s", .number((sample.deliveredMegabytesPerSecond * 10).rounded() / 10)),
                ])
            })),
        ])
    }
}
