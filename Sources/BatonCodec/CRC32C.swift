import CBatonSys

/// CRC32C (Castagnoli), the checksum of every log frame.
///
/// Uses the SSE4.2 `crc32` instruction when the CPU has it, else a
/// slicing-by-8 table. Both produce identical values (tested against the
/// RFC 3720 vectors). Chaining holds: `update(update(0, a), b) == checksum(a + b)`.
/// Thread-safe; no allocation.
public enum CRC32C {
    /// True when the hardware instruction is used.
    public static let isHardwareAccelerated: Bool = baton_crc32c_hw_available()

    /// CRC of `length` bytes at `pointer`, continuing from `crc` (0 to start).
    @inlinable @inline(__always)
    public static func update(_ crc: UInt32, _ pointer: UnsafeRawPointer, _ length: Int) -> UInt32 {
        isHardwareAccelerated
            ? baton_crc32c_hw(crc, pointer, length)
            : baton_crc32c_sw(crc, pointer, length)
    }

    /// CRC of a whole buffer.
    @inlinable
    public static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = buffer.baseAddress else { return 0 }
        return update(0, base, buffer.count)
    }

    /// The portable table-driven path, whatever the CPU (for tests and benchmarks).
    @inlinable
    public static func updateSoftware(_ crc: UInt32, _ pointer: UnsafeRawPointer, _ length: Int) -> UInt32 {
        baton_crc32c_sw(crc, pointer, length)
    }

    /// The hardware path; only call when `isHardwareAccelerated`.
    @inlinable
    public static func updateHardware(_ crc: UInt32, _ pointer: UnsafeRawPointer, _ length: Int) -> UInt32 {
        precondition(isHardwareAccelerated, "CRC32C hardware instruction not available")
        return baton_crc32c_hw(crc, pointer, length)
    }
}
