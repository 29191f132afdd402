/// A NUMA request that the machine or libnuma refused.
///
/// `description` says what was asked, why it failed, and what is available.
/// Threading: an immutable value; use it from any thread.
public struct NumaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `errno` of the failed call, when a system call failed.
    public let errorNumber: Int32?
    /// The whole explanation.
    public let message: String

    public init(message: String, errorNumber: Int32? = nil) {
        self.message = message
        self.errorNumber = errorNumber
    }

    public var description: String { message }
}
