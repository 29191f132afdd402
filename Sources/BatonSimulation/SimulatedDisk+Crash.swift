/// Power loss and bit rot: what the simulator does to a disk between runs
/// of a node.
extension SimulatedDisk {
    /// The machine loses power. Every descriptor becomes invalid. Each file
    /// keeps its durable image plus a random prefix of its pending changes,
    /// applied in order; the last write kept may be torn (only a random
    /// leading part of its bytes lands). What is then on the platter is
    /// durable. Counts `crashes`, `tornWrites`, `lostWrites`.
    ///
    /// Simplification: within a file, unsynced writes land in the order they
    /// were made (no reordering, tearing only at the end of the kept prefix).
    /// Files are visited in path order, so the same `random` gives the same crash.
    public func crash(random: inout SimulationRandom) {
        crashes += 1
        descriptors.removeAll()
        for path in files.keys.sorted() {
            let file = files[path]!
            let pending = file.pending
            if pending.isEmpty { continue }
            let kept = Int(random.int(in: 0...Int64(pending.count)))
            var tornBytes: Int?
            if kept > 0, case let .write(_, bytes) = pending[kept - 1].kind, bytes.count > 1, random.chance(0.5) {
                tornBytes = Int(random.int(in: 1...Int64(bytes.count - 1)))
                tornWrites += 1
            }
            lostWrites += pending.count - kept
            file.crash(keeping: kept, tornBytes: tornBytes)
        }
    }

    /// Flips one bit of one byte that is durable and in the non-zero part of
    /// a file: among the files whose name ends with `pathSuffix` and whose
    /// durable image has a non-zero byte, one at random; an offset at random
    /// up to its last non-zero durable byte. Both images change. Returns the
    /// file and offset, or nil when no file qualifies.
    @discardableResult
    public func corruptSyncedByte(random: inout SimulationRandom, pathSuffix: String = ".log") -> (path: String, offset: Int)? {
        var candidates: [(path: String, lastNonZero: Int)] = []
        for path in files.keys.sorted() where path.hasSuffix(pathSuffix) {
            if let last = files[path]!.durable.lastIndex(where: { $0 != 0 }) { candidates.append((path, last)) }
        }
        guard !candidates.isEmpty else { return nil }
        let chosen = candidates[Int(random.int(in: 0...Int64(candidates.count - 1)))]
        let offset = Int(random.int(in: 0...Int64(chosen.lastNonZero)))
        let bit = UInt8(1) << UInt8(random.int(in: 0...7))
        files[chosen.path]!.flip(offset: offset, mask: bit)
        return (chosen.path, offset)
    }
}
