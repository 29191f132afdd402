import CBatonSys

/// A 64-bit progress counter (a log position, a sequence, a count) at a fixed
/// address in memory owned by a `CounterSet`, alone on its own 128 bytes
/// (two cache lines, so the adjacent-line prefetcher cannot cause false
/// sharing).
///
/// Threading: exactly one thread writes a position counter (the stage that
/// owns the progress) with `setRelease`/`setPlain`/`addRelease`; any thread
/// reads it with `getAcquire`. `proposeMaxRelease` is safe from several writers.
/// The value only grows for positions; that is the caller's invariant and is
/// asserted in debug builds by `setRelease`.
///
/// The struct is a view: it does not own the memory; the `CounterSet` that
/// handed it out must outlive it.
@frozen
public struct PositionCounter: @unchecked Sendable {
    public let address: UnsafeMutableRawPointer

    @inlinable
    public init(address: UnsafeMutableRawPointer) {
        precondition(Int(bitPattern: address) & 7 == 0, "counter address must be 8-byte aligned")
        self.address = address
    }

    /// Load with acquire ordering: everything the writer did before its release store is visible.
    @inlinable @inline(__always)
    public func getAcquire() -> Int64 { baton_load_acquire_i64(address) }

    /// Load without ordering; only for the owning writer thread (or for statistics).
    @inlinable @inline(__always)
    public func getPlain() -> Int64 { baton_load_plain_i64(address) }

    /// Store with release ordering: publishes all earlier writes of this thread.
    @inlinable @inline(__always)
    public func setRelease(_ value: Int64) {
        assert(value >= baton_load_plain_i64(address) || value == 0, "position counters only grow")
        baton_store_release_i64(address, value)
    }

    /// Store with release ordering for a value that may also go down (a peer's
    /// reported position, which falls back when the peer restarts).
    @inlinable @inline(__always)
    public func setReleaseAllowingDecrease(_ value: Int64) { baton_store_release_i64(address, value) }

    /// Store without ordering (statistics counters, single-threaded set-up).
    @inlinable @inline(__always)
    public func setPlain(_ value: Int64) { baton_store_plain_i64(address, value) }

    /// Add to a counter that has a single writer (plain load + release store; no lock prefix).
    @inlinable @inline(__always)
    public func addRelease(_ delta: Int64) {
        baton_store_release_i64(address, baton_load_plain_i64(address) &+ delta)
    }

    /// Atomic add for a counter with several writers.
    @inlinable @inline(__always)
    @discardableResult
    public func getAndAddAtomic(_ delta: Int64) -> Int64 { baton_fetch_add_i64(address, delta) }

    /// Raise the counter to `value` if it is higher; safe with several writers.
    @inlinable @inline(__always)
    @discardableResult
    public func proposeMaxRelease(_ value: Int64) -> Int64 {
        baton_propose_max_release_i64(address, value)
    }
}
