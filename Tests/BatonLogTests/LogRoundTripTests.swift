import BatonTestSupport
import BatonCodec
import BatonLog
import XCTest

final class LogRoundTripTests: XCTestCase {
    /// Frames written through io_uring across many segment and buffer laps
    /// come back identical, from the files and after a reopen.
    func testRoundTripAcrossSegmentBoundaries() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        var random = SplitMix64(seed: 11)
        var positions: [Int64] = []
        do {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let writer = try log.makeWriter()
            try writer.onStart()
            positions = appendFrames(log, writer: writer, count: 3000, random: &random, maximumPayload: 900)
            let end = log.appender.position
            drive(writer) { log.durablePosition == end }
            XCTAssertGreaterThan(end, 8 * Int64(configuration.segmentBytes), "the test must cross many segments")
            let frames = try readAll(log)
            XCTAssertEqual(frames.map(\.position), positions)
            XCTAssertEqual(frames.map(\.sequence), Array(0..<UInt64(positions.count)))
            writer.onClose()
        }
        // Reopen: recovery finds the same end, nothing cut, same frames.
        let log = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertNil(log.recovery.cutPosition)
        let frames = try readAll(log)
        XCTAssertEqual(frames.map(\.position), positions)
        let report = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(report.isClean, "\(String(describing: report.problem))")
        XCTAssertEqual(report.dataFrames, positions.count)
    }

    /// Replay from every frame boundary of a 10,000-frame log returns exactly
    /// the suffix; mid-frame and past-end positions are refused.
    func testReplayFromEveryFrameBoundary() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10, bufferBytes: 256 << 10)
        configuration.maxInFlightBytes = 64 << 10
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        var random = SplitMix64(seed: 12)
        let positions = appendFrames(log, writer: writer, count: 10_000, random: &random, maximumPayload: 120)
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }

        let reader = log.makeReader()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 64)
        defer { buffer.deallocate() }
        // Every boundary: a read returns whole frames starting exactly there,
        // and following reads walk the exact suffix.
        for (index, start) in positions.enumerated() {
            var position = start
            var next = index
            while position < end {
                let result = try reader.read(from: position, into: buffer)
                XCTAssertGreaterThan(result.frames, 0)
                var offset = 0
                while offset < result.bytes {
                    let frame = FrameHeader(buffer.baseAddress! + offset)
                    if frame.typeCode == FrameType.data.rawValue {
                        if frame.position != positions[next] || frame.sequence != UInt64(next) {
                            XCTFail("from \(start): frame at \(frame.position) seq \(frame.sequence), expected \(positions[next]) seq \(next)")
                            return
                        }
                        next += 1
                    }
                    offset += frame.alignedLength
                }
                position = result.nextPosition
            }
            if next != positions.count { XCTFail("suffix from \(start) incomplete: \(next) of \(positions.count)"); break }
        }
        // The end is readable (nothing), past it is an error, mid-frame is an error.
        XCTAssertEqual(try reader.read(from: end, into: buffer).bytes, 0)
        XCTAssertThrowsError(try reader.read(from: end + 32, into: buffer)) { error in
            guard case LogError.pastEnd = error else { return XCTFail("\(error)") }
        }
        var refused = 0
        for index in stride(from: 0, to: positions.count - 1, by: 37) {
            let inside = positions[index] + 32
            if inside < positions[index + 1] {
                XCTAssertThrowsError(try reader.read(from: inside, into: buffer)) { error in
                    guard case LogError.notFrameBoundary = error else { return XCTFail("\(error)") }
                }
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 50)
        writer.onClose()
    }

    /// Frames not yet durable are read from the log buffer (the writer has not run).
    func testReadsFromLogBufferBeforeDurable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        var positions: [Int64] = []
        for sequence in 0..<100 {
            positions.append(try XCTUnwrap(appendPatterned(log, payloadLength: sequence * 3, sequence: UInt64(sequence))))
        }
        XCTAssertEqual(log.durablePosition, 0)
        let frames = try readAll(log)
        XCTAssertEqual(frames.map(\.position), positions)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
        defer { buffer.deallocate() }
        XCTAssertThrowsError(try log.makeReader().read(from: positions[5] + 32, into: buffer)) { error in
            guard case LogError.notFrameBoundary = error else { return XCTFail("\(error)") }
        }
    }

    /// The appender pads to the boundary: no frame crosses a segment end.
    func testPaddingKeepsFramesInsideSegments() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        var random = SplitMix64(seed: 13)
        _ = appendFrames(log, writer: writer, count: 600, random: &random, maximumPayload: 4000)
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        let report = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(report.isClean)
        XCTAssertGreaterThan(report.paddingFrames, 0)
        let boundary = Int64(configuration.boundaryBytes)
        try log.makeReader().forEachFrame(from: 0) { frame in
            XCTAssertLessThanOrEqual(frame.position % boundary + Int64(frame.alignedLength), boundary)
        }
        writer.onClose()
    }

    /// Back-pressure: the appender stops when the durable position has not
    /// freed the buffer, and continues once the writer catches up.
    func testAppenderIsGatedByDurablePosition() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        var appended = 0
        while appendPatterned(log, payloadLength: 200, sequence: UInt64(appended)) != nil { appended += 1 }
        XCTAssertLessThanOrEqual(log.appendedPosition, Int64(configuration.bufferBytes))
        XCTAssertGreaterThan(log.appendedPosition, Int64(configuration.bufferBytes) - 1024)
        let writer = try log.makeWriter()
        try writer.onStart()
        drive(writer) { log.durablePosition == log.appendedPosition }
        XCTAssertNotNil(appendPatterned(log, payloadLength: 200, sequence: UInt64(appended)))
        writer.onClose()
    }
}
