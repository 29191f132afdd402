import CBatonSys

/// The machine's CPUs as the kernel sees them now: which exist and are online.
/// Used to refuse a pin to a CPU the machine lacks before any thread starts.
///
/// Threading: reads sysconf and sysfs; call from any thread (not on a hot path).
public enum CPUTopology {
    /// The largest CPU number the affinity calls accept plus one (glibc `CPU_SETSIZE`).
    public static let limitCPUCount = 1024

    /// Number of CPUs configured on the machine (online or not).
    public static var configuredCount: Int { Int(baton_cpu_count_configured()) }

    /// Whether `cpu` exists, is online and can be named in an affinity mask.
    public static func isOnline(_ cpu: Int) -> Bool {
        cpu >= 0 && cpu < limitCPUCount && baton_cpu_is_online(Int32(cpu))
    }

    /// The online CPUs in ascending order.
    public static var onlineCPUs: [Int] {
        (0..<Swift.min(configuredCount, limitCPUCount)).filter { isOnline($0) }
    }

    /// The calling thread's affinity mask: the CPUs it may run on, ascending.
    public static func affinityOfCurrentThread() -> [Int] {
        var cpus = [Int32](repeating: -1, count: limitCPUCount)
        let count = cpus.withUnsafeMutableBufferPointer {
            baton_thread_affinity_self($0.baseAddress, Int32(limitCPUCount))
        }
        return count <= 0 ? [] : cpus[0..<Int(count)].map { Int($0) }
    }

    /// The CPU the calling thread runs on at this instant, or nil if unknown.
    public static func currentCPU() -> Int? {
        let cpu = baton_current_cpu()
        return cpu < 0 ? nil : Int(cpu)
    }

    /// A CPU list in the kernel's compact form: `[0, 1, 2, 5]` → `"0-2,5"`.
    public static func listText(_ cpus: [Int]) -> String {
        var pieces: [String] = []
        var index = 0
        let sorted = cpus.sorted()
        while index < sorted.count {
            var last = index
            while last + 1 < sorted.count && sorted[last + 1] == sorted[last] + 1 { last += 1 }
            pieces.append(last == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[last])")
            index = last + 1
        }
        return pieces.isEmpty ? "none" : pieces.joined(separator: ",")
    }
}
