import BatonAgent
import BatonLog
import BatonNode

/// The effective layout of a node configuration, as lines for people:
/// which thread runs which stages on which CPU with which idle strategy,
/// where memory lives, ring and buffer sizes, the log's I/O.
/// Printed by `baton tuning check` and logged by `baton serve` at start.
/// Threading: stateless.
public enum NodeLayout {
    public static func describe(_ configuration: NodeConfiguration) -> [String] {
        var lines: [String] = []
        let threadNUMA = configuration.numaNode.map { ", NUMA node \($0)" } ?? ""
        func cpuText(_ cpu: Int?) -> String { cpu.map { "CPU \($0)" } ?? "any CPU" }
        switch configuration.threading {
        case .shared:
            let stages = stagesRun(configuration).map(\.rawValue).joined(separator: "+")
            lines.append("threading: shared (1 thread)")
            lines.append("  thread '\(stages)': stages \(stages); \(cpuText(configuration.cpus.first ?? nil))\(threadNUMA); idle \(configuration.idleStrategy)")
        case .dedicated:
            lines.append("threading: dedicated (\(stagesRun(configuration).count) threads)")
            for stage in stagesRun(configuration) {
                let cpu = stage.index < configuration.cpus.count ? configuration.cpus[stage.index] : nil
                let idle = (stage.index < configuration.idleStrategies.count ? configuration.idleStrategies[stage.index] : nil)
                    ?? configuration.idleStrategy
                let name = "'\(stage.rawValue)'".padding(toLength: 11, withPad: " ", startingAt: 0)
                lines.append("  thread \(name): stage \(stage.rawValue); \(cpuText(cpu))\(threadNUMA); idle \(idle)")
            }
        }
        let bufferNode = configuration.log.numaNode.map { "NUMA node \($0) (mbind)" } ?? "not bound to a NUMA node"
        let threadMemory = configuration.numaNode.map { "threads prefer NUMA node \($0)" } ?? "threads: no NUMA policy"
        lines.append("memory: log buffer \(bufferNode); \(threadMemory)")
        lines.append("sizes: ingress ring \(ByteText.format(configuration.ingressRingBytes)), "
                     + "ack rings \(ByteText.format(configuration.ackRingBytes)), "
                     + "log buffer \(ByteText.format(configuration.log.bufferBytes)), "
                     + "segments \(ByteText.format(configuration.log.segmentBytes)), "
                     + "max in flight \(ByteText.format(configuration.log.maxInFlightBytes))")
        let io: String
        switch configuration.log.ioBackend {
        case .automatic:
            io = "io_uring (queue depth \(configuration.log.queueDepth), sqpoll \(configuration.log.uring.sqPoll ? "on" : "off"); pwrite if io_uring is unavailable)"
        case .pwrite:
            io = "pwrite + fdatasync"
        }
        let zeroAhead = configuration.log.zeroAheadBytes > 0 ? "zero-ahead \(ByteText.format(configuration.log.zeroAheadBytes))" : "zero-ahead off"
        lines.append("io: \(io); \(zeroAhead); durability \(configuration.log.durability)")
        return lines
    }

    /// The stages a node with `configuration` runs: `transmit` only on a chain member.
    static func stagesRun(_ configuration: NodeConfiguration) -> [PipelineStage] {
        PipelineStage.allCases.filter { $0 != .replication || configuration.replication != nil }
    }
}
