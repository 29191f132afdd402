import BatonLog
import BatonTestSupport
import XCTest

/// The checkpoint file survives being cut short: found with the simulator's
/// disk (a crash between the file's creation and its first fdatasync left it
/// empty, and every later write of one 32-byte record kept it short and
/// unreadable, so recovery scanned from the first segment for ever).
final class CheckpointFileTests: XCTestCase {
    func testAShortCheckpointFileIsWrittenWholeAgain() throws {
        let directory = makeTemporaryDirectory("checkpoint-short")
        defer { removeTree(directory) }
        let files = SystemFileSystem()
        let path = CheckpointFile.path(in: directory)
        for length in [0, 100, 544] {
            let fd = try files.openReadWrite(path, create: true)
            try files.truncate(fd, length: Int64(length), path: path)
            files.close(fd)
            XCTAssertNil(try CheckpointFile.read(directory: directory, fileSystem: files), "a \(length)-byte file holds no checkpoint")
            try CheckpointFile.writeSynchronously(directory: directory, sequence: 7, position: 4096, fileSystem: files)
            XCTAssertEqual(try files.fileSize(path), Int64(CheckpointFile.fileBytes), "cut to \(length) bytes")
            let read = try XCTUnwrap(try CheckpointFile.read(directory: directory, fileSystem: files))
            XCTAssertEqual(read.sequence, 7)
            XCTAssertEqual(read.position, 4096)
        }
        // A whole file keeps the other slot's record: the newest of the two wins.
        try CheckpointFile.writeSynchronously(directory: directory, sequence: 8, position: 8192, fileSystem: files)
        XCTAssertEqual(try CheckpointFile.read(directory: directory, fileSystem: files)?.position, 8192)
    }
}
