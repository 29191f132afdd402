/// Fixed limits of the writer's bookkeeping, derived from the configuration.
public enum LogWriterLimits {
    /// Operations one batch can need: its writes (one per `maximumWriteBytes`,
    /// one more where it crosses the buffer wrap) plus a sync, plus slack.
    public static func operationsPerBatch(_ configuration: LogConfiguration) -> Int {
        (configuration.maximumBatchBytes + configuration.maximumWriteBytes - 1) / configuration.maximumWriteBytes + 3
    }

    /// The zero buffer a truncation writes over the discarded suffix (at most
    /// `maxInFlightBytes`): one allocation at start, one `pwrite` per this many bytes.
    public static let truncationZeroBytes = 64 << 10
}

/// One operation of a batch, remembered until it completes.
struct WriteOperation {
    /// Log position of the first byte written (writes); the batch's start (syncs).
    var position: Int64
    var length: Int
    var isSync: Bool
}

/// A batch: the writes of `[start, end)` (always inside one segment) and,
/// if `syncCoverEnd >= 0`, an `fdatasync` of that segment linked after them
/// which makes everything below `syncCoverEnd` durable once it completes
/// (for a batch-policy batch `syncCoverEnd == end`; for an interval sync
/// `start == end` and it covers what had completed when it was issued).
struct WriteBatch {
    var start: Int64 = 0
    var end: Int64 = 0
    var segmentBase: Int64 = 0
    var syncCoverEnd: Int64 = -1
    /// Operations not yet completed.
    var pending: Int = 0
    /// Where to start rewriting after a failure, short write or cancellation;
    /// `Int64.max` when nothing needs redoing.
    var resumeAt: Int64 = .max
    /// The errno of a failure that waits for the retry delay (0: none).
    var failedErrno: Int32 = 0
    var isSyncOnly: Bool { start == end }
}

/// The writer's batches in flight, in submission order, in a fixed ring
/// allocated at start (`capacity` batches × `operationsPerBatch` operations).
/// `durablePosition` advances only over a completed prefix of this queue.
///
/// Threading: confined to the writer agent's thread.
struct WriteBatchQueue: ~Copyable {
    let capacity: Int
    let operationsPerBatch: Int
    let batches: UnsafeMutablePointer<WriteBatch>
    let operations: UnsafeMutablePointer<WriteOperation>
    private(set) var head = 0
    private(set) var count = 0

    init(capacity: Int, operationsPerBatch: Int) {
        self.capacity = capacity
        self.operationsPerBatch = operationsPerBatch
        batches = .allocate(capacity: capacity)
        batches.initialize(repeating: WriteBatch(), count: capacity)
        operations = .allocate(capacity: capacity * operationsPerBatch)
        operations.initialize(repeating: WriteOperation(position: 0, length: 0, isSync: false), count: capacity * operationsPerBatch)
    }

    deinit {
        batches.deallocate()
        operations.deallocate()
    }

    var isFull: Bool { count == capacity }
    var isEmpty: Bool { count == 0 }

    /// Slot of the i-th batch in submission order.
    @inline(__always)
    func slot(at index: Int) -> Int { (head + index) % capacity }

    /// Appends a batch and returns its slot.
    mutating func push(_ batch: WriteBatch) -> Int {
        precondition(!isFull, "write batch queue full")
        let slot = (head + count) % capacity
        batches[slot] = batch
        count += 1
        return slot
    }

    mutating func popHead() {
        precondition(count > 0)
        head = (head + 1) % capacity
        count -= 1
    }

    @inline(__always)
    func operation(slot: Int, index: Int) -> UnsafeMutablePointer<WriteOperation> {
        operations + (slot * operationsPerBatch + index)
    }
}

/// `userData` of a storage operation: kind (8 bits) | batch slot (16) | operation index (16).
enum OperationTag {
    static let batchKind: UInt64 = 1
    static let checkpointKind: UInt64 = 2
    static let zeroAheadKind: UInt64 = 3

    @inline(__always)
    static func make(kind: UInt64, slot: Int, index: Int) -> UInt64 {
        (kind << 56) | (UInt64(slot) << 16) | UInt64(index)
    }
    @inline(__always) static func kind(_ tag: UInt64) -> UInt64 { tag >> 56 }
    @inline(__always) static func slot(_ tag: UInt64) -> Int { Int((tag >> 16) & 0xFFFF) }
    @inline(__always) static func index(_ tag: UInt64) -> Int { Int(tag & 0xFFFF) }
}
