import ArgumentParser
import BatonBench

/// A duration on the bench command line (`10s`, `2.5s`, `500ms`, `1m`; a
/// bare number is seconds). See `BenchDuration`.
struct BenchDurationArgument: ExpressibleByArgument, CustomStringConvertible {
    let nanos: Int64

    init(nanos: Int64) { self.nanos = nanos }

    init?(argument: String) {
        guard let nanos = BenchDuration.parse(argument) else { return nil }
        self.nanos = nanos
    }

    var description: String { BenchDuration.format(nanos: nanos) }
    var seconds: Double { Double(nanos) / 1e9 }
}

extension PlotScale: ExpressibleByArgument {}
