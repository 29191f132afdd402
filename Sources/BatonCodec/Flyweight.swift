/// A typed view over bytes in raw memory, in the manner of SBE's flyweights
/// and Aeron's `DataHeaderFlyweight`: a struct holding one pointer, with
/// computed properties that load and store little-endian fields in place.
///
/// Invariant: a conforming type holds the address and nothing else that needs
/// reference counting (`BitwiseCopyable` makes this a type rule), so wrapping,
/// copying and reading cost no allocation and no ARC. A flyweight does no
/// bounds checks of its own: whoever wraps it has checked that the bytes it
/// reads are there (`ByteReader.readFlyweight`, `MessageHeader.decode`,
/// `FrameHeader.check`) and keeps the memory alive while the view is used.
///
/// Threading: none of its own; it is as safe as the memory it views.
/// Not `Sendable`: hand memory to another thread on purpose, not by accident.
///
/// A new message is short to write:
///
/// ```swift
/// @frozen public struct PublishAck: MessageFlyweight {
///     public let address: UnsafeMutableRawPointer
///     @inlinable public init(_ address: UnsafeMutableRawPointer) { self.address = address }
///     @inlinable public static var templateId: UInt16 { 4 }
///     @inlinable public static var encodedLength: Int { 16 }
///     @inlinable public var sequence: UInt64 {
///         get { load(at: 0) }
///         nonmutating set { store(newValue, at: 0) }
///     }
///     @inlinable public var position: Int64 {
///         get { load(at: 8) }
///         nonmutating set { store(newValue, at: 8) }
///     }
/// }
/// ```
public protocol Flyweight: BitwiseCopyable {
    /// The first byte of the view.
    var address: UnsafeMutableRawPointer { get }
    /// Wraps the bytes at `address`; checks nothing.
    init(_ address: UnsafeMutableRawPointer)
}

/// A flyweight whose bytes have one fixed length (a header, a message's root
/// block), so a cursor can check that many bytes are there before wrapping it.
public protocol FixedLengthFlyweight: Flyweight {
    /// Bytes the view covers.
    static var encodedLength: Int { get }
}

/// The root block of a message of one template in a schema (see
/// `MessageHeader`). `encodedLength` is the block length this build writes and
/// the least it accepts: a newer peer's longer block is fine (the extra fields
/// are skipped by `blockLength`), a shorter one is `CodecError.blockTooShort`.
public protocol MessageFlyweight: FixedLengthFlyweight {
    /// The template id written into, and expected in, the message header.
    static var templateId: UInt16 { get }
}

extension Flyweight {
    /// The little-endian `T` at `offset` bytes into the view.
    @inlinable @inline(__always)
    public func load<T: FixedWidthInteger>(_ type: T.Type = T.self, at offset: Int) -> T {
        address.loadLittleEndian(fromByteOffset: offset, as: T.self)
    }

    /// Stores `value` little-endian at `offset` bytes into the view.
    @inlinable @inline(__always)
    public func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        address.storeLittleEndian(value, toByteOffset: offset)
    }
}

extension FixedLengthFlyweight {
    /// The view's bytes, for copying or checksumming.
    @inlinable
    public var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: address, count: Self.encodedLength)
    }
}
