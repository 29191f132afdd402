/// The fixed upper bounds BatonNet asserts on (TigerBeetle style: every
/// array is sized at init and checked against these). Constants only:
/// no state, safe from any thread.
public enum NetLimits {
    /// Largest IPv4 UDP payload: 65,535 - 20 (IP header) - 8 (UDP header).
    @inlinable public static var datagramBytesMax: Int { 65_507 }
    /// `UIO_MAXIOV`: the most messages one `sendmmsg`/`recvmmsg` accepts.
    @inlinable public static var batchDatagramsMax: Int { 1_024 }
    /// `IOV_MAX`: the most iovecs one `readv`/`writev`/`sendmsg` (and one datagram) accepts.
    @inlinable public static var iovecsPerCallMax: Int { 1_024 }
    /// The most ready events one `EPoll.wait` returns (an `EPoll`'s capacity).
    @inlinable public static var epollEventsMax: Int { 65_536 }
}
