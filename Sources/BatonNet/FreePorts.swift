/// Ports free right now on 127.0.0.1, for a local cluster whose members must
/// all know each other's replication addresses before any of them binds.
///
/// The ports are bound (all at once, so they differ), read and released:
/// another process may take one before its member binds it. A member that
/// then fails to bind fails to start with the address named; where an
/// address can be learnt after binding, bind port 0 instead.
/// Threading: any thread.
public enum FreePorts {
    /// `count` distinct UDP ports of 127.0.0.1.
    public static func loopbackUDP(_ count: Int) throws(NetError) -> [UInt16] {
        var sockets: [UDPSocket] = []
        defer { sockets.forEach { $0.close() } }
        for _ in 0..<count { sockets.append(try UDPSocket.bind(to: IPv4SocketAddress(127, 0, 0, 1, port: 0))) }
        var ports: [UInt16] = []
        for socket in sockets { ports.append(try socket.localAddress().port) }
        return ports
    }

    /// `count` distinct TCP ports of 127.0.0.1 (for members run as processes,
    /// whose client addresses the cluster file names before they start).
    public static func loopbackTCP(_ count: Int) throws(NetError) -> [UInt16] {
        var listeners: [TCPListener] = []
        defer { listeners.forEach { $0.close() } }
        for _ in 0..<count { listeners.append(try TCPListener.listen(on: .loopback(port: 0))) }
        var ports: [UInt16] = []
        for listener in listeners { ports.append(try listener.localAddress().port) }
        return ports
    }
}
