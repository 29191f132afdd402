/// The human summary of a latency run: one row per series, the count and
/// p50, p90, p99, p99.9, p99.99, max and mean in microseconds.
///
/// ```
/// latency in µs                       count       p50       p90       p99     p99.9    p99.99       max      mean
/// publish→ack (corrected)           100,000      45.1      60.2     120.3     450.1   1,203.0   1,500.0      48.2
/// ```
///
/// Stateless; any thread.
public enum LatencyTable {
    static let columns = ["count", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean"]
    static let firstWidth = 32
    static let width = 10

    /// The table of `rows` (title, summary), header first, no trailing newline.
    public static func render(_ rows: [(title: String, summary: LatencySummary)]) -> String {
        var lines = [pad("latency in µs", firstWidth, left: true) + columns.map { pad($0, width) }.joined()]
        for (title, summary) in rows {
            var cells = [DecimalText.grouped(Int64(summary.count))]
            for percentile in [50.0, 90, 99, 99.9, 99.99] {
                cells.append(micros(Double(summary.nanos(atPercentile: percentile))))
            }
            cells.append(micros(Double(summary.maxNanos)))
            cells.append(micros(summary.meanNanos))
            lines.append(pad(title, firstWidth, left: true) + cells.map { pad($0, width) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// The rows for every series of `histograms` (delivery only when measured).
    public static func rows(_ histograms: LatencyHistograms, includeDelivery: Bool) -> [(title: String, summary: LatencySummary)] {
        LatencySeries.allCases.filter { includeDelivery || !$0.isDelivery }.map { ($0.title, LatencySummary(histograms[$0])) }
    }

    /// Microseconds with one decimal and grouped thousands ("1,203.0").
    static func micros(_ nanos: Double) -> String {
        let tenths = Int64((nanos / 100).rounded())
        return DecimalText.grouped(tenths / 10) + "." + String(tenths % 10)
    }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let gap = max(1, width - text.count)
        return left ? text + String(repeating: " ", count: gap) : String(repeating: " ", count: gap) + text
    }
}
