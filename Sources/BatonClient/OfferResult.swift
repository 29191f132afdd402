/// The outcome of `Publisher.offer`: the hot path returns a code, it never
/// blocks and never throws.
///
/// A plain value; `.accepted` and `.backPressured` carry no references.
public enum OfferResult: Equatable, Sendable {
    /// The message was taken under `sequence`; it is sent with its batch and
    /// kept (and resent after `reconnect()`) until the broker acknowledges it.
    case accepted(sequence: UInt64)
    /// Nothing was taken: `inFlight` messages await acknowledgement and the
    /// window (or the publisher's buffer) is full. Call `poll()` to read acks
    /// — `waitForIO` when it finds none — and offer again.
    case backPressured(inFlight: Int)
    /// Nothing was taken and nothing ever will be: the payload is longer
    /// than `limit` (the broker's `maxPayloadLength`, or what one batch can hold).
    case tooLarge(limit: Int)
    /// Nothing was taken: the session failed or the publisher was closed.
    /// `reconnect()` when the error `isRetryable`; unacknowledged messages are kept.
    case closed(BatonClientError)
}
