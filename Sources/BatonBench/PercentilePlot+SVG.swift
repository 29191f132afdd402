#if canImport(Glibc)
import Glibc
#endif

extension PercentilePlot {
    /// The chart as a standalone SVG document (UTF-8 text): title and
    /// subtitle, grid, axes with ticks and labels, one polyline per series
    /// (clipped to the plot area), and a legend in the top-left corner.
    public func svg() -> String {
        let frame = PlotFrame(width: width, height: height)
        let nines = maximumNines
        let allValues = series.flatMap { $0.points.map { Double($0.valueNanos) } }.filter { $0 > 0 }
        let highNanos = allValues.max() ?? 1_000
        let lowNanos = allValues.min() ?? 1_000
        let inMillis = highNanos >= 10_000_000
        let unit = inMillis ? 1e6 : 1e3
        let range = PlotAxis.range(low: lowNanos / unit, high: highNanos / unit, scale: yScale)
        func x(_ percentile: Double) -> Double {
            frame.left + PlotAxis.nines(percentile, maximum: nines) / Double(nines) * frame.plotWidth
        }
        func y(_ value: Double) -> Double {
            let fraction: Double
            switch yScale {
            case .logarithmic:
                let clamped = max(value, range.lower)
                fraction = (log10(clamped) - log10(range.lower)) / (log10(range.upper) - log10(range.lower))
            case .linear:
                fraction = value / range.upper
            }
            return frame.top + (1 - fraction) * frame.plotHeight
        }

        var svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
        svg += "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        svg += "<title>\(escaped(title))</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"white\"/>\n"
        svg += "<defs><clipPath id=\"plot-area\"><rect x=\"\(n(frame.left))\" y=\"\(n(frame.top))\" "
        svg += "width=\"\(n(frame.plotWidth))\" height=\"\(n(frame.plotHeight))\"/></clipPath></defs>\n"
        svg += "<text x=\"\(n(width / 2))\" y=\"28\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\">\(escaped(title))</text>\n"
        if let subtitle {
            // About 0.56 em a character: a longer line gets a smaller font so it fits the chart's width.
            let size = min(12, (width - 40) / (Double(max(subtitle.count, 1)) * 0.56))
            svg += "<text x=\"\(n(width / 2))\" y=\"48\" text-anchor=\"middle\" fill=\"#555555\" font-size=\"\(n(size))\">\(escaped(subtitle))</text>\n"
        }

        // Grid and ticks.
        svg += "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n"
        for nine in 0...nines {
            let px = frame.left + Double(nine) / Double(nines) * frame.plotWidth
            svg += "<line x1=\"\(n(px))\" y1=\"\(n(frame.top))\" x2=\"\(n(px))\" y2=\"\(n(frame.bottom))\"/>\n"
        }
        for tick in range.ticks {
            let py = y(tick)
            svg += "<line x1=\"\(n(frame.left))\" y1=\"\(n(py))\" x2=\"\(n(frame.right))\" y2=\"\(n(py))\"/>\n"
        }
        svg += "</g>\n"
        svg += "<g class=\"axes\" stroke=\"#000000\" stroke-width=\"1\">\n"
        svg += "<line x1=\"\(n(frame.left))\" y1=\"\(n(frame.bottom))\" x2=\"\(n(frame.right))\" y2=\"\(n(frame.bottom))\"/>\n"
        svg += "<line x1=\"\(n(frame.left))\" y1=\"\(n(frame.top))\" x2=\"\(n(frame.left))\" y2=\"\(n(frame.bottom))\"/>\n"
        for nine in 0...nines {
            let px = frame.left + Double(nine) / Double(nines) * frame.plotWidth
            svg += "<line x1=\"\(n(px))\" y1=\"\(n(frame.bottom))\" x2=\"\(n(px))\" y2=\"\(n(frame.bottom + 6))\"/>\n"
        }
        for tick in range.ticks {
            svg += "<line x1=\"\(n(frame.left - 6))\" y1=\"\(n(y(tick)))\" x2=\"\(n(frame.left))\" y2=\"\(n(y(tick)))\"/>\n"
        }
        svg += "</g>\n"
        svg += "<g class=\"x-labels\" text-anchor=\"middle\">\n"
        for nine in 0...nines {
            let px = frame.left + Double(nine) / Double(nines) * frame.plotWidth
            svg += "<text x=\"\(n(px))\" y=\"\(n(frame.bottom + 22))\">\(PlotAxis.percentileLabel(nines: nine))</text>\n"
        }
        svg += "</g>\n"
        svg += "<g class=\"y-labels\" text-anchor=\"end\">\n"
        for tick in range.ticks {
            svg += "<text x=\"\(n(frame.left - 10))\" y=\"\(n(y(tick) + 4))\">\(PlotAxis.label(tick))</text>\n"
        }
        svg += "</g>\n"
        svg += "<text x=\"\(n(frame.left + frame.plotWidth / 2))\" y=\"\(n(height - 22))\" text-anchor=\"middle\" font-size=\"14\">"
        svg += "Percentile (log scale: each step one more nine)</text>\n"
        let yMiddle = frame.top + frame.plotHeight / 2
        svg += "<text x=\"24\" y=\"\(n(yMiddle))\" text-anchor=\"middle\" font-size=\"14\" "
        svg += "transform=\"rotate(-90 24 \(n(yMiddle)))\">Latency (\(inMillis ? "ms" : "µs")\(yScale == .logarithmic ? ", log scale" : ""))</text>\n"

        // Series.
        svg += "<g class=\"series\" clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n"
        for line in series where !line.points.isEmpty {
            let points = line.points.map { "\(n(x($0.percentile))),\(n(y(Double($0.valueNanos) / unit)))" }.joined(separator: " ")
            svg += "<polyline stroke=\"\(escaped(line.color))\"\(line.dashed ? " stroke-dasharray=\"7 4\"" : "") "
            svg += "points=\"\(points)\"><title>\(escaped(line.name))</title></polyline>\n"
        }
        svg += "</g>\n"

        // Legend.
        let entryHeight = 20.0
        let legendWidth = 14.0 + 36 + 8 + Double(series.map(\.name.count).max() ?? 0) * 7.0
        let legendHeight = 10 + entryHeight * Double(series.count)
        svg += "<g class=\"legend\">\n"
        svg += "<rect x=\"\(n(frame.left + 12))\" y=\"\(n(frame.top + 12))\" width=\"\(n(legendWidth))\" height=\"\(n(legendHeight))\" "
        svg += "fill=\"white\" fill-opacity=\"0.9\" stroke=\"#999999\"/>\n"
        for (index, line) in series.enumerated() {
            let rowY = frame.top + 12 + 5 + entryHeight * (Double(index) + 0.5)
            let lineX = frame.left + 12 + 10
            svg += "<line x1=\"\(n(lineX))\" y1=\"\(n(rowY))\" x2=\"\(n(lineX + 36))\" y2=\"\(n(rowY))\" stroke=\"\(escaped(line.color))\" "
            svg += "stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"7 4\"" : "")/>\n"
            svg += "<text x=\"\(n(lineX + 44))\" y=\"\(n(rowY + 4))\">\(escaped(line.name))</text>\n"
        }
        svg += "</g>\n</svg>\n"
        return svg
    }

    /// A coordinate with one decimal.
    private func n(_ value: Double) -> String { DecimalText.fixed(value, 1) }

    private func escaped(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            default: output.append(character)
            }
        }
        return output
    }
}

/// Where the plot area sits on the canvas.
struct PlotFrame {
    let left = 90.0
    let top = 70.0
    let right: Double
    let bottom: Double

    init(width: Double, height: Double) {
        right = width - 40
        bottom = height - 80
    }

    var plotWidth: Double { right - left }
    var plotHeight: Double { bottom - top }
}
