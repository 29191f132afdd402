import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class TCPCloseTests: XCTestCase {
    /// The peer closes normally: epoll reports read-hang-up, queued data is
    /// still read, then `read` says `.closed(.endOfStream)`.
    func testEndOfStreamIsClosed() throws {
        let pair = try TCPPair.make()
        defer { pair.server.close(); pair.listener.close() }
        let message = Array("last words".utf8)
        XCTAssertEqual(message.withUnsafeBytes { pair.client.write($0) }, .transferred(message.count))
        pair.client.close()

        var epoll = try EPoll(eventCapacity: 1)
        try epoll.add(pair.server.descriptor, interest: [.readable, .readHangUp], token: 3)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        XCTAssertTrue(epoll[ready: 0].events.isSuperset(of: [.readable, .readHangUp]), "\(epoll[ready: 0].events)")
        var buffer = [UInt8](repeating: 0, count: 64)
        XCTAssertEqual(buffer.withUnsafeMutableBytes { pair.server.read(into: $0) }, .transferred(message.count))
        XCTAssertEqual(Array(buffer[0..<message.count]), message)
        XCTAssertEqual(buffer.withUnsafeMutableBytes { pair.server.read(into: $0) }, .closed(.endOfStream))
    }

    /// Half-close: `shutdownWrite` gives the peer end of stream while the
    /// other direction still works.
    func testShutdownWriteIsEndOfStreamForThePeerOnly() throws {
        let pair = try TCPPair.make()
        defer { pair.close() }
        try pair.client.shutdownWrite()
        var epoll = try EPoll(eventCapacity: 1)
        try epoll.add(pair.server.descriptor, interest: [.readHangUp], token: 4)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        XCTAssertTrue(epoll[ready: 0].events.contains(.readHangUp))
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(buffer.withUnsafeMutableBytes { pair.server.read(into: $0) }, .closed(.endOfStream))
        let reply = Array("still here".utf8)
        XCTAssertEqual(reply.withUnsafeBytes { pair.server.write($0) }, .transferred(reply.count))
        XCTAssertEqual(try readAll(pair.client, count: reply.count, deadline: Deadline(seconds: 5)), reply)
    }

    /// The peer resets: `read` says `.closed(.connectionReset)`, a later
    /// `write` says `.closed(.brokenPipe)`, and no SIGPIPE kills the process
    /// (when SIGPIPE is at its default action this proves `MSG_NOSIGNAL`).
    func testResetIsClosedAndWriteRaisesNoSIGPIPE() throws {
        let pair = try TCPPair.make()
        defer { pair.server.close(); pair.listener.close() }
        pair.client.resetAndClose()

        var epoll = try EPoll(eventCapacity: 1)
        try epoll.add(pair.server.descriptor, interest: [.readable, .readHangUp], token: 5)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        XCTAssertTrue(epoll[ready: 0].events.contains(.hangUp) || epoll[ready: 0].events.contains(.error),
                      "a reset shows as hang-up/error: \(epoll[ready: 0].events)")
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(buffer.withUnsafeMutableBytes { pair.server.read(into: $0) }, .closed(.connectionReset))

        XCTAssertTrue(sigpipeIsDefaultOrIgnored())
        let bytes = [UInt8](repeating: 1, count: 100)
        let writes = (0..<3).map { _ in bytes.withUnsafeBytes { pair.server.write($0) } }
        XCTAssertEqual(writes, [.closed(.brokenPipe), .closed(.brokenPipe), .closed(.brokenPipe)])
        var vectors = IOVectorBuffer(capacity: 1)
        let vectorWrite = bytes.withUnsafeBytes { region in
            _ = vectors.append(region)
            return pair.server.writev(vectors)
        }
        XCTAssertEqual(vectorWrite, .closed(.brokenPipe))
    }

    /// Unread data at close makes the kernel send a reset instead of a FIN.
    func testCloseWithUnreadDataResetsThePeer() throws {
        let pair = try TCPPair.make()
        defer { pair.client.close(); pair.listener.close() }
        let bytes = [UInt8](repeating: 2, count: 10)
        XCTAssertEqual(bytes.withUnsafeBytes { pair.client.write($0) }, .transferred(10))
        var epoll = try EPoll(eventCapacity: 1)
        try epoll.add(pair.server.descriptor, interest: .readable, token: 1)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)  // the data is queued at the server
        pair.server.close()  // unread: RST
        try epoll.add(pair.client.descriptor, interest: [.readable, .readHangUp], token: 2)
        let deadline = Deadline(seconds: 5)
        var last = IOResult.wouldBlock
        var buffer = [UInt8](repeating: 0, count: 16)
        while last == .wouldBlock && !deadline.hasPassed {
            _ = try epoll.wait(timeoutMillis: deadline.millisLeft())
            last = buffer.withUnsafeMutableBytes { pair.client.read(into: $0) }
        }
        XCTAssertEqual(last, .closed(.connectionReset))
    }
}

/// SIGPIPE's current action is SIG_DFL or SIG_IGN (not a handler that would hide a raised SIGPIPE).
func sigpipeIsDefaultOrIgnored() -> Bool {
    var current = sigaction()
    guard sigaction(SIGPIPE, nil, &current) == 0 else { return false }
    let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
    return handler == 0 || handler == 1
}
