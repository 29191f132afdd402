/// The messages of a `Subscriber` as an `AsyncSequence` of copies, for
/// application code: `for try await message in subscriber.messages() { ... }`.
///
/// Each `next()` polls the subscriber on the caller's task (up to
/// `batchLimit` messages at a time, copied into `Message`s); when nothing has
/// arrived it sleeps `idleSleep` and polls again. Polling only when asked
/// keeps the broker's flow control intact: credit goes back as the consumer
/// takes messages. Iteration ends (nil) when the task is cancelled, and
/// throws the subscriber's failure.
///
/// Invariant: one iterator drives the subscriber; while it does, nothing
/// else may call the subscriber. Threading: not `Sendable`; iterate in one
/// task (the iterator runs in the caller's isolation).
public struct SubscriberMessages: AsyncSequence {
    public typealias Element = Message
    public typealias Failure = BatonClientError

    let subscriber: Subscriber
    let batchLimit: Int
    let idleSleep: Duration

    public func makeAsyncIterator() -> Iterator {
        Iterator(subscriber: subscriber, batchLimit: batchLimit, idleSleep: idleSleep)
    }

    /// Iterates `SubscriberMessages`: holds the subscriber and the copies of
    /// the last poll not yet returned (`buffered[index...]`). Used by one task.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = Message
        public typealias Failure = BatonClientError

        let subscriber: Subscriber
        let batchLimit: Int
        let idleSleep: Duration
        var buffered: [Message] = []
        var index = 0

        init(subscriber: Subscriber, batchLimit: Int, idleSleep: Duration) {
            self.subscriber = subscriber
            self.batchLimit = batchLimit
            self.idleSleep = idleSleep
        }

        public mutating func next() async throws(BatonClientError) -> Message? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(BatonClientError) -> Message? {
            while true {
                if index < buffered.count {
                    index += 1
                    return buffered[index - 1]
                }
                if Task.isCancelled { return nil }
                var batch = buffered
                buffered = []
                batch.removeAll(keepingCapacity: true)
                index = 0
                let count = try subscriber.poll(limit: batchLimit) { batch.append(Message($0)) }
                buffered = batch
                if count == 0 {
                    do { try await Task.sleep(for: idleSleep) } catch { return nil }
                }
            }
        }
    }
}

extension Subscriber {
    /// The delivered messages as an `AsyncSequence` of copies (see
    /// `SubscriberMessages`): polled `batchLimit` at a time, with `idleSleep`
    /// between empty polls.
    public func messages(batchLimit: Int = 256, idleSleep: Duration = .microseconds(200)) -> SubscriberMessages {
        precondition(batchLimit > 0, "batchLimit must be positive")
        return SubscriberMessages(subscriber: self, batchLimit: batchLimit, idleSleep: idleSleep)
    }
}
