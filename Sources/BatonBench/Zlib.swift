import CZlib

/// zlib-format (RFC 1950) compression, as Java's `Deflater`/`Inflater` and
/// Python's `zlib` read and write it: the body of HdrHistogram's compressed
/// encoding. One-shot calls over whole buffers.
///
/// Stateless; any thread.
public enum Zlib {
    /// `bytes` deflated at `level` (0 to 9; 6 is zlib's default).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws(HistogramCodecError) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), level)
            }
        }
        guard status == Z_OK else { throw .zlib(operation: "compress", status: status) }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// The inflated form of `bytes`, at most `limit` bytes long.
    public static func decompress(_ bytes: [UInt8], limit: Int = 64 << 20) throws(HistogramCodecError) -> [UInt8] {
        var capacity = max(4_096, min(limit, bytes.count * 16))
        while true {
            var length = uLongf(capacity)
            var output = [UInt8](repeating: 0, count: capacity)
            let status = output.withUnsafeMutableBufferPointer { target in
                bytes.withUnsafeBufferPointer { source in
                    uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
                }
            }
            if status == Z_OK {
                output.removeSubrange(Int(length)...)
                return output
            }
            guard status == Z_BUF_ERROR, capacity < limit else { throw .zlib(operation: "uncompress", status: status) }
            capacity = min(limit, capacity * 4)
        }
    }
}
