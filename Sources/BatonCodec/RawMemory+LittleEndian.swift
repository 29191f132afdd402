/// Little-endian field access over raw memory: the foundation every flyweight
/// stands on. Unaligned loads and stores compile to single `mov`s on x86-64;
/// on a big-endian machine the byte swap is explicit here and nowhere else.
///
/// These never allocate, never retain, and do no bounds checks: a flyweight
/// checks its bounds once when it wraps a buffer (`FrameHeader.check`,
/// `MessageHeader.decode`), then reads fields freely.
extension UnsafeRawPointer {
    @inlinable @inline(__always)
    public func loadLittleEndian<T: FixedWidthInteger>(fromByteOffset offset: Int, as type: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawPointer {
    @inlinable @inline(__always)
    public func loadLittleEndian<T: FixedWidthInteger>(fromByteOffset offset: Int, as type: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inlinable @inline(__always)
    public func storeLittleEndian<T: FixedWidthInteger>(_ value: T, toByteOffset offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}
