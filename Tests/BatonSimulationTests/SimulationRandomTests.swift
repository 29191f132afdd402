import BatonSimulation
import XCTest

final class SimulationRandomTests: XCTestCase {
    func testSameSeedSameDraws() {
        var a = SimulationRandom(seed: 7)
        var b = SimulationRandom(seed: 7)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
        var c = SimulationRandom(seed: 8)
        var d = SimulationRandom(seed: 7)
        XCTAssertNotEqual(d.next(), c.next())
    }

    func testRangesAndChances() {
        var random = SimulationRandom(seed: 1)
        var hits = 0
        for _ in 0..<10_000 {
            let value = random.int(in: -3...5)
            XCTAssert((-3...5).contains(value))
            if random.chance(0.25) { hits += 1 }
        }
        XCTAssert((2_000...3_000).contains(hits), "\(hits)")
        XCTAssertFalse(random.chance(0))
    }
}
