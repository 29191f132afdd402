import BatonLog
import BatonNet
import BatonNode
import BatonTestSupport
import XCTest

/// A node refuses a data directory that is missing or is a file, naming it, and creates nothing.
final class NodeStartupErrorTests: XCTestCase {
    func testAMissingOrNonDirectoryDataDirectoryIsNamed() throws {
        let parent = makeTemporaryDirectory("node-startup")
        defer { removeTree(parent) }
        let file = parent + "/plain-file"
        XCTAssertEqual(close(open(file, O_CREAT | O_WRONLY, 0o644)), 0)
        for directory in [parent + "/missing", file] {
            let configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0),
                                                  log: LogConfiguration(directory: directory))
            XCTAssertThrowsError(try Node(configuration: configuration)) { error in
                XCTAssertEqual("\(error)".contains("data directory '\(directory)' does not exist or is not a directory"), true, "\(error)")
            }
        }
        XCTAssertEqual(try SystemFileSystem().list(parent), ["plain-file"], "nothing created")
    }
}
