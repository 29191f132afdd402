import BatonBench
import BatonTestSupport
import Histogram
import XCTest

/// `HistogramLayout` indexes values exactly as hdrhistogram-swift's
/// `Histogram` does (checked through the library's public equivalence
/// ranges), for the layouts the harness and the references use.
final class HistogramLayoutTests: XCTestCase {
    func testIndexArithmeticAgreesWithTheLibrary() {
        var random = SplitMix64(seed: testSeed(0x1A_7007))
        let layouts: [(UInt64, UInt64, SignificantDigits)] = [
            (1, 3_600_000_000_000, .three), (1_000, 60_000_000_000, .three), (1, 1 << 30, .zero), (3, 1 << 40, .one),
            (1_024, 1 << 50, .two), (100, 1 << 45, .four), (1, 1 << 44, .five),
        ]
        for (lowest, highest, digits) in layouts {
            let histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest,
                                              numberOfSignificantValueDigits: digits)
            let layout = HistogramLayout(lowestDiscernibleValue: lowest, significantDigits: Int(digits.rawValue))
            var previousIndex = -1
            var values: [UInt64] = [0, 1, 2, lowest, lowest * 2 - 1, highest / 3, highest]
            for _ in 0..<5_000 { values.append((random.next() % (highest + 1)) >> (random.next() % 40)) }
            for value in values.sorted() {
                let index = layout.countsIndex(for: value)
                XCTAssertGreaterThanOrEqual(index, previousIndex, "indices grow with values")
                previousIndex = index
                XCTAssertEqual(layout.value(atIndex: index), histogram.lowestEquivalentForValue(value),
                               "value \(value) in layout \(lowest)/\(highest)/\(digits)")
                XCTAssertEqual(layout.countsIndex(for: histogram.highestEquivalentForValue(value)), index)
            }
        }
    }
}
