#if canImport(Glibc)
import Glibc
#endif

/// The counts-array index arithmetic every HdrHistogram implementation
/// shares (Java, C, Python, hdrhistogram-swift), derived from a histogram's
/// lowest discernible value and significant digits alone. The V2 encoding
/// names counts by index, so the encoder and decoder need it; the
/// hdrhistogram-swift `Histogram` keeps its own copy internal.
///
/// Invariant: `value(atIndex: countsIndex(for: v))` is the lowest value
/// equivalent to `v` in a `Histogram` of the same layout (a test checks this
/// against the library). A plain value: `Sendable`.
public struct HistogramLayout: Equatable, Sendable {
    public let lowestDiscernibleValue: UInt64
    public let significantDigits: Int
    /// Largest k with 2^k <= lowestDiscernibleValue (as the references compute it: log2, truncated).
    let unitMagnitude: Int
    let subBucketHalfCountMagnitude: Int
    let subBucketHalfCount: Int
    let subBucketMask: UInt64
    let leadingZeroCountBase: Int

    public init(lowestDiscernibleValue: UInt64, significantDigits: Int) {
        precondition(lowestDiscernibleValue >= 1 && (0...5).contains(significantDigits),
                     "a histogram layout needs lowestDiscernibleValue >= 1 and 0 to 5 significant digits")
        self.lowestDiscernibleValue = lowestDiscernibleValue
        self.significantDigits = significantDigits
        var largestWithUnitResolution: Double = 2
        for _ in 0..<significantDigits { largestWithUnitResolution *= 10 }
        unitMagnitude = Int(log2(Double(lowestDiscernibleValue)))
        let subBucketCountMagnitude = Int(log2(largestWithUnitResolution).rounded(.up))
        subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
        subBucketHalfCount = 1 << subBucketHalfCountMagnitude
        subBucketMask = UInt64((1 << subBucketCountMagnitude) - 1) << UInt64(unitMagnitude)
        leadingZeroCountBase = 64 - unitMagnitude - subBucketCountMagnitude
    }

    /// The index of the count that holds `value`.
    @inline(__always)
    public func countsIndex(for value: UInt64) -> Int {
        let bucketIndex = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucketIndex = Int(truncatingIfNeeded: value >> UInt64(bucketIndex + unitMagnitude))
        return ((bucketIndex + 1) << subBucketHalfCountMagnitude) + (subBucketIndex - subBucketHalfCount)
    }

    /// The lowest value the count at `index` holds.
    @inline(__always)
    public func value(atIndex index: Int) -> UInt64 {
        var bucketIndex = (index >> subBucketHalfCountMagnitude) - 1
        var subBucketIndex = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucketIndex < 0 {
            subBucketIndex -= subBucketHalfCount
            bucketIndex = 0
        }
        return UInt64(subBucketIndex) << UInt64(bucketIndex + unitMagnitude)
    }
}
