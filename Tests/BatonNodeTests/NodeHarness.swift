import BatonTestSupport
import BatonAgent
import BatonCodec
import BatonLog
import BatonNet
import BatonNode
import BatonProtocol
import Glibc
import XCTest

/// A node in a temporary directory on 127.0.0.1 with an ephemeral port,
/// stopped and removed by `shutdown()`.
final class NodeHarness {
    let directory: String
    var node: Node?
    let configuration: NodeConfiguration

    init(threading: ThreadingMode = .shared, durability: DurabilityPolicy = .batch,
         directory: String? = nil, tweak: (inout NodeConfiguration) -> Void = { _ in }) throws {
        self.directory = try directory ?? NodeHarness.temporaryDirectory()
        var log = LogConfiguration(directory: self.directory)
        log.segmentBytes = 16 << 20
        log.bufferBytes = 8 << 20
        log.durability = durability
        var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: log)
        configuration.threading = threading
        configuration.idleStrategy = .defaultBackoff
        tweak(&configuration)
        self.configuration = configuration
        try start()
    }

    static func temporaryDirectory() throws -> String { makeTemporaryDirectory("node-test") }

    func start() throws {
        let node = try Node(configuration: configuration)
        try node.start()
        self.node = node
    }

    /// Stops the node (joining its threads) but keeps the directory.
    func stop() {
        node?.stop()
        node = nil
    }

    var port: UInt16 { node!.clientAddress.port }

    func shutdown() {
        stop()
        removeTree(directory)
    }
}

/// A minimal blocking client over raw protocol bytes, for tests that must
/// send what a well-behaved client never would.
final class RawClient {
    let connection: TCPConnection
    private var pending: [UInt8] = []

    init(port: UInt16, timeoutMillis: Int32 = 5_000) throws {
        connection = try TCPConnection.connect(to: IPv4SocketAddress(HostAndPort(host: "127.0.0.1", port: port)),
                                               timeoutMillis: timeoutMillis, mode: .blocking(timeoutMillis: timeoutMillis))
    }

    deinit { connection.close() }

    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { connection.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            guard case .transferred(let count) = result else { return false }
            offset += count
        }
        return true
    }

    /// The next whole message (template, block bytes, trailing bytes), or nil on close/timeout.
    func receive() -> (template: UInt16, block: [UInt8], trailing: [UInt8])? {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if pending.count >= 4 {
                let length = Int(pending.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
                if pending.count >= 4 + length {
                    let body = Array(pending[4..<(4 + length)])
                    pending.removeFirst(4 + length)
                    let blockLength = Int(body.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) })
                    let template = body.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self) }
                    return (template, Array(body[8..<(8 + blockLength)]), Array(body[(8 + blockLength)...]))
                }
            }
            let result = chunk.withUnsafeMutableBytes { connection.read(into: $0) }
            guard case .transferred(let count) = result else { return nil }
            pending += chunk[0..<count]
        }
    }

    /// Drains whatever arrives until the server closes or `millis` pass without data.
    func drainUntilClosed() {
        while receive() != nil {}
    }

    static func encode(_ body: (inout ByteWriter) throws -> Void) rethrows -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        var writer = ByteWriter(buffer)
        try body(&writer)
        return Array(writer.written)
    }

    static func hello() -> [UInt8] { try! encode { try ClientMessageWriter.writeHello(into: &$0, clientName: "raw") } }

    static func publish(producerId: UInt64, firstSequence: UInt64, stream: UInt32 = 1, payloads: [[UInt8]]) -> [UInt8] {
        try! encode { writer in
            let batch = try ClientMessageWriter.beginPublish(into: &writer, streamId: stream, producerId: producerId,
                                                             firstSequence: firstSequence)
            for payload in payloads { try payload.withUnsafeBytes { try batch.append($0, into: &writer) } }
            batch.finish(into: &writer)
        }
    }
}
