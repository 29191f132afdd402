import ArgumentParser
import BatonAgent
import BatonConfig
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

    @Option(name: .long, help: "Node configuration file (TOML: node_id, listen, data, limits); flags given explicitly override it.")
    var config: String?

    @Option(name: .long, help: "Tuning profile (TOML, see tuning/); flags given explicitly override it.")
    var tuning: String?

    @Option(name: .long, help: "Data directory (created if missing); required unless --config sets 'data'.")
    var data: String?

    @Option(name: .long, help: "Client address HOST:PORT (port 0 picks a free one). Default 127.0.0.1:7400.")
    var listen: String?

    @Option(name: .long, help: "Durability policy: batch, none, or interval:MS. Default batch.")
    var durability: String?

    @Option(name: .long, help: "Log writes: io_uring (falls back to pwrite when unavailable) or pwrite. Default io_uring.")
    var io: String?

    @Option(name: .long, help: "Threading mode: shared (one thread) or dedicated (a thread per stage). Default shared.")
    var threading: String?

    @Option(name: .long, help: "Idle strategy for every thread (busy-spin, yielding, backoff, sleeping, no-op; see docs). Default backoff.")
    var idle: String?

    @Option(name: .long, help: "CPUs to pin the threads to, comma separated, in order: client-io, order, log, commit, execute.")
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
        for line in NodeLayout.describe(configuration) { logger.info("layout: \(line)") }
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

    /// Defaults, then `--config`, then `--tuning`, then the flags given explicitly.
    func makeConfiguration() throws -> NodeConfiguration {
        var file: NodeConfigFile?
        var profile: TuningProfile?
        do {
            if let config { file = try NodeConfigFile.load(path: config) }
            if let tuning { profile = try TuningProfile.load(path: tuning) }
        } catch {
            throw ValidationError("\(error)")
        }
        guard let directory = data ?? file?.data else {
            throw ValidationError("--data is required unless the --config file sets 'data'")
        }
        var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 7400),
                                              log: LogConfiguration(directory: directory))
        file?.apply(to: &configuration)
        profile?.apply(to: &configuration)
        configuration.log.directory = directory
        if let listen {
            do { configuration.listen = try HostAndPort(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
        }
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
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }
        return configuration
    }
}
