extension IdleStrategyConfiguration {
    /// The most spins or yields a backoff accepts: more is a typo, not a tuning.
    public static let limitBackoffSteps = 1_000_000

    /// Reads a strategy from its text form (see the type's documentation).
    ///
    /// Refuses, with an error naming the allowed values: an unknown name, a
    /// key the strategy does not have, a key given twice, parameters on a
    /// strategy that takes none, a number that is not a non-negative integer,
    /// a duration without a unit or outside 1ns...1s, `minPark > maxPark`.
    public init(parsing text: String) throws(IdleStrategyConfigurationError) {
        func fail(_ reason: String) -> IdleStrategyConfigurationError {
            IdleStrategyConfigurationError(input: text, reason: reason)
        }
        let compact = Substring(String(text.filter { !$0.isWhitespace }))
        guard !compact.isEmpty else { throw fail("empty text") }

        let name: String
        var parameters: [(key: String, value: Substring)]? = nil
        if let open = compact.firstIndex(of: "(") {
            guard compact.last == ")" else { throw fail("missing ')' at the end") }
            name = compact[..<open].lowercased()
            let inner = compact[compact.index(after: open)..<compact.index(before: compact.endIndex)]
            guard !inner.contains("("), !inner.contains(")") else { throw fail("unbalanced parentheses") }
            parameters = try Self.parseParameters(inner, fail: fail)
        } else {
            guard !compact.contains(")") else { throw fail("unbalanced parentheses") }
            name = compact.lowercased()
        }

        switch name {
        case "busy-spin", "yielding", "no-op":
            if let parameters, !parameters.isEmpty {
                throw fail("'\(name)' takes no parameters")
            }
            self = name == "busy-spin" ? .busySpin : name == "yielding" ? .yielding : .noOp
        case "backoff":
            self = try Self.parseBackoff(parameters ?? [], fail: fail)
        case "sleeping":
            self = try Self.parseSleeping(parameters ?? [], fail: fail)
        default:
            throw fail("unknown strategy '\(name)', expected one of "
                       + Self.allowedNames.joined(separator: ", "))
        }
    }

    private static func parseParameters(
        _ inner: Substring, fail: (String) -> IdleStrategyConfigurationError
    ) throws(IdleStrategyConfigurationError) -> [(key: String, value: Substring)] {
        if inner.isEmpty { return [] }
        var result: [(key: String, value: Substring)] = []
        for item in inner.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "=", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
                throw fail("parameter '\(item)' is not key=value")
            }
            let key = pieces[0].lowercased()
            if result.contains(where: { $0.key == key }) {
                throw fail("parameter '\(pieces[0])' given twice")
            }
            result.append((key, pieces[1]))
        }
        return result
    }

    private static func parseBackoff(
        _ parameters: [(key: String, value: Substring)],
        fail: (String) -> IdleStrategyConfigurationError
    ) throws(IdleStrategyConfigurationError) -> IdleStrategyConfiguration {
        var maxSpins = BackoffIdleStrategy.defaultMaxSpins
        var maxYields = BackoffIdleStrategy.defaultMaxYields
        var minParkNanos = BackoffIdleStrategy.defaultMinParkNanos
        var maxParkNanos = BackoffIdleStrategy.defaultMaxParkNanos
        for (key, value) in parameters {
            switch key {
            case "spins": maxSpins = try steps(value, key: "spins", fail: fail)
            case "yields": maxYields = try steps(value, key: "yields", fail: fail)
            case "minpark": minParkNanos = try duration(value, key: "minPark", fail: fail)
            case "maxpark": maxParkNanos = try duration(value, key: "maxPark", fail: fail)
            default:
                throw fail("unknown backoff key '\(key)', expected spins, yields, minPark, maxPark")
            }
        }
        guard minParkNanos <= maxParkNanos else {
            throw fail("minPark (\(DurationText.format(nanos: minParkNanos))) is greater than "
                       + "maxPark (\(DurationText.format(nanos: maxParkNanos)))")
        }
        return .backoff(maxSpins: maxSpins, maxYields: maxYields,
                        minParkNanos: minParkNanos, maxParkNanos: maxParkNanos)
    }

    private static func parseSleeping(
        _ parameters: [(key: String, value: Substring)],
        fail: (String) -> IdleStrategyConfigurationError
    ) throws(IdleStrategyConfigurationError) -> IdleStrategyConfiguration {
        var periodNanos = SleepingIdleStrategy.defaultPeriodNanos
        for (key, value) in parameters {
            guard key == "period" else {
                throw fail("unknown sleeping key '\(key)', expected period")
            }
            periodNanos = try duration(value, key: "period", fail: fail)
        }
        return .sleeping(periodNanos: periodNanos)
    }

    private static func steps(
        _ value: Substring, key: String, fail: (String) -> IdleStrategyConfigurationError
    ) throws(IdleStrategyConfigurationError) -> Int {
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(value),
              count <= limitBackoffSteps else {
            throw fail("\(key) must be an integer in 0...\(limitBackoffSteps), got '\(value)'")
        }
        return count
    }

    private static func duration(
        _ value: Substring, key: String, fail: (String) -> IdleStrategyConfigurationError
    ) throws(IdleStrategyConfigurationError) -> Int64 {
        guard let nanos = DurationText.parse(value) else {
            throw fail("\(key) must be an integer with a unit (ns, us, ms, s), got '\(value)'")
        }
        guard nanos >= 1, nanos <= BackoffIdleStrategy.limitParkNanos else {
            throw fail("\(key) must be in 1ns...1s, got '\(value)'")
        }
        return nanos
    }
}
