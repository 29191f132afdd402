import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol
import BatonTime

/// What became of one received message (`SessionHandler.handle`'s answer).
/// Threading: a plain value.
enum SessionMessageOutcome {
    /// Done: its bytes may be discarded.
    case handled
    /// No room downstream: keep the bytes, stop reading, try again later.
    case blocked
    /// The session failed, closed or was handed off: stop.
    case gone
}

/// The protocol half of an agent that serves client sessions: what its
/// messages mean and how its bytes leave. The lifecycle half — epoll
/// dispatch, reading, frame scanning, failing, closing, the timeout and
/// heartbeats — is this protocol's extension (`SessionHandler+Lifecycle`),
/// the same code for both agents, as swift-nio keeps one socket lifecycle in
/// `BaseSocketChannel` and protocol behaviour in handlers. Generic, so each
/// call is static: no existential, no allocation.
///
/// Invariant: the conformer owns `sessionLoop` and every socket in it.
/// Threading: the conforming agent's thread only.
protocol SessionHandler: AnyObject {
    associatedtype Session: ClientSession
    associatedtype Clock: NanoClock

    var sessionLoop: SessionLoop<Session, Clock> { get }

    /// Handles one whole, header-checked message of a session that takes messages.
    func handle(_ message: DecodedMessage, in session: Session) -> SessionMessageOutcome
    /// `handle` returned `.blocked`: arrange to call `pump(_:read: false)` again.
    func blocked(_ session: Session)
    /// Writes what waits (the send buffer and the agent's own pending output) and
    /// settles write interest; closes a closing session once all is written.
    func flush(_ session: Session)
    /// Bytes were queued in the send buffer (an Error, a Heartbeat): flush now or soon.
    func sendQueued(_ session: Session)
    /// Whether a control message may go next on the stream (false while a
    /// message written from elsewhere is half sent).
    func canQueueControl(_ session: Session) -> Bool
    /// The session is being released: forget its protocol state.
    func willRelease(_ session: Session)
    /// The listening socket (registered as `SessionToken.listener`) is ready. Returns work done.
    func listenerReady() -> Int
}

extension DecodedMessage {
    /// The message's block; `ClientFrameScanner` has checked its length, so this cannot fail.
    func scannedBlock<M: MessageFlyweight>(as type: M.Type) -> M {
        do {
            return try block(as: type)
        } catch {
            preconditionFailure("the frame scanner checked the \(M.self) block length: \(error)")
        }
    }
}
