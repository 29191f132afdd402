import ArgumentParser
import BatonAgent
import BatonLog
import BatonNode
import Logging

/// The node flags `baton serve` and `baton cluster` share: tuning profile,
/// durability, I/O, threading, idle strategy, CPUs, sizes, limits, log level.
/// Each given explicitly overrides the configuration and the profile.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "Tuning profile (TOML, see tuning/); flags given explicitly override it.")
    var tuning: String?

    @Option(name: .long, help: "Durability policy: batch, none, or interval:MS. Default batch.")
    var durability: String?

    @Option(name: .long, help: "Log writes: io_uring (falls back to pwrite when unavailable) or pwrite. Default io_uring.")
    var io: String?

    @Option(name: .long, help: "Threading mode: shared (one thread) or dedicated (a thread per stage). Default shared.")
    var threading: String?

    @Option(name: .long, help: "Idle strategy for every thread (busy-spin, yielding, backoff, sleeping, no-op; see docs). Default backoff.")
    var idle: String?

    @Option(name: .long, help: "CPUs to pin the threads to, comma separated, in order: client-io, order, log, commit, execute, transmit.")
    var cpus: String?

    @Option(name: .long, help: "Segment file size (power of two), e.g. 1GiB. Default 1GiB.")
    var segmentSize: ByteSizeArgument?

    @Option(name: .long, help: "Log buffer size (power of two), e.g. 64MiB. Default 64MiB.")
    var bufferSize: ByteSizeArgument?

    @Option(name: .long, help: "Drop a subscriber further behind the commit position than this. Default 1TiB.")
    var subscriberLagLimit: ByteSizeArgument?

    @Option(name: .long, help: "Close a session that sends nothing for this many milliseconds. Default 10000.")
    var sessionTimeoutMillis: Int?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    /// Sends swift-log lines to stderr at `--log-level`.
    func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Applies the flags given explicitly (not the tuning profile: the caller loads it in order).
    func apply(to configuration: inout NodeConfiguration) throws {
        if let durability {
            guard let policy = DurabilityPolicy(parsing: durability) else {
                throw ValidationError("--durability '\(durability)': expected batch, none or interval:MS")
            }
            configuration.log.durability = policy
        }
        switch io {
        case nil: break
        case "io_uring": configuration.log.ioBackend = .automatic
        case "pwrite": configuration.log.ioBackend = .pwrite
        case let other?: throw ValidationError("--io '\(other)': expected io_uring or pwrite")
        }
        if let segmentSize { configuration.log.segmentBytes = segmentSize.bytes }
        if let bufferSize { configuration.log.bufferBytes = bufferSize.bytes }
        if let threading {
            guard let mode = ThreadingMode(rawValue: threading) else {
                throw ValidationError("--threading '\(threading)': expected one of \(ThreadingMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.threading = mode
        }
        if let idle {
            do { configuration.idleStrategy = try IdleStrategyConfiguration(parsing: idle) } catch {
                throw ValidationError("--idle: \(error)")
            }
            configuration.idleStrategies = []
        }
        if let cpus {
            configuration.cpus = try cpus.split(separator: ",").map { text -> Int? in
                guard let cpu = Int(text.filter { $0 != " " }) else { throw ValidationError("--cpus: '\(text)' is not a CPU number") }
                return cpu
            }
        }
        if let subscriberLagLimit { configuration.subscriberLagLimitBytes = Int64(subscriberLagLimit.bytes) }
        if let sessionTimeoutMillis { configuration.sessionTimeoutNanos = Int64(sessionTimeoutMillis) * 1_000_000 }
    }
}
