/// What a `BatonConnection.receive` handler did with the message it was given.
///
/// Invariant: `.keepAndStop` leaves the message's bytes where they are.
/// A plain value: `Sendable`.
public enum ReceiveDisposition: Sendable {
    /// Handled: drop it from the buffer and hand over the next message.
    case handled
    /// Handled: drop it, and hand over nothing more in this call.
    case handledAndStop
    /// Not handled (or only partly): keep it in the buffer, at the same
    /// address, and hand it over again first in the next call.
    case keepAndStop
}
