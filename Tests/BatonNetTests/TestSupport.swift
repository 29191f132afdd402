import BatonNet
import BatonTestSupport
import Glibc
import XCTest
#if canImport(CMallocCounter)
import CMallocCounter
#endif

/// Byte `offset` of a deterministic test stream.
@inline(__always)
func patternByte(_ offset: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: (offset &* 2_654_435_761) >> 13 ^ offset)
}

func patternBytes(count: Int, from start: Int = 0) -> [UInt8] {
    (0..<count).map { patternByte(start + $0) }
}

/// A listener on an ephemeral loopback port, a client connected to it, and the
/// server side accepted once epoll reports the listener readable.
struct TCPPair {
    let listener: TCPListener
    let client: TCPConnection
    let server: TCPConnection

    static func make(file: StaticString = #filePath, line: UInt = #line) throws -> TCPPair {
        let listener = try TCPListener.listen(on: .loopback())
        let port = try listener.localAddress().port
        XCTAssertNotEqual(port, 0, "ephemeral port read back", file: file, line: line)
        let client = try TCPConnection.connect(to: .loopback(port: port), timeoutMillis: 2_000)
        var epoll = try EPoll(eventCapacity: 4)
        try epoll.add(listener.descriptor, interest: .readable, token: 7)
        let deadline = Deadline(seconds: 5)
        while !deadline.hasPassed {
            guard try epoll.wait(timeoutMillis: deadline.millisLeft()) > 0 else { continue }
            XCTAssertEqual(epoll[ready: 0].token, 7, file: file, line: line)
            if let (server, peer) = try listener.accept() {
                XCTAssertEqual(peer, try client.localAddress(), "accept reports the client's address", file: file, line: line)
                return TCPPair(listener: listener, client: client, server: server)
            }
        }
        listener.close()
        client.close()
        throw TestFailure("accept did not happen within the deadline")
    }

    func close() {
        client.close()
        server.close()
        listener.close()
    }
}

/// Reads from `connection` into `sink` until `count` bytes arrived or the
/// deadline passed, waiting for readiness with epoll. Returns the bytes read.
func readAll(_ connection: TCPConnection, count: Int, deadline: Deadline) throws -> [UInt8] {
    var epoll = try EPoll(eventCapacity: 1)
    try epoll.add(connection.descriptor, interest: [.readable, .readHangUp], token: 1)
    var received = [UInt8]()
    received.reserveCapacity(count)
    var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
    while received.count < count && !deadline.hasPassed {
        let result = chunk.withUnsafeMutableBytes { connection.read(into: $0) }
        switch result {
        case .transferred(let n): received.append(contentsOf: chunk[0..<n])
        case .wouldBlock: _ = try epoll.wait(timeoutMillis: deadline.millisLeft())
        case .closed, .error: XCTFail("read: \(result)"); return received
        }
    }
    return received
}

/// Allocation calls made by the calling thread so far, from the
/// CMallocCounter test library's malloc interposer: imported when
/// BatonNetTests may import it, else looked up at run time (it is linked into
/// the shared test executable through BatonRingTests, but its symbols are not
/// exported dynamically, so the lookup usually fails and the test is skipped).
func mallocCounter() -> (() -> UInt64)? {
    #if canImport(CMallocCounter)
    guard baton_malloc_counter_active() == 1 else { return nil }
    return { baton_malloc_count_thread() }
    #else
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "baton_malloc_count_thread") else { return nil }
    let function = unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
    return { function() }
    #endif
}
