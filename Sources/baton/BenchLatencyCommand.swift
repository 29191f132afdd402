import ArgumentParser
import BatonBench
import BatonNet
import Glibc
import Histogram

/// `baton bench latency`: one publisher sends at a fixed rate on a schedule
/// fixed in advance; each message's latency runs from when it *should* have
/// been sent (coordinated omission corrected, as Gil Tene describes) — and,
/// for comparison, from when it was sent — to its acknowledgement and to
/// its delivery to a subscriber on each broker. See `OpenLoopRunner`.
struct BenchLatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Publish→ack and publish→delivery latency at a fixed open-loop rate (coordinated-omission corrected).",
        discussion: "Writes a summary to stdout and a live line per second to stderr. --hgrm FILE writes the corrected "
            + "publish→ack distribution in HdrHistogram's .hgrm text format (µs), and beside it FILE's siblings "
            + "<name>.ack-uncorrected.hgrm, <name>.delivery.hgrm and <name>.delivery-uncorrected.hgrm. --hlog writes one "
            + "interval per second in HdrHistogram's log format (V2 compressed histograms, nanoseconds): untagged lines "
            + "are publish→ack corrected; Tag=ack-uncorrected, Tag=delivery and Tag=delivery-uncorrected lines the others."
    )

    @OptionGroup var target: BenchTargetOptions

    @Option(name: .long, help: "Messages per second.") var rate: Int = 50_000
    @Option(name: .long, help: "Measured time (10s, 2.5s, 500ms; a bare number is seconds).")
    var duration = BenchDurationArgument(nanos: 10_000_000_000)
    @Option(name: .long, help: "Unmeasured warm-up first.") var warmup = BenchDurationArgument(nanos: 2_000_000_000)
    @Option(name: .long, help: "Payload bytes (at least 16: the message carries its due and send times).") var size: Int = 100
    @Option(name: .long, help: "Stream id.") var stream: UInt32 = 1
    @Option(name: .long, help: "Messages sent but not acknowledged, at most (a power of two).") var window: Int = 65_536
    @Option(name: .long, help: "After the last due time, wait this long for acknowledgements and deliveries.")
    var drainTimeout = BenchDurationArgument(nanos: 10_000_000_000)
    @Flag(name: .long, help: "Do not subscribe: measure publish→ack only.") var noDelivery = false
    @Option(name: .long, help: "Write the percentile distribution (.hgrm; see below).") var hgrm: String?
    @Option(name: .long, help: "Write the interval histogram log (.hlog).") var hlog: String?
    @Option(name: .long, help: "Write a machine-readable summary (JSON).") var json: String?
    @Option(name: .long, help: "Write a latency-by-percentile chart (SVG).") var plot: String?
    @Option(name: .long, help: "The chart's latency axis: log or linear.") var plotScale: PlotScale = .logarithmic
    @Flag(name: .long, help: "No live line on stderr.") var quiet = false

    func run() throws {
        ignoreSIGPIPE()
        guard size >= LatencyPayload.minimumLength else {
            throw ValidationError("--size \(size): a latency message carries two timestamps, so at least \(LatencyPayload.minimumLength) bytes")
        }
        var configuration = OpenLoopConfiguration(ratePerSecond: rate, warmupNanos: warmup.nanos, durationNanos: duration.nanos)
        configuration.windowMessages = window
        configuration.drainTimeoutNanos = drainTimeout.nanos
        configuration.keepsIntervalLog = hlog != nil
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }

        let (addresses, cluster) = try target.resolve()
        defer { cluster?.stop() }
        let subscribeTo = noDelivery ? [] : addresses
        let producerId = UInt64(getpid()) << 24 | UInt64(monotonicNanos() & 0xFF_FFFF)
        let client = try ClientLatencyTarget(publishTo: addresses[0], subscribeTo: subscribeTo, streamId: stream,
                                             payloadLength: size, windowMessages: window, producerId: producerId)
        defer { client.close() }
        let description = "\(DecimalText.grouped(Int64(rate))) msgs/s for \(duration) (+\(warmup) warm-up), \(size)-byte payloads, "
            + "stream \(stream); publish to \(addresses[0])"
            + (subscribeTo.isEmpty ? ", no subscriber" : ", subscribe on " + subscribeTo.map(\.description).joined(separator: ", "))
            + " (\(target.describe(addresses, cluster)))"
        print("baton bench latency: \(description)")
        fflush(nil)
        let progress: (@Sendable (LatencyProgress) -> Void)?
        if quiet {
            progress = nil
        } else {
            progress = { (update: LatencyProgress) in BenchOutput.progress(update.line) }
        }
        let result = try client.run(configuration, progress: progress)
        report(result)
        try writeFiles(result, addresses: addresses, cluster: cluster, description: description)
        if !result.isComplete {
            throw ValidationError("incomplete run: \(result.unsent) unsent, \(result.missingAcks) acknowledgements and "
                                  + "\(result.missingDeliveries) deliveries missing after the drain timeout")
        }
    }

    /// The human summary on stdout.
    func report(_ result: OpenLoopResult) {
        let includeDelivery = result.deliveriesPerMessage > 0
        print("sent \(DecimalText.grouped(result.sentMeasured)) measured messages at "
              + "\(DecimalText.fixed(result.achievedRatePerSecond, 1)) msgs/s (target \(DecimalText.grouped(Int64(rate)))); "
              + "\(DecimalText.grouped(result.lateSends)) sends late by more than one period, max send lag "
              + DecimalText.latency(UInt64(max(0, result.maxSendLagNanos))))
        print(LatencyTable.render(LatencyTable.rows(result.histograms, includeDelivery: includeDelivery)))
        let corrected = LatencySummary(result.histograms.ackCorrected)
        let uncorrected = LatencySummary(result.histograms.ackUncorrected)
        print("coordinated omission: publish→ack p99.9 is \(DecimalText.latency(corrected.nanos(atPercentile: 99.9))) measured "
              + "from the schedule, \(DecimalText.latency(uncorrected.nanos(atPercentile: 99.9))) from the actual sends")
        if result.clampedValues > 0 {
            print("note: \(DecimalText.grouped(result.clampedValues)) latencies above 60 s were recorded as 60 s")
        }
    }

    func writeFiles(_ result: OpenLoopResult, addresses: [IPv4SocketAddress], cluster: EmbeddedCluster?, description: String) throws {
        let includeDelivery = result.deliveriesPerMessage > 0
        let series = LatencySeries.allCases.filter { includeDelivery || !$0.isDelivery }
        if let hgrm {
            for item in series {
                let path = item == .ackCorrected ? hgrm : BenchOutput.sibling(of: hgrm, key: item.key)
                var text = ""
                result.histograms[item].outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000, format: .plainText)
                try BenchOutput.write(text, to: path)
                print("wrote \(path) (\(item.title), µs)")
            }
        }
        if let hlog {
            var writer = HistogramLogWriter(baseWallNanos: result.measureStartWallNanos,
                                            comment: "Logged with baton bench latency \(BatonVersion.string): \(description)")
            for entry in result.log { writer.append(entry) }
            try BenchOutput.write(writer.text, to: hlog)
            print("wrote \(hlog) (\(result.intervals.count) intervals x \(series.count) series, nanoseconds; untagged = publish→ack corrected)")
        }
        if let json {
            let config: [(String, JSONValue)] = [
                ("rate_msgs_per_s", .integer(Int64(rate))),
                ("duration_s", .number(duration.seconds)),
                ("warmup_s", .number(warmup.seconds)),
                ("payload_bytes", .integer(Int64(size))),
                ("stream", .integer(Int64(stream))),
                ("window_messages", .integer(Int64(window))),
                ("subscribers", .integer(Int64(result.deliveriesPerMessage))),
            ] + target.json(addresses, cluster)
            try BenchOutput.write(LatencyReport.json(result, config: config).rendered() + "\n", to: json)
            print("wrote \(json)")
        }
        if let plot {
            var lines = [
                PlotSeries(name: legend(.ackCorrected, result), color: "#1f5fa8", histogram: result.histograms.ackCorrected),
            ]
            if includeDelivery {
                lines.append(PlotSeries(name: legend(.deliveryCorrected, result), color: "#c0392b",
                                        histogram: result.histograms.deliveryCorrected))
            }
            lines.append(PlotSeries(name: legend(.ackUncorrected, result), color: "#7fa7d6", dashed: true,
                                    histogram: result.histograms.ackUncorrected))
            if includeDelivery {
                lines.append(PlotSeries(name: legend(.deliveryUncorrected, result), color: "#e6998f", dashed: true,
                                        histogram: result.histograms.deliveryUncorrected))
            }
            let chart = PercentilePlot(
                title: "Baton latency by percentile at \(DecimalText.grouped(Int64(rate))) msgs/s",
                subtitle: "\(size)-byte messages, \(duration) measured, \(target.describe(addresses, cluster))", yScale: plotScale, series: lines)
            try BenchOutput.write(chart.svg(), to: plot)
            print("wrote \(plot)")
        }
    }

    func legend(_ series: LatencySeries, _ result: OpenLoopResult) -> String {
        let summary = LatencySummary(result.histograms[series])
        return "\(series.title): p99 \(DecimalText.latency(summary.nanos(atPercentile: 99))), max \(DecimalText.latency(summary.maxNanos))"
    }
}
