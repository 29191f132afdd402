import BatonLog
import BatonReplication
import BatonTestSupport
import XCTest

/// The rejoin note: written and read back, refused clearly when damaged.
final class RaftRejoinNoteTests: XCTestCase {
    func testANoteRoundTripsAndADamagedOneIsNamed() throws {
        let directory = makeTemporaryDirectory("rejoin-note")
        defer { removeTree(directory) }
        let fileSystem = SystemFileSystem()
        XCTAssertNil(try RaftRejoinNote.read(directory: directory, fileSystem: fileSystem))
        let note = RaftRejoinNote(position: 4 << 20, term: 7, termStart: 3 << 20)
        try note.write(directory: directory, fileSystem: fileSystem)
        XCTAssertEqual(try RaftRejoinNote.read(directory: directory, fileSystem: fileSystem), note)
        try fileSystem.writeFileAtomically(RaftRejoinNote.path(in: directory), directory: directory,
                                           bytes: Array("baton-raft-rejoin 1\nposition=10\nterm=2\ntermStart=20\n".utf8))
        XCTAssertThrowsError(try RaftRejoinNote.read(directory: directory, fileSystem: fileSystem)) {
            XCTAssertTrue("\($0)".contains("raft-rejoin"), "names the file: \($0)")
        }
    }
}
