/// Durations in configuration text: an integer followed by a unit
/// (`ns`, `us` or `µs`, `ms`, `s`), e.g. `1us`, `250ms`.
///
/// Threading: pure functions; call from any thread.
enum DurationText {
    static let units: [(suffix: String, nanos: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
    ]

    /// The number of nanoseconds `text` denotes, or nil when it is not an
    /// integer with a known unit or overflows.
    static func parse(_ text: Substring) -> Int64? {
        // Longest suffix first so `ms` is not read as `s`.
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where text.hasSuffix(unit.suffix) {
            let digits = text.dropLast(unit.suffix.count)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int64(digits) else { return nil }
            let (nanos, overflow) = value.multipliedReportingOverflow(by: unit.nanos)
            return overflow ? nil : nanos
        }
        return nil
    }

    /// The shortest exact text: the largest unit that divides `nanos`.
    static func format(nanos: Int64) -> String {
        if nanos != 0 {
            for (suffix, unitNanos) in [("s", Int64(1_000_000_000)), ("ms", 1_000_000), ("us", 1_000)]
            where nanos % unitNanos == 0 {
                return "\(nanos / unitNanos)\(suffix)"
            }
        }
        return "\(nanos)ns"
    }
}
