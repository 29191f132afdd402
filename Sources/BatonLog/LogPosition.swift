/// Identifies one replicated log. One log per cluster today; the type exists so
/// several logs (partitions, each its own chain) per node can come later
/// without changing every signature.
public struct LogId: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// The single log of a cluster.
    public static let main = LogId(0)
    public var description: String { "log-\(rawValue)" }
}
