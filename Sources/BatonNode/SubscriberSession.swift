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
/// socket is writable again, and no other Deliver starts meanwhile.
///
/// Threading: the execute stage's thread only.
final class SubscriberSession {
    let slot: Int
    var sessionId: UInt64 = 0
    /// The epoll token: this stage's slot in the low 32 bits, a use count above.
    var token: UInt64 = 0
    var active = false
    var closing = false
    var buffers: SessionBuffers?
    var lastReceiveNanos: Int64 = 0
    var lastSendNanos: Int64 = 0
    var writeInterest = false
    var subscriptions: [Subscription] = []
    /// Round-robin cursor over `subscriptions`.
    var nextSubscription = 0

    /// Staging for one Deliver: header, then frames.
    let staging: UnsafeMutableRawBufferPointer
    /// Bytes of the staged Deliver already written, and its total length (0 = none in flight).
    var stagedWritten = 0
    var stagedLength = 0

    init(slot: Int, stagingBytes: Int) {
        self.slot = slot
        staging = .allocate(byteCount: stagingBytes, alignment: 4096)
    }

    deinit { staging.deallocate() }

    var hasDeliverInFlight: Bool { stagedLength > 0 }

    func subscriptionIndex(_ id: UInt32) -> Int? {
        subscriptions.firstIndex { $0.subscriptionId == id }
    }
}
