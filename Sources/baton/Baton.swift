import ArgumentParser

/// The `baton` command: one binary for the broker, its tools and its benchmarks.
///
/// Subcommands arrive with the capabilities they drive (`serve`, `cluster`,
/// `publish`, `subscribe`, `log`, `stat`, `bench`, `tuning`, `sim`).
@main
struct Baton: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "Baton: a replicated log broker.",
        version: BatonVersion.string,
        subcommands: [ServeCommand.self, ClusterCommand.self, StatCommand.self, PublishCommand.self, SubscribeCommand.self, LogCommand.self, BenchCommand.self, TuningCommand.self, SimCommand.self, AdminCommand.self]
    )
}

/// The version `baton --version` prints.
enum BatonVersion {
    static let string = "0.1.0"
}
