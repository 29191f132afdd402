import CMallocCounter
import Foundation
import Glibc

/// Where the allocations of a measurement came from: the malloc interposer
/// (CMallocCounter) records the call stack of each allocation the calling
/// thread makes while tracing is armed; `report()` turns the recorded return
/// addresses into function names (with file:line, inlined calls expanded, where debug info has them)
/// for an allocation test's failure message.
///
/// Use: `clear()` before the measurement (it warms the unwinder, which
/// allocates), `arm()`/`disarm()` around each measured call (cheap), and
/// `report()` after it, only when the count is not what the test expects
/// (symbolising runs `llvm-symbolizer`). One thread at a time may arm it.
public enum AllocationTrace {
    /// Forgets earlier records; call before a measurement.
    public static func clear() { baton_malloc_trace_clear() }
    /// Starts recording the calling thread's allocations.
    @inline(__always) public static func arm() { baton_malloc_trace_arm() }
    /// Stops recording.
    @inline(__always) public static func disarm() { baton_malloc_trace_disarm() }
    /// How many allocations were recorded since `clear()` (the interposer keeps the first few).
    public static var recordedCount: Int { Int(baton_malloc_trace_count()) }

    /// The recorded allocations' call stacks, innermost frame first, with the
    /// interposer's own frames left out; "" when nothing was recorded.
    public static func report(maximumFrames: Int = 14) -> String {
        let count = recordedCount
        guard count > 0 else { return "" }
        var text = "where (the first \(count) recorded allocation\(count == 1 ? "" : "s"), innermost frame first):"
        for index in 0..<count {
            var frames = [UnsafeMutableRawPointer?](repeating: nil, count: Int(BATON_MALLOC_TRACE_DEPTH))
            let depth = Int(baton_malloc_trace_frames(Int32(index), &frames, Int32(frames.count)))
            let names = symbolise(frames[0..<depth].compactMap { $0 })
            // Frames up to and including the interposed allocator entry point are the tracer's own.
            let firstOwn = names.lastIndex(where: { interposerFrames.contains($0.function) }).map { $0 + 1 } ?? 0
            text += "\n  allocation \(index + 1):"
            for frame in names[firstOwn...].prefix(maximumFrames) { text += "\n    \(frame.description)" }
        }
        return text
    }

    /// The C functions of counter.c that appear at the top of every recorded stack.
    private static let interposerFrames: Set<String> = [
        "record_trace", "count_one", "malloc", "calloc", "realloc", "memalign", "aligned_alloc", "posix_memalign",
    ]

    /// One symbolised return address.
    struct Frame: CustomStringConvertible {
        var function: String
        var location: String
        var description: String { location.isEmpty ? function : "\(function)  (\(location))" }
    }

    /// Names for return addresses: the object each lies in (dladdr), then
    /// `llvm-symbolizer` (shipped with the Swift toolchain) on that object's
    /// file at the address's offset, inlined calls expanded — the test binary
    /// exports no symbols, so dladdr alone names nothing of Baton's — then
    /// Swift demangling. An address nothing can name stays `object+0xOFFSET`.
    static func symbolise(_ addresses: [UnsafeMutableRawPointer]) -> [Frame] {
        var frames: [[Frame]] = []
        var byObject: [String: [(index: Int, offset: UInt)]] = [:]
        for (index, address) in addresses.enumerated() {
            // A return address points after the call; look up the call itself.
            let lookup = address - 1
            var file: UnsafePointer<CChar>?
            var base: UnsafeMutableRawPointer?
            var symbol: UnsafePointer<CChar>?
            guard baton_malloc_trace_object(lookup, &file, &base, &symbol) != 0, let file, let base else {
                frames.append([Frame(function: "\(address)", location: "")])
                continue
            }
            let object = String(cString: file)
            let offset = UInt(bitPattern: lookup) - UInt(bitPattern: base)
            let exported = symbol.map { demangle(String(cString: $0)) }
            frames.append([Frame(function: exported ?? "\((object as NSString).lastPathComponent)+0x\(String(offset, radix: 16))",
                                 location: "")])
            byObject[object, default: []].append((index, offset))
        }
        for (object, entries) in byObject {
            guard let symbolised = llvmSymbolizer(object: object, offsets: entries.map(\.offset)),
                  symbolised.count == entries.count else { continue }
            for (entry, names) in zip(entries, symbolised) where !names.isEmpty {
                frames[entry.index] = names
            }
        }
        return frames.flatMap { $0 }
    }

    /// `llvm-symbolizer --output-style=JSON --obj OBJECT OFFSET...`: per offset, its frames
    /// (inlined calls first), or nil when the tool is not on PATH or fails.
    private static func llvmSymbolizer(object: String, offsets: [UInt]) -> [[Frame]]? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        let candidates: [String] = directories.map { "\($0)/llvm-symbolizer" }
        let path = candidates.first { (candidate: String) -> Bool in access(candidate, X_OK) == 0 }
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--output-style=JSON", "--inlining", "--no-demangle", "--obj=\(object)"]
            + offsets.map { "0x" + String($0, radix: 16) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        // One JSON array for all addresses (LLVM 14), or one JSON object per line (later versions).
        let text = String(decoding: data, as: UTF8.self)
        var entries: [[String: Any]] = []
        if let all = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] {
            entries = all
        } else {
            for line in text.split(separator: "\n") {
                guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                entries.append(entry)
            }
        }
        var result: [[Frame]] = []
        for entry in entries {
            guard let symbols = entry["Symbol"] as? [[String: Any]] else { return nil }
            result.append(symbols.compactMap { symbol in
                guard let name = symbol["FunctionName"] as? String, !name.isEmpty else { return nil }
                let file = symbol["FileName"] as? String ?? ""
                let line = symbol["Line"] as? Int ?? 0
                return Frame(function: demangle(name), location: file.isEmpty ? "" : "\(file):\(line)")
            })
        }
        return result
    }

    /// A Swift symbol's readable name (via the runtime's demangler); other names unchanged.
    static func demangle(_ symbol: String) -> String {
        guard symbol.hasPrefix("$s") || symbol.hasPrefix("_$s") else { return symbol }
        return symbol.withCString { name in
            guard let readable = swift_demangle(name, strlen(name), nil, nil, 0) else { return symbol }
            defer { free(readable) }
            return String(cString: readable)
        }
    }
}

/// The Swift runtime's demangler (exported by libswiftCore).
@_silgen_name("swift_demangle")
private func swift_demangle(_ mangledName: UnsafePointer<CChar>?, _ mangledNameLength: Int,
                            _ outputBuffer: UnsafeMutablePointer<CChar>?, _ outputBufferSize: UnsafeMutablePointer<Int>?,
                            _ flags: UInt32) -> UnsafeMutablePointer<CChar>?
