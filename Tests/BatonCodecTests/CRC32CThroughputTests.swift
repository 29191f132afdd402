import BatonTestSupport
import BatonCodec
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// CRC32C throughput, printed, never asserted (timings do not belong in unit
/// tests). Runs only when asked, one case at a time:
/// `BATON_MEASURE=1 swift test -c release --filter CRC32CThroughput --no-parallel`
///
/// Prints two figures per size: bytes per second of wall-clock time, and
/// bytes per second of this thread's CPU time. On a shared machine the CPU
/// time figure is the one to quote: it leaves out the time the thread was
/// descheduled for other processes.
@Suite(.enabled(if: getenv("BATON_MEASURE") != nil), .serialized)
struct CRC32CThroughputTests {
    static func nanos(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func gigabytesPerSecond(_ bytes: Int, _ nanos: UInt64) -> Double {
        (Double(bytes) / Double(max(nanos, 1)) * 100).rounded() / 100
    }

    @Test(arguments: [64 * 1024, 4096, 1024, 256, 64])
    func throughput(bufferLength: Int) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferLength, alignment: 64)
        defer { buffer.deallocate() }
        var random = SplitMix64(seed: 1)
        random.fill(buffer)
        let base = UnsafeRawPointer(buffer.baseAddress!)
        let calls = max(1, 2_000_000_000 / bufferLength)
        var sink: UInt32 = 0
        for (name, software) in [("hardware", false), ("software", true)] {
            var bestWall = 0.0
            var bestCPU = 0.0
            for _ in 0..<5 {
                let rounds = software ? max(1, calls / 8) : calls
                let wallStart = Self.nanos(CLOCK_MONOTONIC)
                let cpuStart = Self.nanos(CLOCK_THREAD_CPUTIME_ID)
                for _ in 0..<rounds {
                    // Feed the previous result in so no call can be hoisted or skipped.
                    sink = software ? CRC32C.updateSoftware(sink, base, bufferLength)
                                    : CRC32C.update(sink, base, bufferLength)
                }
                let cpu = Self.nanos(CLOCK_THREAD_CPUTIME_ID) - cpuStart
                let wall = Self.nanos(CLOCK_MONOTONIC) - wallStart
                bestWall = max(bestWall, Self.gigabytesPerSecond(rounds * bufferLength, wall))
                bestCPU = max(bestCPU, Self.gigabytesPerSecond(rounds * bufferLength, cpu))
            }
            print("CRC32C \(name) \(bufferLength) B: \(bestCPU) GB/s per CPU second, \(bestWall) GB/s wall clock (best of 5; sink \(sink))")
        }
    }
}
