/// Reads the text of an HdrHistogram interval log back into its entries and
/// times (for tests and tools; the Python `hdrh.log` reader is the external
/// check). Comment lines other than StartTime and BaseTime, blank lines and
/// the legend are skipped.
///
/// A value type; any thread.
public struct HistogramLogReader {
    /// Seconds since 1970 from `#[StartTime: ...]`, if present.
    public private(set) var startTimeSeconds: Double?
    /// Seconds since 1970 from `#[BaseTime: ...]`, if present.
    public private(set) var baseTimeSeconds: Double?
    public private(set) var entries: [HistogramLogEntry] = []

    public init(text: String) throws(HistogramCodecError) {
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            if line.hasPrefix("#[StartTime: ") {
                startTimeSeconds = Self.leadingNumber(line.dropFirst("#[StartTime: ".count))
                continue
            }
            if line.hasPrefix("#[BaseTime: ") {
                baseTimeSeconds = Self.leadingNumber(line.dropFirst("#[BaseTime: ".count))
                continue
            }
            if line.hasPrefix("#") || line.hasPrefix("\"StartTimestamp\"") { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false)
            var tag: String?
            if let first = fields.first, first.hasPrefix("Tag=") {
                tag = String(first.dropFirst(4))
                fields.removeFirst()
            }
            guard fields.count == 4, let start = Double(fields[0]), let length = Double(fields[1]),
                  Double(fields[2]) != nil, !fields[3].isEmpty else {
                throw .badLogLine(line: lineNumber, text: String(line.prefix(80)))
            }
            let histogram = try HistogramV2.decodeCompressedBase64(fields[3])
            entries.append(HistogramLogEntry(tag: tag, startSeconds: start, lengthSeconds: length,
                                             maxValue: histogram.max, encodedHistogram: String(fields[3])))
        }
    }

    /// The interval-max column of each line, as written (for checks against the histograms).
    public static func maxColumn(of text: String) -> [Double] {
        text.split(separator: "\n").compactMap { line -> Double? in
            if line.hasPrefix("#") || line.hasPrefix("\"") { return nil }
            var fields = line.split(separator: ",")
            if fields.first?.hasPrefix("Tag=") == true { fields.removeFirst() }
            return fields.count == 4 ? Double(fields[2]) : nil
        }
    }

    static func leadingNumber(_ text: Substring) -> Double? {
        Double(text.prefix { $0.isNumber || $0 == "." })
    }
}
