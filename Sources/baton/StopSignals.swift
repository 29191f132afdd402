import Glibc

/// SIGINT and SIGTERM, the signals that stop `serve`, `cluster` and an
/// embedded bench cleanly.
///
/// `block()` must run on the main thread before any other thread starts, so
/// every thread inherits the mask and only `wait()` (on whichever thread calls
/// it) ever receives them.
enum StopSignals {
    static var set: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }

    /// Blocks both signals in the calling thread (and the threads it starts later).
    static func block() {
        var signals = set
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Waits for one of them; returns which.
    static func wait() -> Int32 {
        var signals = set
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        return received
    }
}
