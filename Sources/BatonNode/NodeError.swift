import BatonNet
import Glibc

/// Errors of setting up or running a node, each naming what and where.
public enum NodeError: Error, CustomStringConvertible {
    case io(operation: String, path: String, errno: Int32)
    case corruptCounters(path: String, reason: String)
    case configuration(key: String, reason: String)
    case startup(String)
    /// The replication endpoint could not be bound at `address`; `underlying`
    /// is the environment's error (a `NetError` on a machine), kept so a caller
    /// can tell address-in-use from other failures without reading text.
    case replicationBind(address: IPv4SocketAddress, underlying: any Error)

    public var description: String {
        switch self {
        case let .io(operation, path, code):
            return "cannot \(operation) '\(path)': \(String(cString: strerror(code))) (errno \(code))"
        case let .corruptCounters(path, reason):
            return "counters file '\(path)': \(reason)"
        case let .configuration(key, reason):
            return "configuration '\(key)': \(reason)"
        case let .startup(text):
            return "node start-up failed: \(text)"
        case let .replicationBind(address, underlying):
            return "node start-up failed: replication address \(address): \(underlying)"
        }
    }
}
