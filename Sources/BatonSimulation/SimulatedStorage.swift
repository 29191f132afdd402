import BatonLog

#if canImport(Glibc)
import Glibc
#endif

/// The log writer's `LogStorage` on a `SimulatedDisk`, with io_uring's
/// shape and time: operations run at `submit()` in preparation order with
/// `PwriteStorage`'s linked-chain semantics (a failed or short operation
/// cancels the rest of its chain with `-ECANCELED`; every operation completes
/// exactly once, with its `userData`), but each completion becomes ready only
/// after a latency on the simulator's clock (`now`), drawn from the disk's
/// `DiskFaults`, counted from the submit or, for an operation linked to the
/// one before it, from that one's completion.
///
/// - A write changes the file's `current` image at submit (a pending write
///   on the disk until synced); its completion is ready after the write latency.
/// - A sync takes effect only when its completion is delivered by
///   `nextCompletion()`: then every write made to that file before the sync
///   was submitted becomes durable. A crash before delivery loses them. A
///   sync fault (drawn at submit) delivers `-EIO` and makes nothing durable.
///   (Lenient on one point: that includes a write submitted earlier whose
///   own completion is not yet delivered, which a kernel's fdatasync might
///   not cover. The log writer never relies on it: each batch syncs its own
///   linked writes, and an interval sync covers only completed writes.)
/// - Completions are delivered in submission order: a later one is never
///   delivered before an earlier one, so a slow sync holds back what follows.
/// - An operation keeps the file object, so a sync of a descriptor closed in
///   the meantime still reaches its file. A sync delivered after the disk
///   crashed (by a storage of the dead process) makes nothing durable.
///
/// Invariant: prepared + undelivered operations never exceed `queueDepth`;
/// ready times never decrease along the completion queue.
///
/// Threading: the simulation's thread only (as its disk).
public final class SimulatedStorage: LogStorage {
    private typealias Operation = PreparedStorageOperation

    /// A completion waiting for its ready time, with the sync it applies on delivery.
    private struct InFlight {
        var completion: StorageCompletion
        var readyAtNanos: Int64
        var syncFile: SimulatedFile?
        /// The sync covers the file's changes numbered below this.
        var syncBefore: UInt64
        /// The disk's crash count at submit.
        var crashes: Int
    }

    public let name = "simulated"
    public let disk: SimulatedDisk
    private let capacity: Int
    private let now: () -> Int64
    private var prepared: [Operation] = []
    /// Undelivered completions, oldest at `inFlightHead`: a ring of `queueDepth` slots.
    private var inFlight: [InFlight?]
    private var inFlightHead = 0
    /// Operations submitted and not yet delivered.
    public private(set) var inFlightCount = 0

    /// `now` is the simulator's monotonic clock in nanoseconds.
    public init(disk: SimulatedDisk, queueDepth: Int, now: @escaping () -> Int64) {
        precondition(queueDepth > 0)
        self.disk = disk
        capacity = queueDepth
        self.now = now
        prepared.reserveCapacity(queueDepth)
        inFlight = Array(repeating: nil, count: queueDepth)
    }

    /// Free slots: prepared + undelivered completions never exceed `queueDepth`.
    public var submissionSpace: Int { capacity - prepared.count - inFlightCount }

    /// When the oldest undelivered completion becomes ready, or nil when none
    /// is in flight (the simulator advances its clock to it when idle).
    public var nextReadyNanos: Int64? { inFlightCount > 0 ? inFlight[inFlightHead]?.readyAtNanos : nil }

    public func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64,
                             userData: UInt64, linkNext: Bool) {
        precondition(submissionSpace > 0, "simulated storage: no submission space")
        prepared.append(Operation(fd: fd, isSync: false, linkNext: linkNext, address: address, length: length,
                                  fileOffset: fileOffset, userData: userData))
    }

    public func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool) {
        precondition(submissionSpace > 0, "simulated storage: no submission space")
        prepared.append(Operation(fd: fd, isSync: true, linkNext: linkNext, address: nil, length: 0,
                                  fileOffset: 0, userData: userData))
    }

    public func submit() throws(LogError) -> Int {
        let count = prepared.count
        let submittedAt = now()
        var chainBroken = false
        // A linked operation starts when the one before it completes.
        var chainDoneAt: Int64?
        var lastReadyAtNanos = inFlightCount > 0 ? inFlight[(inFlightHead + inFlightCount - 1) % capacity]!.readyAtNanos : Int64.min
        for operation in prepared {
            var entry = InFlight(completion: StorageCompletion(userData: operation.userData, result: -ECANCELED),
                                 readyAtNanos: chainDoneAt ?? submittedAt, syncFile: nil, syncBefore: 0, crashes: disk.crashes)
            if !chainBroken {
                if operation.isSync { execute(sync: operation, into: &entry) } else { execute(write: operation, into: &entry) }
            }
            let result = entry.completion.result
            let failed = result < 0 || (!operation.isSync && Int(result) != operation.length)
            if operation.linkNext {
                if failed { chainBroken = true }
                chainDoneAt = entry.readyAtNanos
            } else {
                chainBroken = false
                chainDoneAt = nil
            }
            // Delivered in order: never ready before the one ahead of it.
            entry.readyAtNanos = max(entry.readyAtNanos, lastReadyAtNanos)
            lastReadyAtNanos = entry.readyAtNanos
            precondition(inFlightCount < capacity, "simulated storage: more than queueDepth operations outstanding")
            inFlight[(inFlightHead + inFlightCount) % capacity] = entry
            inFlightCount += 1
        }
        prepared.removeAll(keepingCapacity: true)
        return count
    }

    /// Applies the write to the file's `current` (unless a fault is drawn).
    private func execute(write operation: Operation, into entry: inout InFlight) {
        entry.readyAtNanos &+= disk.drawWriteLatency()
        guard let file = disk.file(operation.fd, writing: true), let address = operation.address else {
            entry.completion.result = -EBADF
            return
        }
        let fault = disk.drawWriteFault()
        if fault != 0 {
            entry.completion.result = -fault
            return
        }
        disk.write(file, UnsafeRawBufferPointer(start: address, count: operation.length), at: Int(operation.fileOffset))
        entry.completion.result = Int32(operation.length)
    }

    /// Draws the sync's fate and latency; its effect waits for delivery.
    private func execute(sync operation: Operation, into entry: inout InFlight) {
        entry.readyAtNanos &+= disk.drawSyncLatency()
        guard let file = disk.file(operation.fd) else {
            entry.completion.result = -EBADF
            return
        }
        if disk.drawSyncFault() {
            entry.completion.result = -EIO
            return
        }
        entry.syncFile = file
        entry.syncBefore = file.nextSequence
        entry.completion.result = 0
    }

    /// The oldest completion once the clock has reached its ready time (a
    /// sync's writes become durable now), else nil.
    public func nextCompletion() -> StorageCompletion? {
        guard inFlightCount > 0, let entry = inFlight[inFlightHead], now() >= entry.readyAtNanos else { return nil }
        inFlight[inFlightHead] = nil
        inFlightHead = (inFlightHead + 1) % capacity
        inFlightCount -= 1
        if let file = entry.syncFile, entry.crashes == disk.crashes { file.makeDurable(before: entry.syncBefore) }
        return entry.completion
    }

    /// Forwards to the disk (ENOSPC when a no-space fault is drawn).
    public func preallocate(fd: Int32, length: Int64) -> Int32 { disk.preallocate(fd, length: length) }

    /// Time is the simulator's: nothing to wait for (it advances its clock to `nextReadyNanos`).
    public func waitForCompletion(timeoutNanos: Int64) {}

    /// Nothing to release; operations in flight still complete, as a kernel's would.
    public func close() {}
}
