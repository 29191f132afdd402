import BatonReplication
/// One thing that happened in a simulated run, for the trace (and its hash)
/// and the last events shown when a seed fails. Plain values: cheap to record.
public enum SimulationEvent: Sendable, Equatable {
    case started(member: Int, durable: Int64)
    case crashed(member: Int, durable: Int64, tornWrites: Int, lostWrites: Int)
    case paused(member: Int, forNanos: Int64)
    case resumed(member: Int)
    case partitioned(from: Int, to: Int)
    case healed
    case isolated(member: Int)
    case clockJump(member: Int, wallNanos: Int64, monotonicNanos: Int64)
    case diskFaults(member: Int, enabled: Bool)
    case corruptedByte(member: Int, offset: Int)
    case repaired(member: Int, from: Int64)
    case faultsStopped
    case connected(producerId: UInt64, member: Int)
    case acked(member: Int, producerId: UInt64, sequence: UInt64, endPosition: Int64)
    case refused(member: Int, producerId: UInt64, code: UInt16)
    case delivered(member: Int, from: Int64, to: Int64, frames: Int)
    case committed(member: Int, position: Int64)
    case leadership(member: Int, state: Int64)
    case agentError(member: Int, text: String)
    case restartFailed(member: Int, text: String)
    case named(member: Int, name: String)
    case networkFaults(enabled: Bool)
    case scriptGaveUp(step: Int)
    case transferAsked(member: Int, target: Int?)
    /// The operator asked configuration leader `member` to add (or remove) member `subject`.
    case membershipChangeAsked(member: Int, subject: Int, add: Bool)
    /// A member applied a chain configuration (failover): its epoch and role code there.
    case reconfigured(member: Int, epoch: Int64, role: Int64)

    /// The member the event concerns, if one.
    public var member: Int? {
        switch self {
        case let .started(m, _), let .crashed(m, _, _, _), let .paused(m, _), let .resumed(m), let .isolated(m),
             let .clockJump(m, _, _), let .diskFaults(m, _), let .corruptedByte(m, _), let .repaired(m, _), let .connected(_, m),
             let .acked(m, _, _, _), let .refused(m, _, _), let .delivered(m, _, _, _), let .committed(m, _),
             let .leadership(m, _), let .agentError(m, _), let .restartFailed(m, _), let .named(m, _),
             let .transferAsked(m, _), let .reconfigured(m, _, _), let .membershipChangeAsked(m, _, _):
            return m
        case .partitioned, .healed, .faultsStopped, .networkFaults, .scriptGaveUp:
            return nil
        }
    }

    public var text: String {
        switch self {
        case let .started(m, durable): return "member \(m) started (log recovered to \(durable))"
        case let .crashed(m, durable, torn, lost): return "member \(m) crashed, durable to \(durable) (unsynced writes: \(lost) lost, \(torn) torn)"
        case let .paused(m, nanos): return "member \(m) paused for \(nanos / 1000) us"
        case let .resumed(m): return "member \(m) resumed"
        case let .partitioned(from, to): return "link \(from) -> \(to) cut"
        case .healed: return "every link healed"
        case let .isolated(m): return "member \(m) cut off from everyone"
        case let .clockJump(m, wall, mono): return "member \(m) clock jumped: wall \(wall / 1000) us, monotonic +\(mono / 1000) us"
        case let .diskFaults(m, on): return "member \(m) disk faults \(on ? "on" : "off")"
        case let .corruptedByte(m, offset): return "member \(m) synced segment byte \(offset) corrupted"
        case let .repaired(m, from): return "member \(m) recovery cut a corrupt durable frame at \(from): fetching the rest again from the chain"
        case .faultsStopped: return "faults stopped: healing"
        case let .connected(p, m): return "producer \(p) connected to member \(m)"
        case let .acked(m, p, s, end): return "member \(m) acked producer \(p) through \(s) (end \(end))"
        case let .refused(m, p, code): return "member \(m) refused producer \(p) (code \(code))"
        case let .delivered(m, from, to, frames): return "member \(m) delivered \(frames) frames [\(from), \(to))"
        case let .committed(m, position): return "member \(m) commit \(position)"
        case let .leadership(m, state): return "member \(m) leadership \(state)"
        case let .reconfigured(m, epoch, role):
            return "member \(m) in epoch \(epoch) as \(ChainRole(code: role).map(\.rawValue) ?? "role \(role)")"
        case let .agentError(m, text): return "member \(m) agent error: \(text)"
        case let .restartFailed(m, text): return "member \(m) could not restart: \(text)"
        case let .membershipChangeAsked(m, subject, add):
            return "member \(m) asked to \(add ? "add back" : "remove") member \(subject)"
        case let .transferAsked(m, target): return "member \(m) asked to hand leadership to \(target.map { "member \($0)" } ?? "its best follower")"
        case let .named(m, name): return "script: member \(m) is \(name)"
        case let .networkFaults(on): return "script: network faults \(on ? "on" : "off")"
        case let .scriptGaveUp(step): return "script: step \(step + 1)'s condition did not hold in time; the script ends"
        }
    }
}
