import BatonRing
import CBatonSys
import Synchronization
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Producers and a consumer on their own threads, every message carrying
/// (producer id, sequence) and a payload derived from both: the consumer
/// checks that, per producer, every sequence arrives exactly once, in order,
/// with its bytes intact. Messages per producer: `BATON_STRESS_MESSAGES`
/// (default 10,000,000). Every loop watches a 60 s deadline, so a lost
/// message fails the test instead of hanging it; no sleeps.
///
/// Producers mix the paths: two messages in three by `write`, one by
/// `tryClaim` + `commit`, and every 101st claim is first aborted once (the
/// aborted record must never reach the consumer).
final class RingBufferStressTests: XCTestCase {
    func testOneToOneStressTwoThreadsNothingLostDuplicatedOrReordered() {
        let cpus: (producers: [Int32], consumer: Int32) = canPinTwoCPUs() ? ([0], 1) : ([-1], -1)
        RingStress.run(OneToOneRingBuffer.self, producerCPUs: cpus.producers, consumerCPU: cpus.consumer)
    }

    func testManyToOneStressTwoProducersOneConsumerNothingLostDuplicatedOrReordered() {
        // The producers on different CPUs so their CASes really race; the
        // consumer shares a core with one of them (2-core machine).
        let cpus: (producers: [Int32], consumer: Int32) = canPinTwoCPUs() ? ([0, 1], -1) : ([-1, -1], -1)
        RingStress.run(ManyToOneRingBuffer.self, producerCPUs: cpus.producers, consumerCPU: cpus.consumer)
    }
}

enum RingStress {
    /// ~2,000 laps at the default count, and room enough that a time slice
    /// lost to another process on a shared 2-core box does not stall the test.
    static let ringCapacity = 256 * 1024
    static let deadlineSeconds = 60.0
    static let headerWords = 2  // producer id, sequence

    /// Payload length of message `sequence`: 16..68 bytes, so records of
    /// every alignment remainder occur and the wrap point keeps moving.
    @inline(__always)
    static func payloadLength(sequence: UInt64) -> Int {
        16 &+ Int(truncatingIfNeeded: sequence % 53)
    }

    /// The filler word at `offset` (a multiple of 8) of a message: distinct
    /// per producer, sequence and offset.
    @inline(__always)
    static func fillerWord(producer: UInt64, sequence: UInt64, offset: Int) -> UInt64 {
        (sequence &* 0x9E37_79B9_7F4A_7C15) ^ (producer &<< 56) ^ UInt64(truncatingIfNeeded: offset)
    }

    /// [producer][sequence][filler words...], the last word cut to the length.
    @inline(__always)
    static func fill(_ payload: UnsafeMutableRawPointer, producer: UInt64, sequence: UInt64, length: Int) {
        payload.storeBytes(of: producer, as: UInt64.self)
        payload.storeBytes(of: sequence, toByteOffset: 8, as: UInt64.self)
        var offset = 16
        while offset &+ 8 <= length {
            payload.storeBytes(of: fillerWord(producer: producer, sequence: sequence, offset: offset),
                               toByteOffset: offset, as: UInt64.self)
            offset &+= 8
        }
        var word = fillerWord(producer: producer, sequence: sequence, offset: offset)
        while offset < length {
            payload.storeBytes(of: UInt8(truncatingIfNeeded: word), toByteOffset: offset, as: UInt8.self)
            word &>>= 8
            offset &+= 1
        }
    }

    /// Offset of the first byte that differs from `fill`, or nil.
    @inline(__always)
    static func firstCorruptOffset(_ payload: UnsafeMutableRawPointer, producer: UInt64, sequence: UInt64,
                                   length: Int) -> Int? {
        var offset = 16
        while offset &+ 8 <= length {
            if payload.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != fillerWord(producer: producer, sequence: sequence, offset: offset) {
                return offset
            }
            offset &+= 8
        }
        var word = fillerWord(producer: producer, sequence: sequence, offset: offset)
        while offset < length {
            if payload.load(fromByteOffset: offset, as: UInt8.self) != UInt8(truncatingIfNeeded: word) {
                return offset
            }
            word &>>= 8
            offset &+= 1
        }
        return nil
    }

    static func run<R: TestRing>(_: R.Type, producerCPUs: [Int32], consumerCPU: Int32,
                                 file: StaticString = #filePath, line: UInt = #line) {
        let messagesPerProducer = stressMessageCount()
        let producerCount = producerCPUs.count
        precondition(producerCount == 1 || R.isMultiProducer, "\(R.self) takes one producer")
        let ring = R(capacity: ringCapacity)
        let outcome = SharedOutcome()
        let deadline = Deadline(seconds: deadlineSeconds)
        let started = monotonicNanos()

        var threads: [TestThread] = []
        let consumer = TestThread(name: "ring-consumer", cpu: consumerCPU) {
            let count = consume(ring: ring, producers: producerCount, messagesPerProducer: messagesPerProducer,
                                outcome: outcome, deadline: deadline)
            outcome.count.store(count, ordering: .releasing)
        }
        for (producer, cpu) in producerCPUs.enumerated() {
            threads.append(TestThread(name: "ring-producer-\(producer)", cpu: cpu) {
                produce(ring: ring, producer: UInt64(producer), messages: messagesPerProducer,
                        outcome: outcome, deadline: deadline)
            })
        }
        for thread in threads {
            thread.join()
        }
        consumer.join()

        let seconds = Double(monotonicNanos() - started) / 1e9
        let total = producerCount * messagesPerProducer
        XCTAssertNil(outcome.failure, "\(R.self): \(outcome.failure ?? "")", file: file, line: line)
        XCTAssertEqual(outcome.count.load(ordering: .acquiring), total, "\(R.self): messages delivered", file: file, line: line)
        XCTAssertEqual(ring.consumerPosition, ring.producerPosition, "\(R.self): drained", file: file, line: line)
        XCTAssertEqual(ring.size, 0, file: file, line: line)
        guard outcome.failure == nil else { return }
        print("\(R.self) stress: \(producerCount) producer(s) x \(messagesPerProducer) messages in "
              + "\(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", Double(total) / seconds / 1e6)) M msg/s, checked)")
    }

    static func produce<R: TestRing>(ring: R, producer: UInt64, messages: Int, outcome: SharedOutcome, deadline: Deadline) {
        let typeId = Int32(truncatingIfNeeded: producer) &+ 1
        let source = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 8)
        defer { source.deallocate() }
        var idle = SpinThenYield()
        var sequence: UInt64 = 0
        var abortedThisSequence = false
        var filledSequence = UInt64.max
        var attempts = 0
        while sequence < UInt64(messages) {
            attempts &+= 1
            if attempts & 1023 == 0 {
                if outcome.shouldStop { return }
                if deadline.hasPassed {
                    return outcome.fail("producer \(producer) timed out at sequence \(sequence) of \(messages)")
                }
            }
            let length = payloadLength(sequence: sequence)
            if sequence % 3 == 2 {
                guard let index = try! ring.tryClaim(typeId: typeId, length: length) else {
                    idle.idle()
                    continue
                }
                fill(ring.payloadPointer(at: index), producer: producer, sequence: sequence, length: length)
                if sequence % 101 == 5 && !abortedThisSequence {
                    ring.abort(index: index)
                    abortedThisSequence = true
                    continue
                }
                ring.commit(index: index)
            } else {
                if filledSequence != sequence {
                    fill(source, producer: producer, sequence: sequence, length: length)
                    filledSequence = sequence
                }
                guard try! ring.write(typeId: typeId, source: source, length: length) else {
                    idle.idle()
                    continue
                }
            }
            sequence &+= 1
            abortedThisSequence = false
            idle.reset()
        }
    }

    /// Returns the number of messages delivered and checked.
    static func consume<R: TestRing>(ring: R, producers: Int, messagesPerProducer: Int,
                                     outcome: SharedOutcome, deadline: Deadline) -> Int {
        var expected = [UInt64](repeating: 0, count: producers)
        let total = producers * messagesPerProducer
        var delivered = 0
        var failure: String?
        var idle = SpinThenYield()
        var polls = 0
        while delivered < total {
            polls &+= 1
            if polls & 1023 == 0 {
                if outcome.shouldStop { return delivered }
                if deadline.hasPassed {
                    outcome.fail("consumer timed out with \(delivered) of \(total) messages; next sequences \(expected)")
                    return delivered
                }
            }
            let count = ring.read(limit: 256) { typeId, payload, length in
                guard failure == nil else { return }
                failure = check(typeId: typeId, payload: payload, length: length, expected: &expected,
                                producers: producers, messagesPerProducer: messagesPerProducer)
            }
            if let failure {
                outcome.fail(failure)
                return delivered
            }
            if count == 0 {
                idle.idle()
            } else {
                idle.reset()
                delivered &+= count
            }
        }
        // Nothing beyond the expected messages (no duplicates at the end).
        let extra = ring.read(limit: .max) { _, _, _ in }
        if extra != 0 {
            outcome.fail("consumer read \(extra) messages more than were written")
        }
        return delivered
    }

    @inline(__always)
    static func check(typeId: Int32, payload: UnsafeMutableRawPointer, length: Int, expected: inout [UInt64],
                      producers: Int, messagesPerProducer: Int) -> String? {
        guard length >= 16 else { return "short message: \(length) bytes" }
        let producer = payload.load(as: UInt64.self)
        let sequence = payload.load(fromByteOffset: 8, as: UInt64.self)
        guard producer < UInt64(producers) else { return "unknown producer id \(producer)" }
        let index = Int(producer)
        guard typeId == Int32(index) &+ 1 else { return "producer \(producer): type id \(typeId)" }
        guard sequence == expected[index] else {
            let kind = sequence < expected[index] ? "duplicate or reordered" : "lost"
            return "producer \(producer): got sequence \(sequence), expected \(expected[index]) (\(kind))"
        }
        guard sequence < UInt64(messagesPerProducer) else { return "producer \(producer): sequence \(sequence) beyond the end" }
        guard length == payloadLength(sequence: sequence) else {
            return "producer \(producer) sequence \(sequence): length \(length), expected \(payloadLength(sequence: sequence))"
        }
        if let offset = firstCorruptOffset(payload, producer: producer, sequence: sequence, length: length) {
            return "producer \(producer) sequence \(sequence): corrupt payload at offset \(offset)"
        }
        expected[index] &+= 1
        return nil
    }
}
