import BatonNode
import XCTest

/// The session table on its own: no sockets, no threads, no clock. Slots,
/// the free list, generation-tagged tokens, lifecycle moves, and the
/// invariant check catching planted bad states.
final class SessionTableTests: XCTestCase {
    private func makeTable(capacity: Int = 4, preallocated: Int = 4) -> SessionTable<ClientSession> {
        SessionTable(capacity: capacity, preallocated: preallocated) { ClientSession(slot: $0) }
    }

    private func acquire(_ table: SessionTable<ClientSession>, as lifecycle: SessionLifecycle = .awaitingHello) -> ClientSession? {
        table.acquire(as: lifecycle) { ClientSession(slot: $0) }
    }

    func testTokenPacksSlotAndGeneration() {
        let token = SessionToken(slot: 7, generation: 3)
        XCTAssertEqual(token.slot, 7)
        XCTAssertEqual(token.generation, 3)
        XCTAssertEqual(token.rawValue, 3 << 32 | 7)
        XCTAssertNotEqual(token, .none)
        XCTAssertNotEqual(token, .listener)
    }

    func testSlotsAreTakenFromZeroUpAndRefusedWhenFull() throws {
        let table = makeTable(capacity: 3, preallocated: 3)
        XCTAssertEqual(table.freeCount, 3)
        let sessions = try (0..<3).map { _ in try XCTUnwrap(acquire(table)) }
        XCTAssertEqual(sessions.map(\.slot), [0, 1, 2])
        XCTAssertEqual(sessions.map(\.token.generation), [1, 2, 3])
        XCTAssertTrue(sessions.allSatisfy { $0.lifecycle == .awaitingHello })
        XCTAssertEqual(table.freeCount, 0)
        XCTAssertNil(acquire(table), "a full table refuses")
        XCTAssertNil(table.invariantViolation())
    }

    func testReleasedSlotIsReusedLastInFirstOutWithANewGeneration() throws {
        let table = makeTable()
        let first = try XCTUnwrap(acquire(table))
        let second = try XCTUnwrap(acquire(table))
        table.release(first)
        table.release(second)
        XCTAssertEqual(first.lifecycle, .free)
        XCTAssertEqual(first.token, .none)
        XCTAssertEqual(table.freeCount, 4)
        let reused = try XCTUnwrap(acquire(table))
        XCTAssertTrue(reused === second, "the slot freed last is taken first")
        XCTAssertEqual(reused.token.slot, second.slot)
        XCTAssertEqual(reused.token.generation, 3)
        XCTAssertNil(table.invariantViolation())
    }

    func testStaleTokenFindsNothing() throws {
        let table = makeTable()
        let session = try XCTUnwrap(acquire(table))
        let stale = session.token
        XCTAssertTrue(table.session(for: stale) === session)
        table.release(session)
        XCTAssertNil(table.session(for: stale), "a freed slot answers no token")
        let reused = try XCTUnwrap(acquire(table))
        XCTAssertTrue(reused === session, "same slot object")
        XCTAssertNil(table.session(for: stale), "the old generation does not reach the new session")
        XCTAssertTrue(table.session(for: reused.token) === reused)
        XCTAssertNil(table.session(for: .none))
        XCTAssertNil(table.session(for: .listener))
        XCTAssertNil(table.session(for: SessionToken(slot: 3, generation: reused.token.generation)), "a free slot")
    }

    func testTableGrowsOnDemandUpToCapacity() throws {
        let table = makeTable(capacity: 2, preallocated: 0)
        XCTAssertEqual(table.slotCount, 0)
        let first = try XCTUnwrap(acquire(table, as: .open))
        let second = try XCTUnwrap(acquire(table, as: .open))
        XCTAssertEqual([first.slot, second.slot], [0, 1])
        XCTAssertEqual(table.slotCount, 2)
        XCTAssertNil(acquire(table, as: .open))
        table.release(first)
        XCTAssertTrue(acquire(table, as: .open) === first, "a freed slot is reused before growing")
        XCTAssertEqual(table.slotCount, 2)
        XCTAssertNil(table.invariantViolation())
    }

    func testLifecycleMoves() {
        let allowed: [(SessionLifecycle, SessionLifecycle)] = [
            (.free, .awaitingHello), (.free, .open), (.awaitingHello, .open), (.awaitingHello, .closing),
            (.open, .closing), (.awaitingHello, .free), (.open, .free), (.closing, .free),
        ]
        let states: [SessionLifecycle] = [.free, .awaitingHello, .open, .closing]
        for from in states {
            for to in states {
                let expected = allowed.contains { $0 == (from, to) }
                XCTAssertEqual(from.allows(to), expected, "\(from) -> \(to)")
            }
        }
        XCTAssertEqual(states.filter(\.isActive), [.awaitingHello, .open, .closing])
        XCTAssertEqual(states.filter(\.takesMessages), [.awaitingHello, .open])
    }

    func testSessionWalksItsLifecycleThroughTheTable() throws {
        let table = makeTable()
        let session = try XCTUnwrap(acquire(table))
        table.move(session, to: .open)
        XCTAssertEqual(session.lifecycle, .open)
        table.move(session, to: .closing)
        XCTAssertEqual(session.lifecycle, .closing)
        XCTAssertTrue(table.session(for: session.token) === session, "a closing session still owns its token")
        table.release(session)
        XCTAssertEqual(session.lifecycle, .free)
        XCTAssertNil(table.invariantViolation())
    }

    func testInvariantsCatchAFreeSlotMarkedActive() throws {
        let table = makeTable()
        table[2].lifecycle = .open  // on the free list, yet open
        table[2].token = SessionToken(slot: 2, generation: 9)
        let violation = try XCTUnwrap(table.invariantViolation())
        XCTAssertTrue(violation.contains("slot 2"), violation)
        XCTAssertTrue(violation.contains("free list"), violation)
    }

    func testInvariantsCatchAnActiveSessionWithAnotherSlotsToken() throws {
        let table = makeTable()
        let session = try XCTUnwrap(acquire(table))
        session.token = SessionToken(slot: 3, generation: session.token.generation)
        let violation = try XCTUnwrap(table.invariantViolation())
        XCTAssertTrue(violation.contains("slot 0"), violation)
    }

    func testInvariantsCatchAFreeSlotKeepingItsToken() throws {
        let table = makeTable()
        let session = try XCTUnwrap(acquire(table))
        let token = session.token
        table.release(session)
        session.token = token
        let violation = try XCTUnwrap(table.invariantViolation())
        XCTAssertTrue(violation.contains("keeps token"), violation)
    }

    func testInvariantsCatchAnActiveSessionMissingFromTheFreeListAfterItIsMarkedFree() throws {
        let table = makeTable()
        let session = try XCTUnwrap(acquire(table))
        session.lifecycle = .free  // freed behind the table's back: not on the free list
        session.token = .none
        let violation = try XCTUnwrap(table.invariantViolation())
        XCTAssertTrue(violation.contains("not on the free list"), violation)
    }
}
