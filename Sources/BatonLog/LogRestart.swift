/// Starting a log over at a later position: a Raft member whose leader no
/// longer holds the bytes it lacks (the leader's retention deleted them)
/// rejoins with an empty log that begins where the leader's does.
///
/// `startAfresh` renames every segment file and the checkpoint of the log
/// aside (`NAME.before-rejoin`, numbered if taken: nothing is deleted; an
/// operator may remove them) and creates an empty segment at `position`, so
/// the log opens as `[position, position)` — recovery takes the first
/// segment's base as the start. `position` must be a multiple of the segment
/// size (a leader's start is its first segment's base: the same size on
/// every member keeps it aligned). Each step is a rename or the creation of
/// one file, so a crash part-way leaves a state the next call finishes; the
/// metadata file stays (same segment size).
///
/// Stateless; set-up only (before the log is opened).
public enum LogRestart {
    public static let archiveSuffix = ".before-rejoin"

    /// Moves the log in `configuration.directory` aside and leaves an empty log
    /// starting at `position`; returns how many files were renamed.
    @discardableResult
    public static func startAfresh(at position: Int64, configuration: LogConfiguration,
                                   fileSystem: some LogFileSystem) throws(LogError) -> Int {
        let directory = configuration.directory
        let segmentBytes = Int64(configuration.segmentBytes)
        guard position >= 0, position % segmentBytes == 0 else {
            throw .invalidConfiguration(key: "segmentBytes",
                                        reason: "the log in \(directory) cannot start afresh at \(position): not a multiple of its segment size \(segmentBytes) (give every member the same segment size)")
        }
        try fileSystem.checkDirectory(directory)
        let names = try fileSystem.list(directory).sorted()
        let taken = Set(names)
        var renamed = 0
        for name in names where SegmentLayout.base(fileName: name) != nil || name == CheckpointFile.fileName {
            var archive = name + archiveSuffix
            var number = 2
            while taken.contains(archive) {
                archive = name + archiveSuffix + "." + String(number)
                number += 1
            }
            try fileSystem.rename(directory + "/" + name, to: directory + "/" + archive)
            renamed += 1
        }
        if renamed > 0 { try fileSystem.syncDirectory(directory) }
        let table = SegmentTable(layout: SegmentLayout(directory: directory, segmentBytes: configuration.segmentBytes),
                                 fileSystem: fileSystem)
        _ = try table.openOrCreate(base: position) { fileSystem.preallocate($0, length: $1) }
        table.closeAll()
        try fileSystem.syncDirectory(directory)
        return renamed
    }
}
