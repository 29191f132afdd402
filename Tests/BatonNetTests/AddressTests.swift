import BatonNet
import Glibc
import XCTest

final class AddressTests: XCTestCase {
    func testDottedQuadAndLocalhostResolve() throws {
        let address = try IPv4SocketAddress(parsing: "10.1.2.254:7000")
        XCTAssertEqual(address.addressHostOrder, 0x0A01_02FE)
        XCTAssertEqual(address.port, 7000)
        XCTAssertEqual(address.description, "10.1.2.254:7000")
        XCTAssertEqual(try IPv4SocketAddress(parsing: "localhost:9"), .loopback(port: 9))
        XCTAssertEqual(try IPv4SocketAddress(parsing: "0.0.0.0:0"), .any())
        XCTAssertEqual(try IPv4SocketAddress(parsing: "255.255.255.255:65535"),
                       IPv4SocketAddress(255, 255, 255, 255, port: 65535))
    }

    func testSockaddrIsNetworkOrderAndRoundTrips() {
        let address = IPv4SocketAddress(127, 0, 0, 1, port: 0x1234)
        let raw = address.sockaddr
        XCTAssertEqual(raw.sin_family, sa_family_t(AF_INET))
        XCTAssertEqual(raw.sin_port, UInt16(0x1234).bigEndian)
        XCTAssertEqual(raw.sin_addr.s_addr, UInt32(0x7F00_0001).bigEndian)
        XCTAssertEqual(IPv4SocketAddress(raw), address)
        XCTAssertEqual(address.hostAndPort, HostAndPort(host: "127.0.0.1", port: 0x1234))
    }

    func testParseErrorsNameTheProblem() {
        func error(_ text: String) -> AddressError? {
            do {
                _ = try IPv4SocketAddress(parsing: text)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(error("127.0.0.1"), .missingPort("127.0.0.1"))
        XCTAssertEqual(error(":80"), .missingHost(":80"))
        XCTAssertEqual(error("127.0.0.1:"), .badPort("127.0.0.1:"))
        XCTAssertEqual(error("127.0.0.1:65536"), .badPort("127.0.0.1:65536"))
        XCTAssertEqual(error("127.0.0.1:+80"), .badPort("127.0.0.1:+80"))
        XCTAssertEqual(error("127.0.0.1:-1"), .badPort("127.0.0.1:-1"))
        for host in ["example.com", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.",
                     " 1.2.3.4", "[::1]", "::1", "1.2.3.4a", ""] {
            let text = "\(host):80"
            if host.isEmpty {
                XCTAssertEqual(error(text), .missingHost(text))
            } else {
                XCTAssertEqual(error(text), .badHost(text), "host '\(host)'")
            }
        }
        XCTAssertTrue(AddressError.badHost("example.com:80").description.contains("'localhost'"))
        XCTAssertTrue(AddressError.badPort("a:x").description.contains("0-65535"))
    }

    func testNetErrorDescriptionNamesOperationAddressAndErrno() {
        let error = NetError.system(.connect, .connectionRefused, address: .loopback(port: 9))
        XCTAssertEqual(error.errno, .connectionRefused)
        XCTAssertTrue(error.description.hasPrefix("connect 127.0.0.1:9 failed: ECONNREFUSED (111): "), error.description)
        XCTAssertTrue(error.description.contains(String(cString: strerror(ECONNREFUSED))))
        let timeout = NetError.timedOut(.connect, address: .loopback(port: 5), timeoutMillis: 200)
        XCTAssertEqual(timeout.description, "connect 127.0.0.1:5 timed out after 200 ms")
        XCTAssertNil(timeout.errno)
    }
}

/// Free loopback ports for a local cluster.
final class FreePortsTests: XCTestCase {
    func testPortsAreDistinctNonZeroAndBindableAgain() throws {
        let ports = try FreePorts.loopbackUDP(5)
        XCTAssertEqual(Set(ports).count, 5)
        XCTAssertFalse(ports.contains(0))
        let socket = try UDPSocket.bind(to: IPv4SocketAddress(127, 0, 0, 1, port: ports[0]))
        XCTAssertEqual(try socket.localAddress().port, ports[0], "released: a member can bind it")
        socket.close()
    }
}
