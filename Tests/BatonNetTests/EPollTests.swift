import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class EPollTests: XCTestCase {
    func testTokensInterestModifyRemoveAndZeroTimeout() throws {
        let a = try UDPSocket.bind(to: .loopback())
        let b = try UDPSocket.bind(to: .loopback())
        defer { a.close(); b.close() }
        var epoll = try EPoll(eventCapacity: 4)
        XCTAssertEqual(epoll.eventCapacity, 4)
        try epoll.add(a.descriptor, interest: .readable, token: 0xDEAD_BEEF_0000_0001)
        try epoll.add(b.descriptor, interest: .readable, token: UInt64.max)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 0, "nothing to read yet")

        // A datagram to b makes b (only) readable.
        var sender = UDPBatchSender(datagramCapacity: 1, iovecCapacity: 1)
        let byte: [UInt8] = [42]
        let destination = try b.localAddress()
        byte.withUnsafeBytes { XCTAssertTrue(sender.appendDatagram($0, to: destination)) }
        XCTAssertEqual(sender.send(on: a), .sent(count: 1, pending: 0))
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        XCTAssertEqual(epoll[ready: 0], EPollEvent(token: UInt64.max, events: .readable))
        XCTAssertEqual(epoll.readyCount, 1)
        // Level-triggered: still readable until read.
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 1)

        // Writable interest on a: an idle UDP socket is always writable.
        try epoll.modify(a.descriptor, interest: [.readable, .writable], token: 5)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 2)
        let tokens = Set((0..<epoll.readyCount).map { epoll[ready: $0].token })
        XCTAssertEqual(tokens, [5, UInt64.max])

        try epoll.remove(b.descriptor)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 1)
        XCTAssertEqual(epoll[ready: 0], EPollEvent(token: 5, events: .writable))
        XCTAssertThrowsError(try epoll.remove(b.descriptor)) { error in
            XCTAssertEqual((error as? NetError)?.errno, Errno(rawValue: ENOENT))
        }
        XCTAssertThrowsError(try epoll.add(a.descriptor, interest: .readable, token: 1)) { error in
            XCTAssertEqual((error as? NetError)?.errno, Errno(rawValue: EEXIST))
        }
    }

    /// Edge-triggered interest reports a change once, not while it holds.
    func testEdgeTriggeredReportsOnce() throws {
        let pair = try TCPPair.make()
        defer { pair.close() }
        var epoll = try EPoll(eventCapacity: 2)
        try epoll.add(pair.server.descriptor, interest: [.readable, .edgeTriggered], token: 1)
        let bytes: [UInt8] = [1, 2, 3, 4]
        XCTAssertEqual(bytes.withUnsafeBytes { pair.client.write($0) }, .transferred(4))
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 0, "no new edge while the data sits unread")
        XCTAssertEqual(bytes.withUnsafeBytes { pair.client.write($0) }, .transferred(4))
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1, "new data is a new edge")
        let read = try readAll(pair.server, count: 8, deadline: Deadline(seconds: 5))
        XCTAssertEqual(read, bytes + bytes)
    }

    func testWaitReturnsAtMostCapacityEvents() throws {
        var sockets: [UDPSocket] = []
        defer { sockets.forEach { $0.close() } }
        var epoll = try EPoll(eventCapacity: 2)
        for token in 0..<5 {
            let socket = try UDPSocket.bind(to: .loopback())
            sockets.append(socket)
            try epoll.add(socket.descriptor, interest: .writable, token: UInt64(token))
        }
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 2, "five ready, capacity two")
    }
}
