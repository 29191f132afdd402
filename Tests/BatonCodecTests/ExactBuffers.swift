#if canImport(Glibc)
import BatonTestSupport
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exactly sized heap buffer (so an overrun is caught by AddressSanitizer),
/// freed when the body returns.
func withExactBuffer<R>(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    let base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 1)
    defer { base.deallocate() }
    return try body(UnsafeMutableRawBufferPointer(start: count == 0 ? nil : base, count: count))
}
