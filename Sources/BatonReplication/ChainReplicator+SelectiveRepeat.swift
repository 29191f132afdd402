import BatonLog
import BatonNet
import BatonProtocol

/// Selective repeat between neighbours. The follower keeps Data that arrives
/// past a gap in its log buffer at its position (`ByteRanges` `ahead`) and
/// Naks each hole between what it holds; the sender resends just those byte
/// ranges, read from its durable log (`LogReader.readDurableBytes`, any
/// position), before any new data. Go-back-N (`resend`) remains for a
/// successor that joined, went back, stalled, or Nak'd more holes than
/// `requested` can hold.
extension ChainReplicator {
    /// Once `GapDetector` says a Nak is due: one Nak per hole that is due
    /// (`position` the hole's first byte, `length` its size) — between the
    /// received position and the first range held, between held ranges
    /// (`ByteRanges.holeDue`: the range above seen a Nak delay ago, or the
    /// hole's own wait over since it was last asked for), and past the last
    /// one up to what the predecessor said it sent (on the detector's timing).
    func requestMissing(now: Int64) -> Int {
        guard let predecessor, gaps.nakDue(received: receivedBytes, now: now) else { return 0 }
        let destination = predecessor.replicationAddress
        let delay = gaps.nakDelayNanos
        var naks = 0
        var from = receivedBytes
        var index = 0
        while index <= ahead.count {
            let below = index < ahead.count
            let to = below ? ahead.start(index) : gaps.gapEnd
            if to > from && (!below || ahead.holeDue(below: index, now: now, delay: delay)) {
                guard let nak = outbox.begin(ReplicationNak.self, to: destination) else { break }
                nak.position = from
                nak.length = to &- from
                naks += 1
                if below {
                    let timeout = ahead.repairTimeoutNanos
                    ahead.holeAsked(below: index, now: now,
                                    firstWait: timeout == 0 ? gaps.maximumBackoffNanos : max(4 &* delay, timeout),
                                    maximumWait: max(gaps.maximumBackoffNanos, 4 &* timeout))
                }
            }
            if below { from = max(from, ahead.end(index)) }
            index += 1
        }
        if naks > 0 { counters.naksSent.addRelease(Int64(naks)) }
        gaps.nakSent(now: now)
        return naks
    }

    /// A Nak for the hole `[position, position + length)`: queued for
    /// `repair` (served before a go-back-N resend under way, whose window
    /// the hole may be holding shut) unless that resend is yet to reach it;
    /// go-back-N from the successor's received position when the queue is full.
    func onNak(_ nak: ReplicationNak, now: Int64) {
        counters.naksReceived.addRelease(1)
        let start = max(nak.position, log.startPosition)
        let end = min(nak.position &+ max(0, nak.length), sender.stagedPosition)
        guard start < end else { return }
        if resender.isActive && start >= resender.position { return }
        request(start: start, end: end, now: now, else: .nak)
    }

    /// The successor has shown no progress for four heartbeat intervals with
    /// data outstanding: resend the first datagram's worth past its received
    /// position (a probe — a successor that lacks more learns how much from
    /// what it holds past its gap and from Heartbeats, and Naks the holes),
    /// rather than everything staged since: a successor that is only slow
    /// (a busy machine) would take the whole window again.
    func probeStalledSuccessor(now: Int64) {
        let start = max(sender.received, log.startPosition)
        let end = min(sender.stagedPosition, start &+ Int64(dataBytesMax))
        guard start < end else { return }
        request(start: start, end: end, now: now, else: .timeout)
    }

    /// Queues `[start, end)` for `repair`; when `requested` is full, goes back
    /// to the successor's received position instead (`reason`).
    private func request(start: Int64, end: Int64, now: Int64, else reason: ResendReason) {
        guard requested.canInsert(start: start, end: end) else {
            startResend(from: sender.received, reason: reason)
            return
        }
        requested.insert(start: start, end: end, now: now)
        counters.retransmits.addRelease(1)
    }

    /// Resends the front of `requested`: each hole's durable bytes, as they
    /// are, in Data datagrams. A hole that is not (or no longer) durable
    /// here — a truncation, a log start moved past it — falls back to
    /// go-back-N from the successor's received position.
    func repair(to destination: IPv4SocketAddress) -> Int {
        var datagrams = 0
        while !requested.isEmpty && outbox.hasRoom(reserving: 1) {
            let start = requested.start(0)
            let end = requested.end(0)
            if !repairer.isActive || repairer.position != start || repairer.rawEnd != end {
                guard outbox.pendingCount == 0 else { break }
                repairer.start(at: start, rawUpTo: end)
            }
            let staged = stage(repairer, to: destination, limit: end, purpose: "resending a hole")
            let reached = repairer.isActive ? repairer.position : start
            if reached == start {
                // Nothing readable (not durable, below the start, a read error): go back instead.
                if staged == 0 && outbox.pendingCount == 0 {
                    requested.removeAll()
                    repairer.stop()
                    startResend(from: sender.received, reason: .nak)
                }
                break
            }
            datagrams += staged
            counters.retransmittedBytes.addRelease(reached &- start)
            counters.repairedBytes.addRelease(reached &- start)
            requested.trimFront(to: reached)
            if reached >= end { repairer.stop() }
        }
        return datagrams
    }
}
