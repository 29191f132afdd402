/// Where one message's time goes between stages of a pipeline whose stages
/// publish positions (a chain: the head's appended and durable positions,
/// each follower's received and durable ones, the commit, the ack), measured
/// from outside by polling those positions: a sample starts at the first
/// stage's position when it is seen to move, and records when each later
/// stage is first seen at or past it. One sample is in flight at a time; the
/// next starts at the first stage's position when this one has reached the
/// last stage. Durations are between consecutive stages (never negative: a
/// stage seen in the same poll as the one before it counts 0; one not seen
/// before a later one was, the later one's time). The
/// resolution is the polling interval. Time is passed in; nothing here reads
/// a clock or a counter.
///
/// Invariant: `reached[0] > 0` while a sample is in flight; `durations[h]`
/// has one entry per finished sample for each hop `h`.
/// Threading: one thread (the poller's).
public struct HopSampler: Sendable {
    public let stageCount: Int
    /// The position the sample in flight follows (-1: none).
    public private(set) var position: Int64 = -1
    private var lastStarted: Int64 = -1
    private var reached: [Int64]
    /// Per hop (stage h to h + 1), the durations of the finished samples, in nanoseconds.
    public private(set) var durations: [[Int64]]
    /// First stage to last, per finished sample.
    public private(set) var totals: [Int64] = []

    public init(stageCount: Int) {
        precondition(stageCount >= 2, "a hop needs two stages, not \(stageCount)")
        self.stageCount = stageCount
        reached = Array(repeating: 0, count: stageCount)
        durations = Array(repeating: [], count: stageCount - 1)
    }

    /// The stages' positions as polled at `now` (`positions[0]` the first stage's).
    public mutating func observe(_ positions: [Int64], now: Int64) {
        precondition(positions.count == stageCount, "\(positions.count) positions for \(stageCount) stages")
        if position < 0 {
            guard positions[0] > lastStarted, positions[0] > 0 else { return }
            position = positions[0]
            lastStarted = position
            for stage in 0..<stageCount { reached[stage] = 0 }
            reached[0] = now
            return
        }
        for stage in 1..<stageCount where reached[stage] == 0 && positions[stage] >= position {
            reached[stage] = now
        }
        guard reached[stageCount - 1] != 0 else { return }
        // Each stage waits for the one before it: a stage not yet seen when a later one was
        // (the poll read it just before it moved) was reached by the later one's time.
        var stage = stageCount - 2
        while stage > 0 {
            if reached[stage] == 0 || reached[stage] > reached[stage + 1] { reached[stage] = reached[stage + 1] }
            stage -= 1
        }
        var previous = reached[0]
        for stage in 1..<stageCount {
            let at = max(reached[stage], previous)
            durations[stage - 1].append(at - previous)
            previous = at
        }
        totals.append(previous - reached[0])
        position = -1
    }

    /// The `quantile` (0...1) of `values` (sorted here), or 0 when empty.
    public static func quantile(_ values: [Int64], _ quantile: Double) -> Int64 {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count) * quantile).rounded(.up)) - 1))
        return sorted[index]
    }
}
