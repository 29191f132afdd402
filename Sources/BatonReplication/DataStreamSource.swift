/// Which stream of Data a follower takes: the member it takes Data from (its
/// predecessor, or the successor a restarted head takes its log back from)
/// and that member's incarnation (`ReplicationData.senderIncarnation`), with
/// up to four of its earlier incarnations, whose Data arriving late is stale.
/// A new incarnation, or another member, means another stream: a restarted
/// member may lay different frames at positions the follower holds past a
/// gap (seed 933), so the follower forgets what it holds (`.switched`).
///
/// Invariant: `incarnation == 0` only before the first Data; the retired
/// incarnations are earlier ones of `node`. Threading: owned by one
/// replicator; its thread only. No storage beyond the value itself.
public struct DataStreamSource: Sendable {
    /// What `take` decided for one datagram.
    public enum Decision: Sendable, Equatable {
        /// The stream it takes already.
        case same
        /// From an incarnation that has been replaced: drop it.
        case stale
        /// A new stream; `forget` is true when another came before it (what is held is from that one).
        case switched(forget: Bool)
    }

    public private(set) var node: UInt32 = 0
    public private(set) var incarnation: Int64 = 0
    private var retired: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
    private var retiredNext = 0

    public init() {}

    /// Data from `sender`'s incarnation `senderIncarnation` arrived.
    @inline(__always)
    public mutating func take(from sender: UInt32, incarnation senderIncarnation: Int64) -> Decision {
        if sender == node && senderIncarnation == incarnation { return .same }
        if sender == node {
            if senderIncarnation != 0 && isRetired(senderIncarnation) { return .stale }
            retire(incarnation)
        } else {
            retired = (0, 0, 0, 0)
            retiredNext = 0
        }
        let forget = incarnation != 0
        node = sender
        incarnation = senderIncarnation
        return .switched(forget: forget)
    }

    private func isRetired(_ value: Int64) -> Bool {
        value == retired.0 || value == retired.1 || value == retired.2 || value == retired.3
    }

    private mutating func retire(_ value: Int64) {
        guard value != 0 else { return }
        switch retiredNext {
        case 0: retired.0 = value
        case 1: retired.1 = value
        case 2: retired.2 = value
        default: retired.3 = value
        }
        retiredNext = (retiredNext + 1) & 3
    }
}
