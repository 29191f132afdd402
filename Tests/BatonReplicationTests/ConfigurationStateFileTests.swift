import BatonCodec
import BatonLog
import BatonReplication
import BatonTestSupport
import Logging
import XCTest

/// The configuration log's state file on the machine's file system: a round
/// trip, absent is nil, and any damage — every flipped byte, every cut, extra
/// bytes, a field that breaks the invariant under a valid CRC — is an error
/// naming the file, never a state.
final class ConfigurationStateFileTests: XCTestCase {
    private let files = SystemFileSystem()
    private var directory = ""

    override func setUp() { directory = makeTemporaryDirectory("chain-config") }
    override func tearDown() { removeTree(directory) }

    private var path: String { ConfigurationStateFile.path(in: directory) }

    private func membership(_ epoch: UInt32, _ members: [UInt32], minimum: Int = 2) -> ChainMembership {
        do { return try ChainMembership(epoch: epoch, members: members, minimumLength: minimum) } catch { preconditionFailure("\(error)") }
    }

    /// Committed entry 4 (epoch 3), an uncommitted change at 5 (epoch 4), term 9, a vote for 2.
    private var sample: ConfigurationPersistentState {
        ConfigurationPersistentState(
            currentTerm: 9, votedFor: 2,
            committedEntry: ConfigurationEntry(index: 4, term: 6, membership: membership(3, [1, 2, 3])),
            lastEntry: ConfigurationEntry(index: 5, term: 8, membership: membership(4, [2, 3])))
    }

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

    private func readBack() throws(LogError) { _ = try ConfigurationStateFile.read(directory: directory, fileSystem: files) }

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
        try ConfigurationStateFile.write(sample, directory: directory, fileSystem: files)
        XCTAssertEqual(try ConfigurationStateFile.read(directory: directory, fileSystem: files), sample)
        let sampleBytes = 20 + (16 + 8 + 12) + (16 + 8 + 8) + 4
        XCTAssertEqual(try files.fileSize(path), Int64(sampleBytes))
        XCTAssertFalse(files.exists(path + ".tmp"), "the temporary file was renamed into place")

        let fresh = ConfigurationPersistentState(initialMembership: membership(1, [1]))
        try ConfigurationStateFile.write(fresh, directory: directory, fileSystem: files)
        XCTAssertEqual(try ConfigurationStateFile.read(directory: directory, fileSystem: files), fresh, "overwritten whole")
        XCTAssertEqual(try files.fileSize(path), Int64(ConfigurationStateFile.minimumFileBytes))
        XCTAssertEqual(ConfigurationStateFile.minimumFileBytes, 80)

        let full = membership(.max, Array(0...15), minimum: 16)
        let largest = ConfigurationPersistentState(currentTerm: .max, votedFor: 0,
                                                   committedEntry: ConfigurationEntry(index: .max, term: .max, membership: full),
                                                   lastEntry: ConfigurationEntry(index: .max, term: .max, membership: full))
        try ConfigurationStateFile.write(largest, directory: directory, fileSystem: files)
        XCTAssertEqual(try ConfigurationStateFile.read(directory: directory, fileSystem: files), largest, "extreme values; a vote for member 0")
        XCTAssertEqual(try files.fileSize(path), Int64(ConfigurationStateFile.maximumFileBytes))
        XCTAssertEqual(ConfigurationStateFile.maximumFileBytes, 200)
    }

    /// The layout the doc comment draws.
    func testLayout() throws {
        let bytes = try ConfigurationStateFile.encode(sample, path: path)
        XCTAssertEqual(Array(bytes[0..<4]), Array("BTCL".utf8))
        XCTAssertEqual(Array(bytes[4..<8]), [1, 0, 0, 0], "version")
        XCTAssertEqual(Array(bytes[8..<16]), [9, 0, 0, 0, 0, 0, 0, 0], "current term")
        XCTAssertEqual(Array(bytes[16..<20]), [2, 0, 0, 0], "voted for")
        XCTAssertEqual(Array(bytes[20..<28]), [4, 0, 0, 0, 0, 0, 0, 0], "committed index")
        XCTAssertEqual(Array(bytes[28..<36]), [6, 0, 0, 0, 0, 0, 0, 0], "committed term")
        XCTAssertEqual(Array(bytes[36..<44]), [3, 0, 0, 0, 3, 0, 2, 0], "committed epoch, member count, minimum length")
        XCTAssertEqual(Array(bytes[56..<64]), [5, 0, 0, 0, 0, 0, 0, 0], "last index")
        XCTAssertEqual(Array(bytes[72..<80]), [4, 0, 0, 0, 2, 0, 2, 0], "last epoch, member count, minimum length")
        XCTAssertEqual(resealed(bytes), bytes, "the CRC32C of everything before it")
        let none = try ConfigurationStateFile.encode(ConfigurationPersistentState(initialMembership: membership(1, [1])), path: path)
        XCTAssertEqual(Array(none[16..<20]), [0xFF, 0xFF, 0xFF, 0xFF], "no vote")
    }

    func testAbsentIsNil() throws {
        XCTAssertNil(try ConfigurationStateFile.read(directory: directory, fileSystem: files))
    }

    func testEveryFlippedByteIsAnErrorNamingTheFile() throws {
        try ConfigurationStateFile.write(sample, directory: directory, fileSystem: files)
        let good = try files.readFile(path)
        var reasons = Set<String>()
        for index in good.indices {
            for flip in [0x01, 0x20, 0x80] as [UInt8] {
                var bytes = good
                bytes[index] ^= flip
                try writeRaw(bytes)
                if let reason = corruptReason(readBack) { reasons.insert(String(reason.prefix(5))) }
            }
        }
        XCTAssertEqual(reasons, ["magic", "versi", "CRC32"], "a damaged file is refused before its fields are read")
    }

    func testATruncatedOrLengthenedFileIsAnError() throws {
        try ConfigurationStateFile.write(sample, directory: directory, fileSystem: files)
        let good = try files.readFile(path)
        for length in 0..<good.count {
            try writeRaw(Array(good.prefix(length)))
            let reason = corruptReason(readBack) ?? ""
            // Long enough for the header: the CRC32C (now of other bytes) or the magic gives it away.
            XCTAssertTrue(reason.contains("bytes") || reason.contains("CRC32C"), "cut to \(length): \(reason)")
        }
        try writeRaw(good + [0])
        XCTAssertTrue(corruptReason(readBack)?.contains("CRC32C") == true)
        try writeRaw(resealed(good + [0, 0, 0]))
        XCTAssertEqual(corruptReason(readBack), "3 bytes after the last entry, before the CRC32C")
        try writeRaw([UInt8](repeating: 0, count: ConfigurationStateFile.maximumFileBytes + 1))
        XCTAssertEqual(corruptReason(readBack), "201 bytes, longer than the 200 of the largest such file")
        try writeRaw([UInt8](repeating: 0, count: 79))
        XCTAssertEqual(corruptReason(readBack), "79 bytes, shorter than the 80 of the smallest file")
    }

    /// Files a buggy writer could leave, with a valid CRC: refused by what they break.
    func testValuesThatBreakTheInvariantAreAnError() throws {
        let good = try ConfigurationStateFile.encode(sample, path: path)
        func refused(_ edit: (inout [UInt8]) -> Void) throws -> String? {
            var bytes = good
            edit(&bytes)
            try writeRaw(resealed(bytes))
            return corruptReason(readBack)
        }
        XCTAssertEqual(try refused { $0[4] = 2 }, "version 2, this build reads 1")
        XCTAssertEqual(try refused { $0[40] = 0 }, "the committed entry: 0 members: a chain has 1 to 16")
        XCTAssertEqual(try refused { $0[40] = 17 }, "the committed entry: 17 members: a chain has 1 to 16")
        XCTAssertEqual(try refused { $0[48] = 1 }, "the committed entry: member 1 appears twice")
        XCTAssertEqual(try refused { $0[42] = 0 }, "the committed entry: minimum chain length 0: must be 1 to 16")
        XCTAssertEqual(try refused { $0[36] = 0 }, "the committed entry: epoch 0: epochs start at 1")
        XCTAssertEqual(try refused { $0[28] = 0 }, "the committed entry: entry 4 of term 0: only index 0 has term 0")
        XCTAssertEqual(try refused { $0[80] = 3 }, "the last entry: member 3 appears twice")
        XCTAssertEqual(try refused { $0[76] = 3 },
                       "the last entry: bytes end early: 12 needed at offset 60, 8 there", "one member more than the file holds")
        XCTAssertEqual(try refused { $0[76] = 1 }, "4 bytes after the last entry, before the CRC32C", "one member fewer")
        XCTAssertEqual(try refused { $0[8] = 7 }, "the last entry's term 8 is past the current term 7")
        XCTAssertEqual(try refused { $0[20] = 6 }, "the committed entry 6 is past the last entry 5")
        XCTAssertEqual(try refused { $0[28] = 9; $0[8] = 9 }, "the committed entry's term 9 is past the last entry's term 8")
        XCTAssertEqual(try refused { $0[36] = 5 }, "the last entry's epoch 4 is below the committed epoch 5")
        XCTAssertEqual(try refused { $0[72] = 5 }, "the last entry's epoch 5 is more than one change past the committed epoch 3")
        XCTAssertEqual(try refused { $0[20] = 5 }?.hasPrefix("two different entries at index 5") , true)
    }

    func testAStateThatBreaksTheInvariantOrTheFormatIsNotWritten() throws {
        try ConfigurationStateFile.write(sample, directory: directory, fileSystem: files)
        var reservedVote = sample
        reservedVote.votedFor = 0xFFFF_FFFF
        XCTAssertThrowsError(try ConfigurationStateFile.write(reservedVote, directory: directory, fileSystem: files)) { error in
            guard case .unwritableStateFile = error as? LogError else { return XCTFail("\(error)") }
        }
        var behind = sample
        behind.currentTerm = 7
        XCTAssertThrowsError(try ConfigurationStateFile.write(behind, directory: directory, fileSystem: files)) { error in
            XCTAssertEqual(error as? LogError,
                           .unwritableStateFile(path: path, reason: "the last entry's term 8 is past the current term 7"))
        }
        XCTAssertEqual(try ConfigurationStateFile.read(directory: directory, fileSystem: files), sample, "nothing was written")
    }

    /// The file lives beside the segments: log recovery leaves it alone and
    /// sweeps a temporary one a crash left behind.
    func testLogRecoveryKeepsTheStateFileAndSweepsItsTemporary() throws {
        try ConfigurationStateFile.write(sample, directory: directory, fileSystem: files)
        try files.writeFileAtomically(path + ".tmp.x", directory: directory, bytes: [1, 2, 3])
        try files.rename(path + ".tmp.x", to: path + ".tmp")
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        var configuration = LogConfiguration(directory: directory)
        configuration.segmentBytes = 1 << 20
        _ = try LogRecovery.recover(configuration: configuration, fileSystem: files, logger: logger)
        XCTAssertFalse(files.exists(path + ".tmp"))
        XCTAssertEqual(try ConfigurationStateFile.read(directory: directory, fileSystem: files), sample)
    }
}
