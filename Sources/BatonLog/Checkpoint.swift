import BatonCodec

#if canImport(Glibc)
import Glibc
#endif

/// The checkpoint file (`checkpoint`): a log position known to be durable.
///
/// Two 32-byte records in separate 512-byte sectors, written alternately
/// (record `sequence % 2`), so a torn write of one leaves the other intact;
/// the valid record with the highest sequence wins.
///
/// ```
///  0        4        8                16               24       28       32
///  +--------+--------+----------------+----------------+--------+--------+
///  | magic  |version |   sequence     |   position     |reserved| CRC32C |
///  +--------+--------+----------------+----------------+--------+--------+
/// ```
/// Little-endian; the CRC covers bytes [0, 28).
///
/// Written by the writer agent (through its storage, a write linked to an
/// `fdatasync`) at segment rolls and every `checkpointIntervalNanos`, never
/// per batch; and synchronously by recovery.
public enum CheckpointFile {
    public static let fileName = "checkpoint"
    public static let recordBytes = 32
    public static let slotStride = 512
    public static let fileBytes = 1024
    static let magic: UInt32 = 0x4B43_5442 // "BTCK"
    static let version: UInt32 = 1

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// Encodes a record into `record` (32 bytes).
    public static func encode(sequence: UInt64, position: Int64, into record: UnsafeMutableRawPointer) {
        record.storeLittleEndian(magic, toByteOffset: 0)
        record.storeLittleEndian(version, toByteOffset: 4)
        record.storeLittleEndian(sequence, toByteOffset: 8)
        record.storeLittleEndian(position, toByteOffset: 16)
        record.storeLittleEndian(UInt32(0), toByteOffset: 24)
        record.storeLittleEndian(CRC32C.update(0, UnsafeRawPointer(record), 28), toByteOffset: 28)
    }

    /// Decodes one record, or nil if it is not a valid one.
    public static func decode(_ record: UnsafeRawPointer) -> (sequence: UInt64, position: Int64)? {
        guard record.loadLittleEndian(fromByteOffset: 0, as: UInt32.self) == magic,
              record.loadLittleEndian(fromByteOffset: 4, as: UInt32.self) == version,
              record.loadLittleEndian(fromByteOffset: 28, as: UInt32.self) == CRC32C.update(0, record, 28) else { return nil }
        return (record.loadLittleEndian(fromByteOffset: 8, as: UInt64.self),
                record.loadLittleEndian(fromByteOffset: 16, as: Int64.self))
    }

    /// The newest valid record of the file in `directory`, or nil (no file, or none valid).
    public static func read(directory: String, fileSystem: some LogFileSystem) throws(LogError) -> (sequence: UInt64, position: Int64)? {
        let path = self.path(in: directory)
        guard fileSystem.exists(path) else { return nil }
        let bytes = try fileSystem.readFile(path, limit: fileBytes)
        guard bytes.count == fileBytes else { return nil }
        return bytes.withUnsafeBytes { raw in
            let first = decode(raw.baseAddress!)
            let second = decode(raw.baseAddress! + slotStride)
            switch (first, second) {
            case let (a?, b?): return a.sequence >= b.sequence ? a : b
            case let (a?, nil): return a
            case let (nil, b?): return b
            default: return nil
            }
        }
    }

    /// Writes record `sequence` synchronously (pwrite + fdatasync); creates the file if needed.
    public static func writeSynchronously(directory: String, sequence: UInt64, position: Int64,
                                          fileSystem: some LogFileSystem) throws(LogError) {
        let path = self.path(in: directory)
        let created = !fileSystem.exists(path)
        // A file cut short (a crash between its creation and its first fdatasync) is written whole again:
        // writing only the record would leave it short, unreadable, for good.
        let wholePage = created || (try? fileSystem.fileSize(path)) != Int64(fileBytes)
        let fd = try fileSystem.openReadWrite(path, create: true)
        defer { fileSystem.close(fd) }
        let page = UnsafeMutableRawPointer.allocate(byteCount: fileBytes, alignment: 512)
        defer { page.deallocate() }
        page.initializeMemory(as: UInt8.self, repeating: 0, count: fileBytes)
        let slot = Int(sequence % 2) * slotStride
        encode(sequence: sequence, position: position, into: page + slot)
        if wholePage {
            try fileSystem.writeFully(fd, page, fileBytes, at: 0, path: path)
        } else {
            try fileSystem.writeFully(fd, page + slot, recordBytes, at: Int64(slot), path: path)
        }
        try fileSystem.dataSync(fd, path: path)
        if created { try fileSystem.syncDirectory(directory) }
    }
}
