import BatonNet
import Glibc
import XCTest

final class TCPConnectTests: XCTestCase {
    func testConnectRefusedNamesTheAddress() throws {
        // Bind a port, then close it, so nothing listens there.
        let placeholder = try UDPSocket.bind(to: .loopback())
        let closedPort = try placeholder.localAddress().port
        placeholder.close()
        let target = IPv4SocketAddress.loopback(port: closedPort)
        do throws(NetError) {
            let connection = try TCPConnection.connect(to: target, timeoutMillis: 2_000)
            connection.close()
            XCTFail("connected to a port nobody listens on")
        } catch {
            XCTAssertEqual(error, .system(.connect, .connectionRefused, address: target))
            XCTAssertTrue(error.description.contains("127.0.0.1:\(closedPort)"), error.description)
        }
    }

    /// A listener whose accept queue is full drops SYNs, so a connect to it
    /// cannot finish: the timeout fires and is reported as `.timedOut`.
    func testConnectTimesOutAgainstAFullAcceptQueue() throws {
        let listener = try TCPListener.listen(on: .loopback(), backlog: 0)
        defer { listener.close() }
        let address = try listener.localAddress()
        var connections: [TCPConnection] = []
        defer { connections.forEach { $0.close() } }
        var timedOut: NetError?
        for _ in 0..<8 where timedOut == nil {
            do throws(NetError) {
                connections.append(try TCPConnection.connect(to: address, timeoutMillis: 200))
            } catch {
                timedOut = error
            }
        }
        XCTAssertEqual(timedOut, .timedOut(.connect, address: address, timeoutMillis: 200))
        XCTAssertLessThanOrEqual(connections.count, 3, "the queue holds backlog + 1 connections")
    }

    /// A blocking-mode connection carries its timeout: a read with no data
    /// returns `.wouldBlock` after it instead of blocking forever.
    func testBlockingModeReadTimesOut() throws {
        let listener = try TCPListener.listen(on: .loopback())
        defer { listener.close() }
        let client = try TCPConnection.connect(to: try listener.localAddress(), timeoutMillis: 2_000,
                                               mode: .blocking(timeoutMillis: 50))
        defer { client.close() }
        var buffer = [UInt8](repeating: 0, count: 8)
        let started = ContinuousClock.now
        XCTAssertEqual(buffer.withUnsafeMutableBytes { client.read(into: $0) }, .wouldBlock)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "bounded by SO_RCVTIMEO, not forever")

        // And it does carry data when there is some.
        var epoll = try EPoll(eventCapacity: 1)
        try epoll.add(listener.descriptor, interest: .readable, token: 0)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        guard let (server, _) = try listener.accept() else { return XCTFail("no pending connection") }
        defer { server.close() }
        let bytes: [UInt8] = [1, 2, 3]
        XCTAssertEqual(bytes.withUnsafeBytes { server.write($0) }, .transferred(3))
        XCTAssertEqual(buffer.withUnsafeMutableBytes { client.read(into: $0) }, .transferred(3))
        XCTAssertEqual(Array(buffer[0..<3]), bytes)
    }

    func testAcceptWithNothingPendingReturnsNil() throws {
        let listener = try TCPListener.listen(on: .loopback())
        defer { listener.close() }
        XCTAssertNil(try listener.accept())
    }

    func testListenOnABoundPortFailsWithAddressInUse() throws {
        let first = try TCPListener.listen(on: .loopback())
        defer { first.close() }
        let address = try first.localAddress()
        XCTAssertThrowsError(try TCPListener.listen(on: address)) { error in
            XCTAssertEqual(error as? NetError, .system(.bind, .addressInUse, address: address))
        }
    }
}
