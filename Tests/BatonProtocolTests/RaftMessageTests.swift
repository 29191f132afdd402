import BatonCodec
import BatonProtocol
import XCTest

/// Raft's replication messages (version 4: VoteRequest, VoteResponse,
/// SyncRequest, Sync): their offsets as docs/PROTOCOL.md draws them, a round
/// trip through the datagram check, and the check's verdict on damaged,
/// negative, oversized and mis-sized ones; and the check without the epoch
/// comparison that Raft uses (the header's epoch is the sender's term).
final class RaftMessageTests: XCTestCase {
    private let clusterId: UInt64 = 0x0A0B_0C0D_0E0F_1011

    /// A sealed datagram of `Message`'s type from node 5 in `term`, its fields written by `fill`.
    private func datagram<Message: ReplicationMessage>(_: Message.Type, term: UInt32 = 12, extra: Int = 0,
                                                       _ fill: (Message) -> Void = { _ in }) -> [UInt8] {
        XCTAssertEqual(Message.encodedLength, Message.messageType.fixedLength)
        var bytes = [UInt8](repeating: 0, count: Message.encodedLength + extra)
        bytes.withUnsafeMutableBytes { raw in
            let message = Message(raw.baseAddress!)
            ReplicationHeader(raw.baseAddress!).write(type: Message.messageType, fromNode: 5, clusterId: clusterId, epoch: term)
            fill(message)
            ReplicationChecksum.seal(raw.baseAddress!, length: Message.encodedLength)
        }
        return bytes
    }

    private func check(_ bytes: [UInt8]) -> ReplicationDatagramCheck {
        bytes.withUnsafeBytes { ReplicationDatagramCheck.check($0, clusterId: clusterId) }
    }

    /// `body` with the flyweight over a copy of `bytes` (a receiver's view).
    private func read<Message: ReplicationMessage, Result>(_ bytes: [UInt8], as _: Message.Type,
                                                          _ body: (Message) -> Result) -> Result {
        var copy = bytes
        return copy.withUnsafeMutableBytes { body(Message($0.baseAddress!)) }
    }

    private func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian }
    }

    private func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
    }

    func testTypesLengthsAndNames() {
        let expected: [(ReplicationProtocol.MessageType, UInt16, Int, String)] = [
            (.voteRequest, 7, 56, "VoteRequest"), (.voteResponse, 8, 40, "VoteResponse"),
            (.syncRequest, 9, 64, "SyncRequest"), (.sync, 10, 184, "Sync"), (.timeoutNow, 11, 40, "TimeoutNow"),
            (.configAppend, 12, 224, "ConfigAppend"), (.configAppendAck, 13, 56, "ConfigAppendAck"), (.probe, 14, 56, "Probe"),
        ]
        for (type, raw, length, name) in expected {
            XCTAssertEqual(type.rawValue, raw)
            XCTAssertEqual(type.fixedLength, length, name)
            XCTAssertEqual(type.blockLength, length - 8, name)
            XCTAssertEqual(type.description, name)
            XCTAssertTrue(type.hasChecksum, name)
        }
        XCTAssertEqual(ReplicationProtocol.version, 6)
        XCTAssertEqual(ReplicationSync.maximumEntries, 8)
        XCTAssertEqual(ReplicationSync.entriesOffset + ReplicationSync.maximumEntries * ReplicationSync.entryStride
                       + ReplicationChecksum.trailerLength, ReplicationSync.encodedLength, "eight slots, then the trailer")
    }

    func testVoteRequestRoundTrip() {
        let bytes = datagram(ReplicationVoteRequest.self, term: 31) {
            $0.lastTerm = 0x0102_0304_0506_0708; $0.lastPosition = 0x1_0000_0020; $0.isPreVote = true
        }
        XCTAssertEqual(check(bytes), .valid(.voteRequest, fromNode: 5))
        XCTAssertEqual(uint64(bytes, at: 24), 0x0102_0304_0506_0708)
        XCTAssertEqual(uint64(bytes, at: 32), 0x1_0000_0020)
        XCTAssertEqual(uint32(bytes, at: 40), 1, "pre-vote is bit 0")
        XCTAssertEqual(uint32(bytes, at: 44), 0, "reserved")
        read(bytes, as: ReplicationVoteRequest.self) { request in
            XCTAssertEqual(request.header.epoch, 31, "the proposed term rides in the header")
            XCTAssertEqual(request.lastTerm, 0x0102_0304_0506_0708)
            XCTAssertEqual(request.lastPosition, 0x1_0000_0020)
            XCTAssertTrue(request.isPreVote)
            request.isPreVote = false
            XCTAssertFalse(request.isPreVote)
            XCTAssertEqual(request.flags, 0)
        }
    }

    func testVoteResponseRoundTripAndFlags() {
        for (granted, preVote, flags) in [(false, false, UInt32(0)), (true, false, 1), (false, true, 2), (true, true, 3)] {
            let bytes = datagram(ReplicationVoteResponse.self, term: 40) { $0.isGranted = granted; $0.isPreVote = preVote }
            XCTAssertEqual(check(bytes), .valid(.voteResponse, fromNode: 5))
            XCTAssertEqual(uint32(bytes, at: 24), flags, "granted \(granted), pre-vote \(preVote)")
            read(bytes, as: ReplicationVoteResponse.self) { response in
                XCTAssertEqual(response.header.epoch, 40)
                XCTAssertEqual(response.isGranted, granted)
                XCTAssertEqual(response.isPreVote, preVote)
            }
        }
        let bytes = datagram(ReplicationVoteResponse.self) { $0.flags = 0xFFFF_FFFF; $0.isGranted = false }
        read(bytes, as: ReplicationVoteResponse.self) { response in
            XCTAssertEqual(response.flags, 0xFFFF_FFFE, "a setter touches its own bit only")
            XCTAssertTrue(response.isPreVote)
        }
    }

    func testSyncRequestRoundTrip() {
        let bytes = datagram(ReplicationSyncRequest.self) {
            $0.lastTerm = 7; $0.lastTermStart = 4_096; $0.endPosition = 10_240; $0.durablePosition = 8_192
        }
        XCTAssertEqual(check(bytes), .valid(.syncRequest, fromNode: 5))
        XCTAssertEqual([24, 32, 40, 48].map { uint64(bytes, at: $0) }, [7, 4_096, 10_240, 8_192])
        read(bytes, as: ReplicationSyncRequest.self) { request in
            XCTAssertEqual(request.lastTerm, 7)
            XCTAssertEqual(request.lastTermStart, 4_096)
            XCTAssertEqual(request.endPosition, 10_240)
            XCTAssertEqual(request.durablePosition, 8_192)
        }
    }

    func testSyncRoundTripWithEverySlot() {
        let bytes = datagram(ReplicationSync.self) { sync in
            sync.matchPosition = 3_000
            sync.validUpTo = 90_000
            sync.entryCount = 8
            for index in 0..<8 { sync.setEntry(at: index, term: UInt64(10 + index), start: Int64(index) * 10_000) }
        }
        XCTAssertEqual(check(bytes), .valid(.sync, fromNode: 5))
        XCTAssertEqual(uint64(bytes, at: 24), 3_000)
        XCTAssertEqual(uint64(bytes, at: 32), 90_000)
        XCTAssertEqual(uint32(bytes, at: 40), 8)
        XCTAssertEqual(uint32(bytes, at: 44), 0)
        for index in 0..<8 {
            XCTAssertEqual(uint64(bytes, at: 48 + 16 * index), UInt64(10 + index), "slot \(index) term")
            XCTAssertEqual(uint64(bytes, at: 56 + 16 * index), UInt64(index) * 10_000, "slot \(index) start")
        }
        read(bytes, as: ReplicationSync.self) { sync in
            XCTAssertEqual(sync.matchPosition, 3_000)
            XCTAssertEqual(sync.validUpTo, 90_000)
            XCTAssertEqual(sync.entryCount, 8)
            XCTAssertEqual((0..<8).map { sync.entryTerm(at: $0) }, Array(10...17))
            XCTAssertEqual((0..<8).map { sync.entryStart(at: $0) }, (0..<8).map { Int64($0) * 10_000 })
        }
    }

    func testASyncWithFewEntriesLeavesTheOtherSlotsZeroAndEveryStartListedIsMax() {
        let bytes = datagram(ReplicationSync.self) { sync in
            sync.matchPosition = 0
            sync.validUpTo = .max
            sync.entryCount = 2
            sync.setEntry(at: 0, term: 1, start: 0)
            sync.setEntry(at: 1, term: 3, start: 640)
        }
        XCTAssertEqual(check(bytes), .valid(.sync, fromNode: 5))
        XCTAssertTrue(bytes[80..<176].allSatisfy { $0 == 0 }, "unused slots are zero")
        XCTAssertEqual(check(datagram(ReplicationSync.self) { $0.validUpTo = .max }), .valid(.sync, fromNode: 5), "no entries: an empty leader log")
    }

    /// A bit flipped anywhere — header, fields, an entry slot, the trailer — is refused.
    func testDamageIsRefusedByTheChecksum() {
        let messages: [(ReplicationProtocol.MessageType, [UInt8])] = [
            (.voteRequest, datagram(ReplicationVoteRequest.self) { $0.lastTerm = 3; $0.lastPosition = 96 }),
            (.voteResponse, datagram(ReplicationVoteResponse.self) { $0.isGranted = true }),
            (.syncRequest, datagram(ReplicationSyncRequest.self) { $0.lastTerm = 3; $0.endPosition = 96 }),
            (.sync, datagram(ReplicationSync.self) { $0.entryCount = 1; $0.setEntry(at: 0, term: 3, start: 0) }),
        ]
        for (type, good) in messages {
            XCTAssertEqual(check(good), .valid(type, fromNode: 5))
            for bit in 0..<(good.count * 8) {
                var bytes = good
                bytes[bit / 8] ^= UInt8(1 << (bit % 8))
                XCTAssertNotEqual(check(bytes), .valid(type, fromNode: 5), "\(type), bit \(bit)")
            }
            for offset in [24, 30, good.count - 9, good.count - 1] {
                var bytes = good
                bytes[offset] ^= 0x10
                XCTAssertEqual(check(bytes), .dropped(.badChecksum), "\(type), byte \(offset)")
            }
        }
        var entry = messages[3].1
        entry[48 + 16 * 5 + 8] ^= 0x01
        XCTAssertEqual(check(entry), .dropped(.badChecksum), "an unused slot is covered too")
    }

    func testNegativeFieldsAreMalformed() {
        XCTAssertEqual(check(datagram(ReplicationVoteRequest.self) { $0.lastPosition = -1 }), .dropped(.malformed))
        XCTAssertEqual(check(datagram(ReplicationVoteRequest.self) { $0.lastTerm = .max }), .valid(.voteRequest, fromNode: 5),
                       "a term is unsigned: any value is well formed")
        XCTAssertEqual(check(datagram(ReplicationSyncRequest.self) { $0.lastTermStart = -1 }), .dropped(.malformed))
        XCTAssertEqual(check(datagram(ReplicationSyncRequest.self) { $0.endPosition = .min }), .dropped(.malformed))
        XCTAssertEqual(check(datagram(ReplicationSyncRequest.self) { $0.durablePosition = -8 }), .dropped(.malformed))
        XCTAssertEqual(check(datagram(ReplicationSync.self) { $0.matchPosition = -1 }), .dropped(.malformed))
        XCTAssertEqual(check(datagram(ReplicationSync.self) { $0.validUpTo = -1 }), .dropped(.malformed))
        XCTAssertEqual(check(datagram(ReplicationSync.self) {
            $0.entryCount = 2; $0.setEntry(at: 0, term: 1, start: 0); $0.setEntry(at: 1, term: 2, start: -32)
        }), .dropped(.malformed), "a negative entry start")
        XCTAssertEqual(check(datagram(ReplicationSync.self) { $0.entryCount = 1; $0.setEntry(at: 0, term: 1, start: .min) }),
                       .dropped(.malformed), "a negative first entry start")
    }

    func testSyncEntriesMustFitTheirSlotsAndIncrease() {
        func sync(count: UInt32, _ entries: [(UInt64, Int64)]) -> [UInt8] {
            datagram(ReplicationSync.self) { sync in
                sync.entryCount = count
                for (index, entry) in entries.enumerated() { sync.setEntry(at: index, term: entry.0, start: entry.1) }
            }
        }
        let eight = (0..<8).map { (UInt64($0 + 1), Int64($0) * 64) }
        XCTAssertEqual(check(sync(count: 8, eight)), .valid(.sync, fromNode: 5))
        XCTAssertEqual(check(sync(count: 9, eight)), .dropped(.malformed), "more entries than slots")
        XCTAssertEqual(check(sync(count: .max, eight)), .dropped(.malformed), "a count that would read far past the message")
        XCTAssertEqual(check(sync(count: 2, [(2, 0), (2, 64)])), .dropped(.malformed), "a repeated term")
        XCTAssertEqual(check(sync(count: 2, [(3, 0), (2, 64)])), .dropped(.malformed), "terms going back")
        XCTAssertEqual(check(sync(count: 2, [(1, 64), (2, 64)])), .dropped(.malformed), "a repeated start")
        XCTAssertEqual(check(sync(count: 2, [(1, 64), (2, 0)])), .dropped(.malformed), "starts going back")
        XCTAssertEqual(check(sync(count: 1, [(0, 0)])), .dropped(.malformed), "term 0 means no term")
        XCTAssertEqual(check(sync(count: 1, [(1, 0), (1, 0)])), .valid(.sync, fromNode: 5), "slots past the count are not read")
    }

    func testWrongLengthsAreMalformed() {
        let messages: [[UInt8]] = [
            datagram(ReplicationVoteRequest.self), datagram(ReplicationVoteResponse.self),
            datagram(ReplicationSyncRequest.self), datagram(ReplicationSync.self),
        ]
        for good in messages {
            let type = ReplicationProtocol.MessageType(rawValue: UInt16(good[2]))!
            XCTAssertEqual(check(good + [0, 0, 0, 0, 0, 0, 0, 0]), .dropped(.malformed), "\(type): longer than its type")
            XCTAssertEqual(check(Array(good.dropLast(8))), .dropped(.malformed), "\(type): cut short")
            XCTAssertEqual(check(Array(good.prefix(24))), .dropped(.malformed), "\(type): a header alone")
            var lying = good
            lying[0] &+= 8
            XCTAssertEqual(check(lying), .dropped(.malformed), "\(type): block length lies")
        }
        // A Sync's length is fixed: a shorter one with fewer slots is not a Sync.
        let short = datagram(ReplicationSync.self)
        XCTAssertEqual(check(Array(short.prefix(48 + 16 + 8))), .dropped(.malformed))
    }

    /// Raft's check leaves the term in the epoch field to the replicator. The
    /// chain's check refuses its data messages of any epoch but its own, but
    /// not the configuration log's votes (their epoch field is a configuration term).
    func testTheCheckWithoutEpochAcceptsAnyEpoch() {
        for term: UInt32 in [0, 1, 12, 0x8000_0000, .max] {
            let bytes = datagram(ReplicationVoteRequest.self, term: term) { $0.lastTerm = 1 }
            XCTAssertEqual(check(bytes), .valid(.voteRequest, fromNode: 5), "term \(term)")
            let chain = bytes.withUnsafeBytes { ReplicationDatagramCheck.check($0, clusterId: clusterId, epoch: 12) }
            XCTAssertEqual(chain, .valid(.voteRequest, fromNode: 5), "term \(term)")
        }
        var commit = [UInt8](repeating: 0, count: ReplicationCommit.encodedLength)
        commit.withUnsafeMutableBytes { raw in
            ReplicationHeader(raw.baseAddress!).write(type: .commit, fromNode: 2, clusterId: clusterId, epoch: 99)
            ReplicationChecksum.seal(raw.baseAddress!, length: raw.count)
        }
        XCTAssertEqual(check(commit), .valid(.commit, fromNode: 2), "every type, not only Raft's")
        let otherCluster = datagram(ReplicationVoteResponse.self, term: 3)
        XCTAssertEqual(otherCluster.withUnsafeBytes { ReplicationDatagramCheck.check($0, clusterId: 1) }, .dropped(.wrongCluster),
                       "the cluster is still checked")
        XCTAssertEqual(check(datagram(ReplicationSync.self, term: 77) { $0.entryCount = 9 }), .dropped(.malformed),
                       "and every field")
    }
}
