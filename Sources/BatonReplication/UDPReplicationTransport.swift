import BatonNet
import Logging

/// The production transport: one non-blocking UDP socket bound to the
/// member's replication address, a `UDPBatchSender` (zero-copy iovecs,
/// `sendmmsg`) and a `UDPBatchReceiver` (`recvmmsg` into slots it owns).
/// Unconnected, so one socket talks to both neighbours and an absent peer's
/// ICMP errors never surface as send failures.
///
/// Invariant: everything is allocated in `init`; send and receive allocate
/// nothing. Threading: the replicator's thread only; `close()` after it stopped.
public final class UDPReplicationTransport: ReplicationTransport {
    public let socket: UDPSocket
    public let localAddress: IPv4SocketAddress
    private var sender: UDPBatchSender
    private var receiver: UDPBatchReceiver
    public let datagramBytesMax: Int

    /// Binds `address`, sizes the socket buffers (logging a warning naming the
    /// sysctl when the kernel grants less) and allocates `batch`-datagram batches.
    public init(bindingTo address: IPv4SocketAddress, batch: Int, mtu: Int, socketBufferBytes: Int,
                logger: Logger) throws(NetError) {
        socket = try UDPSocket.bind(to: address)
        do {
            localAddress = try socket.localAddress()
            let receive = try socket.setReceiveBufferSize(socketBufferBytes)
            if receive.isCapped {
                logger.warning("replication socket receive buffer: asked \(socketBufferBytes) bytes, the kernel granted \(receive.grantedBytes); raise net.core.rmem_max to allow more")
            }
            let send = try socket.setSendBufferSize(socketBufferBytes)
            if send.isCapped {
                logger.warning("replication socket send buffer: asked \(socketBufferBytes) bytes, the kernel granted \(send.grantedBytes); raise net.core.wmem_max to allow more")
            }
        } catch {
            socket.close()
            throw error
        }
        datagramBytesMax = mtu
        // A header plus up to three regions (a resend may be split at the buffer's wrap).
        sender = UDPBatchSender(datagramCapacity: batch, iovecCapacity: batch * 4, datagramBytesMax: mtu)
        receiver = UDPBatchReceiver(datagramCapacity: batch, datagramBytesMax: mtu)
    }

    public var datagramRoom: Int { min(sender.datagramRoom, sender.iovecRoom / 4) }
    public var pendingCount: Int { sender.pendingCount }

    public func beginDatagram(to destination: IPv4SocketAddress) -> Bool { sender.beginDatagram(to: destination) }

    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool { sender.append(bytes) }

    public func flush() -> TransportFlushResult {
        var sent = 0
        var failed = 0
        while sender.pendingCount > 0 {
            switch sender.send(on: socket) {
            case let .sent(count, _):
                sent += count
            case .wouldBlock:
                return .blocked(sent: sent, failed: failed)
            case .error:
                sender.discardFirstPending()
                failed += 1
            }
        }
        return .complete(sent: sent, failed: failed)
    }

    public func receive(_ body: (UnsafeRawBufferPointer, IPv4SocketAddress) -> Void) -> Int {
        guard case let .received(count) = receiver.receive(on: socket) else { return 0 }
        for index in 0..<count {
            // A datagram the slot cut short can't be checked against its length field: give it as is,
            // the header check finds the length mismatch and counts it malformed.
            body(receiver.datagram(at: index), receiver.source(at: index))
        }
        return count
    }

    /// Closes the socket (after the replicator stopped).
    public func close() { socket.close() }
}
