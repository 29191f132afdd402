#if canImport(Glibc)
import Glibc
#endif

/// The arithmetic of a `PercentilePlot`'s axes: percentiles to nines, the
/// latency range and its ticks, and tick labels. Pure functions.
enum PlotAxis {
    /// The x position of `percentile` in nines (90% is 1, 99% is 2, ...), at most `maximum`.
    static func nines(_ percentile: Double, maximum: Int) -> Double {
        guard percentile < 100 else { return Double(maximum) }
        return min(Double(maximum), max(0, -log10(1 - percentile / 100)))
    }

    /// "0%", "90%", "99%", "99.9%", ... for `nines` nines.
    static func percentileLabel(nines: Int) -> String {
        switch nines {
        case 0: return "0%"
        case 1: return "90%"
        case 2: return "99%"
        default: return "99." + String(repeating: "9", count: nines - 2) + "%"
        }
    }

    /// The latency range shown (in display units) and its ticks, for values in `low...high`.
    static func range(low: Double, high: Double, scale: PlotScale) -> (lower: Double, upper: Double, ticks: [Double]) {
        switch scale {
        case .logarithmic:
            let lower = pow(10, floor(log10(max(low, 1e-3))))
            var upper = pow(10, ceil(log10(max(high, lower * 1.0001))))
            if upper <= lower { upper = lower * 10 }
            var ticks: [Double] = []
            let decades = Int((log10(upper) - log10(lower)).rounded())
            var decade = lower
            while decade <= upper * 1.0001 {
                ticks.append(decade)
                if decades <= 3 && decade * 10 <= upper * 1.0001 {
                    ticks.append(decade * 2)
                    ticks.append(decade * 5)
                }
                decade *= 10
            }
            return (lower, upper, ticks)
        case .linear:
            let step = niceStep(max(high, 1e-3) / 6)
            let upper = (max(high, 1e-3) / step).rounded(.up) * step
            var ticks: [Double] = []
            var tick = 0.0
            while tick <= upper * 1.0001 {
                ticks.append(tick)
                tick += step
            }
            return (0, upper, ticks)
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, floor(log10(raw)))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw * 0.9999 {
            return multiple * magnitude
        }
        return 10 * magnitude
    }

    /// A tick label: whole numbers without decimals, others with what they need (up to 3).
    static func label(_ value: Double) -> String {
        if value == value.rounded() { return DecimalText.grouped(Int64(value)) }
        for digits in 1...3 {
            let text = DecimalText.fixed(value, digits)
            if abs((Double(text) ?? 0) - value) < value * 1e-9 { return text }
        }
        return DecimalText.fixed(value, 3)
    }
}
