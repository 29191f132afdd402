import ArgumentParser
import BatonLog

#if canImport(Glibc)
import Glibc
#endif

/// `baton log compare DIR DIR... [--up-to POSITION]`: whether the logs in
/// several data directories (the replicas of a cluster) hold byte-identical
/// frames, read-only (`LogComparison`). Exit status 0 when identical over the
/// compared range, 1 when they differ (the first difference is printed), 2
/// when a directory cannot be read.
struct LogCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the logs of several data directories frame by frame; exit 1 at the first difference.",
        discussion: """
            Compares from the highest start of the logs to the lowest end (the prefix every log holds), \
            or over the frames starting below --up-to (e.g. the commit position; every log must then reach it). \
            Read-only: stop the nodes first, or compare copies. Exit status: 0 identical, 1 different, 2 error.
            """
    )

    @Argument(help: ArgumentHelp("Two or more log data directories; the first is the reference.", valueName: "dir"))
    var directories: [String]

    @Option(name: .long, help: ArgumentHelp("Compare only frames starting below this position (e.g. the commit "
                                            + "position); every log must reach it.", valueName: "position"))
    var upTo: Int64?

    func run() throws {
        let report: LogComparisonReport
        do {
            report = try LogComparison.compare(directories: directories, upTo: upTo)
        } catch {
            LogTool.fail("\(error)", code: 2)
        }
        let print = { (line: String) in LogTool.writeLine(line) }
        let width = report.logs.map(\.directory.count).max() ?? 0
        func name(_ index: Int) -> String { report.logs[index].directory }
        print("logs (start, end as recovered, checkpoint):")
        for log in report.logs {
            let padded = log.directory + String(repeating: " ", count: width - log.directory.count)
            var line = "  \(padded)  start \(log.start)  end \(log.end)  checkpoint \(log.checkpoint.map(String.init) ?? "none")"
            if let problem = log.verification.problem {
                line += log.verification.problemIsTornTail ? "  (torn tail after the end: \(problem))" : "  (CORRUPT: \(problem))"
            }
            print(line)
        }
        print("  common start:  \(report.commonStart)")
        print("  common end:    \(report.commonEnd) (\(name(report.shortestLog)))")
        if let limit = report.limit { print("  up to:         \(limit)") }
        print("  compared:      [\(report.commonStart), \(report.comparedEnd)): \(report.frames) frames, \(report.bytes) bytes")
        guard let difference = report.difference else {
            print("IDENTICAL over [\(report.commonStart), \(report.comparedEnd))")
            return
        }
        let what = difference.fields.map { $0 == .missing ? "missing frame" : $0.description }.joined(separator: ", ")
        let others = difference.differing.map(name).joined(separator: ", ")
        let verb = difference.differing.count == 1 ? "differs" : "differ"
        var line = "DIFFERENT at position \(difference.position): "
        line += others.isEmpty ? "every log ends there, before --up-to \(report.limit ?? 0)" : "\(others) \(verb) from \(name(0)) (\(what))"
        if let byte = difference.firstDifferingPayloadByte { line += "; first differing payload byte: \(byte)" }
        print(line)
        for index in report.logs.indices {
            let frame = difference.frames[index].map(\.description) ?? "no frame: \(difference.absence[index] ?? "")"
            print("  \(name(index)): \(frame)")
        }
        Glibc.exit(1)
    }
}
