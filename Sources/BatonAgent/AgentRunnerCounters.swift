import Synchronization

/// The memory an `AgentRunner` shares between its owner and its agent thread:
/// the running flag, and the statistics the agent thread publishes.
///
/// ```
///  byte 0          8                                        128
///  +---------------+-----------------------------------------+
///  | running (i64) | padding                                 |  line pair 0: written by stop(),
///  +---------------+-----------------------------------------+               read every duty cycle
///  128       136         144          152           160          168        256
///  +---------+-----------+------------+-------------+------------+----------+
///  | duty    | work      | errors     | thread      | cpu time   | padding  |  line pair 1: written
///  | cycles  | count     |            | state       | at exit ns |          |  by the agent thread
///  +---------+-----------+------------+-------------+------------+----------+
/// ```
///
/// Each group owns 128 bytes (two cache lines, against the adjacent-line
/// prefetcher), so the agent's per-cycle stores never invalidate the line the
/// owner's `stop()` writes, and the flag's line stays shared-clean in the
/// agent's cache while running.
///
/// Invariant: every slot is a `Synchronization.Atomic<Int64>`; the statistics
/// have one writer (the agent thread: plain value kept in a register, stored
/// with release) and any number of readers (acquire loads); the running flag
/// is written by whoever calls `start()`/`stop()` (under the runner's lock)
/// and read by the agent thread with acquire loads.
/// Threading: the struct is a view over memory owned by `AgentRunnerState`.
@usableFromInline
struct AgentRunnerCounters: @unchecked Sendable {
    @usableFromInline static let runningSlot = 0
    @usableFromInline static let dutyCyclesSlot = 16
    @usableFromInline static let workCountSlot = 17
    @usableFromInline static let errorCountSlot = 18
    @usableFromInline static let threadStateSlot = 19
    @usableFromInline static let cpuTimeAtExitSlot = 20
    @usableFromInline static let slotCount = 32
    @usableFromInline static let byteCount = slotCount * MemoryLayout<Int64>.stride
    @usableFromInline static let alignment = 128

    @usableFromInline let slots: UnsafeMutablePointer<Atomic<Int64>>

    @usableFromInline
    init() {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Self.byteCount, alignment: Self.alignment)
        slots = raw.bindMemory(to: Atomic<Int64>.self, capacity: Self.slotCount)
        for index in 0..<Self.slotCount {
            (slots + index).initialize(to: Atomic<Int64>(0))
        }
    }

    /// Frees the memory; only when no thread can reach it any more.
    @usableFromInline
    func deallocate() {
        slots.deinitialize(count: Self.slotCount)
        UnsafeMutableRawPointer(slots).deallocate()
    }

    // MARK: running flag

    @inlinable @inline(__always)
    func isRunningAcquire() -> Bool {
        slots[Self.runningSlot].load(ordering: .acquiring) != 0
    }

    @usableFromInline
    func setRunningRelease(_ running: Bool) {
        slots[Self.runningSlot].store(running ? 1 : 0, ordering: .releasing)
    }

    // MARK: statistics (one writer: the agent thread)

    @inlinable @inline(__always)
    func storeDutyCyclesRelease(_ value: Int64) {
        slots[Self.dutyCyclesSlot].store(value, ordering: .releasing)
    }

    @inlinable @inline(__always)
    func storeWorkCountRelease(_ value: Int64) {
        slots[Self.workCountSlot].store(value, ordering: .releasing)
    }

    @usableFromInline
    func incrementErrorCountRelease() {
        let slot = Self.errorCountSlot
        slots[slot].store(slots[slot].load(ordering: .relaxed) &+ 1, ordering: .releasing)
    }

    @usableFromInline
    func storeThreadStateRelease(_ state: AgentThreadState) {
        slots[Self.threadStateSlot].store(state.rawValue, ordering: .releasing)
    }

    @usableFromInline
    func storeCPUTimeAtExitRelease(_ nanos: Int64) {
        slots[Self.cpuTimeAtExitSlot].store(nanos, ordering: .releasing)
    }

    @usableFromInline
    func loadAcquire(_ slot: Int) -> Int64 {
        slots[slot].load(ordering: .acquiring)
    }
}
