import BatonAgent
import BatonCodec
import BatonLog
import BatonNode
import BatonRing

/// A simulated member's delivery agent (in place of the TCP `DeliveryStage`):
/// one subscriber that replays the member's log from its start and follows
/// the commit position, reading with the production `LogReader` (log buffer,
/// then segment files) and handing every data frame to the checker. It
/// advances the execute position as the delivery stage does. A read that
/// fails part-way keeps what was delivered before the failure (a subscriber
/// is never given a frame twice) and throws (an agent error in the trace).
///
/// Threading: the simulation's thread (an agent of one member).
public final class SimulatedDelivery: Agent {
    public let roleName = "execute"
    private let member: Int
    private let clients: SimulatedClients
    private let reader: LogReader
    private let counters: NodeCounters
    private var next: Int64
    private let framesPerCycle: Int

    init(member: Int, clients: SimulatedClients, log: DurableLog, counters: NodeCounters, framesPerCycle: Int = 64) {
        self.member = member
        self.clients = clients
        self.reader = log.makeReader()
        self.counters = counters
        self.next = log.startPosition
        self.framesPerCycle = framesPerCycle
    }

    public func doWork() throws -> Int {
        let commit = counters.commitPosition.getAcquire()
        guard next < commit else { return 0 }
        var delivered = 0
        var deliveredEnd = next
        let checker = clients.checker
        let member = member
        let from = next
        defer {
            if deliveredEnd > from {
                clients.trace.record(.delivered(member: member, from: from, to: deliveredEnd, frames: delivered))
                next = deliveredEnd
                counters.executePosition.setRelease(deliveredEnd)
            }
        }
        let end = try reader.forEachFrame(from: next, upTo: commit, maximumFrames: framesPerCycle) { frame in
            delivered += 1
            let frameEnd = frame.position + Int64(frame.alignedLength)
            let payload = UnsafeRawBufferPointer(start: frame.payload, count: frame.payloadLength)
            checker.delivered(by: member, position: frame.position, producerId: frame.producerId, sequence: frame.sequence,
                              payload: payload, commit: commit, frameEnd: frameEnd)
            deliveredEnd = frameEnd
        }
        // Padding frames after the last data frame are passed over too.
        deliveredEnd = max(deliveredEnd, end)
        return deliveredEnd > from ? delivered + 1 : 0
    }
}
