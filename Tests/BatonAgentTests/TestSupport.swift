import BatonAgent
import CBatonSys
import Foundation
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Test doubles and helpers shared by the BatonAgent tests. Everything here is
/// `Sendable` so a test can keep watching an agent it handed to a runner.

/// A value behind a lock, for recording what happened on an agent thread.
/// `NSLock` (a pthread mutex), not `Mutex`: ThreadSanitizer sees through it.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: Value
    init(_ initial: Value) { storage = initial }
    var value: Value { lock.withLock { storage } }
    func update(_ body: @Sendable (inout Value) -> Void) { lock.withLock { body(&storage) } }
}

struct TestFailure: Error, Equatable, CustomStringConvertible {
    let text: String
    var description: String { "test failure: \(text)" }
}

/// An agent whose `doWork` is a closure of the cycle number (1, 2, ...) and
/// which counts and logs its calls.
final class ProbeAgent: Agent, Sendable {
    let roleName: String
    let work: @Sendable (Int) throws -> Int
    let startError: TestFailure?
    let events: Recorder<[String]>?

    let onStartCalls = Atomic<Int>(0)
    let doWorkCalls = Atomic<Int>(0)
    let onCloseCalls = Atomic<Int>(0)
    let onStartThreadID = Atomic<Int>(0)
    let onCloseThreadID = Atomic<Int>(0)

    init(_ roleName: String, startError: TestFailure? = nil, events: Recorder<[String]>? = nil,
         work: @escaping @Sendable (Int) throws -> Int = { _ in 0 }) {
        self.roleName = roleName
        self.work = work
        self.startError = startError
        self.events = events
    }

    func onStart() throws {
        onStartCalls.wrappingAdd(1, ordering: .sequentiallyConsistent)
        onStartThreadID.store(Int(baton_gettid()), ordering: .sequentiallyConsistent)
        let name = roleName
        events?.update { $0.append("start:\(name)") }
        if let startError { throw startError }
    }

    func doWork() throws -> Int {
        let cycle = doWorkCalls.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        return try work(cycle)
    }

    func onClose() {
        onCloseThreadID.store(Int(baton_gettid()), ordering: .sequentiallyConsistent)
        let name = roleName
        events?.update { $0.append("close:\(name)") }
        onCloseCalls.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    var starts: Int { onStartCalls.load(ordering: .sequentiallyConsistent) }
    var cycles: Int { doWorkCalls.load(ordering: .sequentiallyConsistent) }
    var closes: Int { onCloseCalls.load(ordering: .sequentiallyConsistent) }
}

/// Nanoseconds on the monotonic clock.
func monotonicNanos() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// Polls `condition` until it holds or `seconds` pass; true if it held.
/// A deadline, not a sleep: returns as soon as the condition is seen.
@discardableResult
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = monotonicNanos() + Int64(seconds * 1e9)
    while !condition() {
        if monotonicNanos() > deadline { return condition() }
        var pause = timespec(tv_sec: 0, tv_nsec: 50_000)
        nanosleep(&pause, nil)
    }
    return true
}

/// Wall time spent in `body`, in nanoseconds.
func measureNanos(_ body: () -> Void) -> Int64 {
    let start = monotonicNanos()
    body()
    return monotonicNanos() - start
}

/// Voluntary context switches of the calling thread so far (`getrusage`,
/// RUSAGE_THREAD): a thread that sleeps or blocks switches voluntarily; one
/// that spins, pauses or yields does not (being preempted on a busy machine
/// counts as involuntary). So "never sleeps" is tested by this count, not by
/// how long the loop took, which depends on how busy the machine is.
func voluntarySwitches() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD (a GNU extension the Glibc module does not import)
    return usage.ru_nvcsw
}

/// Voluntary context switches made while running `body`.
func voluntarySwitches(during body: () -> Void) -> Int {
    let before = voluntarySwitches()
    body()
    return voluntarySwitches() - before
}

/// Sleeps the calling (test) thread for a measured interval.
func sleepForMeasurement(nanos: Int64) {
    let deadline = monotonicNanos() + nanos
    while true {
        let remaining = deadline - monotonicNanos()
        if remaining <= 0 { return }
        var request = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
        nanosleep(&request, nil)
    }
}
