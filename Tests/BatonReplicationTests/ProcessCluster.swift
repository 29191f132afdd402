import BatonNet
import BatonTestSupport
import Foundation
import Glibc

/// A cluster (a chain, or Raft members) of `count` `baton serve --config FILE --node i` processes on
/// 127.0.0.1 (free ports picked at start), each with its data folder under one
/// temporary directory. The test kills (SIGKILL) and restarts members at
/// will; `shutdown()` stops every process and removes the directory.
final class ProcessCluster {
    let root: String
    let configPath: String
    let clientPorts: [UInt16]
    var processes: [NodeProcess?]

    /// `tables`: more of the cluster file, appended after `[udp]` (e.g. a `[failover]` table).
    init(count: Int, mtu: Int = 8_192, replication: String = "chain", tables: String = "") throws {
        root = makeTemporaryDirectory("\(replication)-procs")
        let udp = try FreePorts.loopbackUDP(count)
        clientPorts = try FreePorts.loopbackTCP(count)
        var text = "cluster_id = 77\nepoch = 1\nreplication = \"\(replication)\"\n"
        for index in 0..<count {
            text += "\n[[member]]\nid = \(index)\nreplication = \"127.0.0.1:\(udp[index])\"\nclient = \"127.0.0.1:\(clientPorts[index])\"\ndata = \"node-\(index)\"\n"
        }
        text += "\n[udp]\nmtu = \(mtu)\nheartbeat_interval_ms = 5\n"
        if !tables.isEmpty { text += "\n" + tables + "\n" }
        configPath = root + "/cluster.toml"
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        processes = Array(repeating: nil, count: count)
        for index in 0..<count { try start(index) }
    }

    func dataDirectory(_ index: Int) -> String { root + "/node-\(index)" }

    func start(_ index: Int) throws {
        processes[index] = try NodeProcess(arguments: ["serve", "--config", configPath, "--node", String(index),
                                                       "--log-level", "warning", "--segment-size", "16MiB",
                                                       "--buffer-size", "8MiB"])
    }

    /// Stops member `index` with SIGTERM and waits for it to exit (a planned stop).
    func stop(_ index: Int) {
        processes[index]?.stop()
        processes[index] = nil
    }

    /// Member `index`'s counters (`baton stat --compact`), label → value.
    func counters(_ index: Int) throws -> [String: Int64] {
        let stat = try Self.baton(["stat", "--data", dataDirectory(index), "--compact"])
        var values: [String: Int64] = [:]
        for pair in stat.output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int64(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    func kill(_ index: Int) {
        processes[index]?.kill()
        processes[index] = nil
    }

    func stopAll() {
        for index in processes.indices {
            processes[index]?.stop()
            processes[index] = nil
        }
    }

    func shutdown() {
        for index in processes.indices { kill(index) }
        removeTree(root)
    }

    /// Runs `baton ARGUMENTS` to completion; returns its exit status and output.
    static func baton(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeProcess.batonBinary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

import BatonClient
import XCTest

extension ProcessCluster {
    /// Every member delivers every message once, in order, the same sequence
    /// (`producers`: producer id → messages); then (processes stopped) every
    /// log verifies and all compare identical.
    func verifyEveryMember(producers: [UInt64: UInt64], deadline: Date, members: [Int]? = nil,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        let total = Int(producers.values.reduce(0, +))
        let checked = members ?? Array(clientPorts.indices)
        var digests: [UInt64] = []
        for index in checked {
            let replay = try EndToEnd.replay(port: clientPorts[index], expected: total, deadline: deadline)
            XCTAssertEqual(replay.count, total, "member \(index)", file: file, line: line)
            XCTAssertEqual(replay.problems, [], "member \(index)", file: file, line: line)
            XCTAssertEqual(replay.nextSequence, producers, "member \(index)", file: file, line: line)
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1, "every member delivers the same sequence", file: file, line: line)
        stopAll()
        for index in checked {
            let verify = try Self.baton(["log", "verify", "--data", dataDirectory(index)])
            XCTAssertEqual(verify.status, 0, "log verify member \(index): \(verify.output)", file: file, line: line)
        }
        let compare = try Self.baton(["log", "compare"] + checked.map { dataDirectory($0) })
        XCTAssertEqual(compare.status, 0, compare.output, file: file, line: line)
        XCTAssertTrue(compare.output.contains("IDENTICAL"), compare.output, file: file, line: line)
    }
}
