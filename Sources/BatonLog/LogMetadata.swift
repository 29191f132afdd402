/// The log's metadata file (`log.meta`, text, `key=value` lines): the values
/// the bytes on disk were written under, which recovery must use even if the
/// configuration changed since.
///
/// ```
/// baton-log 1
/// segmentBytes=1073741824
/// boundaryBytes=67108864
/// maxInFlightBytes=16777216
/// maximumFrameLength=1048576
/// ```
///
/// Written atomically (temp file, fdatasync, rename, directory fsync) when the
/// log is created and after recovery when a value changed.
public struct LogMetadata: Sendable, Equatable {
    public static let fileName = "log.meta"
    static let header = "baton-log 1"

    public var segmentBytes: Int
    public var boundaryBytes: Int
    public var maxInFlightBytes: Int
    public var maximumFrameLength: Int

    public init(segmentBytes: Int, boundaryBytes: Int, maxInFlightBytes: Int, maximumFrameLength: Int) {
        self.segmentBytes = segmentBytes
        self.boundaryBytes = boundaryBytes
        self.maxInFlightBytes = maxInFlightBytes
        self.maximumFrameLength = maximumFrameLength
    }

    public init(_ configuration: LogConfiguration) {
        self.init(segmentBytes: configuration.segmentBytes, boundaryBytes: configuration.boundaryBytes,
                  maxInFlightBytes: configuration.maxInFlightBytes, maximumFrameLength: configuration.maximumFrameLength)
    }

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// Reads the metadata of the log in `directory`, or nil when there is none.
    public static func read(directory: String, fileSystem: some LogFileSystem = SystemFileSystem()) throws(LogError) -> LogMetadata? {
        let path = self.path(in: directory)
        guard fileSystem.exists(path) else { return nil }
        let bytes = try fileSystem.readFile(path, limit: 4096)
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n").map(String.init)
        guard lines.first == header else { throw .badMetadata(path: path, reason: "first line is not '\(header)'") }
        lines.removeFirst()
        var values: [String: Int] = [:]
        for line in lines where !line.isEmpty {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Int(parts[1]), value > 0 else {
                throw .badMetadata(path: path, reason: "bad line '\(line)'")
            }
            values[parts[0]] = value
        }
        func value(_ key: String) throws(LogError) -> Int {
            guard let v = values[key] else { throw .badMetadata(path: path, reason: "missing '\(key)'") }
            return v
        }
        let metadata = LogMetadata(segmentBytes: try value("segmentBytes"), boundaryBytes: try value("boundaryBytes"),
                                   maxInFlightBytes: try value("maxInFlightBytes"), maximumFrameLength: try value("maximumFrameLength"))
        if metadata.segmentBytes & (metadata.segmentBytes - 1) != 0 {
            throw .badMetadata(path: path, reason: "segmentBytes \(metadata.segmentBytes) is not a power of two")
        }
        return metadata
    }

    public func write(directory: String, fileSystem: some LogFileSystem) throws(LogError) {
        let text = """
        \(LogMetadata.header)
        segmentBytes=\(segmentBytes)
        boundaryBytes=\(boundaryBytes)
        maxInFlightBytes=\(maxInFlightBytes)
        maximumFrameLength=\(maximumFrameLength)

        """
        try fileSystem.writeFileAtomically(LogMetadata.path(in: directory), directory: directory, bytes: Array(text.utf8))
    }
}
