import BatonCodec
import BatonLog
import BatonReplication
import BatonTestSupport
import Logging
import XCTest

/// The Raft state file on the machine's file system: a round trip, absent
/// is nil, and any damage — a flipped byte, a cut, extra bytes, a field
/// that breaks the invariant under a valid CRC — is an error naming the
/// file, never a state.
final class RaftStateFileTests: XCTestCase {
    private let files = SystemFileSystem()
    private var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("raft-state") }
    override func tearDown() { removeTree(directory) }

    private var path: String { RaftStateFile.path(in: directory) }

    private let sample = RaftPersistentState(
        currentTerm: 9, votedFor: 2,
        termIndex: RaftTermIndex(entries: [.init(term: 1, start: 0), .init(term: 4, start: 4_096), .init(term: 7, start: 1 << 33)]))

    /// `body`'s error, which must be a `.corruptStateFile` naming this directory's file; its reason.
    private func corruptReason(_ body: () throws(LogError) -> Void, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
            return nil
        } catch {
            guard case let .corruptStateFile(errorPath, reason) = error else {
                XCTFail("expected corruptStateFile, got \(error)", file: file, line: line)
                return nil
            }
            XCTAssertEqual(errorPath, path, file: file, line: line)
            XCTAssertTrue(error.description.contains(path), error.description, file: file, line: line)
            return reason
        }
    }

    private func readBack() throws(LogError) { _ = try RaftStateFile.read(directory: directory, fileSystem: files) }

    private func writeRaw(_ bytes: [UInt8]) throws {
        try files.writeFileAtomically(path, directory: directory, bytes: bytes)
    }

    /// `bytes` with its CRC32C recomputed: a file a buggy writer produced, not a damaged one.
    private func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let covered = bytes.count - 4
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<covered])) }
        for index in 0..<4 { bytes[covered + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index))) }
        return bytes
    }

    func testRoundTrip() throws {
        try RaftStateFile.write(sample, directory: directory, fileSystem: files)
        XCTAssertEqual(try RaftStateFile.read(directory: directory, fileSystem: files), sample)
        XCTAssertEqual(try files.fileSize(path), Int64(RaftStateFile.fileBytes(entryCount: 3)))
        XCTAssertEqual(RaftStateFile.fileBytes(entryCount: 3), 24 + 3 * 16 + 4)
        XCTAssertFalse(files.exists(path + ".tmp"), "the temporary file was renamed into place")

        let fresh = RaftPersistentState()
        try RaftStateFile.write(fresh, directory: directory, fileSystem: files)
        XCTAssertEqual(try RaftStateFile.read(directory: directory, fileSystem: files), fresh, "no vote, no terms: overwritten whole")
        XCTAssertEqual(try files.fileSize(path), 28)

        let voted = RaftPersistentState(currentTerm: .max, votedFor: 0, termIndex: RaftTermIndex(entries: [.init(term: .max, start: .max)]))
        try RaftStateFile.write(voted, directory: directory, fileSystem: files)
        XCTAssertEqual(try RaftStateFile.read(directory: directory, fileSystem: files), voted, "extreme values; a vote for member 0")
    }

    /// The layout the doc comment draws.
    func testLayout() throws {
        let bytes = try RaftStateFile.encode(sample, path: path)
        XCTAssertEqual(Array(bytes[0..<4]), Array("BTRS".utf8))
        XCTAssertEqual(Array(bytes[4..<8]), [1, 0, 0, 0], "version")
        XCTAssertEqual(Array(bytes[8..<12]), [3, 0, 0, 0], "entry count")
        XCTAssertEqual(Array(bytes[12..<16]), [2, 0, 0, 0], "voted for")
        XCTAssertEqual(Array(bytes[16..<24]), [9, 0, 0, 0, 0, 0, 0, 0], "current term")
        XCTAssertEqual(Array(bytes[40..<56]), [4, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0], "entry 1: term 4 from 4096")
        XCTAssertEqual(Array(bytes[64..<72]), [0, 0, 0, 0, 2, 0, 0, 0], "entry 2's start, 1 << 33")
        XCTAssertEqual(resealed(bytes), bytes, "the CRC32C of everything before it")
        let none = try RaftStateFile.encode(RaftPersistentState(), path: path)
        XCTAssertEqual(Array(none[12..<16]), [0xFF, 0xFF, 0xFF, 0xFF], "no vote")
    }

    func testAbsentIsNil() throws {
        XCTAssertNil(try RaftStateFile.read(directory: directory, fileSystem: files))
    }

    func testEveryFlippedByteIsAnErrorNamingTheFile() throws {
        try RaftStateFile.write(sample, directory: directory, fileSystem: files)
        let good = try files.readFile(path)
        var reasons = Set<String>()
        for index in good.indices {
            var bytes = good
            bytes[index] ^= 0x20
            try writeRaw(bytes)
            if let reason = corruptReason(readBack) { reasons.insert(String(reason.prefix(5))) }
        }
        XCTAssertTrue(reasons.isSuperset(of: ["magic", "versi", "CRC32"]), "\(reasons)")
        var bytes = good
        bytes[30] ^= 0x01 // entry 0's term
        try writeRaw(bytes)
        let reason = corruptReason(readBack)
        XCTAssertTrue(reason?.contains("CRC32C") == true, reason ?? "")
    }

    func testATruncatedOrLengthenedFileIsAnError() throws {
        try RaftStateFile.write(sample, directory: directory, fileSystem: files)
        let good = try files.readFile(path)
        for length in 0..<good.count {
            try writeRaw(Array(good.prefix(length)))
            let reason = corruptReason(readBack)
            XCTAssertTrue(reason?.contains("bytes") == true, "cut to \(length): \(reason ?? "")")
        }
        try writeRaw(good + [0])
        XCTAssertTrue(corruptReason(readBack)?.contains("expected 76") == true)
        try writeRaw([UInt8](repeating: 0, count: RaftStateFile.fileBytes(entryCount: RaftStateFile.maximumEntries) + 1))
        XCTAssertTrue(corruptReason(readBack)?.contains("longer") == true, "larger than any valid file: not read")
    }

    /// Files a buggy writer could leave, with a valid CRC: refused by what they break.
    func testValuesThatBreakTheInvariantAreAnError() throws {
        let good = try RaftStateFile.encode(sample, path: path)
        var bytes = good
        bytes[4] = 2
        try writeRaw(resealed(bytes))
        XCTAssertEqual(corruptReason(readBack), "version 2, this build reads 1")

        bytes = good
        bytes[8] = 4 // four entries in a file of three
        try writeRaw(resealed(bytes))
        XCTAssertEqual(corruptReason(readBack), "76 bytes, expected 92 for 4 entries")

        bytes = good
        bytes[8...11] = [0x01, 0x00, 0x01, 0x00] // 65,537
        try writeRaw(resealed(bytes))
        XCTAssertEqual(corruptReason(readBack), "65537 term index entries, at most 65536")

        bytes = good
        bytes[40] = 1 // entry 1's term 4 → 1, not above entry 0's
        try writeRaw(resealed(bytes))
        XCTAssertTrue(corruptReason(readBack)?.hasPrefix("term index entries out of order") == true)

        bytes = good
        bytes[16] = 6 // current term 9 → 6, below the log's last term 7
        try writeRaw(resealed(bytes))
        XCTAssertEqual(corruptReason(readBack), "the log's last term 7 is past the current term 6")
    }

    func testLimitsOfTheFormatRefuseToWrite() throws {
        try RaftStateFile.write(sample, directory: directory, fileSystem: files)
        let tooMany = RaftPersistentState(currentTerm: 70_000, termIndex: RaftTermIndex(
            entries: (1...RaftStateFile.maximumEntries + 1).map { RaftTermEntry(term: UInt64($0), start: Int64($0) * 32) }))
        XCTAssertThrowsError(try RaftStateFile.write(tooMany, directory: directory, fileSystem: files)) { error in
            XCTAssertEqual(error as? LogError, .unwritableStateFile(path: path, reason: "65537 term index entries, at most 65536"))
        }
        let reservedVote = RaftPersistentState(currentTerm: 3, votedFor: 0xFFFF_FFFF)
        XCTAssertThrowsError(try RaftStateFile.write(reservedVote, directory: directory, fileSystem: files)) { error in
            guard case .unwritableStateFile = error as? LogError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try RaftStateFile.read(directory: directory, fileSystem: files), sample, "nothing was written")

        let full = RaftPersistentState(currentTerm: 70_000, termIndex: RaftTermIndex(
            entries: (1...RaftStateFile.maximumEntries).map { RaftTermEntry(term: UInt64($0), start: Int64($0) * 32) }))
        try RaftStateFile.write(full, directory: directory, fileSystem: files)
        XCTAssertEqual(try RaftStateFile.read(directory: directory, fileSystem: files), full, "the largest file")
    }

    /// The file lives beside the segments: log recovery leaves it alone and
    /// sweeps a temporary one a crash left behind.
    func testLogRecoveryKeepsTheStateFileAndSweepsItsTemporary() throws {
        try RaftStateFile.write(sample, directory: directory, fileSystem: files)
        try files.writeFileAtomically(path + ".tmp.x", directory: directory, bytes: [1, 2, 3])
        try files.rename(path + ".tmp.x", to: path + ".tmp")
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        var configuration = LogConfiguration(directory: directory)
        configuration.segmentBytes = 1 << 20
        _ = try LogRecovery.recover(configuration: configuration, fileSystem: files, logger: logger)
        XCTAssertFalse(files.exists(path + ".tmp"))
        XCTAssertEqual(try RaftStateFile.read(directory: directory, fileSystem: files), sample)
    }
}
