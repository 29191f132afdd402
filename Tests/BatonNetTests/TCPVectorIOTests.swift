import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class TCPVectorIOTests: XCTestCase {
    /// writev of five regions (one empty) arrives as one stream; readv
    /// scatters it over three caller buffers.
    func testWritevOfSeveralIOVecsAndReadvScatter() throws {
        let pair = try TCPPair.make()
        defer { pair.close() }
        let header: [UInt8] = [0xBA, 0x70, 0x4E, 0x01]
        let body = patternBytes(count: 1_000)
        let empty: [UInt8] = []
        let trailer = Array("end".utf8)
        let expected = header + body + empty + body.reversed() + trailer
        let reversed = Array(body.reversed())

        var vectors = IOVectorBuffer(capacity: 5)
        let result = header.withUnsafeBytes { h in
            body.withUnsafeBytes { b in
                empty.withUnsafeBytes { e in
                    reversed.withUnsafeBytes { r in
                        trailer.withUnsafeBytes { t in
                            for region in [h, b, e, r, t] { XCTAssertTrue(vectors.append(region)) }
                            XCTAssertFalse(vectors.append(t), "capacity 5 is full")
                            XCTAssertEqual(vectors.count, 5)
                            return pair.client.writev(vectors)
                        }
                    }
                }
            }
        }
        XCTAssertEqual(result, .transferred(expected.count))

        var first = [UInt8](repeating: 0, count: 4)
        var second = [UInt8](repeating: 0, count: 1_500)
        var third = [UInt8](repeating: 0, count: 1_000)
        var epoll = try EPoll(eventCapacity: 1)
        try epoll.add(pair.server.descriptor, interest: .readable, token: 9)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 5_000), 1)
        XCTAssertEqual(epoll[ready: 0], EPollEvent(token: 9, events: .readable))
        var scatter = IOVectorBuffer(capacity: 3)
        let read = first.withUnsafeMutableBytes { f in
            second.withUnsafeMutableBytes { s in
                third.withUnsafeMutableBytes { t in
                    _ = scatter.append(f); _ = scatter.append(s); _ = scatter.append(t)
                    return pair.server.readv(scatter)
                }
            }
        }
        guard case .transferred(let n) = read else { return XCTFail("readv: \(read)") }
        let gathered = Array((first + second + third)[0..<n])
        XCTAssertEqual(gathered, Array(expected[0..<n]))
        // Whatever did not arrive in that read follows.
        let rest = try readAll(pair.server, count: expected.count - n, deadline: Deadline(seconds: 5))
        XCTAssertEqual(gathered + rest, expected)
    }

    func testIOVectorBufferConsumeTrimsAndSkips() {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
        defer { memory.deallocate() }
        var vectors = IOVectorBuffer(capacity: 4)
        XCTAssertTrue(vectors.append(UnsafeRawBufferPointer(rebasing: memory[0..<10])))
        XCTAssertTrue(vectors.append(UnsafeRawBufferPointer(rebasing: memory[10..<10])))
        XCTAssertTrue(vectors.append(UnsafeRawBufferPointer(rebasing: memory[20..<50])))
        XCTAssertEqual(vectors.byteCount, 40)
        vectors.consume(4)
        XCTAssertEqual(vectors.count, 3)
        XCTAssertEqual(vectors.vectors[0].iov_base, memory.baseAddress! + 4)
        XCTAssertEqual(vectors.vectors[0].iov_len, 6)
        vectors.consume(6)  // the first vector and the empty one go
        XCTAssertEqual(vectors.count, 1)
        XCTAssertEqual(vectors.vectors[0].iov_base, memory.baseAddress! + 20)
        vectors.consume(29)
        XCTAssertEqual(vectors.byteCount, 1)
        XCTAssertEqual(vectors.vectors[0].iov_base, memory.baseAddress! + 49)
        vectors.consume(1)
        XCTAssertTrue(vectors.isEmpty)
        XCTAssertEqual(vectors.byteCount, 0)
        // Emptied: the full capacity is available again.
        for _ in 0..<4 { XCTAssertTrue(vectors.append(UnsafeRawBufferPointer(rebasing: memory[0..<1]))) }
        XCTAssertFalse(vectors.append(UnsafeRawBufferPointer(rebasing: memory[0..<1])))
        vectors.removeAll()
        XCTAssertTrue(vectors.isEmpty)
    }
}
