import CURing

#if canImport(Glibc)
import Glibc
#endif

/// The production `LogStorage`: one io_uring (liburing), `struct io_uring` at
/// a stable heap address, writes as `IORING_OP_WRITE` (or `WRITE_FIXED` when
/// the log buffer is registered), syncs as `IORING_OP_FSYNC` with
/// `IORING_FSYNC_DATASYNC`, chains with `IOSQE_IO_LINK`.
///
/// Set-up fails with the kernel's errno (ENOSYS: no io_uring; EPERM: disabled
/// by sysctl or seccomp); `SystemStorage` then falls back to `PwriteStorage`.
///
/// The completion queue is twice the submission queue, and the writer never
/// has more than `queueDepth` operations outstanding, so the CQ cannot overflow.
///
/// Threading: confined to the writer agent's thread (it may be created on
/// another thread before the agent starts; no `SINGLE_ISSUER`).
public final class URingStorage: LogStorage {
    public let name: String
    private let ring: UnsafeMutablePointer<io_uring>
    private var isOpen = true
    private let fixedBase: UnsafeRawPointer?
    private let fixedEnd: UnsafeRawPointer?
    private let queueDepth: Int
    /// Prepared or in flight, not yet reaped.
    private var outstanding = 0

    /// Sets up a ring of `queueDepth` entries. With `registerBuffer`, `buffer`
    /// is registered as fixed buffer 0 (if that fails — e.g. RLIMIT_MEMLOCK —
    /// plain writes are used and `registeredBuffer` is false).
    public init(queueDepth: Int, options: URingOptions, buffer: LogBuffer?) throws(LogError) {
        self.queueDepth = queueDepth
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        var params = io_uring_params()
        params.flags = IORING_SETUP_CQSIZE
        params.cq_entries = UInt32(queueDepth * 2)
        if options.sqPoll {
            params.flags |= IORING_SETUP_SQPOLL
            params.sq_thread_idle = options.sqPollIdleMilliseconds
        }
        let rc = io_uring_queue_init_params(UInt32(queueDepth), ring, &params)
        if rc < 0 {
            ring.deallocate()
            throw .io(operation: "io_uring_queue_init", path: "io_uring", errno: -rc)
        }
        var registered = false
        if options.registerBuffer, let buffer {
            var vector = iovec(iov_base: buffer.base, iov_len: buffer.capacity)
            registered = io_uring_register_buffers(ring, &vector, 1) == 0
        }
        if registered, let buffer {
            fixedBase = UnsafeRawPointer(buffer.base)
            fixedEnd = UnsafeRawPointer(buffer.base + buffer.capacity)
        } else {
            fixedBase = nil
            fixedEnd = nil
        }
        var label = "io_uring"
        if options.sqPoll { label += "+sqpoll" }
        if registered { label += "+fixed-buffer" } else if options.registerBuffer { label += " (buffer registration refused)" }
        name = label
    }

    deinit {
        close()
        ring.deallocate()
    }

    /// True when writes from the log buffer go out as `WRITE_FIXED`.
    public var registeredBuffer: Bool { fixedBase != nil }

    public var submissionSpace: Int { isOpen ? min(Int(io_uring_sq_space_left(ring)), queueDepth - outstanding) : 0 }

    public func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64,
                             userData: UInt64, linkNext: Bool) {
        guard let sqe = io_uring_get_sqe(ring) else { preconditionFailure("io_uring: submission queue full") }
        if let fixedBase, let fixedEnd, address >= fixedBase, address + length <= fixedEnd {
            io_uring_prep_write_fixed(sqe, fd, UnsafeMutableRawPointer(mutating: address), UInt32(length), UInt64(fileOffset), 0)
        } else {
            io_uring_prep_write(sqe, fd, address, UInt32(length), UInt64(fileOffset))
        }
        io_uring_sqe_set_data64(sqe, userData)
        if linkNext { io_uring_sqe_set_flags(sqe, UInt32(baton_IOSQE_IO_LINK)) }
        outstanding += 1
    }

    public func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool) {
        guard let sqe = io_uring_get_sqe(ring) else { preconditionFailure("io_uring: submission queue full") }
        io_uring_prep_fsync(sqe, fd, UInt32(IORING_FSYNC_DATASYNC))
        io_uring_sqe_set_data64(sqe, userData)
        if linkNext { io_uring_sqe_set_flags(sqe, UInt32(baton_IOSQE_IO_LINK)) }
        outstanding += 1
    }

    public func submit() throws(LogError) -> Int {
        while true {
            let rc = io_uring_submit(ring)
            if rc >= 0 { return Int(rc) }
            if rc == -EINTR { continue }
            // EAGAIN/EBUSY: the kernel is short of resources or the CQ is busy;
            // the prepared entries stay queued and go with the next submit.
            if rc == -EAGAIN || rc == -EBUSY { return 0 }
            throw .io(operation: "io_uring_submit", path: "io_uring", errno: -rc)
        }
    }

    public func nextCompletion() -> StorageCompletion? {
        var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
        guard io_uring_peek_cqe(ring, &cqe) == 0, let entry = cqe else { return nil }
        let completion = StorageCompletion(userData: entry.pointee.user_data, result: entry.pointee.res)
        io_uring_cqe_seen(ring, entry)
        outstanding -= 1
        return completion
    }

    public func preallocate(fd: Int32, length: Int64) -> Int32 { SystemFileSystem().preallocate(fd, length: length) }

    public func waitForCompletion(timeoutNanos: Int64) {
        guard isOpen, outstanding > 0 else { return }
        var timeout = __kernel_timespec(tv_sec: timeoutNanos / 1_000_000_000, tv_nsec: timeoutNanos % 1_000_000_000)
        var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
        _ = io_uring_wait_cqe_timeout(ring, &cqe, &timeout)   // leaves the CQE for nextCompletion()
    }

    public func close() {
        if isOpen {
            isOpen = false
            io_uring_queue_exit(ring)
        }
    }
}
