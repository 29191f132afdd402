import BatonCodec
import BatonReplication
import XCTest

/// `ChainMembership` and `ConfigurationEntry`: the chain helpers, the changes
/// (each the next epoch), and the byte encoding — a round trip, the layout,
/// and every kind of bad bytes refused with an error naming the problem.
final class ChainMembershipTests: XCTestCase {
    private func chain(_ members: [UInt32], epoch: UInt32 = 3, minimum: Int = 2) throws -> ChainMembership {
        try ChainMembership(epoch: epoch, members: members, minimumLength: minimum)
    }

    private func encoded(_ membership: ChainMembership) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: membership.encodedBytes)
        try bytes.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            try membership.encode(into: &writer)
            XCTAssertEqual(writer.remaining, 0)
        }
        return bytes
    }

    private func decodeMembership(_ bytes: [UInt8]) throws(ChainMembershipError) -> ChainMembership {
        let result: Result<ChainMembership, ChainMembershipError> = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(ChainMembershipError) { return .success(try ChainMembership.decode(from: &reader)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func decodeError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ChainMembershipError? {
        do {
            let membership = try decodeMembership(bytes)
            XCTFail("decoded \(membership)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testChainHelpers() throws {
        let membership = try chain([5, 2, 9])
        XCTAssertEqual(membership.head, 5)
        XCTAssertEqual(membership.tail, 9)
        XCTAssertEqual(membership.count, 3)
        XCTAssertEqual(membership.successor(of: 5), 2)
        XCTAssertEqual(membership.successor(of: 2), 9)
        XCTAssertNil(membership.successor(of: 9), "the tail has no successor")
        XCTAssertNil(membership.successor(of: 7), "nor a non-member")
        XCTAssertEqual(membership.predecessor(of: 9), 2)
        XCTAssertNil(membership.predecessor(of: 5), "the head has no predecessor")
        XCTAssertTrue(membership.contains(2))
        XCTAssertFalse(membership.contains(3))
        XCTAssertEqual(membership.position(of: 9), 2)
        XCTAssertTrue(membership.meetsMinimumLength)
        let single = try chain([4], minimum: 1)
        XCTAssertEqual(single.head, single.tail)
        XCTAssertEqual(membership.description, "epoch 3 [5 → 2 → 9] min 2")
    }

    func testEveryChangeIsTheNextEpoch() throws {
        let membership = try chain([5, 2, 9])
        let withoutHead = try membership.removing(5)
        XCTAssertEqual(withoutHead, try chain([2, 9], epoch: 4), "the successor becomes head")
        let withoutMiddle = try membership.removing(2)
        XCTAssertEqual(withoutMiddle.members, [5, 9])
        XCTAssertEqual(withoutMiddle.successor(of: 5), 9, "the predecessor's successor is the old successor")
        XCTAssertEqual(try membership.removing(9).tail, 2, "the predecessor becomes tail")
        let grown = try membership.appending(7)
        XCTAssertEqual(grown, try chain([5, 2, 9, 7], epoch: 4), "a new member joins as tail")
        XCTAssertEqual(try membership.withMinimumLength(3), try chain([5, 2, 9], epoch: 4, minimum: 3))
        let shrunk = try chain([9], minimum: 2)
        XCTAssertFalse(shrunk.meetsMinimumLength, "a chain shrunk below its minimum is valid; writes wait")

        XCTAssertThrowsError(try membership.removing(7)) { XCTAssertEqual($0 as? ChainMembershipError, .notAMember(nodeId: 7)) }
        XCTAssertThrowsError(try shrunk.removing(9)) { XCTAssertEqual($0 as? ChainMembershipError, .memberCountOutOfRange(count: 0)) }
        XCTAssertThrowsError(try membership.appending(2)) { XCTAssertEqual($0 as? ChainMembershipError, .alreadyAMember(nodeId: 2)) }
        let full = try chain(Array(1...16))
        XCTAssertThrowsError(try full.appending(17)) { XCTAssertEqual($0 as? ChainMembershipError, .memberCountOutOfRange(count: 17)) }
        let last = try chain([1, 2], epoch: .max)
        XCTAssertThrowsError(try last.removing(1)) { XCTAssertEqual($0 as? ChainMembershipError, .epochExhausted) }
        XCTAssertThrowsError(try membership.withMinimumLength(0)) {
            XCTAssertEqual($0 as? ChainMembershipError, .minimumLengthOutOfRange(minimumLength: 0))
        }
    }

    func testTheInitializerRefusesAnInvalidMembership() {
        XCTAssertThrowsError(try chain([])) { XCTAssertEqual($0 as? ChainMembershipError, .memberCountOutOfRange(count: 0)) }
        XCTAssertThrowsError(try chain(Array(1...17))) { XCTAssertEqual($0 as? ChainMembershipError, .memberCountOutOfRange(count: 17)) }
        XCTAssertThrowsError(try chain([1, 2, 1])) { XCTAssertEqual($0 as? ChainMembershipError, .duplicateMember(nodeId: 1)) }
        XCTAssertThrowsError(try chain([1], minimum: 0)) {
            XCTAssertEqual($0 as? ChainMembershipError, .minimumLengthOutOfRange(minimumLength: 0))
        }
        XCTAssertThrowsError(try chain([1], minimum: 17))
        XCTAssertThrowsError(try chain([1], epoch: 0)) { XCTAssertEqual($0 as? ChainMembershipError, .epochZero) }
        XCTAssertEqual(ChainMembershipError.duplicateMember(nodeId: 1).description, "member 1 appears twice")
    }

    /// The layout the doc comment draws.
    func testLayoutAndRoundTrip() throws {
        let membership = try chain([5, 0x0102_0304, 9], epoch: 0x0A0B_0C0D, minimum: 2)
        let bytes = try encoded(membership)
        XCTAssertEqual(bytes.count, 8 + 3 * 4)
        XCTAssertEqual(Array(bytes[0..<4]), [0x0D, 0x0C, 0x0B, 0x0A], "epoch")
        XCTAssertEqual(Array(bytes[4..<6]), [3, 0], "member count")
        XCTAssertEqual(Array(bytes[6..<8]), [2, 0], "minimum length")
        XCTAssertEqual(Array(bytes[8..<12]), [5, 0, 0, 0], "the head")
        XCTAssertEqual(Array(bytes[12..<16]), [4, 3, 2, 1])
        XCTAssertEqual(try decodeMembership(bytes), membership)
        for members in [[7], Array(1...16), [0, .max]] as [[UInt32]] {
            let value = try chain(members, epoch: .max, minimum: 16)
            XCTAssertEqual(try decodeMembership(try encoded(value)), value)
        }
        // A membership inside a longer buffer: decode stops after it.
        let twice = try encoded(membership) + [0xEE]
        let (decoded, remaining) = twice.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            return (try? ChainMembership.decode(from: &reader), reader.remaining)
        }
        XCTAssertEqual(decoded, membership)
        XCTAssertEqual(remaining, 1)
        // No room: nothing written.
        var small = [UInt8](repeating: 0, count: 19)
        let (error, offset) = small.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            do throws(CodecError) {
                try membership.encode(into: &writer)
                return (CodecError?.none, writer.offset)
            } catch {
                return (error, writer.offset)
            }
        }
        XCTAssertEqual(error, .writePastEnd(offset: 0, needed: 20, remaining: 19))
        XCTAssertEqual(offset, 0)
    }

    func testBadBytesAreRefusedByName() throws {
        let good = try encoded(try chain([5, 2, 9]))
        for length in 0..<good.count {
            guard case .truncated = decodeError(Array(good.prefix(length))) else { return XCTFail("cut to \(length)") }
        }
        var bytes = good
        bytes[4] = 0
        XCTAssertEqual(decodeError(bytes), .memberCountOutOfRange(count: 0))
        bytes[4] = 17
        XCTAssertEqual(decodeError(bytes), .memberCountOutOfRange(count: 17))
        bytes[4] = 4
        XCTAssertEqual(decodeError(bytes), .truncated(offset: 8, needed: 16, remaining: 12))
        bytes = good
        bytes[12] = 5
        XCTAssertEqual(decodeError(bytes), .duplicateMember(nodeId: 5))
        bytes = good
        bytes[6] = 0
        XCTAssertEqual(decodeError(bytes), .minimumLengthOutOfRange(minimumLength: 0))
        bytes[6] = 0xFF
        XCTAssertEqual(decodeError(bytes), .minimumLengthOutOfRange(minimumLength: 255))
        bytes = good
        bytes[0] = 0
        XCTAssertEqual(decodeError(bytes), .epochZero)
        XCTAssertTrue(ChainMembershipError.memberCountOutOfRange(count: 17).description.contains("17 members"))
    }

    /// An operator's removal holds a member out: it cannot join (`appending`)
    /// until released, failure removals keep it held out, and the encoding
    /// puts its id after the members (byte 5 counts them; a file written
    /// before held-out members existed has 0 there and reads the same).
    func testHeldOutMembers() throws {
        let start = try chain([1, 2, 3], epoch: 4)
        let out = try start.holdingOut(1)
        XCTAssertEqual(out.members, [2, 3])
        XCTAssertEqual(out.heldOut, [1])
        XCTAssertEqual(out.epoch, 5)
        XCTAssertTrue(out.holdsOut(1))
        XCTAssertEqual(out.head, 2, "without the head, its successor heads the chain")
        XCTAssertThrowsError(try out.appending(1)) { XCTAssertEqual($0 as? ChainMembershipError, .heldOut(nodeId: 1)) }
        XCTAssertThrowsError(try out.holdingOut(1)) { XCTAssertEqual($0 as? ChainMembershipError, .notAMember(nodeId: 1)) }
        XCTAssertThrowsError(try start.releasing(1)) { XCTAssertEqual($0 as? ChainMembershipError, .notHeldOut(nodeId: 1)) }
        let failed = try out.removing(3)
        XCTAssertEqual(failed.heldOut, [1], "a failure removal keeps the operator's")
        XCTAssertEqual(try failed.withMinimumLength(1).heldOut, [1])
        let released = try out.releasing(1)
        XCTAssertEqual(released.members, [2, 3])
        XCTAssertEqual(released.heldOut, [])
        XCTAssertEqual(released.epoch, 6)
        XCTAssertEqual(try released.appending(1).members, [2, 3, 1], "released, it joins as the tail")
        XCTAssertThrowsError(try ChainMembership(epoch: 1, members: [1, 2], minimumLength: 1, heldOut: [2])) {
            XCTAssertEqual($0 as? ChainMembershipError, .duplicateMember(nodeId: 2))
        }
        XCTAssertThrowsError(try ChainMembership(epoch: 1, members: Array(1...10), minimumLength: 1, heldOut: Array(11...17))) {
            XCTAssertEqual($0 as? ChainMembershipError, .memberCountOutOfRange(count: 17))
        }
        XCTAssertTrue(out.description.contains("held out 1"))

        let bytes = try encoded(out)
        XCTAssertEqual(bytes.count, 8 + 3 * 4)
        XCTAssertEqual(Array(bytes[4..<6]), [2, 1], "member count, held-out count")
        XCTAssertEqual(Array(bytes[8..<20]), [2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0], "members, then the held-out id")
        XCTAssertEqual(try decodeMembership(bytes), out)
        var bad = bytes
        bad[16] = 2
        XCTAssertEqual(decodeError(bad), .duplicateMember(nodeId: 2), "a held-out id that is also a member")
        bad = bytes
        bad[5] = 15
        XCTAssertEqual(decodeError(bad), .memberCountOutOfRange(count: 17))
        bad[5] = 2
        XCTAssertEqual(decodeError(bad), .truncated(offset: 8, needed: 16, remaining: 12))
    }

    func testEntryEncodingAndUpToDateOrder() throws {
        let entry = ConfigurationEntry(index: 7, term: 0x0102, membership: try chain([5, 2, 9]))
        var bytes = [UInt8](repeating: 0, count: entry.encodedBytes)
        try bytes.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            try entry.encode(into: &writer)
        }
        XCTAssertEqual(bytes.count, 16 + 20)
        XCTAssertEqual(Array(bytes[0..<8]), [7, 0, 0, 0, 0, 0, 0, 0], "index")
        XCTAssertEqual(Array(bytes[8..<16]), [2, 1, 0, 0, 0, 0, 0, 0], "term")
        func decode(_ bytes: [UInt8]) -> Result<ConfigurationEntry, ChainMembershipError> {
            bytes.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                do throws(ChainMembershipError) { return .success(try ConfigurationEntry.decode(from: &reader)) } catch { return .failure(error) }
            }
        }
        XCTAssertEqual(decode(bytes), .success(entry))
        var broken = bytes
        broken[8...9] = [0, 0]
        XCTAssertEqual(decode(broken), .failure(.entryTermMismatch(index: 7, term: 0)), "only index 0 has term 0")
        broken = bytes
        broken[0] = 0
        XCTAssertEqual(decode(broken), .failure(.entryTermMismatch(index: 0, term: 0x0102)))
        XCTAssertEqual(decode(Array(bytes.prefix(15))), .failure(.truncated(offset: 8, needed: 8, remaining: 7)))

        let membership = entry.membership
        let older = ConfigurationEntry(index: 9, term: 3, membership: membership)
        let newer = ConfigurationEntry(index: 2, term: 4, membership: membership)
        XCTAssertTrue(newer.isAtLeastAsUpToDate(as: older), "a later term wins over a higher index")
        XCTAssertFalse(older.isAtLeastAsUpToDate(as: newer))
        XCTAssertTrue(older.isAtLeastAsUpToDate(as: older))
        XCTAssertFalse(ConfigurationEntry(index: 8, term: 3, membership: membership).isAtLeastAsUpToDate(as: older))
    }
}
