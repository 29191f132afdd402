import ArgumentParser
import BatonConfig
import BatonNode
import BatonReplication
import Glibc

/// `baton admin add-member` / `remove-member --config CLUSTER.toml --node N`:
/// a membership change of a chain with failover, as one committed entry of
/// its configuration log. The tool finds the configuration log's leader
/// among the cluster file's members whose data directories are on this
/// machine (their counters files), writes the request into the leader's
/// counters file (`replication.membership.*`), and waits for the answer, the
/// entry's commit, and — for an add — the member's catch-up and join as the
/// tail. It asks again, within `--timeout`, when the leader changed or an
/// earlier change was still uncommitted. Exit 0 when the change took
/// effect; 1 with the reason otherwise (nothing changed unless it says so).
struct MembershipChangeTool {
    let kind: MembershipChangeKind
    let config: String
    let node: UInt32
    let timeout: Double

    /// Runs the change; on failure prints `baton admin <command>: <why>` and exits 1.
    func runPrintingErrors() throws {
        do { try run() } catch let error as ValidationError {
            LogTool.printError("baton admin \(kind == .add ? "add-member" : "remove-member"): \(error.message)")
            throw ExitCode(1)
        }
    }

    func run() throws {
        let cluster: ClusterConfigFile
        do { cluster = try ClusterConfigFile.load(path: config) } catch {
            throw ValidationError("\(error)")
        }
        guard cluster.replication == .chain, cluster.failoverEnabled else {
            throw ValidationError("the cluster in '\(config)' has no automatic failover ([failover] enabled = true): its chain is the cluster file's, change that file instead")
        }
        guard cluster.members.contains(where: { $0.id == node }) else {
            let ids = cluster.members.map { String($0.id) }.joined(separator: ", ")
            throw ValidationError("node \(node) is not a member of the cluster file '\(config)' (members: \(ids)); a new machine joins by being added to the cluster file of every member first")
        }
        let started = RaftLeaderWait.monotonicNanos()
        let deadline = started + Int64(timeout * 1e9)
        let epoch = try propose(cluster: cluster, deadline: deadline)
        let membership = try awaitCommit(of: epoch, cluster: cluster, deadline: deadline)
        switch kind {
        case .remove:
            print("node \(node) removed from the chain: \(Self.describe(membership)) in \(Self.millis(since: started)) ms; it stays out until `baton admin add-member --node \(node)`")
        case .add:
            print("node \(node) may rejoin: \(Self.describe(membership)) in \(Self.millis(since: started)) ms")
            let joined = try awaitJoin(cluster: cluster, deadline: deadline)
            print("node \(node) caught up and joined as the tail: \(Self.describe(joined)) in \(Self.millis(since: started)) ms")
        }
    }

    /// Asks the configuration leader until it proposes; returns the proposed epoch.
    private func propose(cluster: ClusterConfigFile, deadline: Int64) throws -> Int64 {
        var lastReason = "no member of this machine leads the configuration log"
        while RaftLeaderWait.monotonicNanos() < deadline {
            guard let leader = findLeader(cluster) else {
                pause()
                continue
            }
            let answer = try ask(leader, deadline: deadline)
            switch answer.outcome {
            case .proposed:
                return answer.epoch
            case .notLeader, .changePending:
                lastReason = "node \(leader.id): \(answer.outcome)"
                pause()
            default:
                throw ValidationError("node \(leader.id) (the configuration leader) refused: \(answer.outcome)")
            }
        }
        throw ValidationError("nothing proposed within \(timeout) s: \(lastReason)")
    }

    /// The running member on this machine that says it leads the configuration log.
    private func findLeader(_ cluster: ClusterConfigFile) -> ClusterConfigFile.Member? {
        MemberStatus.readAll(cluster).first { $0.isRunning && $0.configurationLeader == Int64($0.id) }?.member
    }


    private func ask(_ member: ClusterConfigFile.Member, deadline: Int64) throws -> (outcome: MembershipChangeOutcome, epoch: Int64) {
        let path = member.data + "/counters.dat"
        let control: CountersFileControl
        do { control = try CountersFileControl(path: path) } catch {
            throw ValidationError("\(error) — cannot write node \(member.id)'s counters file")
        }
        guard let requests = control.counter("replication.membership.requests"),
              let nodeCounter = control.counter("replication.membership.node"),
              let kindCounter = control.counter("replication.membership.kind"),
              let handled = control.counter("replication.membership.handled"),
              let outcome = control.counter("replication.membership.outcome"),
              let proposed = control.counter("replication.membership.proposedEpoch") else {
            throw ValidationError("node \(member.id) runs a build without membership changes (no replication.membership counters)")
        }
        nodeCounter.setReleaseAllowingDecrease(Int64(node))
        kindCounter.setReleaseAllowingDecrease(kind.rawValue)
        let request = requests.getAcquire() + 1
        requests.setRelease(request)
        while handled.getAcquire() < request {
            guard control.isWriterAlive else { throw ValidationError("node \(member.id) stopped before answering") }
            guard RaftLeaderWait.monotonicNanos() < deadline else {
                throw ValidationError("node \(member.id) did not answer within \(timeout) s")
            }
            pause()
        }
        let code = outcome.getAcquire()
        guard let answer = MembershipChangeOutcome(rawValue: code) else {
            throw ValidationError("node \(member.id) answered \(code), which this build does not know")
        }
        return (answer, proposed.getAcquire())
    }

    /// Waits until a running member applied the change (its epoch reached it)
    /// and returns the committed membership it wrote.
    private func awaitCommit(of epoch: Int64, cluster: ClusterConfigFile, deadline: Int64) throws -> ChainMembership {
        while true {
            for status in MemberStatus.readAll(cluster) {
                if status.isRunning, status.epoch >= epoch, let committed = status.committedChain, Int64(committed.epoch) >= epoch {
                    return committed
                }
            }
            guard RaftLeaderWait.monotonicNanos() < deadline else {
                throw ValidationError("proposed as epoch \(epoch), but no member on this machine applied it within \(timeout) s (a configuration leader that lost its majority does not commit; see baton admin status)")
            }
            pause()
        }
    }

    /// Waits until the added member is back in the chain (a committed membership holds it).
    private func awaitJoin(cluster: ClusterConfigFile, deadline: Int64) throws -> ChainMembership {
        while true {
            let statuses = MemberStatus.readAll(cluster)
            for status in statuses {
                if status.isRunning, let committed = status.committedChain, committed.contains(node), status.epoch >= Int64(committed.epoch) {
                    return committed
                }
            }
            guard RaftLeaderWait.monotonicNanos() < deadline else {
                let added = statuses.first { $0.id == node }
                let why = added.map { $0.isRunning ? "it runs and is still catching up from the tail" : "it is not running: start it and it joins on its own" }
                    ?? "its state is unknown"
                throw ValidationError("node \(node) may rejoin, but it did not join within \(timeout) s: \(why)")
            }
            pause()
        }
    }

    static func describe(_ membership: ChainMembership) -> String {
        var text = "epoch \(membership.epoch), chain \(membership.members.map(String.init).joined(separator: " → "))"
        if !membership.heldOut.isEmpty { text += ", held out \(membership.heldOut.map(String.init).joined(separator: ", "))" }
        return text
    }

    static func millis(since start: Int64) -> String {
        String(format: "%.1f", Double(RaftLeaderWait.monotonicNanos() - start) / 1e6)
    }

    private func pause() {
        var interval = timespec(tv_sec: 0, tv_nsec: 2_000_000)
        nanosleep(&interval, nil)
    }
}

/// `baton admin remove-member`: holds a member out of the chain (see `MembershipChangeTool`).
struct RemoveMemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-member",
        abstract: "Take a member out of a chain with failover and keep it out until added back (one committed configuration entry).",
        discussion: """
            Removing the head makes its successor the head; publishers are redirected. The chain may not fall \
            below its minimum length. Run on the machine of the configuration log's leader (the tool writes its counters file).
            """
    )
    @Option(name: .long, help: "The cluster file, as given to baton serve --config.") var config: String
    @Option(name: .long, help: "The node id to remove.") var node: UInt32
    @Option(name: .long, help: "Seconds to wait for the change to take effect.") var timeout: Double = 10

    func run() throws {
        try MembershipChangeTool(kind: .remove, config: config, node: node, timeout: timeout).runPrintingErrors()
    }
}

/// `baton admin add-member`: lets a held-out member back in (see `MembershipChangeTool`).
struct AddMemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-member",
        abstract: "Let a member removed by remove-member back into a chain with failover: it catches up from the tail, then joins as the tail.",
        discussion: """
            The tool waits for the member to join (it must run). Run on the machine of the configuration log's leader.
            """
    )
    @Option(name: .long, help: "The cluster file, as given to baton serve --config.") var config: String
    @Option(name: .long, help: "The node id to add back.") var node: UInt32
    @Option(name: .long, help: "Seconds to wait for the member to join (it catches up from the tail first).") var timeout: Double = 60

    func run() throws {
        try MembershipChangeTool(kind: .add, config: config, node: node, timeout: timeout).runPrintingErrors()
    }
}
