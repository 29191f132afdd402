#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a `pthread_mutex_t`, for control-path state (a runner's
/// lifecycle), never for the duty cycle.
///
/// Why not `Synchronization.Mutex`: on Linux it is a futex inside the
/// uninstrumented Swift runtime, so ThreadSanitizer cannot see its
/// happens-before edges and reports the guarded value as racing. A pthread
/// mutex is intercepted by TSan, and costs the same here.
///
/// Invariant: `value` is only touched inside `withLock`; the mutex lives at a
/// stable heap address for the object's lifetime.
/// Threading: any thread; `withLock` must not be re-entered on one thread.
@usableFromInline
final class PthreadLocked<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    @usableFromInline
    init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed: errno \(result)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @usableFromInline
    func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
