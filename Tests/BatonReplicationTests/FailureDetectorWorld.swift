import BatonReplication
import BatonTestSupport

/// A seeded little world for `FailureDetector`: members with ids 1...n, each
/// running a detector, over an in-test network with a loss rate per directed
/// link and a latency of 1–3 ms per datagram (so datagrams reorder). Time is
/// simulated in 1 ms steps: a step delivers the datagrams due, then ticks
/// every running member. Members do what the actions say: Probe, answer
/// Probes, ask helpers, probe for requesters, relay answers. There is no
/// other chain traffic: every sign of life is a probe exchange, the least a
/// real member hears. A stopped member neither sends, receives nor ticks.
///
/// Invariant: `now` only grows; a datagram lands 1–3 steps after it was sent.
/// Loops are index loops: a `for` over an array is slow in a debug build.
/// Threading: one test's thread.
struct FailureDetectorWorld {
    enum Message {
        case probe
        case probeAnswer
        case indirectRequest(target: UInt32)
        case indirectAnswer(target: UInt32)
    }

    struct Datagram {
        var from: Int
        var to: Int
        var message: Message
    }

    /// Something a member's detector announced, and when.
    struct Event {
        var at: Int64
        var observer: UInt32
        var action: FailureDetectorAction
    }

    static let ms: Int64 = 1_000_000
    static let maximumLatencySteps = 3

    let ids: [UInt32]
    private(set) var detectors: [FailureDetector]
    /// Loss rate per directed link, `from * n + to` (flat: debug builds are slow with nested arrays).
    private var dropRates: [Double]
    /// False: the member is stopped (crashed).
    var running: [Bool]
    private(set) var now: Int64 = 0
    /// State changes (suspected, confirmed failed, recovered) in order.
    private(set) var events: [Event] = []
    private(set) var datagramsSent = 0
    private(set) var confirmationCount = 0
    private var random: SplitMix64
    /// Datagrams in flight, by the step they land in: a ring of 4 steps of
    /// `slotCapacity` datagrams each, `landing[slot]` of them used.
    private var wheel: [Datagram]
    private var landing: [Int]
    private static let slots = maximumLatencySteps + 1
    private static let slotCapacity = 4_096
    private var actions = FailureDetectorActions()
    private var relays = FailureDetectorActions()

    init(members: Int, configuration: FailureDetectorConfiguration, seed: UInt64, backgroundLoss: Double) {
        ids = (1...members).map { UInt32($0) }
        let ids = ids
        detectors = ids.map { FailureDetector(nodeId: $0, members: ids, configuration: configuration, now: 0) }
        dropRates = Array(repeating: backgroundLoss, count: members * members)
        running = Array(repeating: true, count: members)
        random = SplitMix64(seed: seed)
        wheel = Array(repeating: Datagram(from: 0, to: 0, message: .probe), count: Self.slots * Self.slotCapacity)
        landing = Array(repeating: 0, count: Self.slots)
    }

    /// A uniform draw from the world's generator (for scenario choices).
    mutating func draw(below bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    mutating func unit() -> Double { random.unit() }

    /// Sets the loss rate of the directed link `from` → `to` (indexes).
    mutating func setDropRate(from: Int, to: Int, _ rate: Double) { dropRates[from * ids.count + to] = rate }

    /// Cuts `member` off from every other member, both ways (`rate` 1), or restores links at `rate`.
    mutating func isolate(_ member: Int, rate: Double = 1) {
        for other in ids.indices where other != member {
            setDropRate(from: member, to: other, rate)
            setDropRate(from: other, to: member, rate)
        }
    }

    /// Runs whole steps until `now` reaches `end` (nanoseconds), or until
    /// someone confirms a failure when `stopAtConfirmation`.
    mutating func run(until end: Int64, stopAtConfirmation: Bool = false) {
        while now < end {
            step()
            if stopAtConfirmation && confirmationCount > 0 { return }
        }
    }

    /// One 1 ms step: deliver what lands now, then tick every running member.
    mutating func step() {
        now &+= Self.ms
        let slot = Int((now / Self.ms) % Int64(Self.slots))
        var index = 0
        while index < landing[slot] {
            let datagram = wheel[slot * Self.slotCapacity + index]
            index &+= 1
            if running[datagram.to] { deliver(datagram) }
        }
        landing[slot] = 0
        var member = 0
        while member < detectors.count {
            if running[member] && now >= detectors[member].nextDeadline {
                detectors[member].tick(now: now, into: &actions)
                var next = 0
                while next < actions.count {
                    perform(actions[next], by: member)
                    next &+= 1
                }
            }
            member &+= 1
        }
    }

    private mutating func deliver(_ datagram: Datagram) {
        let from = ids[datagram.from]
        let to = datagram.to
        switch datagram.message {
        case .probe:
            detectors[to].heard(from: from, now: now)
            send(.probeAnswer, from: to, to: datagram.from)
        case .probeAnswer:
            detectors[to].onProbeAnswer(from: from, now: now, into: &relays)
            var next = 0
            while next < relays.count {
                if case let .relayProbeAnswer(target, requester) = relays[next] {
                    send(.indirectAnswer(target: target), from: to, to: Int(requester) - 1)
                }
                next &+= 1
            }
        case let .indirectRequest(target):
            if detectors[to].onIndirectProbeRequest(about: target, from: from, now: now) {
                send(.probe, from: to, to: Int(target) - 1)
            }
        case let .indirectAnswer(target):
            detectors[to].heardIndirectly(about: target, via: from, now: now)
        }
    }

    private mutating func perform(_ action: FailureDetectorAction, by member: Int) {
        switch action {
        case let .probe(target):
            send(.probe, from: member, to: Int(target) - 1)
        case let .requestIndirectProbe(target, helper):
            send(.indirectRequest(target: target), from: member, to: Int(helper) - 1)
        case .relayProbeAnswer:
            preconditionFailure("tick does not relay")
        case .suspected, .confirmedFailed, .recovered:
            if case .confirmedFailed = action { confirmationCount &+= 1 }
            events.append(Event(at: now, observer: ids[member], action: action))
        }
    }

    private mutating func send(_ message: Message, from: Int, to: Int) {
        guard running[from] else { return }
        datagramsSent &+= 1
        let rate = dropRates[from * ids.count + to]
        if rate >= 1 || (rate > 0 && random.chance(rate)) { return }
        let latency = 1 &+ Int(random.next() % UInt64(Self.maximumLatencySteps))
        let slot = Int((now / Self.ms &+ Int64(latency)) % Int64(Self.slots))
        precondition(landing[slot] < Self.slotCapacity, "more than \(Self.slotCapacity) datagrams landing in one step")
        wheel[slot * Self.slotCapacity + landing[slot]] = Datagram(from: from, to: to, message: message)
        landing[slot] &+= 1
    }

    // MARK: - What happened

    /// The first time `observer` confirmed `target` failed (nil: never).
    func confirmation(by observer: UInt32, of target: UInt32) -> Int64? {
        events.first { $0.observer == observer && $0.action == .confirmedFailed(target) }?.at
    }

    /// Every confirmation of a failure, by anyone.
    var confirmations: [Event] {
        events.filter { if case .confirmedFailed = $0.action { true } else { false } }
    }

    var suspicionCount: Int {
        events.count { if case .suspected = $0.action { true } else { false } }
    }

    func detector(_ member: Int) -> FailureDetector { detectors[member] }
}
