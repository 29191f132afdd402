import BatonConfig
import BatonLog
import BatonNode
import BatonReplication
import Glibc

/// One member of a cluster file as its counters file says it, for `baton
/// admin status`. Read-only: the counters file is mapped read-only (as
/// `baton stat` does) and never written.
///
/// `state` is `running` only when the file's writer is alive (see
/// `CountersWriter.check`); a member that stopped keeps its last values in
/// `values` (shown as "last seen"), but the cluster summary uses running
/// members only. Threading: a plain value.
struct MemberStatus {
    enum State: String {
        case running = "running"
        case notRunning = "not running"
        case noCountersFile = "no counters file"
        case unreadable = "unreadable"
    }

    let index: Int
    let member: ClusterConfigFile.Member
    var state: State
    /// The pid the counters file records (nil without a readable file).
    var pid: Int32?
    /// Why a member is not running or unreadable, in words.
    var detail: String?
    /// label → value (the first slot of a label wins, as in `baton stat`); empty without a readable file.
    var values: [String: Int64] = [:]
    /// The committed chain of `<data>/chain-config` (failover only; nil when absent or damaged).
    var committedChain: ChainMembership?

    var isRunning: Bool { state == .running }
    var id: UInt32 { member.id }

    func value(_ label: String) -> Int64 { values[label] ?? 0 }

    var chainRole: ChainRole? { values["replication.role"].flatMap(ChainRole.init(code:)) }
    var raftRole: RaftRole? { values["replication.role"].flatMap(RaftRole.init(code:)) }
    /// The chain's configuration epoch, or the Raft term.
    var epoch: Int64 { value("replication.epoch") }
    var hasFailover: Bool { values[FailoverCounters.minimumLengthLabel] != nil }
    var leadership: Leadership? { values["leadership.state"].flatMap(Leadership.init(rawValue:)) }
    /// The commit position: the chain's `position.commit`; a Raft member's majority commit (`replication.position.chainCommit`, as `baton stat`).
    var commit: Int64 { raftRole != nil ? value("replication.position.chainCommit") : value("position.commit") }
    var durable: Int64 { value("position.log-0.durable") }
    var configurationTerm: Int64 { value("replication.configuration.term") }
    /// -1: none heard in this term.
    var configurationLeader: Int64 { values["replication.configuration.leader"] ?? -1 }
    /// 0 no; 1 FENCED (no majority heard); 2 WAITING FOR A MEMBER (a failed member at the minimum length).
    var fenced: Int64 { value("replication.fenced") }
    var failedMembers: [Int64] {
        let bits = value("replication.failureDetector.failed")
        let ids = FailoverCounters.memberIds(values)
        return (0..<64).filter { bits & (Int64(1) << Int64($0)) != 0 }.map { $0 < ids.count ? ids[$0] : -1 - Int64($0) }
    }
    /// -1: no leader heard in this term.
    var raftLeader: Int64 { values["raft.leader"] ?? -1 }

    /// The role as a word: a chain role, a Raft role, "node" for a member without replication counters.
    var roleText: String {
        if let chainRole { return chainRole.rawValue }
        if let raftRole { return raftRole.description }
        return values.isEmpty ? "-" : "node"
    }

    /// What `leadership.state` says about taking writes.
    var writesText: String {
        switch leadership {
        case .leading: return "leading"
        case .waiting: return "waiting"
        case .following: return "following"
        case .tooFewReplicas: return "refusing writes"
        case nil: return "-"
        }
    }

    var fencedText: String? {
        switch fenced {
        case 1: return "FENCED"
        case 2: return "WAITING FOR A MEMBER"
        default: return nil
        }
    }

    /// Every member of `cluster`, in cluster-file order (`read`).
    static func readAll(_ cluster: ClusterConfigFile) -> [MemberStatus] {
        cluster.members.enumerated().map { read(index: $0.offset, member: $0.element) }
    }

    /// Reads member `index` of `cluster`: its counters file, whether its writer runs, its `chain-config`.
    static func read(index: Int, member: ClusterConfigFile.Member) -> MemberStatus {
        var status = MemberStatus(index: index, member: member, state: .noCountersFile)
        let path = member.data + "/counters.dat"
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            if reason == ENOENT || reason == ENOTDIR {
                var directory = stat()
                status.detail = stat(member.data, &directory) == 0
                    ? "never started here (no \(path))"
                    : "no data folder \(member.data) (never started, or it runs on another machine)"
            } else {
                status.state = .unreadable
                status.detail = "cannot stat \(path): \(String(cString: strerror(reason)))"
            }
            return status
        }
        let snapshot: CountersFile.Snapshot
        do { snapshot = try CountersFile.read(path: path) } catch {
            status.state = .unreadable
            status.detail = "\(error)"
            return status
        }
        status.pid = Int32(truncatingIfNeeded: snapshot.pid)
        status.values = Dictionary(snapshot.values.map { ($0.label, $0.value) }, uniquingKeysWith: { first, _ in first })
        switch CountersWriter.check(pid: snapshot.pid, fileStartedNanos: snapshot.startedNanos) {
        case .alive:
            status.state = .running
        case let .gone(reason):
            status.state = .notRunning
            status.detail = reason
        }
        status.committedChain = (try? ConfigurationStateFile.read(directory: member.data, fileSystem: SystemFileSystem()))?
            .committedEntry.membership
        return status
    }
}

/// Whether the process a counters file names still writes it. The file
/// records its writer's pid and the wall-clock time it was created (at the
/// node's start); its heartbeat field is not updated by the node, and an idle
/// member's counters may not move at all, so neither tells. A member is
/// running when its pid is alive (`kill(pid, 0)`), is not a zombie, and — when
/// `/proc` says — that process started no later than the file was written (a
/// later one reuses the pid of a member that stopped).
/// Not detected: a member that is alive but stopped (SIGSTOP) or hung.
enum CountersWriter {
    enum Liveness: Equatable {
        case alive
        case gone(String)
    }

    /// The slack allowed between the process's start and the file's creation
    /// (the boot time `/proc` gives is whole seconds; a wall clock may be stepped).
    static let startSlackNanos: Int64 = 10_000_000_000

    static func check(pid: Int64, fileStartedNanos: Int64) -> Liveness {
        guard pid > 0, pid <= Int64(Int32.max) else { return .gone("the file records no process (pid \(pid))") }
        if kill(pid_t(pid), 0) != 0 && errno != EPERM { return .gone("pid \(pid) has exited") }
        guard let process = procStat(pid: pid) else { return .alive }
        if process.state == "Z" || process.state == "X" { return .gone("pid \(pid) has exited (not yet reaped)") }
        if let started = process.startedNanos, started > fileStartedNanos + startSlackNanos {
            return .gone("pid \(pid) has exited (that pid now belongs to a process started after this counters file was written)")
        }
        return .alive
    }

    /// The state letter and the wall-clock start of process `pid`, from
    /// `/proc/PID/stat` (its start in clock ticks since boot) and the clocks
    /// now (wall clock minus the time since boot).
    static func procStat(pid: Int64) -> (state: Character, startedNanos: Int64?)? {
        guard let text = readSmallFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": field 3 (state) first; field 22 (starttime) is the 20th.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard let state = fields.first?.first else { return nil }
        var started: Int64?
        let perSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        var sinceBoot = timespec()
        if fields.count > 19, let ticks = Int64(fields[19]), perSecond > 0, clock_gettime(CLOCK_BOOTTIME, &sinceBoot) == 0 {
            let bootNanos = Int64(sinceBoot.tv_sec) * 1_000_000_000 + Int64(sinceBoot.tv_nsec)
            started = CountersFile.wallClockNanos() - bootNanos + ticks * (1_000_000_000 / perSecond)
        }
        return (state, started)
    }

    /// The text of a small file (under 64 KiB read), nil when it cannot be opened.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8_192)
        while bytes.count < 65_536 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
