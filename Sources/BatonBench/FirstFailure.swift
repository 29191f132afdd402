import Synchronization

/// The first failure any worker thread reported (later ones are dropped:
/// they are usually consequences). Threading: any thread; a mutex, used
/// only on the failure path and by the sampler's checks.
public final class FirstFailure: Sendable {
    private let text = Mutex<String?>(nil)

    public init() {}

    public func report(_ message: String) {
        text.withLock { if $0 == nil { $0 = message } }
    }

    public var message: String? { text.withLock { $0 } }
}
