import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import XCTest

/// The probed-port race of a local chain: a member whose replication port was
/// taken fails with an address-in-use error the start-up retry recognises.
final class PortRaceTests: XCTestCase {
    func testAMemberWhosePortWasTakenFailsAsAddressInUse() throws {
        let thief = try UDPSocket.bind(to: IPv4SocketAddress(127, 0, 0, 1, port: 0))
        defer { thief.close() }
        let taken = try thief.localAddress().port
        let directory = makeTemporaryDirectory("port-race")
        defer { removeTree(directory) }
        var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: LogConfiguration(directory: directory))
        configuration.replication = ReplicationConfiguration(clusterId: 1, members: ClusterMember.loopbackChain(replicationPorts: [taken]),
                                                             nodeId: 0)
        XCTAssertThrowsError(try Node(configuration: configuration)) { error in
            XCTAssertTrue(FreePorts.isAddressInUse(error), "\(error)")
            XCTAssertTrue("\(error)".contains("replication address 127.0.0.1:\(taken)"), "the error names the address: \(error)")
        }
        XCTAssertFalse(FreePorts.isAddressInUse(NodeError.startup("data directory '/x' does not exist")))
    }

    private func addressInUse(_ port: UInt16) -> NodeError {
        let address = IPv4SocketAddress(127, 0, 0, 1, port: port)
        return .replicationBind(address: address, underlying: NetError.system(.bind, .addressInUse, address: address))
    }

    func testStartUpRunsAgainWithFreshPortsOnlyWhileAddressesAreInUse() throws {
        var seen: [[UInt16]] = []
        let result = try FreePorts.retryingAddressInUse(count: 3) { ports -> Int in
            seen.append(ports)
            if seen.count < 3 { throw addressInUse(ports[0]) }
            return seen.count
        }
        XCTAssertEqual(result, 3)
        XCTAssertTrue(seen.allSatisfy { Set($0).count == 3 })
        var calls = 0
        XCTAssertThrowsError(try FreePorts.retryingAddressInUse(count: 1) { _ -> Int in
            calls += 1
            throw NodeError.startup("data directory missing")
        })
        XCTAssertEqual(calls, 1, "another failure is not retried")
        calls = 0
        XCTAssertThrowsError(try FreePorts.retryingAddressInUse(count: 1, attempts: 2) { _ -> Int in
            calls += 1
            throw addressInUse(1)
        })
        XCTAssertEqual(calls, 2, "at most `attempts` start-ups")
    }
}
