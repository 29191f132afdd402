import BatonNet
import Glibc
import XCTest

final class SocketOptionTests: XCTestCase {
    /// Reads /proc/sys/net/core/<name> (rmem_max, wmem_max).
    func sysctl(_ name: String) -> Int? {
        guard let file = fopen("/proc/sys/net/core/\(name)", "r") else { return nil }
        defer { fclose(file) }
        var value = 0
        return fscanf_int(file, &value) ? value : nil
    }

    func testReceiveBufferReadBackAndCapping() throws {
        let socket = try UDPSocket.bind(to: .loopback())
        defer { socket.close() }
        let modest = try socket.setReceiveBufferSize(256 * 1_024)
        XCTAssertEqual(modest.requestedBytes, 256 * 1_024)
        XCTAssertEqual(modest.kernelBytes, try socket.descriptor.receiveBufferKernelBytes(), "the result is the read-back")
        XCTAssertEqual(modest.grantedBytes, modest.kernelBytes / 2)
        if let rmemMax = sysctl("rmem_max"), rmemMax >= 256 * 1_024 {
            XCTAssertFalse(modest.isCapped, "\(modest)")
            XCTAssertEqual(modest.grantedBytes, 256 * 1_024)
        }

        if let rmemMax = sysctl("rmem_max"), rmemMax < 64 << 20 {
            let huge = try socket.setReceiveBufferSize(64 << 20)
            XCTAssertTrue(huge.isCapped, "\(huge)")
            XCTAssertEqual(huge.grantedBytes, rmemMax, "capped at net.core.rmem_max")
            XCTAssertTrue(huge.description.contains("rmem_max"))
        }

        // SO_RCVBUFFORCE passes the cap with CAP_NET_ADMIN, else falls back to the capped size.
        let forced = try socket.setReceiveBufferSize(8 << 20, force: true)
        XCTAssertEqual(forced.kernelBytes, try socket.descriptor.receiveBufferKernelBytes())
        print("receive buffer: 256 KiB -> \(modest); 8 MiB forced -> \(forced)")
    }

    func testSendBufferReadBack() throws {
        let socket = try UDPSocket.bind(to: .loopback())
        defer { socket.close() }
        let size = try socket.setSendBufferSize(128 * 1_024)
        XCTAssertEqual(size.kernelBytes, try socket.descriptor.sendBufferKernelBytes())
        XCTAssertEqual(size.isCapped, size.grantedBytes < 128 * 1_024)
    }
}

/// fscanf is variadic (not imported): read one decimal integer by hand.
private func fscanf_int(_ file: UnsafeMutablePointer<FILE>, _ value: inout Int) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = fread(&buffer, 1, buffer.count, file)
    guard let parsed = Int(String(decoding: buffer[0..<count], as: UTF8.self).filter(\.isNumber)) else { return false }
    value = parsed
    return true
}
