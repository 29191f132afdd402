import BatonCodec
import BatonProtocol

/// Why a client operation failed. Every case carries the numbers and text a
/// log line needs; `description` spells the problem out.
///
/// Invariant: a plain value (`Sendable`), thrown with typed throws so a
/// failure never boxes an existential; creating one is off the hot path.
public enum BatonClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The broker sent an Error message: its code, the producer or
    /// subscription it concerns (`relatedId`, 0 if none) and its text.
    case server(code: ClientErrorCode, relatedId: UInt64, text: String)
    /// The TCP connection could not be made (nothing listening, timeout).
    case connectFailed(address: String, reason: String)
    /// The connection ended: the broker closed or reset it, or a socket call failed.
    case connectionLost(reason: String)
    /// An operation did not finish within its time limit.
    case timedOut(operation: String, millis: Int64)
    /// The broker sent something the protocol does not allow (malformed or unexpected).
    case protocolViolation(String)
    /// A delivered log frame failed its check (length, version, CRC32C or position).
    case badFrame(position: Int64, check: FrameCheck)
    /// The publisher or subscriber was closed by its owner.
    case closed
    /// A configuration value or argument is out of range.
    case invalidArgument(String)

    /// The error code when the broker sent an Error.
    public var serverCode: ClientErrorCode? {
        if case .server(let code, _, _) = self { return code }
        return nil
    }

    /// True when connecting again (and resending, or resubscribing from
    /// `nextPosition`) can succeed: a lost connection, a timeout, a broker
    /// that is stopping or timed the session out, or a non-fatal broker
    /// condition. False for errors that a retry would only repeat (a
    /// malformed request, a sequence gap, a bad frame, a bad argument).
    public var isRetryable: Bool {
        switch self {
        case .connectFailed, .connectionLost, .timedOut:
            return true
        case .server(let code, _, _):
            switch code {
            case .sessionTimeout, .shuttingDown, .backPressure, .subscriberTooSlow, .notLeader, .notEnoughReplicas:
                return true
            default:
                return false
            }
        case .protocolViolation, .badFrame, .closed, .invalidArgument:
            return false
        }
    }

    public var description: String {
        switch self {
        case let .server(code, relatedId, text):
            let fatal = code.isFatal ? "fatal " : ""
            let related = relatedId == 0 ? "" : " (id \(relatedId))"
            return "broker \(fatal)error \(code) [\(code.rawValue)]\(related): \(text)"
        case let .connectFailed(address, reason):
            return "cannot connect to broker at \(address): \(reason)"
        case let .connectionLost(reason):
            return "connection to the broker lost: \(reason)"
        case let .timedOut(operation, millis):
            return "timed out after \(millis) ms \(operation)"
        case let .protocolViolation(text):
            return "protocol violation by the broker: \(text)"
        case let .badFrame(position, check):
            return "delivered frame at position \(position) is invalid: \(check)"
        case .closed:
            return "closed by its owner"
        case let .invalidArgument(text):
            return "invalid argument: \(text)"
        }
    }
}
