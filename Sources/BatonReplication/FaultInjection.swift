/// What `FaultInjectingTransport` does to the datagrams a member receives.
/// Rates are probabilities per datagram; one seed fixes every decision, so a
/// failing run replays the same drop/duplicate/reorder choices (thread timing
/// aside). Threading: a plain value.
public struct FaultInjection: Sendable, Equatable {
    public var seed: UInt64
    /// Probability a datagram is dropped.
    public var dropRate: Double = 0
    /// Probability a datagram is delivered twice.
    public var duplicateRate: Double = 0
    /// Probability a datagram is held back and delivered after 1...`reorderWindow` later ones.
    public var reorderRate: Double = 0
    public var reorderWindow: Int = 8
    /// When set, at most this many datagrams are taken from the socket per
    /// second (a slow member); the rest wait in — and overflow — the socket buffer.
    public var receiveDatagramsPerSecond: Int? = nil

    public init(seed: UInt64, dropRate: Double = 0, duplicateRate: Double = 0, reorderRate: Double = 0,
                reorderWindow: Int = 8, receiveDatagramsPerSecond: Int? = nil) {
        self.seed = seed
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        self.reorderRate = reorderRate
        self.reorderWindow = reorderWindow
        self.receiveDatagramsPerSecond = receiveDatagramsPerSecond
    }
}

/// SplitMix64: a small, fast, seedable generator for fault decisions.
struct FaultRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `rate`.
    mutating func chance(_ rate: Double) -> Bool {
        rate > 0 && Double(next() >> 11) * 0x1p-53 < rate
    }
}
