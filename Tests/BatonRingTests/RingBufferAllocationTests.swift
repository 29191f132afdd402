import BatonRing
import CMallocCounter
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// "The hot path allocates 0 times" as a test: 1,000,000 writes + reads (and
/// claims + commits/aborts) on one thread, counted by the malloc interposer
/// for the calling thread only. Warmed up first; closures are non-escaping.
final class RingBufferAllocationTests: XCTestCase {
    static let iterations = 1_000_000

    func testOneToOneWriteAndReadDoNotAllocate() throws {
        try assertNoAllocations(OneToOneRingBuffer.self, path: .write)
    }

    func testOneToOneClaimCommitAbortAndReadDoNotAllocate() throws {
        try assertNoAllocations(OneToOneRingBuffer.self, path: .claim)
    }

    func testManyToOneWriteAndReadDoNotAllocate() throws {
        try assertNoAllocations(ManyToOneRingBuffer.self, path: .write)
    }

    func testManyToOneClaimCommitAbortAndReadDoNotAllocate() throws {
        try assertNoAllocations(ManyToOneRingBuffer.self, path: .claim)
    }

    enum Path { case write, claim }

    func assertNoAllocations<R: TestRing>(_: R.Type, path: Path, file: StaticString = #filePath, line: UInt = #line) throws {
        let ring = R(capacity: 64 * 1024)
        let source = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { source.deallocate() }
        source.initializeMemory(as: UInt8.self, repeating: 1, count: 64)

        // Warm up (first-use lazy initialisation, if any, is not the hot path).
        var checksum = Self.cycle(ring: ring, source: source, path: path, iterations: 10_000)
        if baton_malloc_counter_active() == 0 && isSanitizerBuild() {
            // The sanitizer owns malloc: CMallocCounter cannot interpose (and TSan allocates anyway).
            throw XCTSkip("allocation counting is off in a sanitizer build")
        }
        XCTAssertEqual(baton_malloc_counter_active(), 1, "the malloc interposer is linked", file: file, line: line)
        let probe = baton_malloc_count_thread()
        UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8).deallocate()  // not elidable, unlike malloc+free
        XCTAssertEqual(baton_malloc_count_thread() &- probe, 1, "the counter sees this thread's mallocs", file: file, line: line)

        let before = baton_malloc_count_thread()
        checksum &+= Self.cycle(ring: ring, source: source, path: path, iterations: Self.iterations)
        let allocations = baton_malloc_count_thread() &- before

        XCTAssertEqual(allocations, 0, "\(R.self) \(path): \(allocations) allocations in \(Self.iterations) iterations",
                       file: file, line: line)
        XCTAssertNotEqual(checksum, 0, "the payloads were read", file: file, line: line)
        XCTAssertEqual(ring.consumerPosition, ring.producerPosition, file: file, line: line)
    }

    /// True in a `--sanitize=thread|address` build: the runtime's entry point is linked in.
    func isSanitizerBuild() -> Bool {
        guard let process = dlopen(nil, RTLD_NOW) else { return false }
        defer { dlclose(process) }
        return dlsym(process, "__tsan_init") != nil || dlsym(process, "__asan_init") != nil
    }

    /// Per iteration: two messages in (write or claim + commit, and one more
    /// claim that is aborted on odd iterations), then a batch read. Every
    /// 64th iteration the ring is left holding its messages to build a
    /// backlog, read in one larger batch, so batches of several sizes and the
    /// wrap with padding are all on the measured path.
    static func cycle<R: TestRing>(ring: R, source: UnsafeMutableRawPointer, path: Path, iterations: Int) -> UInt64 {
        var checksum: UInt64 = 0
        for iteration in 0..<iterations {
            let length = 8 &+ (iteration & 31)
            source.storeBytes(of: UInt64(truncatingIfNeeded: iteration), as: UInt64.self)
            switch path {
            case .write:
                precondition(try! ring.write(typeId: 1, source: source, length: length))
                precondition(try! ring.write(typeId: 2, source: source, length: 64))
            case .claim:
                let first = try! ring.tryClaim(typeId: 1, length: length)!
                ring.payloadPointer(at: first).storeBytes(of: UInt64(truncatingIfNeeded: iteration), as: UInt64.self)
                ring.commit(index: first)
                let second = try! ring.tryClaim(typeId: 2, length: 64)!
                ring.payloadPointer(at: second).copyMemory(from: source, byteCount: 64)
                if iteration & 1 == 0 {
                    ring.commit(index: second)
                } else {
                    ring.abort(index: second)
                }
            }
            if iteration & 63 != 63 {
                _ = ring.read(limit: 1024) { typeId, payload, length in
                    checksum &+= payload.load(as: UInt64.self) &+ UInt64(truncatingIfNeeded: typeId) &+ UInt64(length)
                }
            }
        }
        _ = ring.read(limit: .max) { _, payload, _ in
            checksum &+= payload.load(as: UInt64.self)
        }
        return checksum
    }
}
