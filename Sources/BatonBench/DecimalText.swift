/// Number formatting without Foundation: fixed decimals and digit grouping.
///
/// Stateless; any thread.
public enum DecimalText {
    /// `value` rounded to `digits` decimals (`fixed(1.25, 1)` is "1.3";
    /// "nan"/"inf"/"-inf" for non-finite values).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        precondition(digits >= 0 && digits <= 9, "fixed: 0 to 9 decimals, not \(digits)")
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard scaled < 9.0e18 else { return "\(value)" }
        let units = Int64(scaled)
        var text = value < 0 && units != 0 ? "-" : ""
        text += String(units / scale)
        if digits > 0 {
            let fraction = String(units % scale)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// `value` with a comma every three digits: `1234567` is "1,234,567".
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    /// Nanoseconds as microseconds with one decimal ("123.4").
    public static func micros(_ nanos: UInt64) -> String {
        fixed(Double(nanos) / 1_000, 1)
    }

    /// A latency in the unit that reads best: "850 ns", "123.4 µs", "12.35 ms", "1.235 s".
    public static func latency(_ nanos: UInt64) -> String {
        let value = Double(nanos)
        if nanos < 1_000 { return "\(nanos) ns" }
        if nanos < 1_000_000 { return fixed(value / 1e3, 1) + " µs" }
        if nanos < 1_000_000_000 { return fixed(value / 1e6, 2) + " ms" }
        return fixed(value / 1e9, 3) + " s"
    }
}
