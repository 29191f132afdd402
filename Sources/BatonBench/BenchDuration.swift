/// Durations on the bench command line: a number with an optional unit —
/// `ns`, `us`/`µs`, `ms`, `s` (the default: `10` is ten seconds), `m`, `h` —
/// decimals allowed (`2.5s`, `0.5m`).
///
/// Stateless; any thread.
public enum BenchDuration {
    static let units: [(suffix: String, nanos: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3_600e9),
    ]

    /// The nanoseconds `text` denotes, or nil (negative, malformed, or over a year).
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.filter { $0 != " " }
        var number = Substring(trimmed)
        var scale = 1e9
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            scale = unit.nanos
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number), value >= 0 else { return nil }
        let nanos = (value * scale).rounded()
        guard nanos <= 365 * 86_400e9 else { return nil }
        return Int64(nanos)
    }

    /// Seconds as text: "10s", "2.5s", "250ms".
    public static func format(nanos: Int64) -> String {
        if nanos % 1_000_000_000 == 0 { return "\(nanos / 1_000_000_000)s" }
        if nanos >= 1_000_000_000 { return DecimalText.fixed(Double(nanos) / 1e9, 3) + "s" }
        if nanos % 1_000_000 == 0 { return "\(nanos / 1_000_000)ms" }
        return "\(nanos)ns"
    }
}
