#if canImport(Glibc)
import Glibc
#endif

/// The text of an HdrHistogram interval log (`.hlog`), laid out as
/// HdrHistogram's `HistogramLogWriter` writes it, so its `HistogramLogReader`,
/// `HistogramLogProcessor` and the Python `hdrh.log` reader can read it:
///
/// ```
/// #[<comment>]
/// #[Histogram log format version 1.3]
/// #[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
/// #[BaseTime: 1700000000.123 (seconds since epoch)]
/// "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
/// 0.000,1.000,0.734,HISTFAAAA...
/// Tag=delivery,0.000,1.000,1.021,HISTFAAAA...
/// ```
///
/// Interval start times are relative to the base time; `Interval_Max` is
/// the interval's largest value divided by `maxValueUnitRatio` (1,000,000:
/// nanoseconds shown as milliseconds, the references' default).
///
/// Invariant: `text` is the header followed by one line per appended entry.
/// A value type used by one thread.
public struct HistogramLogWriter {
    public static let formatVersion = "1.3"
    public static let legend = "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
    public private(set) var text: String
    public let maxValueUnitRatio: Double

    /// Starts a log whose start and base time is `baseWallNanos` (nanoseconds since 1970).
    public init(baseWallNanos: Int64, comment: String? = nil, maxValueUnitRatio: Double = 1_000_000) {
        self.maxValueUnitRatio = maxValueUnitRatio
        let seconds = DecimalText.fixed(Double(baseWallNanos / 1_000_000) / 1_000, 3)
        var text = ""
        if let comment { text += "#[\(comment)]\n" }
        text += "#[Histogram log format version \(Self.formatVersion)]\n"
        text += "#[StartTime: \(seconds) (seconds since epoch), \(Self.dateText(wallNanos: baseWallNanos))]\n"
        text += "#[BaseTime: \(seconds) (seconds since epoch)]\n"
        text += Self.legend + "\n"
        self.text = text
    }

    /// Appends one interval line.
    public mutating func append(_ entry: HistogramLogEntry) {
        if let tag = entry.tag { text += "Tag=\(tag)," }
        text += DecimalText.fixed(entry.startSeconds, 3) + ","
        text += DecimalText.fixed(entry.lengthSeconds, 3) + ","
        text += DecimalText.fixed(Double(entry.maxValue) / maxValueUnitRatio, 3) + ","
        text += entry.encodedHistogram + "\n"
    }

    /// The date as Java's `Date.toString()` prints it ("Tue Nov 14 22:13:20 UTC 2023"), in local time.
    static func dateText(wallNanos: Int64) -> String {
        var seconds = time_t(wallNanos / 1_000_000_000)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%a %b %d %H:%M:%S %Z %Y", &parts)
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
