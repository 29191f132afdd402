import ArgumentParser

/// `baton admin …`: operations on a running member, through its counters
/// file (the tool runs on the member's machine, as the user that may write
/// its data directory).
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operate a running member (on its machine, through its counters file).",
        subcommands: [TransferLeadershipCommand.self]
    )
}
