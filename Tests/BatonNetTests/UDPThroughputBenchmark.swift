import BatonNet
import CBatonSys
import Glibc
import Synchronization
import XCTest

/// Not a test of speed (no timed assertions): a measurement of loopback UDP
/// datagrams/s through `UDPBatchSender`/`UDPBatchReceiver` with the shape of
/// `shared/limits/udp mmsg 1408` (connected sockets, 32 MiB forced buffers,
/// batches of 32 x 1,408 bytes, sender pinned to CPU 0, receiver to CPU 1,
/// rate counted at the receiver). Runs only with BATON_NET_BENCH=1:
///   BATON_NET_BENCH=1 swift test -c release --filter UDPThroughputBenchmark
final class UDPThroughputBenchmark: XCTestCase {
    enum ReceiverWait: String { case epoll, spin }

    struct Figures {
        var sent = 0, received = 0, firstNanos: UInt64 = 0, lastNanos: UInt64 = 0
        var senderCPUNanos: UInt64 = 0, receiverCPUNanos: UInt64 = 0, partialSends = 0
    }

    final class Shared: @unchecked Sendable {
        let go = Atomic<Bool>(false)
        let senderDone = Atomic<Bool>(false)
        var figures = Figures()  // each field written by one thread; read after both joins
    }

    func testUDPThroughput() throws {
        guard getenv("BATON_NET_BENCH") != nil else { throw XCTSkip("set BATON_NET_BENCH=1 to measure") }
        let seconds = Double(String(cString: getenv("BATON_NET_BENCH_SECONDS") ?? strdup("2"))) ?? 2
        for (iovecs, wait) in [(1, ReceiverWait.epoll), (2, .epoll), (1, .epoll), (2, .epoll), (1, .spin), (2, .spin)] {
            let figures = try run(iovecsPerDatagram: iovecs, wait: wait, seconds: seconds)
            let elapsed = Double(figures.lastNanos - figures.firstNanos) / 1e9
            let rate = Double(figures.received) / elapsed
            print(String(format: "udp_baton_mmsg32_1408B iovecs=%d rx-wait=%@: rx %.3f Mdgram/s, %.0f MB/s, "
                         + "tx cpu %.0f ns/dgram, rx cpu %.0f ns/dgram, loss %.1f %%, partial sends %d",
                         iovecs, wait.rawValue, rate / 1e6, rate * 1_408 / 1e6,
                         Double(figures.senderCPUNanos) / Double(max(1, figures.sent)),
                         Double(figures.receiverCPUNanos) / Double(max(1, figures.received)),
                         100 * Double(figures.sent - figures.received) / Double(max(1, figures.sent)),
                         figures.partialSends))
        }
    }

    func run(iovecsPerDatagram: Int, wait: ReceiverWait, seconds: Double) throws -> Figures {
        let receiverSocket = try UDPSocket.bind(to: .loopback())
        let senderSocket = try UDPSocket.bind(to: .loopback())
        defer { receiverSocket.close(); senderSocket.close() }
        for socket in [receiverSocket, senderSocket] {
            _ = try socket.setReceiveBufferSize(32 << 20, force: true)
            _ = try socket.setSendBufferSize(32 << 20, force: true)
        }
        try senderSocket.connect(to: try receiverSocket.localAddress())
        try receiverSocket.connect(to: try senderSocket.localAddress())
        let shared = Shared()

        let receiverThread = startPinnedThread(cpu: 1, name: "bench-rx") {
            var receiver = UDPBatchReceiver(datagramCapacity: 32, datagramBytesMax: 1_472)
            var epoll = try! EPoll(eventCapacity: 1)
            try! epoll.add(receiverSocket.descriptor, interest: .readable, token: 0)
            var received = 0, first: UInt64 = 0, last: UInt64 = 0, cpuStart: UInt64 = 0
            shared.go.store(true, ordering: .releasing)
            receiving: while true {
                switch receiver.receive(on: receiverSocket) {
                case .received(let count):
                    last = monotonicNanos()
                    if received == 0 { first = last; cpuStart = threadCPUNanos() }
                    received += count
                case .wouldBlock:
                    if shared.senderDone.load(ordering: .acquiring) {
                        // End of stream: a last 100 ms for datagrams still in flight.
                        if try! epoll.wait(timeoutMillis: 100) == 0 { break receiving }
                    } else if wait == .epoll {
                        _ = try! epoll.wait(timeoutMillis: 100)
                    }
                    continue
                case .error(let errno):
                    fatalError("receive: \(errno)")
                }
            }
            shared.figures.received = received
            shared.figures.firstNanos = first
            shared.figures.lastNanos = last
            shared.figures.receiverCPUNanos = threadCPUNanos() - cpuStart
        }

        let senderThread = startPinnedThread(cpu: 0, name: "bench-tx") {
            let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1_408, alignment: 4_096)
            defer { payload.deallocate() }
            payload.initializeMemory(as: UInt8.self, repeating: 0x5A)
            var sender = UDPBatchSender(datagramCapacity: 32, iovecCapacity: 64)
            while !shared.go.load(ordering: .acquiring) {}
            var sent = 0, partialSends = 0
            let start = monotonicNanos(), limit = UInt64(seconds * 1e9), cpuStart = threadCPUNanos()
            while monotonicNanos() - start < limit {
                for slot in 0..<32 {  // stage a batch as the transmit stage would
                    let base = slot * 1_408
                    _ = sender.beginDatagram(to: nil)
                    if iovecsPerDatagram == 1 {
                        _ = sender.append(UnsafeRawBufferPointer(rebasing: payload[base..<base + 1_408]))
                    } else {
                        _ = sender.append(UnsafeRawBufferPointer(rebasing: payload[base..<base + 32]))
                        _ = sender.append(UnsafeRawBufferPointer(rebasing: payload[base + 32..<base + 1_408]))
                    }
                }
                while sender.pendingCount > 0 {
                    switch sender.send(on: senderSocket) {
                    case .sent(let count, let pending):
                        sent += count
                        if pending > 0 { partialSends += 1 }
                    case .wouldBlock: continue
                    case .error(let errno): fatalError("send: \(errno)")
                    }
                }
            }
            shared.figures.senderCPUNanos = threadCPUNanos() - cpuStart
            shared.figures.sent = sent
            shared.figures.partialSends = partialSends
            shared.senderDone.store(true, ordering: .releasing)
        }
        XCTAssertEqual(baton_thread_join(senderThread), 0)
        XCTAssertEqual(baton_thread_join(receiverThread), 0)
        return shared.figures
    }
}

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

private func startPinnedThread(cpu: Int32, name: String, _ body: @escaping () -> Void) -> pthread_t {
    var thread = pthread_t()
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    let result = baton_thread_start(&thread, { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
    }, context, cpu, name)
    precondition(result == 0, "thread start: \(result)")
    return thread
}

private func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

private func threadCPUNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
