import BatonTestSupport
import BatonCodec
import BatonLog
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A change made to one frame of a test log, so that two logs written from
/// the same seed differ exactly there.
private struct FrameChange {
    /// Which frame (0 = the first appended).
    var index: Int
    /// Flip this payload byte.
    var flipPayloadByte: Int?
    /// Payload bytes added to the frame's length.
    var extraPayload = 0
    /// Added to the frame's sequence.
    var sequenceDelta: UInt64 = 0
}

/// `baton log compare`: logs written from one seed compare identical; a
/// change to one frame is found at exactly that frame.
final class LogComparisonTests: XCTestCase {
    private var root = ""

    override func setUp() { root = makeTemporaryDirectory("log-compare") }
    override func tearDown() { removeTree(root) }

    /// Writes a log of `count` patterned frames, sizes drawn from `seed`
    /// (so equal seeds give equal logs), into `root/name`, until durable;
    /// returns the directory and every frame's position.
    private func writeLog(_ name: String, count: Int, seed: UInt64 = 21, change: FrameChange? = nil,
                          file: StaticString = #filePath, line: UInt = #line) throws -> (path: String, positions: [Int64]) {
        let path = root + "/" + name
        XCTAssertEqual(mkdir(path, 0o755), 0)
        let log = try DurableLog.open(smallConfiguration(path), logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        defer { writer.onClose() }
        let lengths = payloadLengths(count: count, seed: seed)
        var positions: [Int64] = []
        while positions.count < count {
            let index = positions.count
            let change = change?.index == index ? change : nil
            guard let frame = log.appender.tryClaim(payloadLength: lengths[index] + (change?.extraPayload ?? 0),
                                                    streamId: 3, producerId: 42,
                                                    sequence: UInt64(index) + (change?.sequenceDelta ?? 0),
                                                    timestampNanos: Int64(index) * 1000) else {
                _ = try writer.doWork()
                continue
            }
            for byte in 0..<frame.payloadLength {
                frame.payload.storeBytes(of: patternByte(position: frame.position, index: byte), toByteOffset: byte, as: UInt8.self)
            }
            if let byte = change?.flipPayloadByte {
                frame.payload.storeBytes(of: ~frame.payload.load(fromByteOffset: byte, as: UInt8.self), toByteOffset: byte, as: UInt8.self)
            }
            positions.append(frame.position)
            log.appender.commit(frame)
        }
        let end = log.appender.position
        drive(writer, file: file, line: line) { log.durablePosition == end }
        return (path, positions)
    }

    /// The payload lengths `writeLog` uses for `seed`: 0...300 bytes.
    private func payloadLengths(count: Int, seed: UInt64 = 21) -> [Int] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int(random.next() % 301) }
    }

    private func end(of directory: String) throws -> Int64 { try LogVerifier.verify(directory: directory).endPosition }

    func testIdenticalLogs() throws {
        let a = try writeLog("a", count: 2000)
        let b = try writeLog("b", count: 2000)
        let c = try writeLog("c", count: 2000)
        let end = try end(of: a.path)
        XCTAssertGreaterThan(end, 4 * (64 << 10), "the logs must cross segments (and hold padding frames)")
        let report = try LogComparison.compare(directories: [a.path, b.path, c.path])
        XCTAssertTrue(report.isIdentical, "\(String(describing: report.difference))")
        XCTAssertEqual(report.logs.map(\.directory), [a.path, b.path, c.path])
        XCTAssertEqual(report.logs.map(\.start), [0, 0, 0])
        XCTAssertEqual(report.logs.map(\.end), [end, end, end])
        XCTAssertEqual(report.commonStart, 0)
        XCTAssertEqual(report.commonEnd, end)
        XCTAssertEqual(report.comparedEnd, end)
        XCTAssertEqual(report.bytes, end)
        let verification = try LogVerifier.verify(directory: a.path)
        XCTAssertGreaterThan(verification.paddingFrames, 0)
        XCTAssertEqual(report.frames, verification.frames)
    }

    func testALongerLogIsNotADifferenceButReportsTheShorterEnd() throws {
        let long = try writeLog("long", count: 1500)
        let short = try writeLog("short", count: 1000)
        let shortEnd = try end(of: short.path), longEnd = try end(of: long.path)
        XCTAssertGreaterThan(longEnd, shortEnd)
        let report = try LogComparison.compare(directories: [long.path, short.path])
        XCTAssertTrue(report.isIdentical, "\(String(describing: report.difference))")
        XCTAssertEqual(report.logs.map(\.end), [longEnd, shortEnd])
        XCTAssertEqual(report.commonEnd, shortEnd)
        XCTAssertEqual(report.shortestLog, 1)
        XCTAssertEqual(report.comparedEnd, shortEnd)
        XCTAssertEqual(report.frames, try LogVerifier.verify(directory: short.path).frames)

        // Asked to compare up to the longer end, the shorter log is missing frames.
        let limited = try LogComparison.compare(directories: [long.path, short.path], upTo: longEnd)
        let difference = try XCTUnwrap(limited.difference)
        XCTAssertEqual(difference.position, shortEnd)
        XCTAssertEqual(difference.differing, [1])
        XCTAssertEqual(difference.fields, [.missing])
        XCTAssertNotNil(difference.frames[0])
        XCTAssertNil(difference.frames[1])
        XCTAssertEqual(difference.absence[1], "the log ends at \(shortEnd)")
        // Up to the shorter end (say, the commit position): identical.
        XCTAssertTrue(try LogComparison.compare(directories: [long.path, short.path], upTo: shortEnd).isIdentical)
    }

    /// A log whose first segment is gone (retention) is compared from its start on.
    func testComparesFromTheHighestStart() throws {
        let a = try writeLog("a", count: 1000)
        let b = try writeLog("b", count: 1000)
        let segmentBytes = Int64(smallConfiguration(b.path).segmentBytes)
        XCTAssertEqual(unlink(b.path + "/" + String(repeating: "0", count: 20) + ".log"), 0)
        let report = try LogComparison.compare(directories: [a.path, b.path])
        XCTAssertTrue(report.isIdentical, "\(String(describing: report.difference))")
        XCTAssertEqual(report.logs.map(\.start), [0, segmentBytes])
        XCTAssertEqual(report.commonStart, segmentBytes)
        XCTAssertEqual(report.bytes, report.commonEnd - segmentBytes)
    }

    func testADifferingPayloadByteIsFoundExactly() throws {
        let lengths = payloadLengths(count: 1200)
        let bad = try XCTUnwrap(lengths.indices.first { $0 >= 700 && lengths[$0] > 13 }, "a frame with a 14th payload byte")
        let a = try writeLog("a", count: 1200)
        let b = try writeLog("b", count: 1200, change: FrameChange(index: bad, flipPayloadByte: 13))
        let c = try writeLog("c", count: 1200)
        let positions = a.positions
        XCTAssertEqual(b.positions, positions, "same sizes, same positions")
        let report = try LogComparison.compare(directories: [a.path, b.path, c.path])
        let difference = try XCTUnwrap(report.difference)
        XCTAssertEqual(difference.position, positions[bad])
        XCTAssertEqual(report.comparedEnd, positions[bad])
        XCTAssertEqual(difference.differing, [1])
        XCTAssertEqual(difference.fields, [.payload])
        XCTAssertEqual(difference.firstDifferingPayloadByte, 13)
        let frameA = try XCTUnwrap(difference.frames[0]), frameB = try XCTUnwrap(difference.frames[1])
        XCTAssertEqual(frameA.sequence, UInt64(bad))
        XCTAssertEqual(frameA.length, frameB.length)
        XCTAssertNotEqual(frameA.payloadChecksum, frameB.payloadChecksum)
        XCTAssertNotEqual(frameA.checksum, frameB.checksum)
        XCTAssertEqual(difference.frames[2], frameA)
        // Everything before it was compared and identical.
        XCTAssertEqual(report.bytes, positions[bad])
        XCTAssertGreaterThanOrEqual(report.frames, bad)
        // Up to that frame, the logs agree.
        XCTAssertTrue(try LogComparison.compare(directories: [a.path, b.path, c.path], upTo: positions[bad]).isIdentical)
        XCTAssertFalse(try LogComparison.compare(directories: [a.path, b.path], upTo: positions[bad] + 1).isIdentical)
    }

    func testADifferingSequenceIsNamed() throws {
        let a = try writeLog("a", count: 300)
        let b = try writeLog("b", count: 300, change: FrameChange(index: 123, sequenceDelta: 1000))
        let difference = try XCTUnwrap(LogComparison.compare(directories: [a.path, b.path]).difference)
        XCTAssertEqual(difference.position, a.positions[123])
        XCTAssertEqual(difference.fields, [.sequence])
        XCTAssertNil(difference.firstDifferingPayloadByte)
        XCTAssertEqual(difference.frames[1]?.sequence, 1123)
    }

    func testADifferingFrameLength() throws {
        let a = try writeLog("a", count: 600)
        let b = try writeLog("b", count: 600, change: FrameChange(index: 400, extraPayload: 40))
        XCTAssertEqual(Array(b.positions.prefix(401)), Array(a.positions.prefix(401)))
        let report = try LogComparison.compare(directories: [a.path, b.path])
        let difference = try XCTUnwrap(report.difference)
        XCTAssertEqual(difference.position, a.positions[400])
        XCTAssertEqual(difference.differing, [1])
        XCTAssertTrue(difference.fields.contains(.length), "\(difference.fields)")
        XCTAssertEqual(difference.frames[1]!.length, difference.frames[0]!.length + 40)
        XCTAssertNil(difference.firstDifferingPayloadByte, "the shorter payload is a prefix of the longer")
    }

    func testUnreadableDirectoriesAreErrorsNamingThem() throws {
        let a = try writeLog("a", count: 10)
        let missing = root + "/no-such-node"
        XCTAssertThrowsError(try LogComparison.compare(directories: [a.path, missing])) { error in
            XCTAssertEqual(error as? LogComparisonError,
                           .unreadable(directory: missing, reason: "opendir failed on \(missing): \(errnoText(ENOENT))"))
            XCTAssertTrue("\(error)".hasPrefix("cannot read the log in '\(missing)': "), "\(error)")
        }
        let empty = root + "/empty"
        XCTAssertEqual(mkdir(empty, 0o755), 0)
        XCTAssertThrowsError(try LogComparison.compare(directories: [empty, a.path])) { error in
            XCTAssertTrue("\(error)".contains("cannot read the log in '\(empty)'"), "\(error)")
            XCTAssertTrue("\(error)".contains("not a log directory"), "\(error)")
        }
        XCTAssertThrowsError(try LogComparison.compare(directories: [a.path])) { error in
            XCTAssertEqual(error as? LogComparisonError, .tooFewLogs(count: 1))
        }
        XCTAssertThrowsError(try LogComparison.compare(directories: [a.path, a.path], upTo: -1)) { error in
            XCTAssertEqual(error as? LogComparisonError, .invalidLimit(-1))
        }
    }
}
