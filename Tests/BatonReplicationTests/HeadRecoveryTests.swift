import BatonClient
import BatonLog
import BatonNet
import BatonNode
import BatonTestSupport
import Foundation
import Glibc
import XCTest

/// A head whose log is shorter than its successor's — the worst case of a
/// head that died with frames sent but not written: here it lost its whole
/// data folder — takes the missing frames back from its successor before it
/// orders anything, learns their producers (so resends are dropped as
/// duplicates), and the chain then grows identically on every member.
final class HeadRecoveryTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testRestartedHeadTakesBackWhatItLostBeforeOrdering() throws {
        let cluster = try ClusterHarness(count: 3)
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(120)
        _ = try EndToEnd.publish(port: cluster.port(0), producerId: 9, count: 20_000, deadline: deadline)
        let logEnd = cluster.node(1).log.appendedPosition

        cluster.stop(0)
        removeTree(cluster.directories[0])
        XCTAssertEqual(mkdir(cluster.directories[0], 0o755), 0)
        try cluster.start(0)

        // The publisher resends all it ever sent (0..<20,000) and goes on to 30,000.
        _ = try EndToEnd.publish(port: cluster.port(0), producerId: 9, count: 30_000, firstSequence: 0, deadline: deadline)
        let head = cluster.node(0)
        XCTAssertGreaterThanOrEqual(head.replicationCounters!.adoptedBytes.getAcquire(), logEnd, "the head took the lost log back")
        XCTAssertEqual(head.counters.duplicatesDropped.getAcquire(), 20_000, "resends of the taken-back messages are dropped")
        XCTAssertEqual(head.counters.messagesIn.getAcquire(), 10_000)
        var digests: [UInt64] = []
        for index in 0..<3 {
            let replay = try EndToEnd.replay(port: cluster.port(index), expected: 30_000, deadline: deadline)
            XCTAssertEqual(replay.count, 30_000, "node \(index)")
            XCTAssertEqual(replay.problems, [], "node \(index)")
            XCTAssertEqual(replay.nextSequence[9], 30_000, "node \(index)")
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1, "every member delivers the same sequence")
        XCTAssertGreaterThan(cluster.node(1).replicationCounters!.pullsServed.getAcquire(), 0)
    }

    /// Bit rot in the head's log, near its start: the head's recovery cuts
    /// the log at the corrupt frame (instead of refusing to open) and takes
    /// the rest — several times its 1 MiB log buffer — back from its
    /// successor before ordering; every member then delivers the same
    /// sequence and the logs compare identical.
    func testAHeadWithACorruptFrameCutsItAndTakesTheRestBack() throws {
        let cluster = try ClusterHarness(count: 3, bufferBytes: 1 << 20) { _, configuration in
            configuration.log.maximumFrameLength = 64 << 10
            configuration.maximumPayloadLength = 16 << 10
            configuration.maximumMessageLength = 32 << 10
            configuration.deliverBatchBytes = 16 << 10
        }
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(120)
        _ = try EndToEnd.publish(port: cluster.port(0), producerId: 9, count: 40_000, deadline: deadline)
        let logEnd = cluster.node(0).log.appendedPosition
        XCTAssertGreaterThan(logEnd, 3 << 20, "the log is longer than the head's buffer")
        for index in 0..<3 { cluster.stop(index) }

        // One byte of a frame's payload, about 100 KiB into the head's first segment, flipped.
        let segment = cluster.directories[0] + "/" + SegmentLayout.fileName(base: 0)
        let fd = open(segment, O_RDWR)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var byte: UInt8 = 0
        XCTAssertEqual(pread(fd, &byte, 1, 100_000), 1)
        byte ^= 0x5A
        XCTAssertEqual(pwrite(fd, &byte, 1, 100_000), 1)
        fsync(fd)
        close(fd)

        for index in 0..<3 { try cluster.start(index) }
        let head = cluster.node(0)
        let repaired = try XCTUnwrap(head.log.recovery.repairedPosition, "the head's recovery cut the corrupt frame")
        XCTAssertLessThanOrEqual(repaired, 100_000)
        _ = try EndToEnd.publish(port: cluster.port(0), producerId: 9, count: 10_000, firstSequence: 40_000, deadline: deadline)
        XCTAssertGreaterThanOrEqual(head.replicationCounters!.adoptedBytes.getAcquire(), logEnd - repaired, "the head took the rest back")
        var digests: [UInt64] = []
        for index in 0..<3 {
            let replay = try EndToEnd.replay(port: cluster.port(index), expected: 50_000, deadline: deadline)
            XCTAssertEqual(replay.count, 50_000, "node \(index)")
            XCTAssertEqual(replay.problems, [], "node \(index)")
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1, "every member delivers the same sequence")
        for index in 0..<3 { cluster.stop(index) }
        let report = try LogComparison.compare(directories: cluster.directories)
        XCTAssertTrue(report.isIdentical, "\(report)")
    }
}

