import BatonCodec
import CBatonSys

#if canImport(Glibc)
import Glibc
#endif

/// What one `LogReader.read` returned.
public struct LogReadResult: Sendable, Equatable {
    /// Bytes copied into the caller's buffer: whole frames (data and padding), contiguous.
    public var bytes: Int
    /// Frames among them (data and padding).
    public var frames: Int
    /// Where the next read continues (`position + bytes`).
    public var nextPosition: Int64
}

/// Replay: reads whole, checked frames from any frame boundary.
///
/// Where the bytes come from:
/// - positions at or above `durable` are read from the log buffer. The
///   appender cannot overwrite them until `durable` (a gating position) has
///   passed them, so after copying the reader re-reads `durable` (behind an
///   acquire fence); if it moved past the start of the read, the copy may be
///   torn and the read is redone from the files, which now hold those frames;
/// - positions below `durable` are read from the segment files (`pread`;
///   usually the page cache).
/// While a truncation to `p` is pending (`DurableLog.requestTruncation`),
/// `durable` counts as at most `p`: the files above `p` may still hold the
/// discarded suffix, the buffer holds the frames appended since. A read that
/// overlaps the truncated suffix while the truncation happens may find a
/// frame torn by the appender (an error, never a wrong frame: each is checked).
/// Every frame is checked (`FrameHeader.check`: length, CRC32C, position), so
/// a position that is not a frame boundary is refused
/// (`LogError.notFrameBoundary`), as are positions past the end
/// (`pastEnd`) and below the retention start (`belowStart`).
///
/// Threading: one `LogReader` per thread (it caches an fd and a scratch
/// buffer); any number of readers on any threads. Reads positions with acquire.
public final class LogReader {
    let log: DurableLog
    private var segmentBase: Int64 = -1
    private var segmentFd: Int32 = -1
    private var scratch: UnsafeMutableRawBufferPointer?

    init(log: DurableLog) { self.log = log }

    deinit {
        if segmentFd >= 0 { log.fileSystem.close(segmentFd) }
        scratch?.deallocate()
    }

    /// Copies whole frames starting at `position` (a frame boundary) up to
    /// `limit` (default: the appended position; pass the commit position to
    /// serve only committed frames) into `destination`.
    public func read(from position: Int64, upTo limit: Int64? = nil,
                     into destination: UnsafeMutableRawBufferPointer) throws(LogError) -> LogReadResult {
        let counters = log.counters
        let appended = counters.appended.getAcquire()
        let end = min(limit ?? appended, appended)
        let start = counters.start.getAcquire()
        if position < start { throw .belowStart(position: position, start: start) }
        if position > end { throw .pastEnd(position: position, end: end) }
        if position == end { return LogReadResult(bytes: 0, frames: 0, nextPosition: position) }
        guard let target = destination.baseAddress, destination.count > 0 else {
            throw .readBufferTooSmall(position: position, needed: FrameDescriptor.minimumFrameLength)
        }
        var durable = readableDurable()
        if position >= durable {
            let count = Int(min(end - position, Int64(destination.count)))
            copyFromBuffer(position, count, into: target)
            baton_fence_acquire()
            durable = readableDurable()
            if position >= durable {
                return try validate(target, count, capacity: destination.count, from: position, source: "log buffer")
            }
            // The appender may have reused those bytes: the frames are durable now; read the files.
        }
        let segmentEnd = log.layout.base(of: position) + log.layout.segmentBytes
        let count = Int(min(end, durable, segmentEnd, position + Int64(destination.count)) - position)
        let fd = try segment(holding: position)
        // The path names a file in errors only: built then, never on a successful read (no allocation).
        let read = try log.fileSystem.readFully(fd, target, count, at: log.layout.offset(of: position),
                                            path: self.log.layout.path(ofSegmentHolding: position))
        return try validate(target, read, capacity: destination.count, from: position,
                            source: self.log.layout.path(ofSegmentHolding: position))
    }

    /// Copies the durable bytes `[position, position + count)` — from any
    /// position, not only a frame boundary, and without checking frames —
    /// from the segment files into `destination`, stopping at the durable
    /// position and at the end of the segment holding `position`. Returns the
    /// bytes copied (0: none of them is durable). For resending byte ranges a
    /// peer lacks (its own checks will find a torn frame); replay uses `read`.
    public func readDurableBytes(from position: Int64, count: Int,
                                 into destination: UnsafeMutableRawPointer) throws(LogError) -> Int {
        let start = log.counters.start.getAcquire()
        if position < start { throw .belowStart(position: position, start: start) }
        let segmentEnd = log.layout.base(of: position) + log.layout.segmentBytes
        let end = min(position + Int64(count), readableDurable(), segmentEnd)
        guard end > position else { return 0 }
        let fd = try segment(holding: position)
        return try log.fileSystem.readFully(fd, destination, Int(end - position), at: log.layout.offset(of: position),
                                            path: self.log.layout.path(ofSegmentHolding: position))
    }

    /// Calls `body` for every data frame from `position` up to `limit`
    /// (padding frames skipped), at most `maximumFrames` of them; returns the
    /// position after the last frame visited. The frame memory is valid only
    /// during the call.
    @discardableResult
    public func forEachFrame(from position: Int64, upTo limit: Int64? = nil, maximumFrames: Int = .max,
                             _ body: (FrameHeader) throws -> Void) throws -> Int64 {
        let buffer = scratchBuffer()
        let end = min(limit ?? log.appendedPosition, log.appendedPosition)
        var current = position
        var visited = 0
        if current > end { throw LogError.pastEnd(position: current, end: end) }
        while current < end && visited < maximumFrames {
            let result = try read(from: current, upTo: end, into: buffer)
            if result.bytes == 0 { break }
            var offset = 0
            while offset < result.bytes && visited < maximumFrames {
                let frame = FrameHeader(buffer.baseAddress! + offset)
                if frame.typeCode == FrameType.data.rawValue {
                    try body(frame)
                    visited += 1
                }
                offset += frame.alignedLength
            }
            current += Int64(offset)
        }
        return current
    }

    /// `durable` as far as reads may trust it: at most the pending truncation's
    /// position while one is pending. The generations are loaded first, so a
    /// completion seen means the `durable` loaded after it is the lowered one.
    @inline(__always)
    private func readableDurable() -> Int64 {
        let counters = log.counters
        let requested = counters.truncationRequested.getAcquire()
        if counters.truncationCompleted.getAcquire() < requested {
            let position = counters.truncationPosition.getAcquire()
            return min(position, counters.durable.getAcquire())
        }
        return counters.durable.getAcquire()
    }

    private func scratchBuffer() -> UnsafeMutableRawBufferPointer {
        if let scratch { return scratch }
        let size = max(1 << 20, 2 * FrameDescriptor.aligned(log.configuration.maximumFrameLength))
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
        scratch = fresh
        return fresh
    }

    private func copyFromBuffer(_ position: Int64, _ count: Int, into target: UnsafeMutableRawPointer) {
        let buffer = log.buffer
        let offset = Int(position & Int64(buffer.mask))
        let first = min(count, buffer.capacity - offset)
        target.copyMemory(from: buffer.base + offset, byteCount: first)
        if first < count { (target + first).copyMemory(from: buffer.base, byteCount: count - first) }
    }

    private func segment(holding position: Int64) throws(LogError) -> Int32 {
        let base = log.layout.base(of: position)
        if base == segmentBase && segmentFd >= 0 { return segmentFd }
        if segmentFd >= 0 { log.fileSystem.close(segmentFd) }
        segmentFd = -1
        let fileSystem = log.fileSystem
        let fd = log.layout.withPath(base: base) { fileSystem.openReadOnly(cPath: $0) }
        if fd < 0 {
            let code = errno
            let start = log.counters.start.getAcquire()
            if code == ENOENT && position < start { throw .belowStart(position: position, start: start) }
            throw .io(operation: "open", path: log.layout.path(base: base), errno: code)
        }
        segmentFd = fd
        segmentBase = base
        return fd
    }

    /// Keeps the whole, valid frames at the front of `[target, target + count)`.
    /// `source` (the buffer or a segment's path) is built only for an error.
    private func validate(_ target: UnsafeMutableRawPointer, _ count: Int, capacity: Int, from position: Int64,
                          source: @autoclosure () -> String) throws(LogError) -> LogReadResult {
        let maximum = log.configuration.maximumFrameLength
        var offset = 0
        var frames = 0
        while offset < count {
            let framePosition = position + Int64(offset)
            let check = FrameHeader.check(target + offset, available: count - offset, expectedPosition: framePosition,
                                          maximumFrameLength: maximum)
            switch check {
            case let .valid(length, _):
                let aligned = FrameDescriptor.aligned(length)
                if offset + aligned > count {
                    // The alignment gap of the last frame did not fit.
                    if frames == 0 && count == capacity { throw .readBufferTooSmall(position: position, needed: aligned) }
                    if frames == 0 { throw .notFrameBoundary(position: position, reason: "frame runs past the end of the readable bytes") }
                    return LogReadResult(bytes: offset, frames: frames, nextPosition: framePosition)
                }
                offset += aligned
                frames += 1
            case let .truncated(needed, _):
                if frames > 0 { return LogReadResult(bytes: offset, frames: frames, nextPosition: framePosition) }
                if count == capacity && needed <= maximum {
                    throw .readBufferTooSmall(position: position, needed: FrameDescriptor.aligned(needed))
                }
                throw .notFrameBoundary(position: position, reason: "\(check) (read from \(source()))")
            default:
                if frames == 0 { throw .notFrameBoundary(position: position, reason: "\(check) (read from \(source()))") }
                throw .corruptFrame(segment: source(), position: framePosition, reason: check.description)
            }
        }
        return LogReadResult(bytes: offset, frames: frames, nextPosition: position + Int64(offset))
    }
}
