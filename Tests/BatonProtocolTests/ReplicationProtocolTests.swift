import BatonCodec
import BatonProtocol
import XCTest

/// The replication datagrams' byte layout (as docs/PROTOCOL.md draws it) and
/// the header check's verdict for every kind of bad input.
final class ReplicationProtocolTests: XCTestCase {
    private func datagram(_ type: ReplicationProtocol.MessageType, extra: Int = 0,
                          _ edit: (ReplicationHeader) -> Void = { _ in }) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: type.fixedLength + extra)
        bytes.withUnsafeMutableBytes { raw in
            let header = ReplicationHeader(raw.baseAddress!)
            header.write(type: type, fromNode: 3, clusterId: 0x0102_0304_0506_0708, epoch: 9)
            edit(header)
        }
        return bytes
    }

    private func check(_ bytes: [UInt8]) -> ReplicationDatagramCheck {
        bytes.withUnsafeBytes { ReplicationDatagramCheck.check($0, clusterId: 0x0102_0304_0506_0708, epoch: 9) }
    }

    func testHeaderLayoutIsTheSharedMessageHeaderThenClusterEpochNode() {
        let bytes = datagram(.status) { $0.setInt64(0x1122, at: ReplicationField.statusReceived) }
        XCTAssertEqual(Array(bytes[0..<8]), [48, 0, 2, 0, 2, 0, 1, 0], "blockLength 48, template 2, schema 2, version 1")
        XCTAssertEqual(Array(bytes[8..<16]), [8, 7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(Array(bytes[16..<20]), [9, 0, 0, 0])
        XCTAssertEqual(Array(bytes[20..<24]), [3, 0, 0, 0])
        XCTAssertEqual(Array(bytes[24..<26]), [0x22, 0x11])
        XCTAssertEqual(bytes.count, 56)
    }

    func testEveryTypeChecksValid() {
        for type in ReplicationProtocol.MessageType.allCases {
            XCTAssertEqual(check(datagram(type)), .valid(type, fromNode: 3), "\(type)")
        }
        XCTAssertEqual(check(datagram(.data, extra: 1_000)), .valid(.data, fromNode: 3), "Data carries any number of bytes")
        XCTAssertEqual(ReplicationProtocol.MessageType.data.blockLength + 8, ReplicationProtocol.dataBytesOffset)
    }

    func testBadDatagramsAreDroppedWithTheirReason() {
        XCTAssertEqual(check([]), .dropped(.malformed))
        XCTAssertEqual(check(Array(datagram(.status).prefix(23))), .dropped(.malformed), "shorter than the header")
        XCTAssertEqual(check(Array(datagram(.status).prefix(40))), .dropped(.malformed), "cut short")
        XCTAssertEqual(check(datagram(.nak, extra: 8)), .dropped(.malformed), "longer than its type")
        XCTAssertEqual(check(datagram(.commit) { $0.schemaId = 1 }), .dropped(.malformed), "the client schema")
        XCTAssertEqual(check(datagram(.commit) { $0.version = 2 }), .dropped(.malformed), "another version")
        XCTAssertEqual(check(datagram(.commit) { $0.templateId = 6 }), .dropped(.malformed), "unknown type")
        XCTAssertEqual(check(datagram(.commit) { $0.blockLength = 8 }), .dropped(.malformed), "block length lies")
        XCTAssertEqual(check(datagram(.commit) { $0.setInt64(-1, at: 24) }), .dropped(.malformed), "negative position")
        XCTAssertEqual(check(datagram(.status) { $0.setInt64(-5, at: 32) }), .dropped(.malformed), "negative durable position")
        XCTAssertEqual(check(datagram(.commit) { $0.clusterId = 7 }), .dropped(.wrongCluster))
        XCTAssertEqual(check(datagram(.commit) { $0.epoch = 8 }), .dropped(.wrongEpoch), "an older epoch")
        XCTAssertEqual(check(datagram(.commit) { $0.epoch = 10 }), .dropped(.wrongEpoch), "a newer epoch")
    }
}
