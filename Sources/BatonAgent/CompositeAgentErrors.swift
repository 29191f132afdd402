/// Several errors thrown by the agents of a composite in one duty cycle.
///
/// Threading: an immutable value (its errors are whatever the agents threw).
public struct CompositeAgentErrors: Error, CustomStringConvertible {
    /// The errors in the order the agents ran.
    public let errors: [any Error]

    public init(errors: [any Error]) {
        self.errors = errors
    }

    public var description: String {
        "\(errors.count) agents failed: " + errors.map { "\($0)" }.joined(separator: "; ")
    }
}

/// Collects the errors of one composite duty cycle so every agent gets its
/// turn even when an earlier one threw. Allocates only when two or more
/// agents throw in the same cycle.
///
/// Rule for what is thrown at the end: an `AgentTermination` wins (the whole
/// thread stops; other errors of that cycle are dropped); else a single error
/// as is; else `CompositeAgentErrors`.
/// Threading: a local of one duty cycle.
@usableFromInline
struct CompositeErrorCollector {
    @usableFromInline var first: (any Error)?
    @usableFromInline var more: [any Error] = []
    @usableFromInline var termination: AgentTermination?

    @inlinable
    init() {}

    @usableFromInline
    mutating func add(_ error: any Error) {
        if let ending = error as? AgentTermination {
            if termination == nil { termination = ending }
        } else if first == nil {
            first = error
        } else {
            more.append(error)
        }
    }

    /// Throws what the cycle's errors amount to, if any.
    @usableFromInline
    func throwIfAny() throws {
        if let termination { throw termination }
        guard let first else { return }
        if more.isEmpty { throw first }
        throw CompositeAgentErrors(errors: [first] + more)
    }
}
