import Histogram

/// Where one message's time goes between stages of a pipeline whose stages
/// publish positions (a chain: the head's appended and durable positions,
/// each follower's received and durable ones, the commit, the ack), measured
/// from outside by polling those positions: a sample starts at the first
/// stage's position when it is seen to move, and records when each later
/// stage is first seen at or past it. One sample is in flight at a time; the
/// next starts at the first stage's position when this one has reached the
/// last stage. Each hop (stage h to h + 1) and the whole path go into
/// histograms of the harness's layout (`LatencyHistograms.makeHistogram`,
/// reported with `LatencyTable`). A hop is never negative: a stage not yet
/// seen when a later one was (the poll read it just before it moved) counts
/// as reached with the later one. The resolution is the polling interval.
/// Time is passed in; nothing here reads a clock or a counter.
///
/// Invariant: `reached[0] > 0` while a sample is in flight; every hop
/// histogram and `total` hold one value per finished sample.
/// Threading: one thread (the poller's).
public struct HopSampler {
    public let stageCount: Int
    /// The position the sample in flight follows (-1: none).
    public private(set) var position: Int64 = -1
    private var lastStarted: Int64 = -1
    private var reached: [Int64]
    /// Per hop (stage h to h + 1), the finished samples' durations in nanoseconds.
    public private(set) var hops: [Histogram<UInt64>]
    /// First stage to last, per finished sample.
    public private(set) var total = LatencyHistograms.makeHistogram()
    /// Values past the histograms' range, recorded at its top.
    public private(set) var clamped: Int64 = 0

    public init(stageCount: Int) {
        precondition(stageCount >= 2, "a hop needs two stages, not \(stageCount)")
        self.stageCount = stageCount
        reached = Array(repeating: 0, count: stageCount)
        hops = (1..<stageCount).map { _ in LatencyHistograms.makeHistogram() }
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
        var stage = stageCount - 2
        while stage > 0 {
            if reached[stage] == 0 || reached[stage] > reached[stage + 1] { reached[stage] = reached[stage + 1] }
            stage -= 1
        }
        var previous = reached[0]
        for stage in 1..<stageCount {
            let at = max(reached[stage], previous)
            OpenLoopCompletions.record(at - previous, into: &hops[stage - 1], clamped: &clamped)
            previous = at
        }
        OpenLoopCompletions.record(previous - reached[0], into: &total, clamped: &clamped)
        position = -1
    }
}
