import ArgumentParser
import BatonBench

/// `baton bench`: the benchmark harness — open-loop latency with
/// coordinated-omission correction, and throughput — against running
/// brokers or an embedded cluster. The logic lives in `BatonBench`; these
/// commands parse options, start targets and write the outputs.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure brokers: open-loop publish→ack/delivery latency, or acknowledged and delivered throughput.",
        subcommands: [BenchLatencyCommand.self, BenchThroughputCommand.self, BenchHopsCommand.self]
    )
}

/// `value` with `digits` decimals (no Foundation in this target).
func fixed(_ value: Double, _ digits: Int) -> String {
    DecimalText.fixed(value, digits)
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC).
@inline(__always)
func monotonicNanos() -> Int64 {
    BenchClock.monotonicNanos()
}
