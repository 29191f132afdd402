import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class UDPEdgeTests: XCTestCase {
    /// A datagram in the middle of a batch fails (destination port 0 is
    /// EINVAL): `sendmmsg` sends the first, reports 1 of 3, then the error
    /// for the second; after `discardFirstPending` the third goes.
    func testPartialSendIsReportedAndResumable() throws {
        let receiverSocket = try UDPSocket.bind(to: .loopback())
        let senderSocket = try UDPSocket.bind(to: .loopback())
        defer { receiverSocket.close(); senderSocket.close() }
        let destination = try receiverSocket.localAddress()
        var sender = UDPBatchSender(datagramCapacity: 3, iovecCapacity: 3)
        let payloads: [[UInt8]] = [[1], [2, 2], [3, 3, 3]]
        let targets = [destination, IPv4SocketAddress.loopback(port: 0), destination]
        let results = payloads[0].withUnsafeBytes { p0 in
            payloads[1].withUnsafeBytes { p1 in
                payloads[2].withUnsafeBytes { p2 in
                    XCTAssertTrue(sender.appendDatagram(p0, to: targets[0]))
                    XCTAssertTrue(sender.appendDatagram(p1, to: targets[1]))
                    XCTAssertTrue(sender.appendDatagram(p2, to: targets[2]))
                    XCTAssertFalse(sender.appendDatagram(p2, to: targets[2]), "capacity 3")
                    var results = [sender.send(on: senderSocket)]
                    let pendingAfterPartial = sender.pendingCount
                    results.append(sender.send(on: senderSocket))
                    XCTAssertEqual(sender.pendingCount, 2, "the failed datagram stays pending")
                    sender.discardFirstPending()
                    results.append(sender.send(on: senderSocket))
                    XCTAssertEqual(pendingAfterPartial, 2)
                    return results
                }
            }
        }
        XCTAssertEqual(results, [.sent(count: 1, pending: 2), .error(.invalidArgument), .sent(count: 1, pending: 0)])
        XCTAssertEqual(sender.stagedCount, 0)

        var receiver = UDPBatchReceiver(datagramCapacity: 8, datagramBytesMax: 64)
        let received = try receiveAtLeast(2, &receiver, receiverSocket)
        XCTAssertEqual(received, [[1], [3, 3, 3]])
    }

    /// A 0-byte datagram (no iovec at all) and a 65,507-byte one (the IPv4
    /// maximum, from two iovecs) both arrive whole; 65,508 is refused at staging.
    func testZeroByteAndMaximumSizeDatagrams() throws {
        let receiverSocket = try UDPSocket.bind(to: .loopback())
        let senderSocket = try UDPSocket.bind(to: .loopback())
        defer { receiverSocket.close(); senderSocket.close() }
        try senderSocket.connect(to: try receiverSocket.localAddress())
        let maximum = NetLimits.datagramBytesMax
        XCTAssertEqual(maximum, 65_507)
        let big = patternBytes(count: maximum + 1)
        var sender = UDPBatchSender(datagramCapacity: 4, iovecCapacity: 8)
        let result = big.withUnsafeBytes { bytes in
            XCTAssertTrue(sender.beginDatagram(to: nil))  // 0 bytes: no append
            XCTAssertTrue(sender.beginDatagram(to: nil))
            XCTAssertTrue(sender.append(UnsafeRawBufferPointer(rebasing: bytes[0..<1_000])))
            XCTAssertTrue(sender.append(UnsafeRawBufferPointer(rebasing: bytes[1_000..<maximum])))
            XCTAssertFalse(sender.append(UnsafeRawBufferPointer(rebasing: bytes[maximum...])), "one byte over the maximum")
            XCTAssertFalse(sender.appendDatagram(bytes, to: nil), "65,508 bytes is refused")
            XCTAssertEqual(sender.stagedCount, 2)
            return sender.send(on: senderSocket)
        }
        XCTAssertEqual(result, .sent(count: 2, pending: 0))

        var receiver = UDPBatchReceiver(datagramCapacity: 4, datagramBytesMax: maximum)
        let received = try receiveAtLeast(2, &receiver, receiverSocket)
        XCTAssertEqual(received.map(\.count), [0, maximum])
        XCTAssertTrue(received[1] == Array(big[0..<maximum]))
    }

    /// A datagram longer than the receiver's slot is cut and flagged.
    func testTruncatedDatagramIsFlagged() throws {
        let receiverSocket = try UDPSocket.bind(to: .loopback())
        let senderSocket = try UDPSocket.bind(to: .loopback())
        defer { receiverSocket.close(); senderSocket.close() }
        let destination = try receiverSocket.localAddress()
        let bytes = patternBytes(count: 2_000)
        var sender = UDPBatchSender(datagramCapacity: 2, iovecCapacity: 2)
        let result = bytes.withUnsafeBytes { region in
            XCTAssertTrue(sender.appendDatagram(region, to: destination))
            XCTAssertTrue(sender.appendDatagram(UnsafeRawBufferPointer(rebasing: region[0..<10]), to: destination))
            return sender.send(on: senderSocket)
        }
        XCTAssertEqual(result, .sent(count: 2, pending: 0))
        var receiver = UDPBatchReceiver(datagramCapacity: 2, datagramBytesMax: 1_472)
        let received = try receiveDatagrams(2, &receiver, receiverSocket)
        XCTAssertEqual(received.map(\.bytes.count), [1_472, 10])
        XCTAssertEqual(received.map(\.truncated), [true, false])
        XCTAssertEqual(received.map(\.source), [try senderSocket.localAddress(), try senderSocket.localAddress()])
        XCTAssertEqual(received[0].bytes, Array(bytes[0..<1_472]))
    }

    /// On a connected socket an ICMP port unreachable from the peer comes
    /// back as ECONNREFUSED on the next call, as a result, not a crash.
    func testConnectedSocketReportsRefusedPeer() throws {
        let gone = try UDPSocket.bind(to: .loopback())
        let goneAddress = try gone.localAddress()
        gone.close()
        let socket = try UDPSocket.bind(to: .loopback())
        defer { socket.close() }
        try socket.connect(to: goneAddress)
        var sender = UDPBatchSender(datagramCapacity: 1, iovecCapacity: 1)
        var receiver = UDPBatchReceiver(datagramCapacity: 1, datagramBytesMax: 64)
        let byte: [UInt8] = [0]
        var refused = false
        let deadline = Deadline(seconds: 5)
        while !refused && !deadline.hasPassed {
            if sender.pendingCount == 0 {
                byte.withUnsafeBytes { XCTAssertTrue(sender.appendDatagram($0, to: nil)) }
            }
            switch sender.send(on: socket) {
            case .error(let errno): XCTAssertEqual(errno, .connectionRefused); refused = true
            case .sent, .wouldBlock: break
            }
            if case .error(let errno) = receiver.receive(on: socket) {
                XCTAssertEqual(errno, .connectionRefused)
                refused = true
            }
        }
        XCTAssertTrue(refused)
        sender.removeAll()
    }

    func testReceiveWithNothingQueuedWouldBlock() throws {
        let socket = try UDPSocket.bind(to: .loopback())
        defer { socket.close() }
        var receiver = UDPBatchReceiver(datagramCapacity: 4, datagramBytesMax: 1_472)
        XCTAssertEqual(receiver.receive(on: socket), .wouldBlock)
        XCTAssertEqual(receiver.count, 0)
        var sender = UDPBatchSender(datagramCapacity: 1, iovecCapacity: 1)
        XCTAssertEqual(sender.send(on: socket), .sent(count: 0, pending: 0), "nothing staged, nothing sent")
    }
}

/// Receives (waiting with epoll, bounded) until `count` datagrams arrived; returns their bytes.
func receiveAtLeast(_ count: Int, _ receiver: inout UDPBatchReceiver, _ socket: UDPSocket) throws -> [[UInt8]] {
    try receiveDatagrams(count, &receiver, socket).map(\.bytes)
}

struct ReceivedDatagram: Equatable {
    let bytes: [UInt8]
    let truncated: Bool
    let source: IPv4SocketAddress
}

func receiveDatagrams(_ count: Int, _ receiver: inout UDPBatchReceiver, _ socket: UDPSocket) throws -> [ReceivedDatagram] {
    var epoll = try EPoll(eventCapacity: 1)
    try epoll.add(socket.descriptor, interest: .readable, token: 0)
    var datagrams: [ReceivedDatagram] = []
    let deadline = Deadline(seconds: 5)
    while datagrams.count < count && !deadline.hasPassed {
        switch receiver.receive(on: socket) {
        case .received(let n):
            for index in 0..<n {
                datagrams.append(ReceivedDatagram(bytes: Array(receiver.datagram(at: index)),
                                                  truncated: receiver.isTruncated(at: index),
                                                  source: receiver.source(at: index)))
            }
        case .wouldBlock:
            _ = try epoll.wait(timeoutMillis: deadline.millisLeft())
        case .error(let errno):
            throw TestFailure("receive: \(errno)")
        }
    }
    return datagrams
}
