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
        polling interval (reported). Prints p50, p90 and p99 of each hop in microseconds.
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
        var stages: [(name: String, counter: PositionCounter)] = []
        stages.append(("head appended", try counter(files[0], "position.log-0.appended")))
        stages.append(("head durable", try counter(files[0], "position.log-0.durable")))
        for index in 1..<files.count {
            let name = index == files.count - 1 ? "tail" : "member \(index)"
            stages.append(("\(name) received", try counter(files[index], "replication.position.receivedBytes")))
            stages.append(("\(name) durable", try counter(files[index], "position.log-0.durable")))
        }
        stages.append(("head commit", try counter(files[0], "replication.position.chainCommit")))
        stages.append(("head acked", try counter(files[0], "position.commit")))

        var sampler = HopSampler(stageCount: stages.count)
        var positions = Array(repeating: Int64(0), count: stages.count)
        let start = monotonicNanos()
        let end = start + duration.nanos
        var polls = 0
        var pause = timespec(tv_sec: 0, tv_nsec: intervalMicros * 1_000)
        while true {
            let now = monotonicNanos()
            if now >= end { break }
            for (index, stage) in stages.enumerated() { positions[index] = stage.counter.getAcquire() }
            sampler.observe(positions, now: now)
            polls += 1
            if intervalMicros > 0 { nanosleep(&pause, nil) }
        }
        let elapsed = monotonicNanos() - start
        let perPoll = polls > 0 ? Double(elapsed) / Double(polls) / 1_000 : 0
        print("baton bench hops: \(sampler.totals.count) samples over \(duration), a poll every \(fixed(perPoll, 1)) µs (the resolution)")
        let width = stages.map(\.name.count).max()! * 2 + 4
        func micros(_ nanos: Int64) -> String { fixed(Double(nanos) / 1_000, 1) }
        func pad(_ text: String, _ count: Int) -> String { String(repeating: " ", count: max(0, count - text.count)) + text }
        print("hop" + String(repeating: " ", count: width - 3) + pad("p50 µs", 10) + pad("p90 µs", 10) + pad("p99 µs", 10))
        for hop in 0..<(stages.count - 1) {
            let name = "\(stages[hop].name) → \(stages[hop + 1].name)"
            let values = sampler.durations[hop]
            print(name + String(repeating: " ", count: max(1, width - name.count))
                  + pad(micros(HopSampler.quantile(values, 0.5)), 10) + pad(micros(HopSampler.quantile(values, 0.9)), 10)
                  + pad(micros(HopSampler.quantile(values, 0.99)), 10))
        }
        let name = "total (head appended → head acked)"
        print(name + String(repeating: " ", count: max(1, width - name.count))
              + pad(micros(HopSampler.quantile(sampler.totals, 0.5)), 10) + pad(micros(HopSampler.quantile(sampler.totals, 0.9)), 10)
              + pad(micros(HopSampler.quantile(sampler.totals, 0.99)), 10))
    }
}
