/// A harness failure that ends a run: bad settings, a target that failed,
/// a file that could not be written. The message names what and why.
/// A plain value: `Sendable`.
public struct BenchError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
