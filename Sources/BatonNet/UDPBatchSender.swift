import CBatonSys
import Glibc

/// Stages up to `datagramCapacity` datagrams and sends them with one
/// `sendmmsg`. Zero copy: every datagram is one or more iovecs pointing at
/// the caller's memory (a header in a scratch buffer, frames in the log
/// buffer); the kernel copies the bytes during `send`.
///
/// Invariants: `0 <= sentCount <= stagedCount <= datagramCapacity`,
/// iovecs used `<= iovecCapacity`, every datagram `<= datagramBytesMax`
/// bytes. The `mmsghdr`, `iovec` and `sockaddr_in` arrays are allocated at
/// `init` and nothing allocates afterwards. Staged memory must stay valid
/// and unchanged until `send` has reported it sent (or it is discarded).
/// When every staged datagram has gone, the sender empties itself.
/// Threading: owned by one thread (`~Copyable`: one owner, freed once in `deinit`).
public struct UDPBatchSender: ~Copyable {
    /// The most datagrams one batch holds (1...`NetLimits.batchDatagramsMax`).
    public let datagramCapacity: Int
    /// The most iovecs all staged datagrams together use.
    public let iovecCapacity: Int
    /// The largest datagram `append` accepts (<= `NetLimits.datagramBytesMax`).
    public let datagramBytesMax: Int
    @usableFromInline let messages: UnsafeMutablePointer<baton_mmsghdr>
    @usableFromInline let vectors: UnsafeMutablePointer<iovec>
    @usableFromInline let destinations: UnsafeMutablePointer<sockaddr_in>
    @usableFromInline var staged = 0
    @usableFromInline var sent = 0
    @usableFromInline var vectorsUsed = 0
    @usableFromInline var openDatagramBytes = 0

    /// Allocates room for `datagramCapacity` datagrams using at most
    /// `iovecCapacity` iovecs in all (e.g. 32 and 96 for a header plus up to
    /// two log regions each), each at most `datagramBytesMax` bytes.
    public init(datagramCapacity: Int, iovecCapacity: Int, datagramBytesMax: Int = NetLimits.datagramBytesMax) {
        precondition(datagramCapacity >= 1 && datagramCapacity <= NetLimits.batchDatagramsMax,
                     "datagramCapacity must be 1...\(NetLimits.batchDatagramsMax)")
        precondition(iovecCapacity >= 1 && iovecCapacity <= datagramCapacity * NetLimits.iovecsPerCallMax,
                     "iovecCapacity must be 1...datagramCapacity * \(NetLimits.iovecsPerCallMax)")
        precondition(datagramBytesMax >= 0 && datagramBytesMax <= NetLimits.datagramBytesMax,
                     "datagramBytesMax must be 0...\(NetLimits.datagramBytesMax)")
        self.datagramCapacity = datagramCapacity
        self.iovecCapacity = iovecCapacity
        self.datagramBytesMax = datagramBytesMax
        messages = .allocate(capacity: datagramCapacity)
        messages.initialize(repeating: baton_mmsghdr(), count: datagramCapacity)
        vectors = .allocate(capacity: iovecCapacity)
        vectors.initialize(repeating: iovec(), count: iovecCapacity)
        destinations = .allocate(capacity: datagramCapacity)
        destinations.initialize(repeating: sockaddr_in(), count: datagramCapacity)
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        destinations.deallocate()
    }

    /// Datagrams staged in this batch, sent or not.
    @inlinable public var stagedCount: Int { staged }
    /// Staged datagrams the kernel has not taken yet.
    @inlinable public var pendingCount: Int { staged &- sent }
    /// Datagrams that can still be begun.
    @inlinable public var datagramRoom: Int { datagramCapacity &- staged }
    /// Iovecs still free.
    @inlinable public var iovecRoom: Int { iovecCapacity &- vectorsUsed }

    /// Starts a datagram to `destination` (nil: the connected peer); its bytes
    /// come from the `append` calls that follow. False when the batch already
    /// holds `datagramCapacity` datagrams: send first.
    @inlinable
    public mutating func beginDatagram(to destination: IPv4SocketAddress?) -> Bool {
        guard staged < datagramCapacity else { return false }
        let message = messages + staged
        message.pointee.msg_hdr.msg_iov = vectors + vectorsUsed
        message.pointee.msg_hdr.msg_iovlen = 0
        message.pointee.msg_len = 0
        if let destination {
            destinations[staged] = destination.sockaddr
            message.pointee.msg_hdr.msg_name = UnsafeMutableRawPointer(destinations + staged)
            message.pointee.msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else {
            message.pointee.msg_hdr.msg_name = nil
            message.pointee.msg_hdr.msg_namelen = 0
        }
        staged &+= 1
        openDatagramBytes = 0
        return true
    }

    /// Appends a region to the datagram begun last (not yet sent). False, and
    /// nothing changes, when the iovecs are used up or the datagram would
    /// exceed `datagramBytesMax`: the datagram is then complete as it is.
    @inlinable
    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        precondition(staged > sent, "beginDatagram before append (and not after the datagram was sent)")
        let message = messages + (staged &- 1)
        guard vectorsUsed < iovecCapacity,
              Int(message.pointee.msg_hdr.msg_iovlen) < NetLimits.iovecsPerCallMax,
              bytes.count <= datagramBytesMax &- openDatagramBytes else { return false }
        vectors[vectorsUsed] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
        vectorsUsed &+= 1
        message.pointee.msg_hdr.msg_iovlen &+= 1
        openDatagramBytes &+= bytes.count
        return true
    }

    /// `beginDatagram` plus one `append`: a datagram from one region. False
    /// (nothing staged) when there is no room or it is too large.
    @inlinable
    public mutating func appendDatagram(_ bytes: UnsafeRawBufferPointer, to destination: IPv4SocketAddress?) -> Bool {
        guard staged < datagramCapacity, vectorsUsed < iovecCapacity, bytes.count <= datagramBytesMax else { return false }
        let begun = beginDatagram(to: destination)
        let appended = append(bytes)
        assert(begun && appended)
        return true
    }

    /// Sends the pending datagrams with one `sendmmsg` (retrying EINTR).
    /// Reports how many went; a partial send leaves the rest pending.
    @inlinable
    public mutating func send(on socket: UDPSocket) -> UDPSendResult {
        let pending = staged &- sent
        guard pending > 0 else { return .sent(count: 0, pending: 0) }
        while true {
            let result = baton_sendmmsg(socket.descriptor.rawValue, messages + sent, CUnsignedInt(pending), CInt(MSG_NOSIGNAL))
            if result > 0 {
                assert(Int(result) <= pending, "sendmmsg reported more than offered")
                sent &+= Int(result)
                let left = staged &- sent
                if left == 0 { removeAll() }
                return .sent(count: Int(result), pending: left)
            }
            assert(result < 0, "sendmmsg of \(pending) messages returned 0")
            let code = errno
            if code == EINTR { continue }
            return code == EAGAIN ? .wouldBlock : .error(Errno(rawValue: code))
        }
    }

    /// Drops the first pending datagram (after `send` reported an error for it).
    @inlinable
    public mutating func discardFirstPending() {
        precondition(staged > sent, "no pending datagram to discard")
        sent &+= 1
        if sent == staged { removeAll() }
    }

    /// Forgets every staged datagram, sent or not.
    @inlinable
    public mutating func removeAll() {
        staged = 0
        sent = 0
        vectorsUsed = 0
        openDatagramBytes = 0
    }
}
