/// One interval line of an HdrHistogram log: an optional tag, when the
/// interval started (seconds after the log's base time), how long it
/// lasted, its largest value, and the histogram (compressed V2, base64).
///
/// A plain value: `Sendable`.
public struct HistogramLogEntry: Equatable, Sendable {
    /// nil for the log's untagged series; otherwise no commas or white space.
    public var tag: String?
    public var startSeconds: Double
    public var lengthSeconds: Double
    /// The interval's largest value in the histogram's own unit (nanoseconds here),
    /// at histogram precision (its highest equivalent value).
    public var maxValue: UInt64
    public var encodedHistogram: String

    public init(tag: String?, startSeconds: Double, lengthSeconds: Double, maxValue: UInt64, encodedHistogram: String) {
        precondition(tag.map { !$0.contains(",") && !$0.contains(" ") && !$0.isEmpty } ?? true,
                     "a histogram log tag has no commas or spaces")
        self.tag = tag
        self.startSeconds = startSeconds
        self.lengthSeconds = lengthSeconds
        self.maxValue = maxValue
        self.encodedHistogram = encodedHistogram
    }
}
