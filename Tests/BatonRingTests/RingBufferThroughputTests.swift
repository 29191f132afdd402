import BatonRing
import CBatonSys
import Synchronization
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Throughput report, not a check: skipped unless `BATON_RING_THROUGHPUT` is
/// set (no timed assertions in unit tests). Mirrors the C programs in
/// `../shared/limits` (`spsc tput 64`: producer on CPU 0, consumer on CPU 1;
/// `mpsc 2`: both producers on CPU 0, consumer on CPU 1), busy-spinning with
/// the pause hint. The consumer checks every sequence, as the C consumers do.
///
///     BATON_RING_THROUGHPUT=1 swift test -c release --filter RingBufferThroughputTests
///
/// `BATON_RING_THROUGHPUT_SECONDS` (default 1) sets the length of each run,
/// `BATON_RING_THROUGHPUT_RUNS` (default 3) how many runs per line.
final class RingBufferThroughputTests: XCTestCase {
    func testPrintThroughput() throws {
        guard getenv("BATON_RING_THROUGHPUT") != nil else {
            throw XCTSkip("set BATON_RING_THROUGHPUT=1 to measure ring throughput")
        }
        let seconds = getenv("BATON_RING_THROUGHPUT_SECONDS").flatMap { Double(String(cString: $0)) } ?? 1.0
        let runs = getenv("BATON_RING_THROUGHPUT_RUNS").flatMap { Int(String(cString: $0)) } ?? 3
        let pin = canPinTwoCPUs()
        let cpu0: Int32 = pin ? 0 : -1
        let cpu1: Int32 = pin ? 1 : -1

        func report(_ label: String, _ body: () -> Double) {
            let rates = (0..<runs).map { _ in body() }.sorted()
            let text = rates.map { String(format: "%.1f", $0) }.joined(separator: " ")
            print("\(label) median \(String(format: "%.1f", rates[rates.count / 2])) Mmsg/s (runs: \(text))")
        }
        report("ring_spsc_64B_write_tput") {
            RingThroughput.measure(OneToOneRingBuffer.self, producerCPUs: [cpu0], consumerCPU: cpu1,
                                   payloadLength: 64, claim: false, seconds: seconds)
        }
        report("ring_spsc_64B_claim_tput") {
            RingThroughput.measure(OneToOneRingBuffer.self, producerCPUs: [cpu0], consumerCPU: cpu1,
                                   payloadLength: 64, claim: true, seconds: seconds)
        }
        report("ring_spsc_8B_write_tput") {
            RingThroughput.measure(OneToOneRingBuffer.self, producerCPUs: [cpu0], consumerCPU: cpu1,
                                   payloadLength: 8, claim: false, seconds: seconds)
        }
        report("ring_mpsc_2prod_64B_write_tput") {
            RingThroughput.measure(ManyToOneRingBuffer.self, producerCPUs: [cpu0, cpu0], consumerCPU: cpu1,
                                   payloadLength: 64, claim: false, seconds: seconds)
        }
        report("ring_mpsc_2prod_8B_write_tput") {
            RingThroughput.measure(ManyToOneRingBuffer.self, producerCPUs: [cpu0, cpu0], consumerCPU: cpu1,
                                   payloadLength: 8, claim: false, seconds: seconds)
        }
        report("ring_mpsc_1prod_64B_write_tput") {
            RingThroughput.measure(ManyToOneRingBuffer.self, producerCPUs: [cpu0], consumerCPU: cpu1,
                                   payloadLength: 64, claim: false, seconds: seconds)
        }
    }
}

enum RingThroughput {
    static let capacity = 256 * 1024  // the C SPSC ring: 4096 slots x 64 bytes
    static let readLimit = 4096
    static let endTypeIdBase: Int32 = 1000

    final class Shared: Sendable {
        let go = Atomic<Bool>(false)
        let startNanos = Atomic<UInt64>(0)
        let endNanos = Atomic<UInt64>(0)
        let messages = Atomic<Int>(0)
        let failure = Atomic<Bool>(false)
    }

    /// Messages per second (millions), measured by the consumer from the
    /// start signal to the last producer's end marker.
    static func measure<R: TestRing>(_: R.Type, producerCPUs: [Int32], consumerCPU: Int32, payloadLength: Int,
                                     claim: Bool, seconds: Double) -> Double {
        let ring = R(capacity: capacity)
        let shared = Shared()
        let producers = producerCPUs.count
        let consumer = TestThread(name: "tput-consumer", cpu: consumerCPU) {
            consume(ring: ring, producers: producers, shared: shared)
        }
        var threads: [TestThread] = []
        for (producer, cpu) in producerCPUs.enumerated() {
            threads.append(TestThread(name: "tput-producer", cpu: cpu) {
                produce(ring: ring, producer: producer, payloadLength: payloadLength, claim: claim,
                        seconds: seconds, shared: shared)
            })
        }
        for thread in threads { thread.join() }
        consumer.join()
        precondition(!shared.failure.load(ordering: .acquiring), "throughput run saw a sequence out of order")
        let nanos = shared.endNanos.load(ordering: .acquiring) &- shared.startNanos.load(ordering: .acquiring)
        return Double(shared.messages.load(ordering: .acquiring)) * 1e3 / Double(nanos)
    }

    // Concrete loops, one pair per ring type (no TestRing generics here): a
    // benchmark must call the ring's own inlinable methods directly. Through
    // the TestRing protocol the optimizer kept witness-table calls, an
    // indirect call per message.
    static func produce<R: TestRing>(ring: R, producer: Int, payloadLength: Int, claim: Bool, seconds: Double,
                                     shared: Shared) {
        if let ring = ring as? OneToOneRingBuffer {
            produceOneToOne(ring: ring, producer: producer, payloadLength: payloadLength, claim: claim,
                            seconds: seconds, shared: shared)
        } else if let ring = ring as? ManyToOneRingBuffer {
            produceManyToOne(ring: ring, producer: producer, payloadLength: payloadLength, claim: claim,
                             seconds: seconds, shared: shared)
        } else {
            preconditionFailure("no throughput loop for \(R.self)")
        }
    }

    static func consume<R: TestRing>(ring: R, producers: Int, shared: Shared) {
        if let ring = ring as? OneToOneRingBuffer {
            consumeOneToOne(ring: ring, producers: producers, shared: shared)
        } else if let ring = ring as? ManyToOneRingBuffer {
            consumeManyToOne(ring: ring, producers: producers, shared: shared)
        } else {
            preconditionFailure("no throughput loop for \(R.self)")
        }
    }

    /// Waits for the start signal; returns the start time and a scratch source buffer.
    static func producerStart(_ shared: Shared) -> (start: UInt64, source: UnsafeMutableRawPointer) {
        let source = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        source.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        while !shared.go.load(ordering: .acquiring) { baton_cpu_pause() }
        return (shared.startNanos.load(ordering: .acquiring), source)
    }

    @inline(__always)
    static func fillClaimed(_ payload: UnsafeMutableRawPointer, sequence: UInt64, payloadLength: Int) {
        var offset = 0
        while offset < payloadLength {
            payload.storeBytes(of: sequence, toByteOffset: offset, as: UInt64.self)
            offset &+= 8
        }
    }

    static func produceOneToOne(ring: OneToOneRingBuffer, producer: Int, payloadLength: Int, claim: Bool,
                                seconds: Double, shared: Shared) {
        let (start, source) = producerStart(shared)
        defer { source.deallocate() }
        let typeId = Int32(producer) &+ 1
        let limit = UInt64(seconds * 1e9)
        var sequence: UInt64 = 0
        while true {
            if claim {
                var claimed = try! ring.tryClaim(typeId: typeId, length: payloadLength)
                while claimed == nil {
                    baton_cpu_pause()
                    claimed = try! ring.tryClaim(typeId: typeId, length: payloadLength)
                }
                fillClaimed(ring.payloadPointer(at: claimed!), sequence: sequence, payloadLength: payloadLength)
                ring.commit(index: claimed!)
            } else {
                source.storeBytes(of: sequence, as: UInt64.self)
                while !(try! ring.write(typeId: typeId, source: source, length: payloadLength)) {
                    baton_cpu_pause()
                }
            }
            sequence &+= 1
            if sequence & 0xFFFF == 0 && monotonicNanos() &- start > limit { break }
        }
        while !(try! ring.write(typeId: endTypeIdBase &+ typeId, source: source, length: 8)) { baton_cpu_pause() }
    }

    static func produceManyToOne(ring: ManyToOneRingBuffer, producer: Int, payloadLength: Int, claim: Bool,
                                 seconds: Double, shared: Shared) {
        let (start, source) = producerStart(shared)
        defer { source.deallocate() }
        let typeId = Int32(producer) &+ 1
        let limit = UInt64(seconds * 1e9)
        var sequence: UInt64 = 0
        while true {
            if claim {
                var claimed = try! ring.tryClaim(typeId: typeId, length: payloadLength)
                while claimed == nil {
                    baton_cpu_pause()
                    claimed = try! ring.tryClaim(typeId: typeId, length: payloadLength)
                }
                fillClaimed(ring.payloadPointer(at: claimed!), sequence: sequence, payloadLength: payloadLength)
                ring.commit(index: claimed!)
            } else {
                source.storeBytes(of: sequence, as: UInt64.self)
                while !(try! ring.write(typeId: typeId, source: source, length: payloadLength)) {
                    baton_cpu_pause()
                }
            }
            sequence &+= 1
            if sequence & 0xFFFF == 0 && monotonicNanos() &- start > limit { break }
        }
        while !(try! ring.write(typeId: endTypeIdBase &+ typeId, source: source, length: 8)) { baton_cpu_pause() }
    }

    /// Per-producer expected sequences and counters of a consumer loop.
    struct ConsumerState {
        var next: (UInt64, UInt64) = (0, 0)
        var ended = 0
        var failed = false

        @inline(__always)
        mutating func accept(typeId: Int32, payload: UnsafeMutableRawPointer) {
            if typeId >= RingThroughput.endTypeIdBase {
                ended &+= 1
                return
            }
            let sequence = payload.load(as: UInt64.self)
            if typeId == 1 {
                if sequence != next.0 { failed = true }
                next.0 &+= 1
            } else {
                if sequence != next.1 { failed = true }
                next.1 &+= 1
            }
        }
    }

    static func consumerFinish(_ shared: Shared, messages: Int, producers: Int, failed: Bool) {
        shared.endNanos.store(monotonicNanos(), ordering: .releasing)
        shared.messages.store(messages &- producers, ordering: .releasing)
        shared.failure.store(failed, ordering: .releasing)
    }

    static func consumeOneToOne(ring: OneToOneRingBuffer, producers: Int, shared: Shared) {
        var state = ConsumerState()
        var messages = 0
        shared.startNanos.store(monotonicNanos(), ordering: .releasing)
        shared.go.store(true, ordering: .releasing)
        while state.ended < producers {
            let count = ring.read(limit: readLimit) { typeId, payload, _ in state.accept(typeId: typeId, payload: payload) }
            if count == 0 { baton_cpu_pause() } else { messages &+= count }
        }
        consumerFinish(shared, messages: messages, producers: producers, failed: state.failed)
    }

    static func consumeManyToOne(ring: ManyToOneRingBuffer, producers: Int, shared: Shared) {
        var state = ConsumerState()
        var messages = 0
        shared.startNanos.store(monotonicNanos(), ordering: .releasing)
        shared.go.store(true, ordering: .releasing)
        while state.ended < producers {
            let count = ring.read(limit: readLimit) { typeId, payload, _ in state.accept(typeId: typeId, payload: payload) }
            if count == 0 { baton_cpu_pause() } else { messages &+= count }
        }
        consumerFinish(shared, messages: messages, producers: producers, failed: state.failed)
    }
}
