/// The one completed operation a `LogStorage` hands back: the `userData` it was
/// prepared with and the kernel's result (bytes written, 0 for a sync, or
/// `-errno`; `-ECANCELED` for an operation cut off because an earlier one in
/// its linked chain failed or came up short).
@frozen
public struct StorageCompletion: Sendable, Equatable {
    public var userData: UInt64
    public var result: Int32
    @inlinable
    public init(userData: UInt64, result: Int32) {
        self.userData = userData
        self.result = result
    }
}

/// One operation prepared on a `LogStorage` and not yet executed: a write
/// of `length` bytes at `address` to `fd` at `fileOffset`, or (`isSync`) an
/// fdatasync of `fd`; `linkNext` chains it to the next. For storages that
/// execute operations themselves (`PwriteStorage`, the simulator's). A value;
/// confined, like its storage, to the writer agent's thread.
@frozen
public struct PreparedStorageOperation {
    public var fd: Int32
    public var isSync: Bool
    public var linkNext: Bool
    public var address: UnsafeRawPointer?
    public var length: Int
    public var fileOffset: Int64
    public var userData: UInt64

    @inlinable
    public init(fd: Int32, isSync: Bool, linkNext: Bool, address: UnsafeRawPointer?, length: Int, fileOffset: Int64, userData: UInt64) {
        self.fd = fd
        self.isSync = isSync
        self.linkNext = linkNext
        self.address = address
        self.length = length
        self.fileOffset = fileOffset
        self.userData = userData
    }
}

/// The writer's seam to the disk, in io_uring's shape: prepare operations,
/// submit them, reap completions. The writer is generic over it, so
/// production code specializes on the concrete type (no existential on the
/// write path).
///
/// Implementations: `URingStorage` (liburing), `PwriteStorage` (pwrite +
/// fdatasync, executed at `submit()`), `SystemStorage` (either, chosen at
/// start), and test doubles that inject faults (ENOSPC, short writes).
///
/// Semantics every implementation keeps:
/// - Operations prepared with `linkNext: true` form a chain with the next one
///   (`IOSQE_IO_LINK`): the next starts after this one completes; if one fails
///   or a write comes up short, every later operation of the chain completes
///   with `-ECANCELED`.
/// - Every prepared operation completes exactly once, with its `userData`.
/// - `preparedCapacity` operations may be prepared between two `submit()`s;
///   at most `queueDepth` may be outstanding (prepared or in flight).
///
/// Threading: confined to the writer agent's thread.
public protocol LogStorage: AnyObject {
    /// `io_uring`, `pwrite`, ... for the log line at start.
    var name: String { get }
    /// How many more operations can be prepared right now.
    var submissionSpace: Int { get }
    /// Prepares a write of `length` bytes at `address` to `fd` at `fileOffset`.
    func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64,
                      userData: UInt64, linkNext: Bool)
    /// Prepares an `fdatasync` of `fd`.
    func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool)
    /// Hands all prepared operations to the kernel. Returns how many; throws only
    /// for a failure of the submission mechanism itself.
    func submit() throws(LogError) -> Int
    /// The next completion, or nil when none is ready.
    func nextCompletion() -> StorageCompletion?
    /// Reserves `length` bytes for a new segment file; returns 0 or an errno
    /// (ENOSPC when the disk is full).
    func preallocate(fd: Int32, length: Int64) -> Int32
    /// Blocks until a completion is ready or `timeoutNanos` pass (an idle
    /// strategy's way to give the core to the kernel's I/O workers instead of
    /// spinning). Returns at once when nothing is in flight.
    func waitForCompletion(timeoutNanos: Int64)
    /// Releases kernel resources (the ring). Idempotent.
    func close()
}
