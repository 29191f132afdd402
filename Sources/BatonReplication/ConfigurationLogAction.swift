/// What a `ConfigurationLog` asks its caller to send after an event. Before
/// sending, the caller persists the log's state when `needsPersisting` (and
/// sends nothing if that fails): a vote, a term or an entry the message
/// depends on must survive a crash.
/// Threading: a plain value.
public enum ConfigurationLogAction: Equatable, Sendable {
    /// Nothing to send.
    case none
    /// Send `message` to every other voter.
    case broadcast(ConfigurationMessage)
    /// Send `message` to the voter `to`.
    case send(ConfigurationMessage, to: UInt32)
}
