import BatonAgent
import BatonLog
import BatonNode

extension TuningProfile {
    /// Sets in `configuration` every value this profile gives; the rest is left as is.
    ///
    /// Shared mode: `cpu` pins the one thread. Dedicated mode: `cpus` and
    /// `idleStrategies` get one entry per stage (client-io, order, log,
    /// commit, execute, transmit; nil where the stage's table leaves it out).
    /// `[replication]` sets the UDP batch, MTU and socket buffers of a chain
    /// member (over its cluster file's `[udp]`); a single node ignores it. `numa_node`
    /// binds both the threads and the log buffer. `log.maxInFlightBytes` follows
    /// the log buffer size (half of it at most, unless set explicitly).
    public func apply(to configuration: inout NodeConfiguration) {
        if let threading { configuration.threading = threading }
        if let idle { configuration.idleStrategy = idle }
        switch threading ?? configuration.threading {
        case .shared:
            if let cpu { configuration.cpus = [cpu] }
        case .dedicated:
            if !stages.isEmpty {
                configuration.cpus = PipelineStage.allCases.map { stages[$0]?.cpu }
                configuration.idleStrategies = PipelineStage.allCases.map { stages[$0]?.idle }
            }
        }
        if let numaNode {
            configuration.numaNode = numaNode
            configuration.log.numaNode = numaNode
        }
        if let ingressRingBytes { configuration.ingressRingBytes = ingressRingBytes }
        if let ackRingBytes { configuration.ackRingBytes = ackRingBytes }
        if let logBufferBytes { configuration.log.bufferBytes = logBufferBytes }
        if let io { configuration.log.ioBackend = io }
        if let uringQueueDepth { configuration.log.queueDepth = uringQueueDepth }
        if let uringSQPoll { configuration.log.uring.sqPoll = uringSQPoll }
        if let zeroAheadBytes { configuration.log.zeroAheadBytes = zeroAheadBytes }
        if let durability { configuration.log.durability = durability }
        if configuration.replication != nil {
            if let batch = replication.udpBatch { configuration.replication!.udpBatch = batch }
            if let mtu = replication.mtu { configuration.replication!.mtu = mtu }
            if let bytes = replication.socketBufferBytes { configuration.replication!.socketBufferBytes = bytes }
        }
    }

    /// `configuration` with this profile applied, checked by `NodeConfiguration.validate()`
    /// (which catches combinations, e.g. a queue depth too small for the write batches).
    public func applied(to configuration: NodeConfiguration) throws(ConfigError) -> NodeConfiguration {
        var result = configuration
        apply(to: &result)
        do { try result.validate() } catch { throw .rejectedByNode(.tuning, reason: error.description) }
        return result
    }
}
