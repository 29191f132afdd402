/// The record of a run: a running hash over every event (two runs of one
/// seed must end with the same hash), the last events of each member (shown
/// when the seed fails), and, when asked, every event with its time.
///
/// Invariant: `hash` covers every recorded event in order.
/// Threading: the simulation's thread.
public final class SimulationTrace {
    private let time: SimulationTime
    public private(set) var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    public private(set) var count = 0
    private let keepsAll: Bool
    public private(set) var all: [(Int64, SimulationEvent)] = []
    private var recent: [[(Int64, SimulationEvent)]]
    private var recentGlobal: [(Int64, SimulationEvent)] = []
    private let recentLimit = 12

    public init(time: SimulationTime, members: Int, keepsAll: Bool) {
        self.time = time
        self.keepsAll = keepsAll
        recent = Array(repeating: [], count: members)
    }

    public func record(_ event: SimulationEvent) {
        count += 1
        let now = time.now
        mix(UInt64(bitPattern: now))
        mixText(event)
        if keepsAll { all.append((now, event)) }
        if let member = event.member, member < recent.count {
            recent[member].append((now, event))
            if recent[member].count > 2 * recentLimit { recent[member].removeFirst(recent[member].count - recentLimit) }
        } else {
            recentGlobal.append((now, event))
            if recentGlobal.count > 2 * recentLimit { recentGlobal.removeFirst(recentGlobal.count - recentLimit) }
        }
    }

    /// The last events of `member` (or of the whole cluster for nil), oldest first.
    public func lastEvents(member: Int?, limit: Int = 12) -> [(Int64, SimulationEvent)] {
        let list = member.map { recent[$0] } ?? recentGlobal
        return Array(list.suffix(limit))
    }

    /// Mixes a number that belongs to the run's outcome (a final position) into the hash.
    public func mix(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            hash ^= v & 0xFF
            hash &*= 0x100_0000_01B3
            v >>= 8
        }
    }

    private func mixText(_ event: SimulationEvent) {
        switch event {
        case let .acked(m, p, s, end):
            mix(1); mix(UInt64(m)); mix(p); mix(s); mix(UInt64(bitPattern: end))
        case let .delivered(m, from, to, frames):
            mix(2); mix(UInt64(m)); mix(UInt64(bitPattern: from)); mix(UInt64(bitPattern: to)); mix(UInt64(frames))
        case let .committed(m, position):
            mix(3); mix(UInt64(m)); mix(UInt64(bitPattern: position))
        default:
            for byte in event.text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01B3
            }
        }
    }
}
