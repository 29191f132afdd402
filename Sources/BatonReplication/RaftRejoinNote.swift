import BatonLog
import Logging

/// A Raft member's record that it must rejoin from a later position: its
/// leader's log starts at `position` (retention deleted what came before),
/// above the bytes this member lacks, so replication cannot catch it up.
/// Written (`raft-rejoin`, text, atomically) when a leader says so; acted on
/// at the member's next start (`rejoinIfNoted`): the old log is renamed
/// aside (`LogRestart`), the log begins empty at `position`, and the term
/// index holds the leader's term covering the byte before it (`term`, from
/// `termStart`) — as a Raft snapshot's last included term — so the member
/// matches the leader at `position` and takes its stream from there.
///
/// Invariant: `termStart < position`. A value; any thread.
public struct RaftRejoinNote: Equatable, Sendable {
    public static let fileName = "raft-rejoin"
    static let header = "baton-raft-rejoin 1"

    public var position: Int64
    public var term: UInt64
    public var termStart: Int64

    public init(position: Int64, term: UInt64, termStart: Int64) {
        precondition(termStart < position, "term \(term) starting at \(termStart) does not cover the byte before \(position)")
        self.position = position
        self.term = term
        self.termStart = termStart
    }

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    var text: String { "\(Self.header)\nposition=\(position)\nterm=\(term)\ntermStart=\(termStart)\n" }

    /// Writes the note durably and atomically into `directory`.
    public func write(directory: String, fileSystem: some LogFileSystem) throws(LogError) {
        try fileSystem.writeFileAtomically(Self.path(in: directory), directory: directory, bytes: Array(text.utf8))
    }

    /// The note in `directory`, or nil; a damaged one throws naming the file.
    public static func read(directory: String, fileSystem: some LogFileSystem) throws(LogError) -> RaftRejoinNote? {
        let path = self.path(in: directory)
        guard fileSystem.exists(path) else { return nil }
        let text = String(decoding: try fileSystem.readFile(path, limit: 4096), as: UTF8.self)
        var lines = text.split(separator: "\n").map(String.init)
        guard lines.first == header else { throw .corruptStateFile(path: path, reason: "does not start with '\(header)'") }
        lines.removeFirst()
        var values: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw .corruptStateFile(path: path, reason: "line '\(line)' is not key=value") }
            values[parts[0]] = parts[1]
        }
        guard let position = values["position"].flatMap(Int64.init), let term = values["term"].flatMap(UInt64.init),
              let termStart = values["termStart"].flatMap(Int64.init), termStart < position, termStart >= 0 else {
            throw .corruptStateFile(path: path, reason: "needs position, term and termStart (below position), got '\(text)'")
        }
        return RaftRejoinNote(position: position, term: term, termStart: termStart)
    }

    /// At a member's start, before its log opens: if a note is there, the
    /// log starts afresh at its position, the term index becomes the note's
    /// one term (the current term and vote are kept), and the note goes —
    /// in that order, each step durable, so a crash part-way repeats it.
    /// Returns the note acted on, or nil.
    @discardableResult
    public static func rejoinIfNoted(log configuration: LogConfiguration, fileSystem: some LogFileSystem,
                                     logger: Logger) throws(LogError) -> RaftRejoinNote? {
        let directory = configuration.directory
        guard let note = try read(directory: directory, fileSystem: fileSystem) else { return nil }
        let renamed = try LogRestart.startAfresh(at: note.position, configuration: configuration, fileSystem: fileSystem)
        var state = try RaftStateFile.read(directory: directory, fileSystem: fileSystem) ?? RaftPersistentState()
        state.termIndex = RaftTermIndex(entries: [RaftTermEntry(term: note.term, start: note.termStart)])
        try RaftStateFile.write(state, directory: directory, fileSystem: fileSystem)
        try fileSystem.remove(path(in: directory))
        try fileSystem.syncDirectory(directory)
        logger.warning("raft: rejoining from position \(note.position) (the leader's log starts there; term \(note.term)): the log starts afresh, \(renamed) files of the old one renamed *\(LogRestart.archiveSuffix) in \(directory)")
        return note
    }
}
