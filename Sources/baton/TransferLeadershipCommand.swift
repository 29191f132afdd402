import ArgumentParser
import BatonNode
import BatonReplication
import BatonRing
import Glibc

/// `baton admin transfer-leadership --data DIR [--to NODE]`: asks the Raft
/// leader whose data directory is DIR to hand its leadership over — to the
/// member named, or to its most up-to-date follower — without an election
/// timeout: it pauses ordering (publishes wait, nothing is refused), lets the
/// target catch up, sends it TimeoutNow, and steps down on its vote request.
/// The tool writes the request into the member's counters file, waits for the
/// answer and then for the new leader, and says how long it took.
struct TransferLeadershipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-leadership",
        abstract: "Hand a Raft leader's leadership to another member (planned maintenance: no election timeout)."
    )

    @Option(name: .long, help: "The data directory of the member that leads now.")
    var data: String

    @Option(name: .long, help: "The node id to hand over to (default: the most up-to-date follower).")
    var to: UInt32?

    @Option(name: .long, help: "Seconds to wait for the answer and the new leader.")
    var timeout: Double = 5

    func run() throws {
        let path = data + "/counters.dat"
        let control: CountersFileControl
        do { control = try CountersFileControl(path: path) } catch {
            throw ValidationError("\(error) — is '\(data)' the data directory of a running member?")
        }
        guard control.isWriterAlive else { throw ValidationError("the member at '\(data)' is not running (pid \(control.writerPid))") }
        guard let requests = control.counter("raft.transfer.requests"), let target = control.counter("raft.transfer.target"),
              let handled = control.counter("raft.transfer.handled"), let outcome = control.counter("raft.transfer.outcome"),
              let leader = control.counter("raft.leader"), let term = control.counter("replication.epoch") else {
            throw ValidationError("the member at '\(data)' is not a Raft member (replication = \"raft\"): there is no leadership to transfer")
        }
        let before = leader.getAcquire()
        let started = RaftLeaderWait.monotonicNanos()
        let deadline = started + Int64(timeout * 1e9)
        target.setReleaseAllowingDecrease(to.map(Int64.init) ?? -1)
        let request = requests.getAcquire() + 1
        requests.setRelease(request)
        while handled.getAcquire() < request {
            guard RaftLeaderWait.monotonicNanos() < deadline else {
                throw ValidationError("the member at '\(data)' did not answer within \(timeout) s")
            }
            pause()
        }
        let answer = RaftTransferOutcome(rawValue: outcome.getAcquire())
        guard answer == .handedOver else {
            var text = "refused: \(answer.map(String.init(describing:)) ?? "unknown answer \(outcome.getAcquire())")"
            if answer == .notLeader { text += before >= 0 ? " (it follows node \(before))" : " (it knows no leader now)" }
            throw ValidationError(text)
        }
        // The old leader steps down on the target's vote request, then names the new leader once it hears it.
        while true {
            let now = leader.getAcquire()
            if now >= 0 && now != before {
                let millis = Double(RaftLeaderWait.monotonicNanos() - started) / 1e6
                print("leadership moved from node \(before) to node \(now) (term \(term.getAcquire())) in \(String(format: "%.1f", millis)) ms")
                return
            }
            guard RaftLeaderWait.monotonicNanos() < deadline else {
                throw ValidationError("handed over, but the member at '\(data)' named no new leader within \(timeout) s (it leads: \(now == before))")
            }
            pause()
        }
    }

    private func pause() {
        var interval = timespec(tv_sec: 0, tv_nsec: 200_000)
        nanosleep(&interval, nil)
    }
}
