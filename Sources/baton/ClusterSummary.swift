import BatonConfig
import BatonReplication

/// The whole cluster as its running members' counters say it, for `baton
/// admin status`: a chain's epoch, the chain in force and its configuration
/// leader, or a Raft cluster's term and leader; which members do not run;
/// and warnings where the members disagree. Only running members count:
/// a stopped member's file holds what it last saw.
///
/// The chain in force at the highest epoch E a running member reports is,
/// in this order: the committed chain of a member's `chain-config` (failover)
/// whose epoch is E (it lists the members in chain order, stopped ones too);
/// the cluster file's members when E is the file's epoch (nothing was
/// reconfigured); else the running members at E ordered by role — head,
/// middles in cluster-file order, tail (the counters record no position).
/// Threading: a plain value.
struct ClusterSummary {
    enum ChainSource: String {
        case chainConfig = "chain-config"
        case clusterFile = "cluster file"
        case roles = "roles"

        /// How the summary line says where the order comes from.
        var phrase: String {
            switch self {
            case .chainConfig: return "as chain-config records it"
            case .clusterFile: return "as the cluster file lists it"
            case .roles: return "ordered by the members' roles"
            }
        }
    }

    var replication: ClusterConfigFile.ReplicationMode
    var failover: Bool
    /// Chain: the highest epoch a running member reports; Raft: the highest term.
    var epoch: Int64?
    var chain: [UInt32] = []
    var chainSource: ChainSource?
    /// What to say beside a member of `chain`: "not running", or the other epoch a running one reports.
    var chainNotes: [UInt32: String] = [:]
    /// The member at the head of `chain`, when it runs and says it heads epoch `epoch`; its `writesText`.
    var head: UInt32?
    var headWrites: String?
    /// FENCED or WAITING FOR A MEMBER, when the head says so.
    var headFenced: String?
    var configurationTerm: Int64?
    var configurationLeader: Int64?
    /// Raft: the running member that leads in the highest term.
    var leader: UInt32?
    var running: [UInt32] = []
    var notRunning: [UInt32] = []
    var warnings: [String] = []

    init(cluster: ClusterConfigFile, members: [MemberStatus]) {
        replication = cluster.replication
        failover = cluster.failoverEnabled
        running = members.filter(\.isRunning).map(\.id)
        notRunning = members.filter { !$0.isRunning }.map(\.id)
        if running.isEmpty { warnings.append("no member is running") }
        switch cluster.replication {
        case .chain: summarizeChain(cluster: cluster, members: members)
        case .raft: summarizeRaft(members: members)
        }
    }

    private mutating func summarizeChain(cluster: ClusterConfigFile, members: [MemberStatus]) {
        let live = members.filter { $0.isRunning && $0.chainRole != nil }
        guard let top = live.map(\.epoch).max() else { return }
        epoch = top
        let byId = Dictionary(members.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if let committed = members.compactMap(\.committedChain).first(where: { Int64($0.epoch) == top }) {
            chain = committed.members
            chainSource = .chainConfig
        } else if top == Int64(cluster.epoch) {
            chain = cluster.members.map(\.id)
            chainSource = .clusterFile
        } else {
            let atTop = live.filter { $0.epoch == top }
            func rank(_ role: ChainRole?) -> Int? {
                switch role {
                case .single, .head: return 0
                case .middle: return 1
                case .tail: return 2
                default: return nil
                }
            }
            chain = atTop.compactMap { member in rank(member.chainRole).map { ($0, member.index, member.id) } }
                .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
            chainSource = .roles
        }
        for id in chain {
            guard let member = byId[id] else { continue }
            if !member.isRunning {
                chainNotes[id] = "not running"
            } else if member.chainRole == nil || member.epoch != top {
                chainNotes[id] = "\(member.roleText), epoch \(member.epoch)"
            }
        }
        if let first = chain.first, let member = byId[first], member.isRunning, member.epoch == top,
           member.chainRole == .head || member.chainRole == .single {
            head = first
            headWrites = member.writesText
            headFenced = member.fencedText
        }

        let epochs = Dictionary(grouping: live, by: \.epoch)
        if epochs.count > 1 {
            let groups = epochs.keys.sorted(by: >).map { "epoch \($0): \(Self.nodes(epochs[$0]!.map(\.id)))" }
            warnings.append("members disagree on the epoch (" + groups.joined(separator: "; ") + ")")
        }
        let heads = Dictionary(grouping: live.filter { $0.chainRole == .head || $0.chainRole == .single }, by: \.epoch)
        for (headEpoch, claimants) in heads.sorted(by: { $0.key > $1.key }) where claimants.count > 1 {
            warnings.append("more than one member says it heads epoch \(headEpoch): \(Self.nodes(claimants.map(\.id)))")
        }
        if head == nil, !chain.isEmpty {
            let first = chain[0]
            let why = byId[first].map { $0.isRunning ? "it reports \($0.roleText), epoch \($0.epoch)" : "it is not running" } ?? "it is not in the cluster file"
            warnings.append("no running member heads epoch \(top): the chain's first member, node \(first), does not (\(why))")
        }

        let voters = members.filter { $0.isRunning && $0.hasFailover }
        if let term = voters.map(\.configurationTerm).max() {
            configurationTerm = term
            let named = Set(voters.filter { $0.configurationTerm == term && $0.configurationLeader >= 0 }.map(\.configurationLeader))
            if named.count == 1 { configurationLeader = named.first }
            if named.count > 1 {
                warnings.append("members in configuration term \(term) name different leaders: "
                                + named.sorted().map { "node \($0)" }.joined(separator: ", "))
            }
        }
    }

    private mutating func summarizeRaft(members: [MemberStatus]) {
        let live = members.filter { $0.isRunning && $0.raftRole != nil }
        guard let top = live.map(\.epoch).max() else { return }
        epoch = top
        let leaders = live.filter { $0.raftRole == .leader && $0.epoch == top }
        if leaders.count == 1 { leader = leaders[0].id; headWrites = leaders[0].writesText }
        let terms = Dictionary(grouping: live, by: \.epoch)
        if terms.count > 1 {
            let groups = terms.keys.sorted(by: >).map { "term \($0): \(Self.nodes(terms[$0]!.map(\.id)))" }
            warnings.append("members disagree on the term (" + groups.joined(separator: "; ") + ")")
        }
        let claimants = Dictionary(grouping: live.filter { $0.raftRole == .leader }, by: \.epoch)
        for (term, group) in claimants.sorted(by: { $0.key > $1.key }) where group.count > 1 {
            warnings.append("more than one member says it leads term \(term): \(Self.nodes(group.map(\.id)))")
        }
        let named = Set(live.filter { $0.epoch == top && $0.raftLeader >= 0 }.map(\.raftLeader))
        if named.count > 1 {
            warnings.append("members in term \(top) name different leaders: " + named.sorted().map { "node \($0)" }.joined(separator: ", "))
        }
        if leaders.isEmpty { warnings.append("no running member leads term \(top)") }
    }

    static func nodes(_ ids: [UInt32]) -> String {
        (ids.count == 1 ? "node " : "nodes ") + ids.map(String.init).joined(separator: ", ")
    }
}
