import BatonTestSupport
import Foundation
import BatonAgent
import BatonConfig
import BatonLog
import BatonNode
import Glibc
import XCTest

/// A node started with a dedicated profile runs its `order` thread on CPU 1 only.
final class NodePinningTests: XCTestCase {
    func testDedicatedProfilePinsOrderToCPU1() throws {
        try XCTSkipUnless(CPUTopology.isOnline(1), "needs CPU 1")
        let profile = try TuningProfile(parsing: """
            threading = "dedicated"
            idle = "backoff"
            [threads.order]
            cpu = 1
            """)
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        var configuration = baseConfiguration(directory: directory)
        configuration.log.segmentBytes = 16 << 20
        configuration.log.bufferBytes = 8 << 20
        configuration.ingressRingBytes = 1 << 20
        configuration.ackRingBytes = 256 << 10
        configuration.maximumMessageLength = 64 << 10
        configuration.maximumPayloadLength = 16 << 10
        configuration.deliverBatchBytes = 32 << 10
        configuration = try profile.applied(to: configuration)

        let node = try Node(configuration: configuration)
        try node.start()
        defer { node.stop() }

        var threads: [String: String] = [:]
        // Poll until both threads have named themselves (a deadline, not a sleep: it ends when they have).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            threads = Self.threadsAllowedCPUs()
            if threads["order"] != nil && threads["client-io"] != nil { break }
            usleep(10_000)
        }
        XCTAssertEqual(threads["order"], "1", "threads: \(threads)")
        let all = CPUTopology.listText(CPUTopology.onlineCPUs)
        XCTAssertEqual(threads["client-io"], all, "an unpinned stage may run anywhere; threads: \(threads)")
    }

    /// Thread name → `Cpus_allowed_list`, for every thread of this process.
    static func threadsAllowedCPUs() -> [String: String] {
        var result: [String: String] = [:]
        guard let dir = opendir("/proc/self/task") else { return result }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if tid.hasPrefix(".") { continue }
            guard let comm = readSmallFile("/proc/self/task/\(tid)/comm"),
                  let status = readSmallFile("/proc/self/task/\(tid)/status") else { continue }
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
                result[name] = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        return result
    }
}
