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
            if type == .configAppend {
                // The smallest valid configuration entry: epoch 1, one member, minimum 1.
                let append = ReplicationConfigAppend(raw.baseAddress!)
                append.entryIndex = 1
                for block in [append.entryMembership, append.committedMembership] {
                    block.epoch = 1
                    block.minimumLength = 1
                    block.memberCount = 1
                }
            }
            edit(header)
            // Sealed after the edit, as a sender would: each case below is refused for its own reason.
            if type.hasChecksum && type.fixedLength <= raw.count { ReplicationChecksum.seal(raw.baseAddress!, length: type.fixedLength) }
        }
        return bytes
    }

    private func check(_ bytes: [UInt8]) -> ReplicationDatagramCheck {
        bytes.withUnsafeBytes { ReplicationDatagramCheck.check($0, clusterId: 0x0102_0304_0506_0708, epoch: 9) }
    }

    func testHeaderLayoutIsTheSharedMessageHeaderThenClusterEpochNode() {
        let bytes = datagram(.status) { ReplicationStatus($0.address).receivedPosition = 0x1122 }
        XCTAssertEqual(Array(bytes[0..<8]), [64, 0, 2, 0, 2, 0, 6, 0], "blockLength 64, template 2, schema 2, version 6")
        XCTAssertEqual(Array(bytes[8..<16]), [8, 7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(Array(bytes[16..<20]), [9, 0, 0, 0])
        XCTAssertEqual(Array(bytes[20..<24]), [3, 0, 0, 0])
        XCTAssertEqual(Array(bytes[24..<26]), [0x22, 0x11])
        XCTAssertEqual(bytes.count, 72)
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<64])) }
        XCTAssertEqual(Array(bytes[64..<72]), [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24), 0, 0, 0, 0],
                       "the checksum trailer: CRC32C of bytes 0..<64, then 4 zero bytes")
    }

    /// A bit flipped anywhere in a message with a trailer (version 3) is
    /// refused before any field is used — seed 2 of the simulator: a damaged
    /// Status once moved the head's commit to 81949, not a frame boundary.
    func testADamagedControlMessageIsRefusedByItsChecksum() {
        for type in ReplicationProtocol.MessageType.allCases where type.hasChecksum {
            for bit in stride(from: 0, to: type.fixedLength * 8, by: 7) {
                var bytes = datagram(type)
                bytes[bit / 8] ^= UInt8(1 << (bit % 8))
                let verdict = check(bytes)
                XCTAssertNotEqual(verdict, .valid(type, fromNode: 3), "\(type), bit \(bit)")
            }
            var damagedField = datagram(type)
            damagedField[26] ^= 0x40
            XCTAssertEqual(check(damagedField), .dropped(.badChecksum), "\(type): a flipped position bit")
        }
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
        XCTAssertEqual(check(datagram(.commit) { $0.version = 1 }), .dropped(.malformed), "another version (1: before Pull had its own type)")
        XCTAssertEqual(check(datagram(.commit) { $0.version = 2 }), .dropped(.malformed), "another version (2: before the checksum trailer)")
        XCTAssertEqual(check(datagram(.commit) { $0.version = 3 }), .dropped(.malformed), "another version (3: before Raft's messages)")
        XCTAssertEqual(check(datagram(.commit) { $0.version = 4 }), .dropped(.malformed), "another version (4: before the configuration log)")
        XCTAssertEqual(check(datagram(.commit) { $0.version = 5 }), .dropped(.malformed), "another version (5: before selective repeat)")
        XCTAssertEqual(check(datagram(.commit) { $0.version = 7 }), .dropped(.malformed), "another version")
        XCTAssertEqual(check(datagram(.commit) { $0.templateId = 15 }), .dropped(.malformed), "unknown type")
        XCTAssertEqual(check(datagram(.commit) { $0.templateId = 0 }), .dropped(.malformed), "unknown type")
        XCTAssertEqual(check(datagram(.commit) { $0.blockLength = 8 }), .dropped(.malformed), "block length lies")
        XCTAssertEqual(check(datagram(.commit) { ReplicationCommit($0.address).commitPosition = -1 }), .dropped(.malformed), "negative position")
        XCTAssertEqual(check(datagram(.status) { ReplicationStatus($0.address).durablePosition = -5 }), .dropped(.malformed), "negative durable position")
        XCTAssertEqual(check(datagram(.pull) { ReplicationPull($0.address).length = -1 }), .dropped(.malformed), "negative pull length")
        XCTAssertEqual(check(datagram(.heartbeat) { ReplicationHeartbeat($0.address).commitPosition = -1 }), .dropped(.malformed), "negative commit")
        XCTAssertEqual(check(datagram(.commit) { $0.clusterId = 7 }), .dropped(.wrongCluster))
        XCTAssertEqual(check(datagram(.commit) { $0.epoch = 8 }), .dropped(.wrongEpoch), "an older epoch")
        XCTAssertEqual(check(datagram(.commit) { $0.epoch = 10 }), .dropped(.wrongEpoch), "a newer epoch")
    }

    /// Each message's fields sit at the offsets docs/PROTOCOL.md gives, and
    /// its length is the type's fixed length.
    func testEachFlyweightWritesItsFieldsAtTheDocumentedOffsets() {
        func bytes<M: ReplicationMessage>(_: M.Type, _ fill: (M) -> Void) -> [UInt8] {
            XCTAssertEqual(M.encodedLength, M.messageType.fixedLength)
            var bytes = [UInt8](repeating: 0, count: M.encodedLength)
            bytes.withUnsafeMutableBytes { fill(M($0.baseAddress!)) }
            return bytes
        }
        func int64(_ bytes: [UInt8], at offset: Int) -> Int64 {
            bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int64.self).littleEndian }
        }
        let status = bytes(ReplicationStatus.self) {
            $0.receivedPosition = 1; $0.durablePosition = 2; $0.chainDurablePosition = 3; $0.windowBytes = 4
            $0.receiveGeneration = 13
        }
        XCTAssertEqual([24, 32, 40, 48, 56].map { int64(status, at: $0) }, [1, 2, 3, 4, 13])
        let nak = bytes(ReplicationNak.self) { $0.position = 5; $0.length = 6 }
        XCTAssertEqual([24, 32].map { int64(nak, at: $0) }, [5, 6])
        let pull = bytes(ReplicationPull.self) { $0.position = 7; $0.length = 8 }
        XCTAssertEqual([24, 32].map { int64(pull, at: $0) }, [7, 8])
        let heartbeat = bytes(ReplicationHeartbeat.self) { $0.sentPosition = 9; $0.commitPosition = 10 }
        XCTAssertEqual([24, 32].map { int64(heartbeat, at: $0) }, [9, 10])
        let commit = bytes(ReplicationCommit.self) { $0.commitPosition = 11 }
        XCTAssertEqual(int64(commit, at: 24), 11)
        let data = bytes(ReplicationData.self) { $0.position = 12 }
        XCTAssertEqual(int64(data, at: 24), 12)
        XCTAssertEqual(ReplicationData.bytesOffset, 48)
        XCTAssertEqual(ReplicationProtocol.MessageType.pull.rawValue, 6)
    }
}

/// The chain's configuration-log and failure-detector messages (version 5).
final class ChainControlMessageTests: XCTestCase {
    private func check(_ bytes: [UInt8], epoch: UInt32 = 9) -> ReplicationDatagramCheck {
        bytes.withUnsafeBytes { ReplicationDatagramCheck.check($0, clusterId: 77, epoch: epoch) }
    }

    private func append(_ edit: (ReplicationConfigAppend) -> Void) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: ReplicationConfigAppend.encodedLength)
        bytes.withUnsafeMutableBytes { raw in
            let message = ReplicationConfigAppend(raw.baseAddress!)
            message.header.write(type: .configAppend, fromNode: 2, clusterId: 77, epoch: 41)
            message.committedIndex = 3
            message.committedTerm = 40
            message.entryIndex = 4
            message.entryTerm = 41
            for (block, epoch) in [(message.entryMembership, UInt32(6)), (message.committedMembership, 5)] {
                block.epoch = epoch
                block.minimumLength = 2
                block.memberCount = 3
                for (slot, id) in [2, 0, 1].enumerated() { block.setMember(slot, UInt32(id)) }
            }
            edit(message)
            ReplicationChecksum.seal(raw.baseAddress!, length: ReplicationConfigAppend.encodedLength)
        }
        return bytes
    }

    func testAConfigAppendRoundTripsAndCrossesEpochs() {
        let bytes = append { _ in }
        XCTAssertEqual(check(bytes, epoch: 5), .valid(.configAppend, fromNode: 2), "its epoch field is a configuration term")
        bytes.withUnsafeBytes { raw in
            let message = ReplicationConfigAppend(UnsafeMutableRawPointer(mutating: raw.baseAddress!))
            XCTAssertEqual([message.entryIndex, message.entryTerm, message.committedIndex, message.committedTerm], [4, 41, 3, 40])
            let entry = message.entryMembership
            XCTAssertEqual([entry.epoch, entry.minimumLength, entry.memberCount], [6, 2, 3])
            XCTAssertEqual((0..<3).map(entry.member), [2, 0, 1])
            XCTAssertEqual(entry.member(3), 0)
            XCTAssertEqual(message.committedMembership.epoch, 5)
        }
        XCTAssertEqual(Array(bytes[72..<76]), [2, 0, 0, 0], "the entry's members start at offset 72, the head first")
        XCTAssertEqual(Array(bytes[136..<140]), [5, 0, 0, 0], "the committed membership at 136")
    }

    func testAConfigAppendOutOfRangeIsMalformed() {
        XCTAssertEqual(check(append { $0.entryMembership.memberCount = 0 }), .dropped(.malformed), "no member")
        XCTAssertEqual(check(append { $0.committedMembership.memberCount = 17 }), .dropped(.malformed), "more than 16")
        XCTAssertEqual(check(append { $0.entryMembership.heldOutCount = 13 }), .valid(.configAppend, fromNode: 2), "3 + 13 ids fill the 16 slots")
        XCTAssertEqual(check(append { $0.entryMembership.heldOutCount = 14 }), .dropped(.malformed), "3 members and 14 held out")
        XCTAssertEqual(check(append { $0.committedMembership.heldOutCount = .max }), .dropped(.malformed), "no wrap-around")
        XCTAssertEqual(check(append { $0.entryMembership.minimumLength = 0 }), .dropped(.malformed), "minimum 0")
        XCTAssertEqual(check(append { $0.committedMembership.epoch = 0 }), .dropped(.malformed), "epoch 0")
        XCTAssertEqual(check(append { $0.entryIndex = 0 }), .dropped(.malformed), "no entry")
        XCTAssertEqual(check(append { $0.committedIndex = 5 }), .dropped(.malformed), "committed past the entry")
    }

    func testAProbeOfAnUnknownKindIsMalformedAndDataStillKeepsToItsEpoch() {
        var probe = [UInt8](repeating: 0, count: ReplicationProbe.encodedLength)
        probe.withUnsafeMutableBytes { raw in
            let message = ReplicationProbe(raw.baseAddress!)
            message.header.write(type: .probe, fromNode: 1, clusterId: 77, epoch: 3)
            message.kind = .request
            message.subject = 2
            message.requester = 1
            message.nonce = 99
            ReplicationChecksum.seal(raw.baseAddress!, length: ReplicationProbe.encodedLength)
        }
        XCTAssertEqual(check(probe), .valid(.probe, fromNode: 1))
        probe[32] = 6
        probe.withUnsafeMutableBytes { ReplicationChecksum.seal($0.baseAddress!, length: ReplicationProbe.encodedLength) }
        XCTAssertEqual(check(probe), .dropped(.malformed))
        var commit = [UInt8](repeating: 0, count: ReplicationCommit.encodedLength)
        commit.withUnsafeMutableBytes { raw in
            ReplicationHeader(raw.baseAddress!).write(type: .commit, fromNode: 1, clusterId: 77, epoch: 3)
            ReplicationChecksum.seal(raw.baseAddress!, length: ReplicationCommit.encodedLength)
        }
        XCTAssertEqual(check(commit), .dropped(.wrongEpoch), "the chain's data messages keep to their epoch")
    }
}
