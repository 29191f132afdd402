import BatonRing
import CBatonSys
import Synchronization
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The public API both rings share, so every behaviour test runs against both.
protocol TestRing: AnyObject, Sendable {
    init(capacity: Int)
    init(memory: UnsafeMutableRawPointer, length: Int)
    static var isMultiProducer: Bool { get }
    var capacity: Int { get }
    var maxMessageLength: Int { get }
    var buffer: UnsafeMutableRawPointer { get }
    func payloadPointer(at index: Int) -> UnsafeMutableRawPointer
    func tryClaim(typeId: Int32, length: Int) throws(RingBufferError) -> Int?
    func commit(index: Int)
    func abort(index: Int)
    func write(typeId: Int32, source: UnsafeRawPointer, length: Int) throws(RingBufferError) -> Bool
    func read<E: Error>(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) throws(E) -> Void
    ) throws(E) -> Int
    func controlledRead(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) -> ControlledReadAction
    ) -> Int
    var size: Int { get }
    var producerPosition: Int64 { get }
    var consumerPosition: Int64 { get }
}

extension OneToOneRingBuffer: TestRing {
    static var isMultiProducer: Bool { false }
}

extension ManyToOneRingBuffer: TestRing {
    static var isMultiProducer: Bool { true }
}

/// Monotonic nanoseconds.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// A point in time after which a test gives up (and fails) instead of hanging.
struct Deadline: Sendable {
    let endNanos: UInt64

    init(seconds: Double) {
        endNanos = monotonicNanos() &+ UInt64(seconds * 1e9)
    }

    var hasPassed: Bool { monotonicNanos() > endNanos }
}

/// Spin with the CPU pause hint, then yield the core after `spinLimit`
/// fruitless attempts: on a 2-core box a busy producer and a busy consumer
/// (plus whatever else runs) must still make progress.
struct SpinThenYield {
    var fruitless = 0
    let spinLimit: Int

    init(spinLimit: Int = 64) {
        self.spinLimit = spinLimit
    }

    @inline(__always)
    mutating func idle() {
        fruitless &+= 1
        if fruitless < spinLimit {
            baton_cpu_pause()
        } else {
            sched_yield()
        }
    }

    @inline(__always)
    mutating func reset() { fruitless = 0 }
}

/// Message count for the stress tests: `BATON_STRESS_MESSAGES` or the default.
func stressMessageCount(default defaultCount: Int = 10_000_000) -> Int {
    if let raw = getenv("BATON_STRESS_MESSAGES"), let value = Int(String(cString: raw)), value > 0 {
        return value
    }
    return defaultCount
}

/// True when this machine has CPUs 0 and 1 online, so threads can be pinned.
func canPinTwoCPUs() -> Bool {
    baton_cpu_is_online(0) && baton_cpu_is_online(1)
}

private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A joinable OS thread, optionally pinned to one CPU (falls back to unpinned
/// when pinning is refused). Joined by `join()` or, at the latest, on deinit.
/// Start, join and release it from one thread (the test's).
final class TestThread {
    private let handle: pthread_t
    private var joined = false

    init(name: String, cpu: Int32 = -1, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(run: body)).toOpaque()
        var thread = pthread_t()
        let trampoline: baton_thread_body = { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        }
        var rc = name.withCString { baton_thread_start(&thread, trampoline, context, cpu, $0) }
        if rc != 0 && cpu >= 0 {
            rc = name.withCString { baton_thread_start(&thread, trampoline, context, -1, $0) }
        }
        precondition(rc == 0, "cannot start thread \(name): error \(rc)")
        handle = thread
    }

    func join() {
        if !joined {
            _ = baton_thread_join(handle)
            joined = true
        }
    }

    deinit {
        join()
    }
}

/// First failure seen by any thread of a multi-threaded test, plus a stop flag.
final class SharedOutcome: Sendable {
    let stop = Atomic<Bool>(false)
    /// A count a worker thread reports back (messages delivered, ...).
    let count = Atomic<Int>(0)
    private let firstFailure = Mutex<String?>(nil)

    func fail(_ message: String) {
        firstFailure.withLock { failure in
            if failure == nil { failure = message }
        }
        stop.store(true, ordering: .releasing)
    }

    var failure: String? { firstFailure.withLock { $0 } }
    var shouldStop: Bool { stop.load(ordering: .acquiring) }
}
