import CBatonSys
import Glibc

/// Receives up to `datagramCapacity` datagrams with one `recvmmsg` into
/// buffers it owns, one of `datagramBytesMax` bytes per datagram (the path
/// MTU payload, e.g. 1,472, or up to 65,507).
///
/// Invariants: `count <= datagramCapacity`; datagram `i` lives in slot `i`
/// (64-byte aligned, `datagramBytesMax` long) until the next `receive`; a
/// datagram longer than a slot is cut and flagged `isTruncated`. All arrays
/// and slots are allocated at `init`; `receive` allocates nothing.
/// Threading: owned by one thread (`~Copyable`: one owner, freed once in `deinit`).
public struct UDPBatchReceiver: ~Copyable {
    /// The most datagrams one `receive` returns (1...`NetLimits.batchDatagramsMax`).
    public let datagramCapacity: Int
    /// The size of each datagram slot; longer datagrams are truncated.
    public let datagramBytesMax: Int
    @usableFromInline let slotStride: Int
    @usableFromInline let slots: UnsafeMutableRawPointer
    @usableFromInline let messages: UnsafeMutablePointer<baton_mmsghdr>
    @usableFromInline let vectors: UnsafeMutablePointer<iovec>
    @usableFromInline let sources: UnsafeMutablePointer<sockaddr_in>
    @usableFromInline var received = 0

    public init(datagramCapacity: Int, datagramBytesMax: Int) {
        precondition(datagramCapacity >= 1 && datagramCapacity <= NetLimits.batchDatagramsMax,
                     "datagramCapacity must be 1...\(NetLimits.batchDatagramsMax)")
        precondition(datagramBytesMax >= 1 && datagramBytesMax <= NetLimits.datagramBytesMax,
                     "datagramBytesMax must be 1...\(NetLimits.datagramBytesMax)")
        self.datagramCapacity = datagramCapacity
        self.datagramBytesMax = datagramBytesMax
        slotStride = (datagramBytesMax + 63) & ~63
        slots = .allocate(byteCount: slotStride * datagramCapacity, alignment: 4_096)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: slotStride * datagramCapacity)
        messages = .allocate(capacity: datagramCapacity)
        vectors = .allocate(capacity: datagramCapacity)
        sources = .allocate(capacity: datagramCapacity)
        sources.initialize(repeating: sockaddr_in(), count: datagramCapacity)
        for index in 0..<datagramCapacity {
            vectors[index] = iovec(iov_base: slots + index * slotStride, iov_len: datagramBytesMax)
            var message = baton_mmsghdr()
            message.msg_hdr.msg_iov = vectors + index
            message.msg_hdr.msg_iovlen = 1
            message.msg_hdr.msg_name = UnsafeMutableRawPointer(sources + index)
            message.msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
            (messages + index).initialize(to: message)
        }
    }

    deinit {
        slots.deallocate()
        messages.deallocate()
        vectors.deallocate()
        sources.deallocate()
    }

    /// Datagrams from the last `receive`.
    @inlinable public var count: Int { received }

    /// Receives what is queued, up to `datagramCapacity` datagrams, without
    /// waiting (wait with `EPoll` for `.readable`). Retries EINTR.
    @inlinable
    public mutating func receive(on socket: UDPSocket) -> UDPReceiveResult {
        let nameLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        for index in 0..<received {  // the kernel wrote these; the rest are untouched
            messages[index].msg_hdr.msg_namelen = nameLength
        }
        received = 0
        while true {
            let result = baton_recvmmsg(socket.descriptor.rawValue, messages, CUnsignedInt(datagramCapacity), 0)
            if result > 0 {
                assert(Int(result) <= datagramCapacity)
                received = Int(result)
                return .received(received)
            }
            let code = errno
            if code == EINTR { continue }
            return code == EAGAIN ? .wouldBlock : .error(Errno(rawValue: code))
        }
    }

    /// The bytes of datagram `index` (< `count`); valid until the next `receive`.
    @inlinable
    public func datagram(at index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < received, "datagram \(index) of \(received)")
        let length = Int(messages[index].msg_len)
        assert(length <= datagramBytesMax)
        return UnsafeRawBufferPointer(start: slots + index &* slotStride, count: length)
    }

    /// The sender of datagram `index`.
    @inlinable
    public func source(at index: Int) -> IPv4SocketAddress {
        precondition(index >= 0 && index < received, "datagram \(index) of \(received)")
        assert(messages[index].msg_hdr.msg_namelen == socklen_t(MemoryLayout<sockaddr_in>.size))
        return IPv4SocketAddress(sources[index])
    }

    /// True when datagram `index` was longer than `datagramBytesMax` and was cut (`MSG_TRUNC`).
    @inlinable
    public func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < received, "datagram \(index) of \(received)")
        return messages[index].msg_hdr.msg_flags & CInt(MSG_TRUNC) != 0
    }
}
