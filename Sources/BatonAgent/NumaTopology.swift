import CNuma
#if canImport(Glibc)
import Glibc
#endif

/// The machine's NUMA layout through libnuma, and the two placements Baton
/// makes: an agent thread (and the memory it allocates) onto a node, and a
/// memory range (the log buffer) onto a node.
///
/// When libnuma reports NUMA unavailable (no kernel support, or a seccomp
/// profile that forbids the memory-policy calls), `isAvailable` is false,
/// `nodeCount` is 1 and every bind throws a `NumaError` saying so — never a
/// silent no-op.
///
/// Threading: any thread may call any member; `bindCurrentThread` acts on the
/// calling thread only.
public enum NumaTopology {
    /// Whether libnuma can be used on this machine (`numa_available() >= 0`).
    public static var isAvailable: Bool { numa_available() >= 0 }

    /// Number of NUMA nodes (`numa_max_node() + 1`); 1 when NUMA is unavailable.
    public static var nodeCount: Int {
        isAvailable ? Int(numa_max_node()) + 1 : 1
    }

    /// The node `cpu` belongs to, or nil when NUMA is unavailable or the CPU
    /// does not exist.
    public static func node(ofCPU cpu: Int) -> Int? {
        guard isAvailable, cpu >= 0, cpu < CPUTopology.limitCPUCount else { return nil }
        let node = numa_node_of_cpu(Int32(cpu))
        return node < 0 ? nil : Int(node)
    }

    /// Throws unless NUMA is available and `node` is one of its nodes.
    public static func validate(node: Int) throws(NumaError) {
        guard isAvailable else {
            throw NumaError(message: "NUMA node \(node) requested, but libnuma reports NUMA "
                            + "unavailable on this machine (numa_available() < 0)")
        }
        guard node >= 0 && node < nodeCount else {
            throw NumaError(message: "NUMA node \(node) does not exist; nodes available: "
                            + "0...\(nodeCount - 1)")
        }
    }

    /// Restricts the calling thread to the CPUs of `node` and makes `node` the
    /// preferred node for its future memory allocations.
    ///
    /// - Parameter keepCPUAffinity: when true the thread's CPU affinity is left
    ///   alone (it is already pinned to a CPU of that node) and only the
    ///   preferred memory node is set.
    public static func bindCurrentThread(toNode node: Int, keepCPUAffinity: Bool = false) throws(NumaError) {
        try validate(node: node)
        if !keepCPUAffinity && numa_run_on_node(Int32(node)) != 0 {
            let code = errno
            throw NumaError(message: "numa_run_on_node(\(node)) failed: \(String(cString: strerror(code)))",
                            errorNumber: code)
        }
        numa_set_preferred(Int32(node))
    }

    /// Binds the pages of `region` to `node` (`mbind`, `MPOL_BIND`): they are
    /// allocated there when first touched, and, with `moveExistingPages`,
    /// pages already touched are moved (and the call fails if one cannot be).
    ///
    /// `region` must start on a page boundary (its length is rounded up to
    /// whole pages by the kernel). Call before the region is used by other threads.
    public static func bindMemory(_ region: UnsafeMutableRawBufferPointer, toNode node: Int,
                                  moveExistingPages: Bool = true) throws(NumaError) {
        try validate(node: node)
        guard let base = region.baseAddress, region.count > 0 else {
            throw NumaError(message: "cannot bind an empty memory region to NUMA node \(node)")
        }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard Int(bitPattern: base) % pageSize == 0 else {
            throw NumaError(message: "cannot bind memory at \(base) to NUMA node \(node): "
                            + "the address is not aligned to the \(pageSize)-byte page size")
        }
        let bitsPerWord = UInt.bitWidth
        var mask = [UInt](repeating: 0, count: node / bitsPerWord + 1)
        mask[node / bitsPerWord] = 1 << UInt(node % bitsPerWord)
        let flags: UInt32 = moveExistingPages ? UInt32(MPOL_MF_MOVE | MPOL_MF_STRICT) : 0
        let result = mask.withUnsafeBufferPointer { words in
            // maxnode counts bits; the kernel reads maxnode - 1 of them.
            mbind(base, UInt(region.count), Int32(MPOL_BIND), words.baseAddress,
                  UInt(words.count * bitsPerWord + 1), flags)
        }
        if result != 0 {
            let code = errno
            throw NumaError(message: "mbind of \(region.count) bytes at \(base) to NUMA node \(node) "
                            + "failed: \(String(cString: strerror(code)))", errorNumber: code)
        }
    }
}
