/// How many faults a `SimulatedDisk` injected, by kind (for the simulator's
/// summary, and for tests that need a fault to have happened).
///
/// Invariant: each count only grows over a disk's life.
///
/// A value; safe anywhere.
public struct DiskFaultCounts: Sendable, Equatable, CustomStringConvertible {
    /// Writes that failed with EIO.
    public var writeErrors = 0
    /// Syncs that failed with EIO (nothing became durable).
    public var syncErrors = 0
    /// Writes and preallocations that failed with ENOSPC.
    public var noSpaceErrors = 0
    /// Storage syncs that took the slow latency.
    public var slowSyncs = 0

    public init() {}

    public var total: Int { writeErrors + syncErrors + noSpaceErrors + slowSyncs }

    public var description: String {
        "write errors \(writeErrors), sync errors \(syncErrors), no space \(noSpaceErrors), slow syncs \(slowSyncs)"
    }
}
