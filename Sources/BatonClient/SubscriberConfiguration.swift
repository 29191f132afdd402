import BatonProtocol

/// How a `Subscriber` subscribes. Checked when the subscriber is made
/// (`invalidArgument` names the bad field). A plain value: `Sendable`.
public struct SubscriberConfiguration: Sendable {
    /// The stream to receive, or `ClientProtocol.allStreams` for every stream.
    public var streamId: UInt32
    public var from: SubscribeFrom = .earliest
    /// Bytes of Deliver (log frames) the broker may send ahead of consumption;
    /// Credit is returned as the application consumes, each time half of it
    /// has been. 0 means unlimited (no Credit is ever sent).
    public var creditBytes: UInt32 = 8 * 1_024 * 1_024
    /// Bytes of the receive buffer; it grows once to the broker's `maxMessageLength` if that is longer.
    public var receiveBufferBytes: Int = 2 * 1_024 * 1_024
    /// The id the session knows the subscription by.
    public var subscriptionId: UInt32 = 1
    public var connection = ConnectionOptions()

    public init(streamId: UInt32, from: SubscribeFrom = .earliest) {
        self.streamId = streamId
        self.from = from
    }

    func validate() throws(BatonClientError) {
        if case .position(let position) = from, position < 0 {
            throw .invalidArgument("start position \(position) must not be negative")
        }
        if receiveBufferBytes < 64 * 1_024 {
            throw .invalidArgument("receiveBufferBytes \(receiveBufferBytes) must be at least 65536")
        }
    }
}
