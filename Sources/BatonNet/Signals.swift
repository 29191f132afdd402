import CBatonSys

/// Sets SIGPIPE to "ignore" for the whole process, so that a write to a
/// closed pipe or socket returns EPIPE instead of killing the process.
/// BatonNet's own sends already use `MSG_NOSIGNAL`; call this once at start
/// for everything else (stdout into a closed pipe, third-party code).
/// Idempotent; safe from any thread.
public func ignoreSIGPIPE() {
    let result = baton_ignore_sigpipe()
    precondition(result == 0, "sigaction(SIGPIPE, SIG_IGN) failed: \(Errno(rawValue: result))")
}
