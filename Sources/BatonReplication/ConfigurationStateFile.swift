import BatonCodec
import BatonLog

/// The configuration log's state file (`chain-config`): a member's
/// `ConfigurationPersistentState`, beside the log segments in its log directory.
///
/// ```
///  0        4        8                16       20
///  +--------+--------+----------------+--------+
///  | magic  |version |  currentTerm   | voted  |
///  | "BTCL" |  = 1   |    (UInt64)    |  for   |
///  +--------+--------+----------------+--------+
///  20: the committed entry (ConfigurationEntry encoding: index, term,
///      membership — 28 to 88 bytes)
///  then the last entry (28 to 88 bytes)
///  then
///  +--------+
///  | CRC32C |   of every byte before it
///  +--------+
/// ```
/// Little-endian; `votedFor` 0xFFFF_FFFF means no vote (so that member id
/// cannot be voted for). The file is 80 to 200 bytes, exactly its fields.
///
/// Written whole and atomically (`LogFileSystem.writeFileAtomically`: a temp
/// file, fdatasync, rename, directory sync), so a crash leaves the old state
/// or the new, never a mix; log recovery sweeps a leftover `chain-config.tmp`.
/// Read once when the member starts: absent is a new member (it starts from
/// the cluster file's membership); anything damaged is an error
/// (`LogError.corruptStateFile` saying what), never a guess — a member that
/// forgot its vote could vote twice in a term, and one that forgot its
/// committed entry could obey an older membership.
///
/// Stateless; any thread (the calls do blocking file I/O: keep them off a
/// duty cycle's hot path).
public enum ConfigurationStateFile {
    public static let fileName = "chain-config"
    /// Bytes before the committed entry.
    public static let headerBytes = 20
    /// Bytes of the trailing CRC32C.
    public static let checksumBytes = 4
    /// The shortest file: two entries of one member each.
    public static let minimumFileBytes = headerBytes
        + 2 * (ConfigurationEntry.headerBytes + ChainMembership.encodedBytes(memberCount: 1)) + checksumBytes
    /// The longest file: two entries of a full chain each.
    public static let maximumFileBytes = headerBytes
        + 2 * (ConfigurationEntry.headerBytes + ChainMembership.encodedBytes(memberCount: ChainMembership.maximumMembers)) + checksumBytes
    static let magic: UInt32 = 0x4C43_5442 // "BTCL"
    static let version: UInt32 = 1
    static let noVote: UInt32 = 0xFFFF_FFFF
    static let magicOffset = 0
    static let versionOffset = 4
    static let currentTermOffset = 8
    static let votedForOffset = 16

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// The file's length for `state`.
    public static func fileBytes(_ state: ConfigurationPersistentState) -> Int {
        headerBytes + state.committedEntry.encodedBytes + state.lastEntry.encodedBytes + checksumBytes
    }

    /// The file's bytes for `state`; throws `.unwritableStateFile` when the
    /// state breaks its invariant or a limit of the format (a vote for member 0xFFFF_FFFF).
    public static func encode(_ state: ConfigurationPersistentState, path: String) throws(LogError) -> [UInt8] {
        guard state.votedFor != noVote else {
            throw .unwritableStateFile(path: path, reason: "a vote for member \(noVote), the id that means no vote")
        }
        if let reason = state.inconsistency { throw .unwritableStateFile(path: path, reason: reason) }
        var bytes = [UInt8](repeating: 0, count: fileBytes(state))
        let written: Result<Void, CodecError> = bytes.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            do throws(CodecError) {
                try writer.write(magic)
                try writer.write(version)
                try writer.write(state.currentTerm)
                try writer.write(state.votedFor ?? noVote)
                try state.committedEntry.encode(into: &writer)
                try state.lastEntry.encode(into: &writer)
                assert(writer.remaining == checksumBytes, "\(writer.remaining) bytes left for a 4-byte CRC32C")
                try writer.write(CRC32C.checksum(writer.written))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case let .failure(error) = written {
            // `fileBytes(state)` sized the buffer for exactly these fields.
            preconditionFailure("encoding \(path) overran its own size: \(error)")
        }
        return bytes
    }

    /// The state in `bytes`, the whole file at `path` (named in errors only);
    /// throws `.corruptStateFile` saying what is wrong.
    public static func decode(_ bytes: [UInt8], path: String) throws(LogError) -> ConfigurationPersistentState {
        func corrupt(_ reason: String) -> LogError { .corruptStateFile(path: path, reason: reason) }
        guard bytes.count >= minimumFileBytes else {
            throw corrupt("\(bytes.count) bytes, shorter than the \(minimumFileBytes) of the smallest file")
        }
        guard bytes.count <= maximumFileBytes else {
            throw corrupt("\(bytes.count) bytes, longer than the \(maximumFileBytes) of the largest file")
        }
        let parsed: Result<ConfigurationPersistentState, LogError> = bytes.withUnsafeBytes { raw in
            let base = UnsafeRawPointer(raw.baseAddress.unsafelyUnwrapped) // at least minimumFileBytes: not empty
            let foundMagic = base.loadLittleEndian(fromByteOffset: magicOffset, as: UInt32.self)
            guard foundMagic == magic else {
                return .failure(corrupt("magic 0x\(RaftStateFile.hex(foundMagic)), expected 0x\(RaftStateFile.hex(magic)) (\"BTCL\")"))
            }
            let foundVersion = base.loadLittleEndian(fromByteOffset: versionOffset, as: UInt32.self)
            guard foundVersion == version else { return .failure(corrupt("version \(foundVersion), this build reads \(version)")) }
            let covered = raw.count - checksumBytes
            let stored = base.loadLittleEndian(fromByteOffset: covered, as: UInt32.self)
            let computed = CRC32C.update(0, base, covered)
            guard stored == computed else {
                return .failure(corrupt("CRC32C 0x\(RaftStateFile.hex(stored)) does not match its bytes (0x\(RaftStateFile.hex(computed)))"))
            }
            let currentTerm = base.loadLittleEndian(fromByteOffset: currentTermOffset, as: UInt64.self)
            let votedFor = base.loadLittleEndian(fromByteOffset: votedForOffset, as: UInt32.self)
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[headerBytes..<covered]))
            let committedEntry: ConfigurationEntry
            let lastEntry: ConfigurationEntry
            do {
                committedEntry = try ConfigurationEntry.decode(from: &reader)
            } catch {
                return .failure(corrupt("the committed entry: \(error)"))
            }
            do {
                lastEntry = try ConfigurationEntry.decode(from: &reader)
            } catch {
                return .failure(corrupt("the last entry: \(error)"))
            }
            guard reader.isAtEnd else { return .failure(corrupt("\(reader.remaining) bytes after the last entry, before the CRC32C")) }
            let state = ConfigurationPersistentState(currentTerm: currentTerm, votedFor: votedFor == noVote ? nil : votedFor,
                                                     committedEntry: committedEntry, lastEntry: lastEntry)
            if let reason = state.inconsistency { return .failure(corrupt(reason)) }
            return .success(state)
        }
        return try parsed.get()
    }

    /// Writes `state` durably and atomically to `directory`'s `chain-config`.
    public static func write(_ state: ConfigurationPersistentState, directory: String, fileSystem: some LogFileSystem) throws(LogError) {
        let path = self.path(in: directory)
        try fileSystem.writeFileAtomically(path, directory: directory, bytes: try encode(state, path: path))
    }

    /// The state in `directory`'s `chain-config`; nil when there is no such
    /// file (a new member). A damaged file throws `.corruptStateFile` naming
    /// it and what is wrong.
    public static func read(directory: String, fileSystem: some LogFileSystem) throws(LogError) -> ConfigurationPersistentState? {
        let path = self.path(in: directory)
        guard let bytes = try fileSystem.readStateFile(path, maximumBytes: maximumFileBytes) else { return nil }
        return try decode(bytes, path: path)
    }
}
