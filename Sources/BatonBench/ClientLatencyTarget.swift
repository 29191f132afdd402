import BatonClient
import BatonNet

/// The real target of `bench latency`: one `Publisher` on the first broker
/// and a `Subscriber` (from the latest position) on each broker given for
/// delivery, all driven from the run's sender thread. Each message's
/// payload carries its due and send times (`LatencyPayload`); a delivery is
/// matched by producer id, so other traffic on the stream is ignored.
///
/// Invariant: message index `i` is the publisher's sequence `i` (a fresh
/// producer id starting at sequence 0). Threading: the sender thread only
/// (as `Publisher` and `Subscriber` require); not `Sendable`.
public final class ClientLatencyTarget: OpenLoopTarget {
    public let publisher: Publisher
    public let subscribers: [Subscriber]
    let producerId: UInt64
    let payloadLength: Int
    var ackedThrough: Int64 = -1

    /// Subscribes on each of `subscribeTo` first (so no message is missed),
    /// then connects the publisher to `publishTo`.
    public init(publishTo: IPv4SocketAddress, subscribeTo: [IPv4SocketAddress], streamId: UInt32, payloadLength: Int,
                windowMessages: Int, producerId: UInt64) throws {
        guard payloadLength >= LatencyPayload.minimumLength else {
            throw BenchError("--size \(payloadLength): a latency message carries two timestamps, so at least \(LatencyPayload.minimumLength) bytes")
        }
        var subscribers: [Subscriber] = []
        for address in subscribeTo {
            do {
                subscribers.append(try Subscriber(broker: address, configuration: SubscriberConfiguration(streamId: streamId, from: .latest)))
            } catch {
                for subscriber in subscribers { subscriber.close() }
                throw BenchError("subscribing on \(address): \(error)")
            }
        }
        var configuration = PublisherConfiguration(streamId: streamId)
        configuration.producerId = producerId
        configuration.windowMessages = windowMessages
        configuration.linger = .zero  // one message, one batch, sent at once: nothing waits for company
        do {
            publisher = try Publisher(broker: publishTo, configuration: configuration)
        } catch {
            for subscriber in subscribers { subscriber.close() }
            throw BenchError("connecting the publisher to \(publishTo): \(error)")
        }
        self.subscribers = subscribers
        self.producerId = producerId
        self.payloadLength = payloadLength
    }

    public var deliveriesPerMessage: Int { subscribers.count }

    @inline(__always)
    public func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool {
        let result = publisher.offer(length: payloadLength) { buffer, _ in
            LatencyPayload.write(into: buffer, intendedNanos: intendedNanos, sentNanos: sentNanos)
        }
        switch result {
        case .accepted: return true
        case .backPressured: return false
        case .tooLarge(let limit): throw BenchError("--size \(payloadLength) is over the broker's payload limit \(limit)")
        case .closed(let error): throw BenchError("publisher: \(error)")
        }
    }

    @inline(__always)
    public func poll(_ completions: inout OpenLoopCompletions) throws -> Int {
        var work = try publisher.poll()
        if let acked = publisher.lastAckedSequence {
            if let ahead = publisher.ackedAheadSequence {
                throw BenchError("the broker acknowledged sequence \(ahead) of producer \(producerId), above any sent: producer id reused")
            }
            let through = Int64(acked)
            if through > ackedThrough {
                ackedThrough = through
                completions.acked(through: through, completedNanos: BenchClock.monotonicNanos())
            }
        }
        let producerId = self.producerId
        for subscriber in subscribers {
            work &+= try subscriber.poll { message in
                guard message.producerId == producerId, let times = LatencyPayload.read(message.payload) else { return }
                completions.delivered(intendedNanos: times.intendedNanos, sentNanos: times.sentNanos,
                                      completedNanos: BenchClock.monotonicNanos())
            }
        }
        return work
    }

    /// Runs `configuration` against this target (the specialised entry point `baton bench latency` calls).
    public func run(_ configuration: OpenLoopConfiguration, progress: (@Sendable (LatencyProgress) -> Void)?) throws -> OpenLoopResult {
        var target = self
        return try OpenLoopRunner.run(&target, configuration: configuration, progress: progress)
    }

    /// Closes every session.
    public func close() {
        publisher.close()
        for subscriber in subscribers { subscriber.close() }
    }
}
