#if canImport(Glibc)
import Glibc
#endif

/// A plain OS thread for the harness's own work (the interval reporter,
/// throughput publishers and subscribers): not a Swift concurrency task,
/// so a busy loop never starves an executor. The body is handed over as a
/// retained box through `Unmanaged`, the one place a closure crosses.
///
/// Invariant: `join()` or `detach()` exactly once per started thread (a type rule: both consume). Threading: start
/// and join from the same owner thread.
public struct BenchThread: ~Copyable {
    let handle: pthread_t

    final class Body: @unchecked Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts a thread running `body`.
    public init(_ body: @escaping @Sendable () -> Void) throws(BenchError) {
        handle = try Self.spawn(body)
    }

    /// Waits for the thread to end.
    public consuming func join() {
        pthread_join(handle, nil)
    }

    /// Lets the thread run on unjoined (its resources are freed when it ends).
    public consuming func detach() {
        pthread_detach(handle)
    }

    static func spawn(_ body: @escaping @Sendable () -> Void) throws(BenchError) -> pthread_t {
        var handle = pthread_t()
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        let result = pthread_create(&handle, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            throw BenchError("pthread_create failed with error \(result)")
        }
        return handle
    }
}

/// Several `BenchThread`s joined together. Invariant: `joinAll()` joins each
/// started thread exactly once. Threading: the owner thread only.
public struct BenchThreadGroup: ~Copyable {
    var handles: [pthread_t] = []

    public init() {}

    /// Starts one more thread running `body`.
    public mutating func start(_ body: @escaping @Sendable () -> Void) throws(BenchError) {
        handles.append(try BenchThread.spawn(body))
    }

    /// Waits for every thread started (in the order started).
    public mutating func joinAll() {
        for handle in handles { pthread_join(handle, nil) }
        handles.removeAll()
    }
}
