import ArgumentParser
import BatonAgent
import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import Glibc

/// `baton tuning`: tools for tuning profiles (`tuning/*.toml`).
struct TuningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuning",
        abstract: "Check tuning profiles against this machine.",
        subcommands: [TuningCheckCommand.self]
    )
}

/// `baton tuning check FILE`: validates a profile against this machine and
/// prints the effective layout (exit 0), or prints the error (exit 1).
struct TuningCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a tuning profile against this machine and print the effective layout."
    )

    @Argument(help: "The profile, e.g. tuning/default.toml.")
    var file: String

    func run() throws {
        do {
            let profile = try TuningProfile.load(path: file)
            // The layout over the node defaults (what `serve --tuning FILE` runs without other flags).
            let base = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 7400),
                                         log: LogConfiguration(directory: "DATA"))
            let effective = try profile.applied(to: base)
            print("\(file): OK on this machine (\(MachineText.summary))")
            for line in NodeLayout.describe(effective) { print(line) }
            if profile.replication != ReplicationTuning() {
                let replication = profile.replication
                print("replication: udp_batch \(replication.udpBatch.map(String.init) ?? "default"), "
                      + "mtu \(replication.mtu.map(String.init) ?? "default"), "
                      + "socket_buffer_bytes \(replication.socketBufferBytes.map(String.init) ?? "default") "
                      + "(applied to chain and Raft members; a single node has no replication)")
            }
        } catch {
            LogTool.printError("\(file): \(error)")
            throw ExitCode(1)
        }
    }
}

/// A one-line description of this machine for `tuning check`.
enum MachineText {
    static var summary: String {
        let machine = MachineTopology.current
        let numa = machine.numaNodeCount.map { "\($0) NUMA node\($0 == 1 ? "" : "s")" } ?? "NUMA unavailable"
        return "CPUs \(CPUTopology.listText(machine.onlineCPUs)), \(numa)"
    }
}
