import ArgumentParser
import BatonCodec
import BatonLog

#if canImport(Glibc)
import BatonTime
import Glibc
#endif

/// `baton log crash-child --data DIR --seed S` (hidden): the child process of
/// the crash test. Opens the log (recovery), prints `recovered END`, then
/// appends frames with policy `batch` forever, printing `durable POS` (and
/// flushing) each time the durable position advances, until it is killed.
///
/// Payload byte `i` of the frame at position `p` is `UInt8(truncatingIfNeeded: p >> 5 &+ i)`,
/// so the test can check every byte it reads back.
struct LogCrashChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-child",
        abstract: "Crash-test child: append with policy batch and print durable positions until killed.",
        shouldDisplay: false
    )

    @Option(name: .long) var data: String
    @Option(name: .long) var seed: UInt64 = 1
    @Option(name: .long) var segmentBytes: Int = 256 << 10
    @Option(name: .long) var bufferBytes: Int = 1 << 20
    @Option(name: .long) var maxInFlightBytes: Int = 128 << 10
    @Option(name: .long) var maximumPayload: Int = 3000
    @Option(name: .long, help: "Stop after this many frames (0: never).") var limit: Int = 0
    @Flag(name: .long, help: "Use the pwrite fallback.") var pwrite = false

    func run() throws {
        var configuration = LogConfiguration(directory: data)
        configuration.segmentBytes = segmentBytes
        configuration.bufferBytes = bufferBytes
        configuration.maxInFlightBytes = maxInFlightBytes
        configuration.maximumFrameLength = 8192
        configuration.maximumWriteBytes = 16 << 10
        configuration.maximumBatchBytes = 64 << 10
        configuration.durability = .batch
        configuration.checkpointIntervalNanos = 20_000_000
        if pwrite { configuration.ioBackend = .pwrite }
        let logger = LogTool.logger(level: .warning)
        let log: DurableLog
        let writer: LogWriter<SystemStorage, SystemClock>
        do {
            log = try DurableLog.open(configuration, logger: logger)
            writer = try log.makeWriter()
            try writer.onStart()
        } catch {
            LogTool.fail("\(error)")
        }
        LogTool.writeLine("recovered \(log.recovery.endPosition)")
        var random = SplitMix64(seed: seed ^ UInt64(bitPattern: log.recovery.endPosition))
        let payload = UnsafeMutableRawPointer.allocate(byteCount: maximumPayload + 64, alignment: 64)
        var lastDurable = log.durablePosition
        var appended = 0
        var sequence = UInt64(bitPattern: log.recovery.endPosition)
        while limit == 0 || appended < limit {
            let burst = Int(random.next() % 16) + 1
            for _ in 0..<burst {
                let length = Int(random.next() % UInt64(maximumPayload + 1))
                guard let frame = log.appender.tryClaim(payloadLength: length, streamId: 7, producerId: seed,
                                                        sequence: sequence, timestampNanos: Int64(sequence)) else { break }
                let base = UInt8(truncatingIfNeeded: frame.position >> 5)
                for index in 0..<length { frame.payload.storeBytes(of: base &+ UInt8(truncatingIfNeeded: index), toByteOffset: index, as: UInt8.self) }
                log.appender.commit(frame)
                sequence &+= 1
                appended += 1
            }
            do {
                _ = try writer.doWork()
            } catch {
                LogTool.printError("crash-child: \(error)")
            }
            let durable = log.durablePosition
            if durable != lastDurable {
                lastDurable = durable
                LogTool.writeLine("durable \(durable)")
            }
        }
        payload.deallocate()
        while !writer.isIdle { _ = try? writer.doWork() }
        writer.onClose()
        LogTool.writeLine("done \(log.durablePosition)")
    }
}

/// A small seeded generator (SplitMix64): reproducible runs from a seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
