/// What a new agent thread runs: the one object handed across
/// `pthread_create` through `Unmanaged` (retained by `AgentRunner.start()`,
/// released by the thread after `body` returns).
///
/// `body` is built in `AgentRunner.init`, which is `@inlinable`, so it is
/// specialized for the concrete agent and idle strategy in the module that
/// creates the runner: the duty-cycle loop it calls is static code, not a
/// generic one.
///
/// Invariant: immutable. Threading: created on the owner's thread, run on the
/// agent's thread.
@usableFromInline
final class AgentThreadEntry: Sendable {
    @usableFromInline let body: @Sendable () -> Void

    @inlinable
    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }
}

/// The C entry point of every agent thread (`baton_thread_body`).
func agentThreadMain(_ context: UnsafeMutableRawPointer?) {
    guard let context else { preconditionFailure("agent thread started without its entry") }
    let entry = Unmanaged<AgentThreadEntry>.fromOpaque(context).takeRetainedValue()
    entry.body()
}
