import ArgumentParser
import BatonMutation
import BatonReplication
import BatonSimulation
import BatonTime

#if canImport(Glibc)
import Glibc
#endif

/// `baton sim`: runs the deterministic simulator — whole clusters in one
/// thread over a simulated clock, network and disk, faults drawn from each
/// seed — and checks every run's history. One seed prints its summary; a
/// range (`--seeds N`) prints one line per failing seed and the rate. Exits 1
/// on any violation, printing the line that reruns the seed.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the deterministic cluster simulator over one seed or a range of seeds; exit 1 on any violated invariant."
    )

    @Option(name: .long, help: "The (first) seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "How many consecutive seeds to run (from --seed).")
    var seeds: Int = 1

    @Option(name: .long, help: "Members per cluster: 3, 5, or a list (3,5) used in turn by consecutive seeds.")
    var nodes: String = "3"

    @Option(name: .long, help: "Replication mode: chain or raft (raft: an odd number of members; corruption faults are not drawn).")
    var replication: ReplicationMode = .chain

    @Option(name: .long, help: "Fault kinds a seed may draw: a list of network,partition,crash,pause,disk,clock,corruption,transfer (Raft),membership (chain with --failover); 'all' (the default); or 'none'.")
    var faults: String?

    @Option(name: .long, help: "A deliberate bug to switch on (proves the checker catches it): \(Mutation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mutation: Mutation?

    @Flag(name: .long, help: "Chain: automatic failover (configuration log and failure detector, with short timings so faults trigger it).")
    var failover = false

    @Option(name: .long, help: "Write every event of the (single) run to this file.")
    var trace: String?

    @Flag(name: .long, help: "With --seeds: print only failures and the totals.")
    var quiet = false

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard trace == nil || seeds == 1 else { throw ValidationError("--trace records one run: use it without --seeds") }
        guard !failover || replication == .chain else { throw ValidationError("--failover is chain replication's (Raft elects its leader itself)") }
        _ = try nodeCounts()
        _ = try faultKinds()
    }

    func nodeCounts() throws -> [Int] {
        let counts = nodes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil && (1...7).contains($0!) }) else {
            throw ValidationError("--nodes '\(nodes)': member counts from 1 to 7, e.g. 3 or 3,5")
        }
        return counts.map { $0! }
    }

    func faultKinds() throws -> Set<FaultPlan.Kind> {
        guard let faults else { return FaultPlan.defaultKinds }
        if faults == "none" { return [] }
        if faults == "all" { return Set(FaultPlan.Kind.allCases) }
        var kinds: Set<FaultPlan.Kind> = []
        for name in faults.split(separator: ",") {
            guard let kind = FaultPlan.Kind(rawValue: String(name)) else {
                throw ValidationError("--faults: unknown fault kind '\(name)' (known: \(FaultPlan.Kind.allCases.map(\.rawValue).joined(separator: ", ")), all, none)")
            }
            kinds.insert(kind)
        }
        return kinds
    }

    func run() throws {
        let counts = try nodeCounts()
        let kinds = try faultKinds()
        let wall = SystemClock()
        let started = wall.monotonicNanos()
        var failures = 0
        var simulated: Int64 = 0
        var steps = 0
        for offset in 0..<seeds {
            var options = SimulationOptions(seed: seed &+ UInt64(offset), nodes: counts[offset % counts.count],
                                            replication: replication, allowedFaults: kinds, keepsTrace: trace != nil,
                                            mutation: mutation)
            options.failover = failover
            let simulation: Simulation
            do {
                simulation = try Simulation(options)
            } catch {
                throw ValidationError("\(error)")
            }
            let result = simulation.run()
            simulated += result.simulatedNanos
            steps += result.steps
            if let trace {
                let text = simulation.traceLines.joined(separator: "\n") + "\ntrace hash \(String(result.traceHash, radix: 16))\n"
                guard let file = fopen(trace, "w") else { throw ValidationError("cannot write the trace to '\(trace)': \(String(cString: strerror(errno)))") }
                fputs(text, file)
                fclose(file)
            }
            if seeds == 1 {
                print(result.summary)
            } else if !result.passed {
                print(result.summary)
            } else if !quiet {
                print("seed \(options.seed): ok (\(options.nodes) members, faults \(result.plan.kindsText), acked \(result.acked), trace \(String(result.traceHash, radix: 16)))")
            }
            if !result.passed { failures += 1 }
        }
        let elapsed = max(1, wall.monotonicNanos() - started)
        if seeds > 1 {
            let seconds = Double(elapsed) / 1e9
            print("seeds \(seeds), failed \(failures), \(String(format: "%.1f", Double(seeds) / seconds)) seeds/s, \(String(format: "%.1f", Double(simulated) / 1e9 / seconds)) simulated s per real s, \(steps) steps in \(String(format: "%.2f", seconds)) s")
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

extension Mutation: ExpressibleByArgument {}
