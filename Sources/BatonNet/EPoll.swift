import CBatonSys
import Glibc

/// An epoll instance and a preallocated array for the ready events it
/// reports.
///
/// Invariant: `readyCount <= eventCapacity`; `wait` writes into the array
/// allocated at `init` and allocates nothing. Each registered descriptor
/// carries a caller token (`UInt64`) that comes back in its events. Closing
/// a socket removes it from the set automatically (when no duplicate of the
/// descriptor remains); `remove` first when the socket lives on.
/// Threading: owned and waited on by one thread (`~Copyable`: one owner; the
/// epoll descriptor is closed and the array freed in `deinit`).
public struct EPoll: ~Copyable {
    /// The epoll descriptor (for diagnostics; owned by this value).
    public let rawDescriptor: CInt
    /// The most events one `wait` returns.
    public let eventCapacity: Int
    @usableFromInline let events: UnsafeMutablePointer<baton_epoll_event>
    @usableFromInline var readyCountStorage: Int = 0
    /// Ready events from the last `wait`, in `self[ready: 0 ..< readyCount]`.
    @inlinable public var readyCount: Int { readyCountStorage }

    /// Creates the epoll instance (close-on-exec) and its event array of
    /// `eventCapacity` (1...`NetLimits.epollEventsMax`) entries.
    public init(eventCapacity: Int) throws(NetError) {
        precondition(eventCapacity >= 1 && eventCapacity <= NetLimits.epollEventsMax,
                     "eventCapacity must be 1...\(NetLimits.epollEventsMax)")
        let fd = baton_epoll_create()
        guard fd >= 0 else { throw .system(.epollCreate, .current, address: nil) }
        rawDescriptor = fd
        self.eventCapacity = eventCapacity
        events = .allocate(capacity: eventCapacity)
        events.initialize(repeating: baton_epoll_event(), count: eventCapacity)
    }

    deinit {
        events.deallocate()
        _ = Glibc.close(rawDescriptor)
    }

    /// Registers `socket` for `interest`; its events will carry `token`.
    public func add(_ socket: SocketDescriptor, interest: EPollEvents, token: UInt64) throws(NetError) {
        try control(BATON_EPOLL_CTL_ADD, socket, interest, token, .epollAdd)
    }

    /// Changes the interest (and token) of a registered socket; also re-arms `oneShot`.
    public func modify(_ socket: SocketDescriptor, interest: EPollEvents, token: UInt64) throws(NetError) {
        try control(BATON_EPOLL_CTL_MOD, socket, interest, token, .epollModify)
    }

    /// Unregisters `socket`.
    public func remove(_ socket: SocketDescriptor) throws(NetError) {
        try control(BATON_EPOLL_CTL_DEL, socket, [], 0, .epollRemove)
    }

    private func control(_ operation: CInt, _ socket: SocketDescriptor, _ interest: EPollEvents,
                         _ token: UInt64, _ name: SocketOperation) throws(NetError) {
        guard baton_epoll_ctl(rawDescriptor, operation, socket.rawValue, interest.rawValue, token) == 0 else {
            throw .system(name, .current, address: try? socket.localAddress())
        }
    }

    /// Waits up to `timeoutMillis` (>= 0; 0 polls) for ready descriptors and
    /// returns how many (also `readyCount`); 0 when the time ran out or a
    /// signal interrupted the wait. Read them with `self[ready:]`.
    @inlinable
    public mutating func wait(timeoutMillis: Int32) throws(NetError) -> Int {
        precondition(timeoutMillis >= 0, "every wait has an explicit, finite timeout")
        let result = baton_epoll_wait(rawDescriptor, events, CInt(eventCapacity), timeoutMillis)
        if result < 0 {
            readyCountStorage = 0
            if errno == EINTR { return 0 }
            throw .system(.epollWait, .current, address: nil)
        }
        readyCountStorage = Int(result)
        assert(readyCount <= eventCapacity)
        return readyCount
    }

    /// The `index`th ready event of the last `wait` (`index < readyCount`).
    @inlinable
    public subscript(ready index: Int) -> EPollEvent {
        precondition(index >= 0 && index < readyCount, "ready event \(index) of \(readyCount)")
        let event = events[index]
        return EPollEvent(token: event.data, events: EPollEvents(rawValue: event.events))
    }
}
