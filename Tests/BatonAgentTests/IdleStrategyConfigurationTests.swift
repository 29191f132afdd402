import BatonAgent
import XCTest

final class IdleStrategyConfigurationTests: XCTestCase {
    func testAcceptsEveryDocumentedForm() throws {
        let cases: [(String, IdleStrategyConfiguration)] = [
            ("busy-spin", .busySpin),
            ("yielding", .yielding),
            ("no-op", .noOp),
            ("backoff", .defaultBackoff),
            ("backoff()", .defaultBackoff),
            ("backoff(spins=10,yields=5,minPark=1us,maxPark=1ms)", .defaultBackoff),
            ("backoff(spins=20)",
             .backoff(maxSpins: 20, maxYields: 5, minParkNanos: 1_000, maxParkNanos: 1_000_000)),
            ("backoff(maxPark=100ms, minPark=500ns, yields=0, spins=0)",
             .backoff(maxSpins: 0, maxYields: 0, minParkNanos: 500, maxParkNanos: 100_000_000)),
            (" BACKOFF ( Spins = 3 , MINPARK = 2µs ) ",
             .backoff(maxSpins: 3, maxYields: 5, minParkNanos: 2_000, maxParkNanos: 1_000_000)),
            ("backoff(maxPark=1s)",
             .backoff(maxSpins: 10, maxYields: 5, minParkNanos: 1_000, maxParkNanos: 1_000_000_000)),
            ("sleeping", .sleeping(periodNanos: 1_000)),
            ("sleeping(period=100us)", .sleeping(periodNanos: 100_000)),
            ("Sleeping(PERIOD=2ms)", .sleeping(periodNanos: 2_000_000)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try IdleStrategyConfiguration(parsing: text), expected, text)
        }
    }

    func testDescriptionIsCanonicalAndParsesBack() throws {
        let values: [IdleStrategyConfiguration] = [
            .busySpin, .yielding, .noOp, .defaultBackoff,
            .backoff(maxSpins: 0, maxYields: 7, minParkNanos: 1_500, maxParkNanos: 3_000_000),
            .sleeping(periodNanos: 1_000), .sleeping(periodNanos: 1_000_000_000), .sleeping(periodNanos: 7),
        ]
        for value in values {
            XCTAssertEqual(try IdleStrategyConfiguration(parsing: value.description), value, value.description)
        }
        XCTAssertEqual(IdleStrategyConfiguration.defaultBackoff.description,
                       "backoff(spins=10,yields=5,minPark=1us,maxPark=1ms)")
        XCTAssertEqual(IdleStrategyConfiguration.sleeping(periodNanos: 1_500).description,
                       "sleeping(period=1500ns)")
    }

    func testRefusesBadTextNamingWhatIsAllowed() {
        let cases: [(String, [String])] = [
            ("", ["empty"]),
            ("spin", ["unknown strategy 'spin'", "busy-spin, yielding, backoff, sleeping, no-op"]),
            ("busy_spin", ["unknown strategy 'busy_spin'", "busy-spin, yielding, backoff, sleeping, no-op"]),
            ("busy-spin(spins=1)", ["'busy-spin' takes no parameters"]),
            ("no-op(x=1)", ["'no-op' takes no parameters"]),
            ("backoff(spin=1)", ["unknown backoff key 'spin'", "spins, yields, minPark, maxPark"]),
            ("backoff(spins=1,spins=2)", ["'spins' given twice"]),
            ("backoff(spins=-1)", ["spins must be an integer in 0...1000000", "'-1'"]),
            ("backoff(yields=many)", ["yields must be an integer"]),
            ("backoff(spins=2000000)", ["spins must be an integer in 0...1000000"]),
            ("backoff(minPark=10)", ["minPark must be an integer with a unit (ns, us, ms, s)", "'10'"]),
            ("backoff(maxPark=1h)", ["maxPark must be an integer with a unit"]),
            ("backoff(maxPark=1.5ms)", ["maxPark must be an integer with a unit"]),
            ("backoff(minPark=0ns)", ["minPark must be in 1ns...1s"]),
            ("backoff(maxPark=2s)", ["maxPark must be in 1ns...1s"]),
            ("backoff(minPark=2ms,maxPark=1ms)", ["minPark (2ms) is greater than maxPark (1ms)"]),
            ("backoff(spins=1,)", ["is not key=value"]),
            ("backoff(spins)", ["'spins' is not key=value"]),
            ("backoff(spins=1", ["missing ')'"]),
            ("backoff)", ["unbalanced parentheses"]),
            ("backoff((spins=1))", ["unbalanced parentheses"]),
            ("sleeping(period=0s)", ["period must be in 1ns...1s"]),
            ("sleeping(nanos=5us)", ["unknown sleeping key 'nanos'", "expected period"]),
        ]
        for (text, fragments) in cases {
            do {
                let value = try IdleStrategyConfiguration(parsing: text)
                XCTFail("'\(text)' was accepted as \(value)")
            } catch {
                XCTAssertEqual(error.input, text)
                let message = error.description
                for fragment in fragments {
                    XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'")
                }
                XCTAssertTrue(message.contains(IdleStrategyConfiguration.allowedForms), message)
                XCTAssertTrue(message.hasPrefix("invalid idle strategy '\(text)'"), message)
            }
        }
    }

    func testMakeStrategyMatchesConfiguration() {
        let configuration = IdleStrategyConfiguration.backoff(maxSpins: 4, maxYields: 3,
                                                              minParkNanos: 10, maxParkNanos: 80)
        guard case .backoff(let backoff) = configuration.makeStrategy() else {
            return XCTFail("expected a backoff strategy")
        }
        XCTAssertEqual(backoff.maxSpins, 4)
        XCTAssertEqual(backoff.maxYields, 3)
        XCTAssertEqual(backoff.minParkNanos, 10)
        XCTAssertEqual(backoff.maxParkNanos, 80)
        guard case .sleeping(let sleeping) = IdleStrategyConfiguration.sleeping(periodNanos: 42).makeStrategy() else {
            return XCTFail("expected a sleeping strategy")
        }
        XCTAssertEqual(sleeping.periodNanos, 42)
    }
}
