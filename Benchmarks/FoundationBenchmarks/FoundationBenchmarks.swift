import BatonCodec
import BatonRing
import Benchmark
import CBatonSys
import Synchronization

/// Micro-benchmarks of the foundation: rings, codec, CRC32C. Run with
/// `make bench`; `BENCHMARKS.md` sets each figure beside the C limit from
/// `../shared/limits` measured in the same session.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .mallocCountTotal],
                                           timeUnits: .nanoseconds, warmupIterations: 1,
                                           maxDuration: .seconds(3), maxIterations: 20)

    Benchmark("SPSC ring 64 B, 2 pinned busy-spin threads", configuration: .init(scalingFactor: .mega)) { benchmark in
        let ring = OneToOneRingBuffer(capacity: 256 * 1024)
        let consumer = Consumer.start(cpu: 1) { ring.read(limit: 4096) { _, _, _ in } }
        defer { consumer.stop() }
        pinSelf(0)
        let source = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        defer { source.deallocate() }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            source.storeBytes(of: UInt64(index), as: UInt64.self)
            while !(try! ring.write(typeId: 1, source: source, length: 64)) { baton_cpu_pause() }
        }
        while ring.size > 0 { baton_cpu_pause() }
        benchmark.stopMeasurement()
    }

    Benchmark("MPSC ring 64 B, 2 producers + 1 consumer", configuration: .init(scalingFactor: .mega)) { benchmark in
        let ring = ManyToOneRingBuffer(capacity: 256 * 1024)
        let consumer = Consumer.start(cpu: 1) { ring.read(limit: 4096) { _, _, _ in } }
        defer { consumer.stop() }
        pinSelf(0)
        let half = benchmark.scaledIterations.count / 2
        benchmark.startMeasurement()
        let second = Consumer.start(cpu: 0, once: true) {
            let source = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
            defer { source.deallocate() }
            for index in 0..<half {
                source.storeBytes(of: UInt64(index), as: UInt64.self)
                while !(try! ring.write(typeId: 2, source: source, length: 64)) { baton_cpu_pause() }
            }
            return 0
        }
        let source = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        for index in 0..<(benchmark.scaledIterations.count - half) {
            source.storeBytes(of: UInt64(index), as: UInt64.self)
            while !(try! ring.write(typeId: 1, source: source, length: 64)) { baton_cpu_pause() }
        }
        second.join()
        while ring.size > 0 { baton_cpu_pause() }
        benchmark.stopMeasurement()
        source.deallocate()
    }

    Benchmark("SPSC ping-pong round trip 64 B", configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo)) { benchmark in
        let ping = OneToOneRingBuffer(capacity: 64 * 1024)
        let pong = OneToOneRingBuffer(capacity: 64 * 1024)
        let echo = Consumer.start(cpu: 1) {
            ping.read(limit: 16) { _, payload, length in
                while !(try! pong.write(typeId: 1, source: payload, length: length)) { baton_cpu_pause() }
            }
        }
        defer { echo.stop() }
        pinSelf(0)
        let source = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        defer { source.deallocate() }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            source.storeBytes(of: UInt64(index), as: UInt64.self)
            while !(try! ping.write(typeId: 1, source: source, length: 64)) { baton_cpu_pause() }
            while pong.read(limit: 1, { _, _, _ in }) == 0 { baton_cpu_pause() }
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Frame encode + seal + check, 100 B payload", configuration: .init(scalingFactor: .mega)) { benchmark in
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 64)
        defer { buffer.deallocate() }
        let payload = [UInt8](repeating: 7, count: 100)
        var valid = 0
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let frame = FrameHeader(buffer)
            frame.writeDataHeader(payloadLength: 100, streamId: 1, position: Int64(index) << 5, producerId: 9,
                                  sequence: UInt64(index), timestampNanos: 0)
            payload.withUnsafeBytes { frame.payload.copyMemory(from: $0.baseAddress!, byteCount: 100) }
            frame.seal()
            if FrameHeader.check(buffer, available: 256, expectedPosition: Int64(index) << 5).isValid { valid &+= 1 }
        }
        benchmark.stopMeasurement()
        blackHole(valid)
    }

    Benchmark("CRC32C 64 KiB (hardware)", configuration: .init(scalingFactor: .one)) { benchmark in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 64)
        defer { buffer.deallocate() }
        for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
        var crc: UInt32 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            crc = CRC32C.update(crc, buffer.baseAddress!, buffer.count)
        }
        benchmark.stopMeasurement()
        blackHole(crc)
    }
}

func pinSelf(_ cpu: Int32) { _ = baton_thread_pin_self(cpu) }

/// A pinned busy-spin thread running `work` until stopped (or once).
final class Consumer: @unchecked Sendable {
    private let running = Atomic<Bool>(true)
    private var thread = pthread_t()
    private let work: () -> Int
    private let once: Bool
    private let cpu: Int32

    private init(cpu: Int32, once: Bool, work: @escaping () -> Int) {
        self.cpu = cpu
        self.once = once
        self.work = work
    }

    static func start(cpu: Int32, once: Bool = false, _ work: @escaping () -> Int) -> Consumer {
        let consumer = Consumer(cpu: cpu, once: once, work: work)
        let context = Unmanaged.passRetained(consumer).toOpaque()
        let rc = baton_thread_start(&consumer.thread, { raw in
            let consumer = Unmanaged<Consumer>.fromOpaque(raw!).takeRetainedValue()
            consumer.loop()
        }, context, consumer.cpu, "bench")
        precondition(rc == 0, "cannot start a benchmark thread: \(rc)")
        return consumer
    }

    private func loop() {
        if once { _ = work(); return }
        while running.load(ordering: .relaxed) {
            if work() == 0 { baton_cpu_pause() }
        }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        join()
    }

    func join() { _ = baton_thread_join(thread) }
}
