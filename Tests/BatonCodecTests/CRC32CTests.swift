import BatonTestSupport
import BatonCodec
import Testing

/// CRC32C against published vectors, hardware path against software path,
/// and the chaining property.
@Suite struct CRC32CTests {
    /// One CRC32C implementation under test.
    struct Path: CustomStringConvertible, Sendable {
        let description: String
        let update: @Sendable (UInt32, UnsafeRawPointer, Int) -> UInt32
    }

    static let software = Path(description: "software") { CRC32C.updateSoftware($0, $1, $2) }
    static let hardware = Path(description: "hardware") { CRC32C.updateHardware($0, $1, $2) }
    static let dispatched = Path(description: "dispatched") { CRC32C.update($0, $1, $2) }
    static let paths = [software, hardware, dispatched]

    static func crc(_ bytes: [UInt8], _ path: Path) -> UInt32 {
        bytes.withUnsafeBytes { path.update(0, $0.baseAddress!, $0.count) }
    }

    @Test func machineHasTheHardwareInstruction() {
        // The hardware cases below would silently test nothing otherwise.
        #expect(CRC32C.isHardwareAccelerated)
    }

    // RFC 3720 (iSCSI) appendix B.4, and the common check value.
    @Test(arguments: paths)
    func knownVectors(path: Path) {
        guard path.description != "hardware" || CRC32C.isHardwareAccelerated else { return }
        #expect(Self.crc([UInt8](repeating: 0x00, count: 32), path) == 0x8A91_36AA)
        #expect(Self.crc([UInt8](repeating: 0xFF, count: 32), path) == 0x62A8_AB43)
        #expect(Self.crc((0..<32).map { UInt8($0) }, path) == 0x46DD_794E)
        #expect(Self.crc((0..<32).reversed().map { UInt8($0) }, path) == 0x113F_DB5C)
        #expect(Self.crc(Array("123456789".utf8), path) == 0xE306_9283)
        #expect(Self.crc([], path) == 0)
    }

    @Test func checksumOfABuffer() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
        #expect(CRC32C.checksum(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }

    /// Random lengths 0...5000 at random start alignments: hardware == software.
    @Test func hardwareMatchesSoftware() {
        guard CRC32C.isHardwareAccelerated else { return }
        let seed = testSeed(0xC0DE_C32C)
        var random = SplitMix64(seed: seed)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 5000 + 64, alignment: 64)
        defer { storage.deallocate() }
        for iteration in 0..<4000 {
            random.fill(storage)
            let length = Int.random(in: 0...5000, using: &random)
            let start = Int.random(in: 0..<64, using: &random)
            let initial: UInt32 = iteration % 2 == 0 ? 0 : UInt32(truncatingIfNeeded: random.next())
            let base = UnsafeRawPointer(storage.baseAddress! + start)
            let hardware = CRC32C.updateHardware(initial, base, length)
            let software = CRC32C.updateSoftware(initial, base, length)
            if hardware != software {
                Issue.record("seed \(seed) iteration \(iteration): length \(length) at +\(start): hw \(hardware) sw \(software)")
                return
            }
        }
    }

    /// Chaining over pieces equals one call over the whole, on both paths.
    @Test(arguments: paths)
    func chaining(path: Path) {
        guard path.description != "hardware" || CRC32C.isHardwareAccelerated else { return }
        let seed = testSeed(0x5EED_C4A1)
        var random = SplitMix64(seed: seed)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 3000, alignment: 16)
        defer { storage.deallocate() }
        for iteration in 0..<500 {
            random.fill(storage)
            let length = Int.random(in: 0...3000, using: &random)
            let base = UnsafeRawPointer(storage.baseAddress!)
            let whole = path.update(0, base, length)
            var chained: UInt32 = 0
            var offset = 0
            while offset < length {
                let piece = Int.random(in: 0...min(length - offset, 300), using: &random)
                chained = path.update(chained, base + offset, piece)
                offset += piece
            }
            if chained != whole {
                Issue.record("seed \(seed) iteration \(iteration) (\(path)): chained \(chained) whole \(whole)")
                return
            }
        }
    }
}
