import XCTest
import CMallocCounter
final class PlaceholderTests: XCTestCase {
    func testCounter() {
        let before = baton_malloc_count_thread()
        let a = [Int](repeating: 1, count: 100)
        XCTAssertEqual(a.count, 100)
        print("allocs", baton_malloc_count_thread() - before, baton_malloc_counter_active())
    }
}
