/// What a failure detector believes about one member.
///
/// Invariant: `since` is the detector's time (monotonic nanoseconds) of the
/// tick that made the change; it only moves forward for one member.
/// Threading: a plain value.
public enum MemberLiveness: Equatable, Sendable {
    /// Heard from (directly or through a helper) within the suspicion time.
    case alive
    /// Silent for the suspicion time; other members are being asked to probe it.
    case suspected(since: Int64)
    /// Still silent `confirmAfterNanos` after the suspicion, directly and through every helper asked.
    case failed(since: Int64)
}
