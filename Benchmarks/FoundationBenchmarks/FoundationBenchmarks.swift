import Benchmark
import BatonCodec

let benchmarks: @Sendable () -> Void = {
    Benchmark("CRC32C 64 KiB (hardware)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one)) { benchmark in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 64)
        defer { buffer.deallocate() }
        for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
        var crc: UInt32 = 0
        for _ in benchmark.scaledIterations {
            crc = CRC32C.update(crc, buffer.baseAddress!, buffer.count)
        }
        blackHole(crc)
    }
}
