import BatonNet
import BatonProtocol

/// One subscription of a subscriber session.
struct Subscription {
    var subscriptionId: UInt32
    var streamId: UInt32
    /// The next log position to deliver from (always a frame boundary).
    var nextPosition: Int64
    /// Bytes of frames the client can still take; ignored when `unlimitedCredit`.
    var credit: Int64
    var unlimitedCredit: Bool
}

/// A session owned by the execute stage after its first Subscribe: it
/// receives committed frames. Deliveries are staged in the session's own
/// buffer (read from the log, filtered by stream, a Deliver header in front)
/// and written with one `write` each; a partial write continues when the
/// socket is writable again, and no other Deliver starts meanwhile. Its
/// socket, buffers and lifecycle are the `ClientSession` half.
///
/// Invariant: `0 <= stagedWritten <= stagedLength <= staging.count`; a free
/// session has no subscriptions and nothing staged.
/// Threading: the execute stage's thread only.
final class SubscriberSession: ClientSession {
    var subscriptions: [Subscription] = []
    /// Round-robin cursor over `subscriptions`.
    var nextSubscription = 0

    /// Staging for one Deliver: header, then frames.
    let staging: UnsafeMutableRawBufferPointer
    /// Bytes of the staged Deliver already written, and its total length (0 = none in flight).
    var stagedWritten = 0
    var stagedLength = 0

    init(slot: Int, stagingBytes: Int) {
        staging = .allocate(byteCount: stagingBytes, alignment: 4096)
        super.init(slot: slot)
    }

    /// Every subscriber session has a staging buffer. (Spelled out: without it
    /// Swift 6.3 synthesises an override that warns of infinite recursion.)
    @available(*, unavailable)
    override init(slot: Int) { preconditionFailure("a subscriber session needs its staging size") }

    deinit { staging.deallocate() }

    var hasDeliverInFlight: Bool { stagedLength > 0 }

    func subscriptionIndex(_ id: UInt32) -> Int? {
        subscriptions.firstIndex { $0.subscriptionId == id }
    }
}
