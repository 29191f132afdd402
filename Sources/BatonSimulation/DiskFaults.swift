/// What can go wrong on a `SimulatedDisk`, and how long its operations take
/// in `SimulatedStorage`. Probabilities are per operation, in 0...1; latencies
/// are nanoseconds of the simulator's clock.
///
/// Which calls draw which fault (only while the disk's `faultsEnabled` is on):
/// - a write (`writeFully`, a storage write): ENOSPC with `noSpaceProbability`,
///   else EIO with `writeErrorProbability`; a failed write changes nothing;
/// - a preallocation: ENOSPC with `noSpaceProbability`;
/// - a sync (`dataSync`, `sync`, a storage sync): EIO with
///   `syncErrorProbability`; a failed sync makes nothing durable. A storage
///   sync is slow (`slowSyncLatencyNanos` instead of `syncLatencyNanos`) with
///   `slowSyncProbability`.
/// Reads and name operations (create, rename, remove, list) never fail.
///
/// Invariant: every probability in 0...1, every latency range non-negative
/// (checked by `SimulatedDisk.faults`' setter).
///
/// A value; safe anywhere.
public struct DiskFaults: Sendable, Equatable {
    public var writeErrorProbability: Double
    public var syncErrorProbability: Double
    public var noSpaceProbability: Double
    public var slowSyncProbability: Double
    /// How long a storage write takes to complete.
    public var writeLatencyNanos: ClosedRange<Int64>
    /// How long a storage sync takes to complete (and so become durable).
    public var syncLatencyNanos: ClosedRange<Int64>
    /// How long a slow storage sync takes.
    public var slowSyncLatencyNanos: ClosedRange<Int64>

    public init(writeErrorProbability: Double = 0, syncErrorProbability: Double = 0, noSpaceProbability: Double = 0,
                slowSyncProbability: Double = 0,
                writeLatencyNanos: ClosedRange<Int64> = 2_000...20_000,
                syncLatencyNanos: ClosedRange<Int64> = 50_000...300_000,
                slowSyncLatencyNanos: ClosedRange<Int64> = 2_000_000...20_000_000) {
        self.writeErrorProbability = writeErrorProbability
        self.syncErrorProbability = syncErrorProbability
        self.noSpaceProbability = noSpaceProbability
        self.slowSyncProbability = slowSyncProbability
        self.writeLatencyNanos = writeLatencyNanos
        self.syncLatencyNanos = syncLatencyNanos
        self.slowSyncLatencyNanos = slowSyncLatencyNanos
    }

    /// No faults, default latencies.
    public static let none = DiskFaults()

    /// True when the probabilities are in 0...1 and the latencies non-negative.
    public var isValid: Bool {
        let probabilities = [writeErrorProbability, syncErrorProbability, noSpaceProbability, slowSyncProbability]
        let latencies = [writeLatencyNanos, syncLatencyNanos, slowSyncLatencyNanos]
        return probabilities.allSatisfy { (0...1).contains($0) } && latencies.allSatisfy { $0.lowerBound >= 0 }
    }
}
