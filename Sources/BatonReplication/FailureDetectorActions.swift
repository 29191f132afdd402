/// A caller-owned buffer a `FailureDetector` writes its actions into: storage
/// sized once at init, so filling and reading it allocates nothing. Each
/// detector call that takes it replaces its contents.
///
/// Invariant: `0 <= count <= capacity`; the elements past `count` are stale.
/// Threading: owned by the caller of the detector; its thread only. Read it
/// (`for action in actions`) before passing it to the next call; a copy kept
/// across that call would make the call copy the storage.
public struct FailureDetectorActions: RandomAccessCollection, Sendable {
    private var storage: [FailureDetectorAction]
    public private(set) var count = 0

    /// Room for everything one detector call can produce (`FailureDetector.maximumActionsPerCall`).
    public init(capacity: Int = FailureDetector.maximumActionsPerCall) {
        precondition(capacity > 0, "an action buffer holds at least one action")
        storage = Array(repeating: .probe(0), count: capacity)
    }

    public var capacity: Int { storage.count }
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> FailureDetectorAction {
        precondition(position >= 0 && position < count, "action \(position) of \(count)")
        return storage[position]
    }

    mutating func removeAll() { count = 0 }

    mutating func append(_ action: FailureDetectorAction) {
        precondition(count < storage.count, "the failure detector's action buffer (\(storage.count)) is full")
        storage[count] = action
        count &+= 1
    }
}
