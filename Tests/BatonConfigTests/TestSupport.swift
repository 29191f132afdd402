import BatonTestSupport
import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import Glibc
import XCTest

/// The repository's `tuning/` directory (found from this file's path).
let tuningDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3) // BatonConfigTests/TestSupport.swift, Tests
    return parts.joined(separator: "/") + "/tuning"
}()

/// Asserts that `body` throws a `ConfigError` whose description contains every one of `fragments`.
func assertConfigError<T>(_ body: @autoclosure () throws -> T, mentions fragments: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a ConfigError mentioning \(fragments)", file: file, line: line)
    } catch let error as ConfigError {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment),
                          "'\(error.description)' does not mention '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a ConfigError, got \(error)", file: file, line: line)
    }
}

/// A fresh directory under /tmp.
func makeTemporaryDirectory() throws -> String { makeTemporaryDirectory("config-test") }

/// The text of a small file (e.g. under /proc), or nil.
func readSmallFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        bytes.append(contentsOf: chunk[0..<count])
        if count < chunk.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes `text` to `path`.
func writeFile(_ path: String, _ text: String) {
    guard let file = fopen(path, "w") else { XCTFail("cannot write \(path)"); return }
    fputs(text, file)
    fclose(file)
}

/// A test set-up failure.
struct TestFailure: Error { let message: String }

/// The node defaults, with a placeholder data directory.
func baseConfiguration(directory: String = "/tmp/baton-config-test") -> NodeConfiguration {
    NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: LogConfiguration(directory: directory))
}
