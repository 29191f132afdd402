import Logging

/// The storage production uses: io_uring when it can be set up, else pwrite,
/// decided once at start and logged in one line. A concrete final class (a
/// branch per call, no existential), so `LogWriter<SystemStorage, _>`
/// specializes.
///
/// Threading: confined to the writer agent's thread.
public final class SystemStorage: LogStorage {
    private let uring: URingStorage?
    private let fallback: PwriteStorage?

    /// Sets up the backend `configuration.ioBackend` asks for, falling back
    /// from io_uring to pwrite on any set-up error, with one log line saying why.
    public init(configuration: LogConfiguration, buffer: LogBuffer?, logger: Logger) {
        if configuration.ioBackend == .automatic {
            do {
                let ring = try URingStorage(queueDepth: configuration.queueDepth, options: configuration.uring, buffer: buffer)
                uring = ring
                fallback = nil
                logger.info("log writer: using \(ring.name), queue depth \(configuration.queueDepth), durability \(configuration.durability)")
                return
            } catch {
                logger.warning("log writer: io_uring unavailable (\(error)); FALLING BACK to pwrite + fdatasync")
            }
        } else {
            logger.info("log writer: using pwrite + fdatasync (io = \"pwrite\"), durability \(configuration.durability)")
        }
        uring = nil
        fallback = PwriteStorage(queueDepth: configuration.queueDepth)
    }

    /// True when the pwrite fallback is in use.
    public var isFallback: Bool { uring == nil }

    public var name: String { uring?.name ?? fallback!.name }

    public var submissionSpace: Int {
        if let uring { return uring.submissionSpace }
        return fallback.unsafelyUnwrapped.submissionSpace
    }

    @inline(__always)
    public func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64,
                             userData: UInt64, linkNext: Bool) {
        if let uring {
            uring.prepareWrite(fd: fd, address: address, length: length, fileOffset: fileOffset, userData: userData, linkNext: linkNext)
        } else {
            fallback.unsafelyUnwrapped.prepareWrite(fd: fd, address: address, length: length, fileOffset: fileOffset,
                                                    userData: userData, linkNext: linkNext)
        }
    }

    @inline(__always)
    public func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool) {
        if let uring {
            uring.prepareDataSync(fd: fd, userData: userData, linkNext: linkNext)
        } else {
            fallback.unsafelyUnwrapped.prepareDataSync(fd: fd, userData: userData, linkNext: linkNext)
        }
    }

    public func submit() throws(LogError) -> Int {
        if let uring { return try uring.submit() }
        return try fallback.unsafelyUnwrapped.submit()
    }

    @inline(__always)
    public func nextCompletion() -> StorageCompletion? {
        if let uring { return uring.nextCompletion() }
        return fallback.unsafelyUnwrapped.nextCompletion()
    }

    public func preallocate(fd: Int32, length: Int64) -> Int32 { SystemFileSystem().preallocate(fd, length: length) }

    public func waitForCompletion(timeoutNanos: Int64) {
        uring?.waitForCompletion(timeoutNanos: timeoutNanos)
    }

    public func close() {
        uring?.close()
        fallback?.close()
    }
}
