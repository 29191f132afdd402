import BatonCodec

extension ByteReader {
    /// Reads a little-endian integer of a membership or configuration entry;
    /// bytes that end early are `ChainMembershipError.truncated`.
    mutating func readConfigurationField<T: FixedWidthInteger>(_ type: T.Type) throws(ChainMembershipError) -> T {
        do {
            return try read(T.self)
        } catch {
            throw .truncated(offset: offset, needed: MemoryLayout<T>.size, remaining: remaining)
        }
    }
}
