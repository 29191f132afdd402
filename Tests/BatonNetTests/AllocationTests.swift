import BatonNet
import Glibc
import XCTest

/// The data path allocates nothing: after warm-up, 200 UDP batches sent and
/// received, 200 TCP writes, writevs and reads, and 400 epoll waits make 0
/// calls to malloc on this thread. Needs the CMallocCounter interposer linked
/// into the test process (skipped otherwise).
final class AllocationTests: XCTestCase {
    func testDataPathAllocatesNothing() throws {
        guard let mallocCount = mallocCounter() else {
            throw XCTSkip("CMallocCounter is not linked into this test process")
        }
        let receiverSocket = try UDPSocket.bind(to: .loopback())
        let senderSocket = try UDPSocket.bind(to: .loopback())
        defer { receiverSocket.close(); senderSocket.close() }
        let destination = try receiverSocket.localAddress()
        let pair = try TCPPair.make()
        defer { pair.close() }

        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1_024, alignment: 64)
        defer { payload.deallocate() }
        payload.initializeMemory(as: UInt8.self, repeating: 7)
        let header = UnsafeRawBufferPointer(rebasing: payload[0..<16])
        let body = UnsafeRawBufferPointer(rebasing: payload[16..<1_408])
        var sender = UDPBatchSender(datagramCapacity: 32, iovecCapacity: 64)
        var receiver = UDPBatchReceiver(datagramCapacity: 32, datagramBytesMax: 1_472)
        var vectors = IOVectorBuffer(capacity: 4)
        var epoll = try EPoll(eventCapacity: 8)
        try epoll.add(receiverSocket.descriptor, interest: .readable, token: 1)
        try epoll.add(pair.server.descriptor, interest: .readable, token: 2)

        var received = 0, bytesRead = 0, failures = 0
        func cycle() {
            for _ in 0..<32 {
                guard sender.beginDatagram(to: destination), sender.append(header), sender.append(body) else { failures += 1; return }
            }
            while sender.pendingCount > 0 {
                if case .error = sender.send(on: senderSocket) { failures += 1; return }
            }
            if (try? epoll.wait(timeoutMillis: 1_000)) == nil { failures += 1 }
            while case .received(let count) = receiver.receive(on: receiverSocket) { received += count }
            if case .transferred = pair.client.write(header) {} else { failures += 1 }
            vectors.removeAll()
            _ = vectors.append(header)
            _ = vectors.append(body)
            if case .transferred = pair.client.writev(vectors) {} else { failures += 1 }
            if (try? epoll.wait(timeoutMillis: 1_000)) == nil { failures += 1 }
            bytesRead += pair.server.read(into: UnsafeMutableRawBufferPointer(rebasing: payload[4_096...])).bytes
        }
        for _ in 0..<10 { cycle() }  // warm-up (lazy runtime metadata, first-use paths)
        let before = mallocCount()
        for _ in 0..<200 { cycle() }
        let allocations = mallocCount() &- before
        XCTAssertEqual(failures, 0)
        XCTAssertEqual(received, 210 * 32)
        XCTAssertGreaterThan(bytesRead, 0)
        XCTAssertEqual(allocations, 0, "send/receive/write/writev/read/epoll wait allocate nothing")
    }
}
