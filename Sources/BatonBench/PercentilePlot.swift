import Histogram

/// A latency-by-percentile chart, drawn as HdrHistogram's plotter draws
/// one: the x axis is logarithmic in "number of nines" (0%, 90%, 99%,
/// 99.9%, ...: each step one more nine), the y axis latency; one line per
/// series. `svg()` renders it (`PercentilePlot+SVG.swift`).
///
/// A plain value: `Sendable`.
public struct PercentilePlot: Sendable {
    public var title: String
    public var subtitle: String?
    public var yScale: PlotScale
    public var series: [PlotSeries]
    public var width = 960.0
    public var height = 600.0

    public init(title: String, subtitle: String? = nil, yScale: PlotScale = .logarithmic, series: [PlotSeries]) {
        self.title = title
        self.subtitle = subtitle
        self.yScale = yScale
        self.series = series
    }

    /// The points of `histogram`'s percentile distribution: the same
    /// iteration the `.hgrm` text lists (`ticksPerHalfDistance` per halving
    /// of the distance to 100%).
    public static func points(of histogram: Histogram<UInt64>, ticksPerHalfDistance: Int = 5) -> [PlotPoint] {
        guard histogram.totalCount > 0 else { return [] }
        return histogram.percentiles(ticksPerHalfDistance: ticksPerHalfDistance).map {
            PlotPoint(percentile: $0.percentileLevelIteratedTo, valueNanos: $0.value)
        }
    }

    /// How many nines the x axis spans: enough for the largest series (a
    /// percentile finer than one value in `count` says nothing), 2 to 6.
    public var maximumNines: Int {
        let count = series.map(\.count).max() ?? 0
        var nines = 0
        var reach: UInt64 = 1
        while reach < count && nines < 6 {
            reach *= 10
            nines += 1
        }
        return min(6, max(2, nines))
    }
}

/// How the latency axis is scaled. A plain value.
public enum PlotScale: String, Sendable, CaseIterable {
    /// Decades (1 µs, 10 µs, 100 µs, 1 ms, ...): the whole range readable at once.
    case logarithmic = "log"
    /// From zero, evenly spaced.
    case linear
}

/// One line of a `PercentilePlot`. A plain value: `Sendable`.
public struct PlotSeries: Sendable {
    public var name: String
    /// An SVG colour ("#1f77b4").
    public var color: String
    public var dashed: Bool
    public var points: [PlotPoint]
    /// Values behind the line (sets how far the x axis reaches).
    public var count: UInt64

    public init(name: String, color: String, dashed: Bool = false, points: [PlotPoint], count: UInt64) {
        self.name = name
        self.color = color
        self.dashed = dashed
        self.points = points
        self.count = count
    }

    /// A series drawn from `histogram`'s percentile distribution.
    public init(name: String, color: String, dashed: Bool = false, histogram: Histogram<UInt64>) {
        self.init(name: name, color: color, dashed: dashed, points: PercentilePlot.points(of: histogram),
                  count: histogram.totalCount)
    }
}

/// A point of a percentile distribution: `percentile` in 0...100, the value in nanoseconds.
public struct PlotPoint: Equatable, Sendable {
    public var percentile: Double
    public var valueNanos: UInt64

    public init(percentile: Double, valueNanos: UInt64) {
        self.percentile = percentile
        self.valueNanos = valueNanos
    }
}
