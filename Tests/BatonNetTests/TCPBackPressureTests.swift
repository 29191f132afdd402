import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class TCPBackPressureTests: XCTestCase {
    /// A tiny send buffer and a peer that does not read: `write` returns a
    /// partial count and then `.wouldBlock`, at once, instead of blocking.
    /// (The reader's receive buffer keeps its default: with loopback's 64 KiB
    /// MSS a receive window of a few KiB never opens by a full segment, and
    /// the stream then crawls on zero-window probes.)
    func testPartialWritesThenWouldBlockWithTinySendBuffer() throws {
        let pair = try TCPPair.make()
        defer { pair.close() }
        let sendBuffer = try pair.client.descriptor.setSendBufferSize(4_096)
        XCTAssertGreaterThan(sendBuffer.kernelBytes, 0)

        let total = 1 << 20
        let source = patternBytes(count: total)
        var written = 0, partialWrites = 0, calls = 0
        var sawWouldBlock = false
        let started = ContinuousClock.now
        while !sawWouldBlock && written < total && calls < 10_000 {
            calls += 1
            let offered = total - written
            let result = source.withUnsafeBytes { pair.client.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .transferred(let n):
                XCTAssertGreaterThan(n, 0)
                if n < offered { partialWrites += 1 }
                written += n
            case .wouldBlock:
                sawWouldBlock = true
            default:
                XCTFail("write: \(result)")
                return
            }
        }
        XCTAssertTrue(sawWouldBlock, "a full send buffer reports .wouldBlock")
        XCTAssertGreaterThan(partialWrites, 0, "the first writes are partial")
        XCTAssertLessThan(written, total, "the kernel cannot have buffered 1 MiB with ~4 KiB buffers")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "no write blocked")

        // Now the reader drains; the writer resumes on writable readiness.
        var epoll = try EPoll(eventCapacity: 2)
        try epoll.add(pair.client.descriptor, interest: .writable, token: 1)
        try epoll.add(pair.server.descriptor, interest: .readable, token: 2)
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let deadline = Deadline(seconds: 20)
        while received.count < total && !deadline.hasPassed {
            let ready = try epoll.wait(timeoutMillis: deadline.millisLeft())
            for index in 0..<ready {
                if epoll[ready: index].token == 1 && written < total {
                    let result = source.withUnsafeBytes { pair.client.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
                    written += result.bytes
                    if written == total { try epoll.modify(pair.client.descriptor, interest: [], token: 1) }
                } else if epoll[ready: index].token == 2 {
                    let result = chunk.withUnsafeMutableBytes { pair.server.read(into: $0) }
                    if case .transferred(let n) = result { received.append(contentsOf: chunk[0..<n]) }
                }
            }
        }
        XCTAssertEqual(received.count, total)
        XCTAssertTrue(received == source, "the stream arrives intact")
    }

    /// The same with `writev` over an `IOVectorBuffer` of several regions:
    /// after each partial write `consume` drops what went, and the rest follows.
    func testWritevPartialWritesResumeWithConsume() throws {
        let pair = try TCPPair.make()
        defer { pair.close() }
        _ = try pair.client.descriptor.setSendBufferSize(4_096)

        let pieces: [[UInt8]] = [patternBytes(count: 100_000), [], patternBytes(count: 7, from: 100_000),
                                 patternBytes(count: 300_000, from: 100_007), patternBytes(count: 1, from: 400_007)]
        let expected = pieces.flatMap { $0 }
        let allocations = pieces.map { UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, $0.count), alignment: 16) }
        defer { allocations.forEach { $0.deallocate() } }
        let regions = zip(allocations, pieces).map { memory, piece -> UnsafeRawBufferPointer in
            memory.copyBytes(from: piece)
            return UnsafeRawBufferPointer(rebasing: memory[0..<piece.count])
        }
        var vectors = IOVectorBuffer(capacity: 8)
        for region in regions { XCTAssertTrue(vectors.append(region)) }
        XCTAssertEqual(vectors.byteCount, expected.count)

        var epoll = try EPoll(eventCapacity: 2)
        try epoll.add(pair.client.descriptor, interest: .writable, token: 1)
        try epoll.add(pair.server.descriptor, interest: .readable, token: 2)
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 8_192)
        var partialWrites = 0, wouldBlocks = 0
        let deadline = Deadline(seconds: 20)
        while received.count < expected.count && !deadline.hasPassed {
            if !vectors.isEmpty {
                let offered = vectors.byteCount
                switch pair.client.writev(vectors) {
                case .transferred(let n):
                    if n < offered { partialWrites += 1 }
                    vectors.consume(n)
                case .wouldBlock:
                    wouldBlocks += 1
                case let other:
                    XCTFail("writev: \(other)")
                    return
                }
            }
            // Read only once the writer is stuck, so the partial path is taken.
            guard vectors.isEmpty || wouldBlocks > 0 else { continue }
            let ready = try epoll.wait(timeoutMillis: deadline.millisLeft())
            for index in 0..<ready where epoll[ready: index].token == 2 {
                let result = chunk.withUnsafeMutableBytes { pair.server.read(into: $0) }
                if case .transferred(let n) = result { received.append(contentsOf: chunk[0..<n]) }
            }
        }
        XCTAssertTrue(vectors.isEmpty)
        XCTAssertGreaterThan(partialWrites, 0)
        XCTAssertGreaterThan(wouldBlocks, 0)
        XCTAssertEqual(received.count, expected.count)
        XCTAssertTrue(received == expected)
    }
}
