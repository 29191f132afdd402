import BatonTestSupport
import CMallocCounter
import XCTest

/// The allocation tracer names a planted allocation: the failure message of
/// an allocation test is only useful if it points at the allocating call.
final class AllocationTraceTests: XCTestCase {
    func testTraceNamesThePlantedAllocatingFunction() throws {
        try XCTSkipIf(baton_malloc_counter_active() == 0, "the malloc interposer is not active (sanitizer build)")
        AllocationTrace.clear()
        let before = baton_malloc_count_thread()
        AllocationTrace.arm()
        plantedAllocation(bytes: 48)
        AllocationTrace.disarm()
        XCTAssertEqual(baton_malloc_count_thread() &- before, 1, "the planted call allocates once")
        XCTAssertEqual(AllocationTrace.recordedCount, 1)
        let report = AllocationTrace.report()
        XCTAssertTrue(report.contains("plantedAllocation"), "the report names the allocating function:\n\(report)")
        XCTAssertFalse(report.contains("record_trace"), "the tracer's own frames are left out:\n\(report)")
    }

    func testNothingIsRecordedWhileDisarmed() throws {
        try XCTSkipIf(baton_malloc_counter_active() == 0, "the malloc interposer is not active (sanitizer build)")
        AllocationTrace.clear()
        plantedAllocation(bytes: 48)
        XCTAssertEqual(AllocationTrace.recordedCount, 0)
        XCTAssertEqual(AllocationTrace.report(), "")
    }
}

/// One heap allocation the optimiser cannot remove (allocate + deallocate of raw memory).
@inline(never)
func plantedAllocation(bytes: Int) {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 8)
    memory.storeBytes(of: 1, as: UInt8.self)
    memory.deallocate()
}
