/// How a connected socket behaves after `TCPConnection.connect`.
///
/// Invariant: there is no "block forever": a blocking socket always carries
/// a positive timeout. Threading: a plain value.
@frozen
public enum BlockingMode: Equatable, Sendable {
    /// `O_NONBLOCK`: reads and writes return `.wouldBlock` at once when not
    /// ready; readiness comes from `EPoll`. What the broker uses.
    case nonBlocking
    /// Blocking reads and writes that give up after `timeoutMillis`
    /// (`SO_RCVTIMEO`/`SO_SNDTIMEO`) and then return `.wouldBlock` (or the
    /// bytes moved so far). For simple clients and tools.
    case blocking(timeoutMillis: Int32)
}
