/// Why a text could not be read as an `IdleStrategyConfiguration`.
///
/// `description` quotes the input, says what is wrong, and lists the
/// allowed forms, so it can be shown to an operator as is.
/// Threading: an immutable value; use it from any thread.
public struct IdleStrategyConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was refused, as given.
    public let input: String
    /// What is wrong with it (names the allowed values or keys where it helps).
    public let reason: String

    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        "invalid idle strategy '\(input)': \(reason); allowed: \(IdleStrategyConfiguration.allowedForms)"
    }
}
