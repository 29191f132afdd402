import ArgumentParser
import BatonCodec
import BatonLog

#if canImport(Glibc)
import Glibc
#endif

/// `baton log dump --data DIR --from POS --count N`: prints frames in human
/// form, read-only, straight from the segment files.
struct LogDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print frames of a log directory in human-readable form."
    )

    @Option(name: .long, help: "The log's data directory.")
    var data: String

    @Option(name: .long, help: "Position of the first frame (a frame boundary).")
    var from: Int64 = 0

    @Option(name: .long, help: "How many frames to print (data and padding).")
    var count: Int = 20

    @Option(name: .long, help: "Payload bytes to show per frame, in hex.")
    var payloadBytes: Int = 16

    func run() throws {
        do {
            guard let metadata = try LogMetadata.read(directory: data) else {
                LogTool.fail("\(data) is not a log directory (no \(LogMetadata.fileName))")
            }
            let layout = SegmentLayout(directory: data, segmentBytes: metadata.segmentBytes)
            let segments = try SegmentSet(layout: layout)
            if from < segments.start { LogTool.fail("\(LogError.belowStart(position: from, start: segments.start))") }
            if from >= segments.end { LogTool.fail("\(LogError.pastEnd(position: from, end: segments.end))") }
            var scanner = FrameScanner(segments: segments, boundaryBytes: metadata.boundaryBytes,
                                       maximumFrameLength: metadata.maximumFrameLength)
            var position = from
            var printed = 0
            while printed < count && position < segments.end {
                let check = try scanner.check(at: position)
                guard case let .valid(length, type) = check else {
                    if printed == 0 {
                        if check == .empty { LogTool.fail("position \(position) is past the end of the log (no frame there)") }
                        LogTool.fail("\(LogError.notFrameBoundary(position: position, reason: check.description))")
                    }
                    if check != .empty { print("\(position): INVALID: \(check)") } else { print("\(position): end of log") }
                    break
                }
                let mapping = try scanner.map(position)
                let frame = FrameHeader(UnsafeMutableRawPointer(mutating: mapping.bytes + Int(layout.offset(of: position))))
                if type == .padding {
                    print("\(position): padding length=\(length)")
                } else {
                    var hex = ""
                    for index in 0..<min(payloadBytes, frame.payloadLength) {
                        let byte = frame.payload.load(fromByteOffset: index, as: UInt8.self)
                        hex += String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
                    }
                    if frame.payloadLength > payloadBytes { hex += "…" }
                    print("\(position): data length=\(length) stream=\(frame.streamId) producer=\(frame.producerId) "
                          + "sequence=\(frame.sequence) timestamp=\(frame.timestampNanos) flags=\(frame.flags) "
                          + "crc=0x\(String(frame.checksum, radix: 16)) payload[\(frame.payloadLength)]=\(hex)")
                }
                position += Int64(FrameDescriptor.aligned(length))
                printed += 1
            }
        } catch {
            LogTool.fail("\(error)")
        }
    }
}
