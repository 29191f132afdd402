import BatonAgent
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class NumaTopologyTests: XCTestCase {
    func testTopology() throws {
        XCTAssertGreaterThanOrEqual(NumaTopology.nodeCount, 1)
        XCTAssertNil(NumaTopology.node(ofCPU: 4096))
        XCTAssertNil(NumaTopology.node(ofCPU: -1))
        try XCTSkipUnless(NumaTopology.isAvailable, "libnuma reports NUMA unavailable")
        for cpu in CPUTopology.onlineCPUs {
            let node = try XCTUnwrap(NumaTopology.node(ofCPU: cpu))
            XCTAssertTrue((0..<NumaTopology.nodeCount).contains(node))
        }
    }

    func testBindMemory() throws {
        try XCTSkipUnless(NumaTopology.isAvailable, "libnuma reports NUMA unavailable")
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let byteCount = 16 * pageSize
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: pageSize)
        defer { memory.deallocate() }
        let node = try XCTUnwrap(NumaTopology.node(ofCPU: 0))

        try NumaTopology.bindMemory(memory, toNode: node)
        memory.initializeMemory(as: UInt8.self, repeating: 1)
        try NumaTopology.bindMemory(memory, toNode: node, moveExistingPages: true)

        let misaligned = UnsafeMutableRawBufferPointer(rebasing: memory[8..<byteCount])
        XCTAssertThrowsError(try NumaTopology.bindMemory(misaligned, toNode: node)) { error in
            XCTAssertTrue("\(error)".contains("not aligned"), "\(error)")
        }
        XCTAssertThrowsError(try NumaTopology.bindMemory(memory, toNode: NumaTopology.nodeCount)) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
        XCTAssertThrowsError(try NumaTopology.bindMemory(UnsafeMutableRawBufferPointer(start: nil, count: 0),
                                                         toNode: node))
    }
}
