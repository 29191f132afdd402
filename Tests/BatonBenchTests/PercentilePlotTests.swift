import BatonBench
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Histogram
import XCTest

/// The SVG chart is well-formed XML with what a reader needs: a title, the
/// nines on the x axis (0% to 99.99...%), latency ticks, one line per series
/// inside the plot area, and a legend naming each.
final class PercentilePlotTests: XCTestCase {
    func plot(scale: PlotScale) -> PercentilePlot {
        var fast = LatencyHistograms.makeHistogram()
        var slow = LatencyHistograms.makeHistogram()
        for index in 0..<100_000 {
            fast.record(UInt64(20_000 + index % 1_000 * 30))
            slow.record(UInt64(40_000 + (index % 997) * (index % 1_000 == 0 ? 90_000 : 70)))
        }
        return PercentilePlot(title: "A <test> & chart", subtitle: "subtitle", yScale: scale, series: [
            PlotSeries(name: "publish→ack (corrected)", color: "#1f5fa8", histogram: fast),
            PlotSeries(name: "publish→delivery (corrected)", color: "#c0392b", histogram: slow),
            PlotSeries(name: "uncorrected", color: "#7fa7d6", dashed: true, histogram: fast),
        ])
    }

    func testSVGIsWellFormedAndComplete() throws {
        for scale in PlotScale.allCases {
            let chart = plot(scale: scale)
            XCTAssertEqual(chart.maximumNines, 5, "100,000 values resolve 99.999%")
            let svg = chart.svg()
            let collector = SVGCollector()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = collector
            XCTAssertTrue(parser.parse(), "\(scale): \(parser.parserError.map { "\($0)" } ?? "")")
            XCTAssertEqual(collector.root, "svg")
            XCTAssertEqual(collector.polylines.count, 3)
            XCTAssertEqual(collector.polylines.filter { $0.dashed }.count, 1)
            for label in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"] {
                XCTAssertTrue(collector.texts.contains(label), "\(scale): x tick \(label)")
            }
            XCTAssertFalse(collector.texts.contains("99.9999%"))
            XCTAssertTrue(collector.texts.contains("A <test> & chart"))
            XCTAssertTrue(collector.texts.contains { $0.hasPrefix("Latency (") }, "a y-axis title")
            XCTAssertTrue(collector.texts.contains { $0.hasPrefix("Percentile") }, "an x-axis title")
            for name in ["publish→ack (corrected)", "publish→delivery (corrected)", "uncorrected"] {
                XCTAssertTrue(collector.texts.contains(name), "legend entry \(name)")
            }
            let yLabels = collector.texts.compactMap { Double($0.replacingOccurrences(of: ",", with: "")) }
            XCTAssertGreaterThanOrEqual(yLabels.count, 3, "\(scale): latency ticks")
            // Every point inside the plot area (90...920 x 70...520), x never decreasing.
            for line in collector.polylines {
                XCTAssertGreaterThan(line.points.count, 20)
                var lastX = 0.0
                for (x, y) in line.points {
                    XCTAssertTrue((89.9...920.1).contains(x) && (69.9...520.1).contains(y), "\(scale): point \(x),\(y)")
                    XCTAssertGreaterThanOrEqual(x, lastX - 0.0001)
                    lastX = x
                }
                XCTAssertEqual(line.points.last?.0 ?? 0, 920, accuracy: 0.1, "the 100% point sits at the axis end")
            }
        }
    }

    func testPercentilesSitAtTheirNines() throws {
        var histogram = LatencyHistograms.makeHistogram()
        for value in 1...1_000 { histogram.record(UInt64(value) * 1_000) }
        let chart = PercentilePlot(title: "t", series: [PlotSeries(name: "s", color: "#000", histogram: histogram)])
        let collector = SVGCollector()
        let parser = XMLParser(data: Data(chart.svg().utf8))
        parser.delegate = collector
        XCTAssertTrue(parser.parse())
        XCTAssertEqual(chart.maximumNines, 3)
        // x = 90 + nines / 3 * 830, nines = -log10(1 - p): 90% at 366.7, 99% at 643.3, 99.9% at 920.
        let points = PercentilePlot.points(of: histogram)
        let xs = collector.polylines[0].points.map(\.0)
        XCTAssertEqual(xs.count, points.count)
        for (x, point) in zip(xs, points) {
            let nines = point.percentile >= 100 ? 3 : min(3, -log10(1 - point.percentile / 100))
            XCTAssertEqual(x, 90 + nines / 3 * 830, accuracy: 0.06, "the point at \(point.percentile)%")
        }
        XCTAssertTrue(xs.contains { abs($0 - 366.7) < 0.06 }, "90% at one nine")
    }
}

/// Collects what the tests look at while parsing an SVG.
final class SVGCollector: NSObject, XMLParserDelegate {
    var root: String?
    var texts: [String] = []
    var polylines: [(points: [(Double, Double)], dashed: Bool)] = []
    private var text = ""
    private var inText = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "text" { inText = true; text = "" }
        if name == "polyline" {
            let points = (attributes["points"] ?? "").split(separator: " ").map { pair -> (Double, Double) in
                let parts = pair.split(separator: ",")
                return (Double(parts[0]) ?? -1, Double(parts[1]) ?? -1)
            }
            polylines.append((points, attributes["stroke-dasharray"] != nil))
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" {
            texts.append(text)
            inText = false
        }
    }
}
