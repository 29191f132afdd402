import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class UDPBatchTests: XCTestCase {
    static let datagramCount = 10_000
    static let datagramBytes = 1_400
    static let headerBytes = 8
    static let batch = 32

    /// 10,000 datagrams of 1,400 bytes in batches of 32, each made of two
    /// iovecs (an 8-byte sequence header in a scratch array + 1,392 bytes
    /// from a "log buffer"), sent with `UDPBatchSender` and received with
    /// `UDPBatchReceiver`; every datagram is checked, partial sends resumed.
    func testTenThousandDatagramsInBatchesWithSequenceNumbers() throws {
        let receiverSocket = try UDPSocket.bind(to: .loopback())
        let senderSocket = try UDPSocket.bind(to: .loopback())
        defer { receiverSocket.close(); senderSocket.close() }
        let destination = try receiverSocket.localAddress()
        let senderAddress = try senderSocket.localAddress()
        XCTAssertNotEqual(destination.port, 0)
        let bufferSize = try receiverSocket.setReceiveBufferSize(4 << 20)
        if bufferSize.isCapped { print("warning: UDP receive buffer \(bufferSize)") }

        let bodyBytes = Self.datagramBytes - Self.headerBytes
        let logBytes = 1 << 20
        let log = UnsafeMutableRawBufferPointer.allocate(byteCount: logBytes, alignment: 4_096)
        defer { log.deallocate() }
        for offset in 0..<logBytes { log[offset] = patternByte(offset) }
        let headers = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.batch * Self.headerBytes, alignment: 64)
        defer { headers.deallocate() }
        func bodyOffset(_ sequence: Int) -> Int { (sequence &* 4_099) % (logBytes - bodyBytes) }

        var sender = UDPBatchSender(datagramCapacity: Self.batch, iovecCapacity: 2 * Self.batch,
                                    datagramBytesMax: 1_472)
        var receiver = UDPBatchReceiver(datagramCapacity: Self.batch, datagramBytesMax: 1_472)
        var epoll = try EPoll(eventCapacity: 2)
        try epoll.add(receiverSocket.descriptor, interest: .readable, token: 1)

        var nextToStage = 0, sentTotal = 0, partialSends = 0, wouldBlocks = 0, sendCalls = 0
        var seen = [Bool](repeating: false, count: Self.datagramCount)
        var receivedTotal = 0, outOfOrder = 0, corrupt = 0, lastSequence = -1

        func drain() {
            while case .received(let count) = receiver.receive(on: receiverSocket) {
                for index in 0..<count {
                    let datagram = receiver.datagram(at: index)
                    XCTAssertFalse(receiver.isTruncated(at: index))
                    guard datagram.count == Self.datagramBytes else { corrupt += 1; continue }
                    let sequence = Int(UInt64(littleEndian: datagram.loadUnaligned(as: UInt64.self)))
                    guard sequence >= 0 && sequence < Self.datagramCount && !seen[sequence] else { corrupt += 1; continue }
                    seen[sequence] = true
                    if sequence < lastSequence { outOfOrder += 1 }
                    lastSequence = sequence
                    let body = UnsafeRawBufferPointer(rebasing: datagram[Self.headerBytes...])
                    let expected = UnsafeRawBufferPointer(rebasing: log[bodyOffset(sequence)..<bodyOffset(sequence) + bodyBytes])
                    if !body.elementsEqual(expected) { corrupt += 1 }
                    if receiver.source(at: index) != senderAddress { corrupt += 1 }
                    receivedTotal += 1
                }
            }
        }

        let deadline = Deadline(seconds: 30)
        while sentTotal < Self.datagramCount && !deadline.hasPassed {
            if sender.pendingCount == 0 {  // stage the next batch; headers are reused only once it all went
                var slot = 0
                while nextToStage < Self.datagramCount && sender.datagramRoom > 0 {
                    let header = UnsafeMutableRawBufferPointer(rebasing: headers[slot * Self.headerBytes..<(slot + 1) * Self.headerBytes])
                    header.storeBytes(of: UInt64(nextToStage).littleEndian, as: UInt64.self)
                    let offset = bodyOffset(nextToStage)
                    XCTAssertTrue(sender.beginDatagram(to: destination))
                    XCTAssertTrue(sender.append(UnsafeRawBufferPointer(header)))
                    XCTAssertTrue(sender.append(UnsafeRawBufferPointer(rebasing: log[offset..<offset + bodyBytes])))
                    nextToStage += 1
                    slot += 1
                }
            }
            sendCalls += 1
            switch sender.send(on: senderSocket) {
            case .sent(let count, let pending):
                sentTotal += count
                if pending > 0 { partialSends += 1 }
            case .wouldBlock:
                wouldBlocks += 1
            case .error(let errno):
                XCTFail("send: \(errno)")
                return
            }
            drain()
        }
        while receivedTotal < Self.datagramCount && !deadline.hasPassed {
            _ = try epoll.wait(timeoutMillis: deadline.millisLeft())
            drain()
        }
        print("UDP batch test: \(sendCalls) sendmmsg calls, \(partialSends) partial sends, \(wouldBlocks) would-block, "
              + "\(outOfOrder) out of order, receive buffer \(bufferSize)")
        XCTAssertEqual(sentTotal, Self.datagramCount)
        XCTAssertEqual(receivedTotal, Self.datagramCount, "no loss on loopback with the receiver drained per batch")
        XCTAssertEqual(corrupt, 0)
        XCTAssertTrue(seen.allSatisfy { $0 })
        XCTAssertEqual(sender.pendingCount, 0)
        XCTAssertEqual(sender.stagedCount, 0, "an all-sent batch empties itself")
    }
}
