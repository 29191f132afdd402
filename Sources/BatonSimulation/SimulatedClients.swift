/// The clients of a simulated cluster, which outlive any member's crash: the
/// publishers (each connected to at most one member) and the checker that
/// hears what they and the subscribers were told. Members' client ports and
/// delivery agents reach them through this object.
///
/// Threading: the simulation's thread.
public final class SimulatedClients {
    public let publishers: [SimulatedPublisher]
    public let checker: HistoryChecker
    public let time: SimulationTime
    public let trace: SimulationTrace

    public init(publishers: [SimulatedPublisher], checker: HistoryChecker, time: SimulationTime, trace: SimulationTrace) {
        self.publishers = publishers
        self.checker = checker
        self.time = time
        self.trace = trace
    }

    /// The publisher with producer id `producerId`, if any.
    func publisher(producerId: UInt64) -> SimulatedPublisher? {
        publishers.first { $0.producerId == producerId }
    }
}
