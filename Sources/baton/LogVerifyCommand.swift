import ArgumentParser
import BatonLog

#if canImport(Glibc)
import Glibc
#endif

/// `baton log verify --data DIR`: checks every frame of a log directory,
/// read-only; prints a summary; exits 1 on corruption (naming segment and
/// position), including a torn tail that opening the log would cut.
struct LogVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every frame (length, CRC32C, position) of a log directory; exit 1 on corruption."
    )

    @Option(name: .long, help: "The log's data directory.")
    var data: String

    func run() throws {
        let report: LogVerifyReport
        do {
            report = try LogVerifier.verify(directory: data)
        } catch {
            LogTool.fail("\(error)")
        }
        let print = { (line: String) in LogTool.writeLine(line) }
        print("log \(data)")
        print("  segments:        \(report.segments)")
        print("  frames:          \(report.frames) (\(report.dataFrames) data, \(report.paddingFrames) padding)")
        print("  bytes:           \(report.bytes)")
        print("  first position:  \(report.firstPosition)")
        print("  last data frame: \(report.lastDataPosition >= 0 ? String(report.lastDataPosition) : "none")")
        print("  end position:    \(report.endPosition)")
        print("  checkpoint:      \(report.checkpointPosition.map(String.init) ?? "none")")
        if let problem = report.problem {
            LogTool.writeLine("CORRUPT: \(problem)")
            Glibc.exit(1)
        }
        print("OK")
    }
}
