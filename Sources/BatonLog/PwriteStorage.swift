#if canImport(Glibc)
import Glibc
#endif

/// The fallback `LogStorage`: `pwrite` + `fdatasync`, executed synchronously
/// in `submit()` in preparation order, with io_uring's chain semantics (a
/// failed or short write cancels the rest of its linked chain). Used when
/// io_uring cannot be set up (ENOSYS, EPERM: old kernel, seccomp) and by tests.
///
/// A write is one `pwrite` call (retried only on EINTR), so a short write is
/// reported as such, exactly as io_uring would.
///
/// All bookkeeping is allocated at init (`queueDepth` operations and
/// completions); nothing allocates afterwards.
///
/// Threading: confined to the writer agent's thread.
public final class PwriteStorage: LogStorage {
    typealias Operation = PreparedStorageOperation

    public let name = "pwrite"
    private let capacity: Int
    private let operations: UnsafeMutablePointer<Operation>
    private var preparedCount = 0
    private let completions: UnsafeMutablePointer<StorageCompletion>
    private var completionHead = 0
    private var completionTail = 0

    public init(queueDepth: Int) {
        precondition(queueDepth > 0)
        capacity = queueDepth
        operations = .allocate(capacity: queueDepth)
        completions = .allocate(capacity: queueDepth)
    }

    deinit {
        operations.deallocate()
        completions.deallocate()
    }

    /// Free slots: prepared + unreaped completions never exceed `queueDepth`.
    public var submissionSpace: Int { capacity - preparedCount - (completionTail - completionHead) }

    public func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64,
                             userData: UInt64, linkNext: Bool) {
        precondition(submissionSpace > 0, "pwrite storage: no submission space")
        operations[preparedCount] = Operation(fd: fd, isSync: false, linkNext: linkNext, address: address,
                                              length: length, fileOffset: fileOffset, userData: userData)
        preparedCount += 1
    }

    public func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool) {
        precondition(submissionSpace > 0, "pwrite storage: no submission space")
        operations[preparedCount] = Operation(fd: fd, isSync: true, linkNext: linkNext, address: nil,
                                              length: 0, fileOffset: 0, userData: userData)
        preparedCount += 1
    }

    public func submit() throws(LogError) -> Int {
        let count = preparedCount
        var chainBroken = false
        for index in 0..<count {
            let operation = operations[index]
            let result: Int32
            if chainBroken {
                result = -ECANCELED
            } else if operation.isSync {
                result = execute(sync: operation)
            } else {
                result = execute(write: operation)
            }
            let failed = result < 0 || (!operation.isSync && Int(result) != operation.length)
            if operation.linkNext {
                if failed { chainBroken = true }
            } else {
                chainBroken = false
            }
            complete(operation.userData, result)
        }
        preparedCount = 0
        return count
    }

    @inline(__always)
    private func execute(write operation: Operation) -> Int32 {
        while true {
            let n = pwrite(operation.fd, operation.address, operation.length, off_t(operation.fileOffset))
            if n >= 0 { return Int32(n) }
            if errno != EINTR { return -errno }
        }
    }

    @inline(__always)
    private func execute(sync operation: Operation) -> Int32 {
        fdatasync(operation.fd) == 0 ? 0 : -errno
    }

    @inline(__always)
    private func complete(_ userData: UInt64, _ result: Int32) {
        completions[completionTail % capacity] = StorageCompletion(userData: userData, result: result)
        completionTail += 1
    }

    public func nextCompletion() -> StorageCompletion? {
        if completionHead == completionTail { return nil }
        let completion = completions[completionHead % capacity]
        completionHead += 1
        if completionHead == completionTail {
            completionHead = 0
            completionTail = 0
        }
        return completion
    }

    public func preallocate(fd: Int32, length: Int64) -> Int32 { SystemFileSystem().preallocate(fd, length: length) }

    /// Operations complete inside `submit()`: nothing to wait for.
    public func waitForCompletion(timeoutNanos: Int64) {}

    public func close() {}
}
