/// Which idle strategy an agent's thread uses, as written in a tuning file:
/// an immutable description, parsed from and printed to text.
///
/// Text forms (names and keys are case-insensitive, spaces are ignored,
/// durations need a unit: `ns`, `us`, `ms` or `s`):
///
///     busy-spin
///     yielding
///     backoff                                   // Agrona's defaults
///     backoff(spins=10,yields=5,minPark=1us,maxPark=1ms)   // any subset of keys
///     sleeping                                  // 1 µs
///     sleeping(period=100us)
///     no-op
///
/// `description` prints the canonical form, which parses back to an equal value.
/// `makeStrategy()` gives the runtime strategy (`ConfiguredIdleStrategy`), so
/// a runner chosen at run time is still `AgentRunner<A, ConfiguredIdleStrategy>`:
/// generic, with one `switch` per idle step instead of an existential call.
///
/// Invariant: every value satisfies its strategy's preconditions (the parser
/// and `init(validating:)` refuse anything else).
/// Threading: an immutable value; use it from any thread.
public enum IdleStrategyConfiguration: Sendable, Equatable, Hashable, CustomStringConvertible {
    case busySpin
    case yielding
    case backoff(maxSpins: Int, maxYields: Int, minParkNanos: Int64, maxParkNanos: Int64)
    case sleeping(periodNanos: Int64)
    case noOp

    /// `backoff` with Agrona's defaults.
    public static let defaultBackoff = IdleStrategyConfiguration.backoff(
        maxSpins: BackoffIdleStrategy.defaultMaxSpins,
        maxYields: BackoffIdleStrategy.defaultMaxYields,
        minParkNanos: BackoffIdleStrategy.defaultMinParkNanos,
        maxParkNanos: BackoffIdleStrategy.defaultMaxParkNanos)

    /// The strategy names the parser accepts, in the order they are listed in errors.
    public static let allowedNames = ["busy-spin", "yielding", "backoff", "sleeping", "no-op"]

    /// Every accepted form, for error messages and `--help` texts.
    public static let allowedForms =
        "busy-spin | yielding | backoff[(spins=N,yields=N,minPark=DURATION,maxPark=DURATION)]"
        + " | sleeping[(period=DURATION)] | no-op  (DURATION: integer + ns|us|ms|s)"

    /// The strategy's name, as in `allowedNames`.
    public var name: String {
        switch self {
        case .busySpin: return "busy-spin"
        case .yielding: return "yielding"
        case .backoff: return "backoff"
        case .sleeping: return "sleeping"
        case .noOp: return "no-op"
        }
    }

    /// The canonical text form; `IdleStrategyConfiguration(parsing:)` reads it back.
    public var description: String {
        switch self {
        case .busySpin, .yielding, .noOp:
            return name
        case let .backoff(maxSpins, maxYields, minParkNanos, maxParkNanos):
            return "backoff(spins=\(maxSpins),yields=\(maxYields),"
                + "minPark=\(DurationText.format(nanos: minParkNanos)),"
                + "maxPark=\(DurationText.format(nanos: maxParkNanos)))"
        case let .sleeping(periodNanos):
            return "sleeping(period=\(DurationText.format(nanos: periodNanos)))"
        }
    }

    /// The runtime strategy this configuration describes, in its initial state.
    public func makeStrategy() -> ConfiguredIdleStrategy {
        switch self {
        case .busySpin:
            return .busySpin(BusySpinIdleStrategy())
        case .yielding:
            return .yielding(YieldingIdleStrategy())
        case let .backoff(maxSpins, maxYields, minParkNanos, maxParkNanos):
            return .backoff(BackoffIdleStrategy(maxSpins: maxSpins, maxYields: maxYields,
                                                minParkNanos: minParkNanos,
                                                maxParkNanos: maxParkNanos))
        case let .sleeping(periodNanos):
            return .sleeping(SleepingIdleStrategy(periodNanos: periodNanos))
        case .noOp:
            return .noOp(NoOpIdleStrategy())
        }
    }
}
