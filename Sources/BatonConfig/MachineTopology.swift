import BatonAgent

/// What a profile is checked against: the CPUs online and the NUMA nodes of a machine.
///
/// `current` reads this machine (CPUTopology, NumaTopology); tests may build others.
/// Threading: a plain value.
public struct MachineTopology: Sendable, Equatable {
    /// CPUs online, ascending.
    public var onlineCPUs: [Int]
    /// Number of NUMA nodes, or nil when libnuma reports NUMA unavailable.
    public var numaNodeCount: Int?

    public init(onlineCPUs: [Int], numaNodeCount: Int?) {
        self.onlineCPUs = onlineCPUs
        self.numaNodeCount = numaNodeCount
    }

    /// This machine, as the kernel and libnuma report it now.
    public static var current: MachineTopology {
        MachineTopology(onlineCPUs: CPUTopology.onlineCPUs,
                        numaNodeCount: NumaTopology.isAvailable ? NumaTopology.nodeCount : nil)
    }
}
