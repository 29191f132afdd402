import ArgumentParser
import BatonAgent
import BatonLog
import BatonNet
import BatonNode
import Glibc
import Logging

/// `baton serve`: runs one node until SIGINT or SIGTERM, then stops cleanly
/// (agents finish their duty cycle, the log writer flushes, sessions close).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run one Baton node until SIGINT/SIGTERM."
    )

    @Option(name: .long, help: "Data directory (created if missing).")
    var data: String

    @Option(name: .long, help: "Client address HOST:PORT (port 0 picks a free one).")
    var listen: String = "127.0.0.1:7400"

    @Option(name: .long, help: "Durability policy: batch, none, or interval:MS.")
    var durability: String = "batch"

    @Option(name: .long, help: "Log writes: io_uring (falls back to pwrite when unavailable) or pwrite.")
    var io: String = "io_uring"

    @Option(name: .long, help: "Threading mode: shared (one thread) or dedicated (a thread per stage).")
    var threading: String = "shared"

    @Option(name: .long, help: "Idle strategy for every thread (busy-spin, yielding, backoff, sleeping, no-op; see docs).")
    var idle: String = "backoff"

    @Option(name: .long, help: "CPUs to pin the threads to, comma separated, in order: client-io, order, log, commit, execute.")
    var cpus: String?

    @Option(name: .long, help: "Segment file size (power of two), e.g. 1GiB.")
    var segmentSize: ByteSizeArgument = ByteSizeArgument(bytes: 1 << 30)

    @Option(name: .long, help: "Log buffer size (power of two), e.g. 64MiB.")
    var bufferSize: ByteSizeArgument = ByteSizeArgument(bytes: 64 << 20)

    @Option(name: .long, help: "Drop a subscriber further behind the commit position than this.")
    var subscriberLagLimit: ByteSizeArgument = ByteSizeArgument(bytes: 1 << 40)

    @Option(name: .long, help: "Close a session that sends nothing for this many milliseconds.")
    var sessionTimeoutMillis: Int = 10_000

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "baton")
        let configuration = try makeConfiguration()
        // Block the stop signals before any thread starts, so every agent
        // thread inherits the mask and only `sigwait` below receives them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        ignoreSIGPIPE()

        // A fresh data directory is created (its parent must exist); anything
        // else wrong with it is the log's clear error.
        if mkdir(configuration.log.directory, 0o755) == 0 {
            logger.info("created data directory \(configuration.log.directory)")
        }
        let node = try Node(configuration: configuration, logger: logger)
        try node.start()
        print("baton node \(configuration.nodeId) listening on \(node.clientAddress) (data \(configuration.log.directory))")
        fflush(nil)
        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.info("received signal \(received), stopping")
        node.stop()
        logger.info("stopped: log ends at \(node.log.appendedPosition), durable \(node.log.durablePosition)")
    }

    func makeConfiguration() throws -> NodeConfiguration {
        let address: HostAndPort
        do { address = try HostAndPort(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
        var log = LogConfiguration(directory: data)
        guard let policy = DurabilityPolicy(parsing: durability) else {
            throw ValidationError("--durability '\(durability)': expected batch, none or interval:MS")
        }
        log.durability = policy
        switch io {
        case "io_uring": log.ioBackend = .automatic
        case "pwrite": log.ioBackend = .pwrite
        default: throw ValidationError("--io '\(io)': expected io_uring or pwrite")
        }
        log.segmentBytes = segmentSize.bytes
        log.bufferBytes = bufferSize.bytes
        log.maxInFlightBytes = min(log.maxInFlightBytes, bufferSize.bytes / 2)
        var configuration = NodeConfiguration(listen: address, log: log)
        guard let mode = ThreadingMode(rawValue: threading) else {
            throw ValidationError("--threading '\(threading)': expected one of \(ThreadingMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        configuration.threading = mode
        do { configuration.idleStrategy = try IdleStrategyConfiguration(parsing: idle) } catch {
            throw ValidationError("--idle: \(error)")
        }
        if let cpus {
            configuration.cpus = try cpus.split(separator: ",").map { text in
                guard let cpu = Int(text.filter { $0 != " " }) else { throw ValidationError("--cpus: '\(text)' is not a CPU number") }
                return cpu
            }
        }
        configuration.subscriberLagLimitBytes = Int64(subscriberLagLimit.bytes)
        configuration.sessionTimeoutNanos = Int64(sessionTimeoutMillis) * 1_000_000
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }
        return configuration
    }
}
