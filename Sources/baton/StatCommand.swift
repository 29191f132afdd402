import ArgumentParser
import BatonNode

/// `baton stat --data DIR`: prints a node's counters, read live from its
/// counters file (the node need not be asked; it may also have stopped).
struct StatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat",
        abstract: "Print a node's counters: stage positions, traffic, back-pressure, errors, sessions."
    )

    @Option(name: .long, help: "The node's data directory.")
    var data: String

    @Flag(name: .long, help: "One line of label=value pairs instead of a table.")
    var compact = false

    func run() throws {
        let path = data + "/counters.dat"
        let snapshot: CountersFile.Snapshot
        do { snapshot = try CountersFile.read(path: path) } catch {
            throw ValidationError("\(error) — is '\(data)' the data directory of a node that has run?")
        }
        if compact {
            print(snapshot.values.map { "\($0.label)=\($0.value)" }.joined(separator: " "))
            return
        }
        let alive = snapshot.isProcessAlive ? "running" : "not running"
        let ageSeconds = Double(CountersFile.wallClockNanos() - snapshot.startedNanos) / 1e9
        print("node pid \(snapshot.pid) (\(alive)), started \(Int(ageSeconds)) s ago")
        let width = snapshot.values.map(\.label.count).max() ?? 10
        for (label, value) in snapshot.values {
            print(label + String(repeating: " ", count: width - label.count) + "  " + String(value))
        }
    }
}
