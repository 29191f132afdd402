import BatonCodec

/// The checksum trailer of every replication message's fixed part (Data's
/// since version 6 — its log bytes carry their own frame CRCs): its last 8
/// bytes are a CRC32C of every byte before them (UInt32, little-endian) and
/// 4 zero bytes. Sealed by the sender once the fields are
/// written; checked by `ReplicationDatagramCheck` before any field is used,
/// so a bit flipped on the wire in a position is dropped, never folded into
/// a commit. (It guards against corruption, not forgery: anyone can compute
/// it — authentication is the cluster key's job.)
///
/// Stateless; any thread.
public enum ReplicationChecksum {
    /// Bytes of the trailer.
    public static let trailerLength = 8

    /// Writes the trailer of the `length`-byte message at `message`.
    @inlinable
    public static func seal(_ message: UnsafeMutableRawPointer, length: Int) {
        let covered = length &- trailerLength
        let crc = CRC32C.update(0, message, covered)
        message.storeLittleEndian(crc, toByteOffset: covered)
        message.storeLittleEndian(UInt32(0), toByteOffset: covered &+ 4)
    }

    /// Whether the trailer of the `length`-byte message at `message` matches its bytes (and its reserved bytes are zero).
    @inlinable
    public static func isValid(_ message: UnsafeRawPointer, length: Int) -> Bool {
        let covered = length &- trailerLength
        let trailer = UnsafeMutableRawPointer(mutating: message)
        let stored = trailer.loadLittleEndian(fromByteOffset: covered, as: UInt32.self)
        let reserved = trailer.loadLittleEndian(fromByteOffset: covered &+ 4, as: UInt32.self)
        return reserved == 0 && stored == CRC32C.update(0, message, covered)
    }
}
