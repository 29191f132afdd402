/// Which kind of file a key belongs to; errors start with it
/// (`tuning key 'threads.order.cpu': ...`, `config key 'listen': ...`).
/// Threading: a plain value.
public enum ConfigFileKind: String, Sendable, Equatable {
    /// A tuning profile (`tuning/*.toml`, `baton serve --tuning`).
    case tuning
    /// A node configuration file (`baton serve --config`).
    case config
}
