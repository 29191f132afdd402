import ArgumentParser
import BatonBench
import BatonNode
import BatonRing
import Glibc

/// `baton bench hops --data HEAD --data MIDDLE --data TAIL`: where a durable
/// commit's time goes on a running chain, read from outside through the
/// members' counters files (`HopSampler`): the head's appended and durable
/// positions, each follower's received and durable ones, the head's commit
/// and the position it has acknowledged to publishers. Run it beside a load
/// (`baton bench latency --broker HEAD ...`); it only reads.
struct BenchHopsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hops",
        abstract: "Per-hop breakdown of a running chain's commit path, polled from its members' counters files.",
        discussion: """
        Give the members' data directories in chain order, head first. A sample starts when the head's \
        appended position moves and follows that position through every stage; the resolution is the \
        polling interval (reported). Prints each hop's percentiles in microseconds, as `bench latency` does.
        """
    )

    @Option(name: .long, help: "A member's data directory (repeat, in chain order, head first).")
    var data: [String] = []
    @Option(name: .long, help: "How long to sample (10s, 500ms; a bare number is seconds).")
    var duration = BenchDurationArgument(nanos: 10_000_000_000)
    @Option(name: .long, help: "Pause between polls, in microseconds (0: spin; costs a core).")
    var intervalMicros = 20

    func validate() throws {
        guard data.count >= 2 else { throw ValidationError("--data: give at least two members, head first (got \(data.count))") }
        guard intervalMicros >= 0 && intervalMicros <= 100_000 else { throw ValidationError("--interval-micros: 0...100000, not \(intervalMicros)") }
    }

    func run() throws {
        var files: [CountersFileControl] = []
        for directory in data {
            do { files.append(try CountersFileControl(path: directory + "/counters.dat", writable: false)) } catch {
                throw ValidationError("--data \(directory): \(error)")
            }
        }
        func counter(_ file: CountersFileControl, _ label: String) throws -> PositionCounter {
            guard let counter = file.counter(label) else { throw ValidationError("\(file.path) has no counter '\(label)' (not a chain member of this build?)") }
            return counter
        }
        var stages: [PositionCounter] = []
        var hops: [String] = []
        stages.append(try counter(files[0], "position.log-0.appended"))
        stages.append(try counter(files[0], "position.log-0.durable"))
        hops.append("head sync")
        for index in 1..<files.count {
            let name = index == files.count - 1 ? "tail" : "member \(index)"
            stages.append(try counter(files[index], "replication.position.receivedBytes"))
            stages.append(try counter(files[index], "position.log-0.durable"))
            hops += ["UDP to \(name)", "\(name) sync"]
        }
        stages.append(try counter(files[0], "replication.position.chainCommit"))
        stages.append(try counter(files[0], "position.commit"))
        hops += ["Status back to the head commit", "commit to the publisher's ack"]

        var sampler = HopSampler(stageCount: stages.count)
        var positions = Array(repeating: Int64(0), count: stages.count)
        let start = monotonicNanos()
        let end = start + duration.nanos
        var polls = 0
        var pause = timespec(tv_sec: 0, tv_nsec: intervalMicros * 1_000)
        while true {
            let now = monotonicNanos()
            if now >= end { break }
            for (index, stage) in stages.enumerated() { positions[index] = stage.getAcquire() }
            sampler.observe(positions, now: now)
            polls += 1
            if intervalMicros > 0 { nanosleep(&pause, nil) }
        }
        let perPoll = polls > 0 ? Double(monotonicNanos() - start) / Double(polls) / 1_000 : 0
        print("baton bench hops: \(sampler.total.totalCount) samples over \(duration), a poll every \(fixed(perPoll, 1)) µs (the resolution)")
        let rows = zip(hops, sampler.hops).map { (title: $0, summary: LatencySummary($1)) }
        print(LatencyTable.render(rows + [(title: "total (appended to acked)", summary: LatencySummary(sampler.total))]))
    }
}
