import BatonClient
import BatonNet
import BatonTestSupport
import Glibc
import XCTest
#if canImport(CMallocCounter)
import CMallocCounter
#endif

/// Polls `condition` (checking it between 1 ms waits) until it holds or the
/// deadline passes; throws if it never held. A deadline, not a sleep: it
/// returns as soon as the condition is seen.
func waitUntil(_ what: String, seconds: Int = 10, _ condition: () throws -> Bool) throws {
    let deadline = Deadline(seconds: seconds)
    while !(try condition()) {
        if deadline.hasPassed { throw TestFailure("timed out waiting until \(what)") }
        usleep(1_000)
    }
}

/// Polls the publisher (waiting for I/O between empty rounds) until `condition` holds.
func pump(_ publisher: Publisher, until what: String, seconds: Int = 10, _ condition: () -> Bool) throws {
    let deadline = Deadline(seconds: seconds)
    while !condition() {
        if deadline.hasPassed { throw TestFailure("timed out polling the publisher until \(what)") }
        if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(5)) }
    }
}

/// Polls the publisher (waiting for I/O between empty rounds) until a poll
/// throws; returns that error, or nil when the deadline passed first.
func pollUntilFailure(_ publisher: Publisher, seconds: Int = 10) -> BatonClientError? {
    let deadline = Deadline(seconds: seconds)
    while !deadline.hasPassed {
        do {
            if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(5)) }
        } catch {
            return error
        }
    }
    return nil
}

/// Polls the subscriber until `count` messages arrived; returns their copies.
func receive(_ subscriber: Subscriber, count: Int, limit: Int = Int.max, seconds: Int = 10) throws -> [Message] {
    var messages: [Message] = []
    let deadline = Deadline(seconds: seconds)
    while messages.count < count {
        if deadline.hasPassed { throw TestFailure("received \(messages.count) of \(count) messages before the deadline") }
        let n = try subscriber.poll(limit: min(limit, count - messages.count)) { messages.append(Message($0)) }
        if n == 0 { subscriber.waitForData(timeout: .milliseconds(5)) }
    }
    return messages
}

/// Options for clients of the fake server: short timeouts.
func testConnectionOptions() -> ConnectionOptions {
    var options = ConnectionOptions()
    options.connectTimeout = .seconds(2)
    options.handshakeTimeout = .seconds(2)
    options.serverSilenceTimeout = .seconds(10)
    return options
}

/// `baton_malloc_count_thread` from the CMallocCounter test library: called
/// directly when the module is visible to this target, else looked up at run
/// time (found only when the test binary exports it). Nil when neither works
/// or the interposer is inactive (sanitizer builds): allocation tests skip.
func mallocCounter() -> (@convention(c) () -> UInt64)? {
    #if canImport(CMallocCounter)
    guard baton_malloc_counter_active() != 0 else { return nil }
    return baton_malloc_count_thread
    #else
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "baton_malloc_count_thread") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
    #endif
}

/// Why the allocation tests skip when `mallocCounter()` is nil.
let mallocCounterMissing = "CMallocCounter is not visible to BatonClientTests (list it in the target's dependencies)"
