import BatonCodec
import BatonLog

/// The Raft state file (`raft-state`): a member's `RaftPersistentState`,
/// beside the log segments in its log directory.
///
/// ```
///  0        4        8        12       16               24
///  +--------+--------+--------+--------+----------------+
///  | magic  |version | entry  | voted  |  currentTerm   |
///  | "BTRS" |  = 1   | count  |  for   |    (UInt64)    |
///  +--------+--------+--------+--------+----------------+
///  24 + 16i: entry i of the term index
///  +----------------+----------------+
///  |  term (UInt64) | start (Int64)  |   × entry count (at most 65,536)
///  +----------------+----------------+
///  24 + 16n
///  +--------+
///  | CRC32C |   of bytes [0, 24 + 16n)
///  +--------+
/// ```
/// Little-endian; `votedFor` 0xFFFF_FFFF means no vote (so that member id
/// cannot be voted for). The file is exactly `28 + 16n` bytes.
///
/// Written whole and atomically (`LogFileSystem.writeFileAtomically`: a temp
/// file, fdatasync, rename, directory sync), so a crash leaves the old state
/// or the new, never a mix; log recovery sweeps a leftover `raft-state.tmp`.
/// Read once when the member starts: absent is a new member; anything damaged
/// is an error (`LogError.corruptStateFile`), never a guess — a member that
/// forgot its term or vote could vote twice in one term.
///
/// Stateless; any thread (the calls do blocking file I/O: keep them off a
/// duty cycle's hot path).
public enum RaftStateFile {
    public static let fileName = "raft-state"
    /// The most term index entries the file holds.
    public static let maximumEntries = 65_536
    /// Bytes before the entries.
    public static let headerBytes = 24
    /// Bytes of one entry.
    public static let entryBytes = 16
    /// Bytes of the trailing CRC32C.
    public static let checksumBytes = 4
    static let magic: UInt32 = 0x5352_5442 // "BTRS"
    static let version: UInt32 = 1
    static let noVote: UInt32 = 0xFFFF_FFFF
    static let magicOffset = 0
    static let versionOffset = 4
    static let entryCountOffset = 8
    static let votedForOffset = 12
    static let currentTermOffset = 16

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// The file's length for `entryCount` entries.
    public static func fileBytes(entryCount: Int) -> Int { headerBytes + entryCount * entryBytes + checksumBytes }

    /// The file's bytes for `state`; throws `.unwritableStateFile` when the
    /// state breaks a limit of the format (too many entries, a vote for
    /// member 0xFFFF_FFFF). A precondition: `state.isConsistent`.
    public static func encode(_ state: RaftPersistentState, path: String) throws(LogError) -> [UInt8] {
        let entries = state.termIndex.entries
        guard entries.count <= maximumEntries else {
            throw .unwritableStateFile(path: path, reason: "\(entries.count) term index entries, at most \(maximumEntries)")
        }
        guard state.votedFor != noVote else {
            throw .unwritableStateFile(path: path, reason: "a vote for member \(noVote), the id that means no vote")
        }
        precondition(state.isConsistent, "term \(entries.last?.term ?? 0) in the log is past the current term \(state.currentTerm)")
        let count = fileBytes(entryCount: entries.count)
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            base.storeLittleEndian(magic, toByteOffset: magicOffset)
            base.storeLittleEndian(version, toByteOffset: versionOffset)
            base.storeLittleEndian(UInt32(entries.count), toByteOffset: entryCountOffset)
            base.storeLittleEndian(state.votedFor ?? noVote, toByteOffset: votedForOffset)
            base.storeLittleEndian(state.currentTerm, toByteOffset: currentTermOffset)
            for (index, entry) in entries.enumerated() {
                let offset = headerBytes + index * entryBytes
                base.storeLittleEndian(entry.term, toByteOffset: offset)
                base.storeLittleEndian(entry.start, toByteOffset: offset + 8)
            }
            let covered = count - checksumBytes
            base.storeLittleEndian(CRC32C.update(0, UnsafeRawPointer(base), covered), toByteOffset: covered)
        }
        return bytes
    }

    /// The state in `bytes`, the whole file at `path` (named in errors only);
    /// throws `.corruptStateFile` saying what is wrong.
    public static func decode(_ bytes: [UInt8], path: String) throws(LogError) -> RaftPersistentState {
        func corrupt(_ reason: String) -> LogError { .corruptStateFile(path: path, reason: reason) }
        let minimum = fileBytes(entryCount: 0)
        guard bytes.count >= minimum else {
            throw corrupt("\(bytes.count) bytes, shorter than the \(minimum) of a file with no entries")
        }
        let parsed: Result<RaftPersistentState, LogError> = bytes.withUnsafeBytes { raw in
            let base = UnsafeMutableRawPointer(mutating: raw.baseAddress!)
            let foundMagic = base.loadLittleEndian(fromByteOffset: magicOffset, as: UInt32.self)
            guard foundMagic == magic else { return .failure(corrupt("magic 0x\(hex(foundMagic)), expected 0x\(hex(magic)) (\"BTRS\")")) }
            let foundVersion = base.loadLittleEndian(fromByteOffset: versionOffset, as: UInt32.self)
            guard foundVersion == version else { return .failure(corrupt("version \(foundVersion), this build reads \(version)")) }
            let entryCount = base.loadLittleEndian(fromByteOffset: entryCountOffset, as: UInt32.self)
            guard entryCount <= UInt32(maximumEntries) else {
                return .failure(corrupt("\(entryCount) term index entries, at most \(maximumEntries)"))
            }
            let expected = fileBytes(entryCount: Int(entryCount))
            guard raw.count == expected else {
                return .failure(corrupt("\(raw.count) bytes, expected \(expected) for \(entryCount) entries"))
            }
            let covered = expected - checksumBytes
            let stored = base.loadLittleEndian(fromByteOffset: covered, as: UInt32.self)
            let computed = CRC32C.update(0, UnsafeRawPointer(base), covered)
            guard stored == computed else {
                return .failure(corrupt("CRC32C 0x\(hex(stored)) does not match its bytes (0x\(hex(computed)))"))
            }
            let votedFor = base.loadLittleEndian(fromByteOffset: votedForOffset, as: UInt32.self)
            let currentTerm = base.loadLittleEndian(fromByteOffset: currentTermOffset, as: UInt64.self)
            var entries: [RaftTermEntry] = []
            entries.reserveCapacity(Int(entryCount))
            for index in 0..<Int(entryCount) {
                let offset = headerBytes + index * entryBytes
                entries.append(RaftTermEntry(term: base.loadLittleEndian(fromByteOffset: offset, as: UInt64.self),
                                             start: base.loadLittleEndian(fromByteOffset: offset + 8, as: Int64.self)))
            }
            guard RaftTermIndex.isOrdered(entries) else {
                return .failure(corrupt("term index entries out of order: \(entries.prefix(16))"))
            }
            let state = RaftPersistentState(currentTerm: currentTerm, votedFor: votedFor == noVote ? nil : votedFor,
                                            termIndex: RaftTermIndex(entries: entries))
            guard state.isConsistent else {
                return .failure(corrupt("the log's last term \(entries.last!.term) is past the current term \(currentTerm)"))
            }
            return .success(state)
        }
        return try parsed.get()
    }

    /// Writes `state` durably and atomically to `directory`'s `raft-state`.
    public static func write(_ state: RaftPersistentState, directory: String, fileSystem: some LogFileSystem) throws(LogError) {
        let path = self.path(in: directory)
        try fileSystem.writeFileAtomically(path, directory: directory, bytes: try encode(state, path: path))
    }

    /// The state in `directory`'s `raft-state`; nil when there is no such
    /// file (a member that never ran in Raft mode). A damaged file throws
    /// `.corruptStateFile` naming it and what is wrong.
    public static func read(directory: String, fileSystem: some LogFileSystem) throws(LogError) -> RaftPersistentState? {
        let path = self.path(in: directory)
        guard let bytes = try fileSystem.readStateFile(path, maximumBytes: fileBytes(entryCount: maximumEntries)) else { return nil }
        return try decode(bytes, path: path)
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
