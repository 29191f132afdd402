import ArgumentParser

/// `baton admin …`: operations on a running member, through its counters
/// file (the tool runs on the member's machine, as the user that may write
/// its data directory), and `status`: every member of a cluster file, read
/// from their counters files (read-only).
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operate a running member, or show a whole cluster (on its machine, through the counters files).",
        subcommands: [AdminStatusCommand.self, TransferLeadershipCommand.self, AddMemberCommand.self, RemoveMemberCommand.self]
    )
}
