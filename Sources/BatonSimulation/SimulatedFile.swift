#if canImport(Glibc)
import Glibc
#endif

/// One file of a `SimulatedDisk`: what reads see (`current`), what survives a
/// crash (`durable`), and the changes made since the last sync that turn the
/// one into the other.
///
/// Invariant: `current` is always `durable` with every change of `pending`
/// applied in order. A sync moves a prefix of `pending` into `durable`; a
/// crash moves a random prefix (the last one possibly torn) and drops the rest.
///
/// A file object outlives its name: a descriptor (or an operation in flight
/// in `SimulatedStorage`) keeps using it after a rename or a remove, as a
/// POSIX descriptor keeps using its inode.
///
/// Threading: the simulation's thread only (as its disk).
final class SimulatedFile {
    /// One unsynced change, numbered in the order it was made.
    struct Change {
        enum Kind {
            /// `bytes` written at `offset` (the file grows, zero-filled, to reach it).
            case write(offset: Int, bytes: [UInt8])
            /// The file cut or zero-extended to `length` (ftruncate).
            case resize(length: Int)
            /// The file zero-extended to at least `length` (a preallocation
            /// made while changes were pending, so it lands after them).
            case extend(length: Int)
        }

        var sequence: UInt64
        var kind: Kind
    }

    private(set) var current: [UInt8] = []
    private(set) var durable: [UInt8] = []
    /// Changes since the last sync, oldest first.
    private(set) var pending: [Change] = []
    /// Number the next change gets.
    private(set) var nextSequence: UInt64 = 0
    /// The disk's logical time at the last change.
    var modificationNanos: Int64

    init(modificationNanos: Int64) { self.modificationNanos = modificationNanos }

    var size: Int { current.count }

    /// Writes `bytes` at `offset` into `current` and remembers the change.
    func write(_ bytes: [UInt8], at offset: Int) {
        let change = Change(sequence: nextSequence, kind: .write(offset: offset, bytes: bytes))
        nextSequence &+= 1
        SimulatedFile.apply(change.kind, to: &current)
        pending.append(change)
    }

    /// Cuts or zero-extends `current` to `length` and remembers the change.
    func resize(to length: Int) {
        let change = Change(sequence: nextSequence, kind: .resize(length: length))
        nextSequence &+= 1
        SimulatedFile.apply(change.kind, to: &current)
        pending.append(change)
    }

    /// Extends both images with zeros to at least `length` (fallocate: the
    /// space is reserved at once, in both images; never shrinks). Recorded as
    /// a pending change too when others are pending, so a later sync or crash
    /// that applies a pending cut does not undo it.
    func preallocate(to length: Int) {
        SimulatedFile.apply(.extend(length: length), to: &current)
        SimulatedFile.apply(.extend(length: length), to: &durable)
        if !pending.isEmpty {
            pending.append(Change(sequence: nextSequence, kind: .extend(length: length)))
            nextSequence &+= 1
        }
    }

    /// Makes every change numbered below `sequence` durable (a sync covering
    /// what had been written when it was issued). Changes made later stay pending.
    func makeDurable(before sequence: UInt64) {
        var count = 0
        while count < pending.count && pending[count].sequence < sequence {
            SimulatedFile.apply(pending[count].kind, to: &durable)
            count += 1
        }
        pending.removeFirst(count)
    }

    /// Makes everything durable (`durable == current` afterwards).
    func makeDurable() { makeDurable(before: nextSequence) }

    /// The crash: `durable` plus the first `kept` pending changes; if `tornBytes`
    /// is given, the last of them is a write of which only that many leading
    /// bytes land. Both images become the result; nothing is pending any more.
    func crash(keeping kept: Int, tornBytes: Int?) {
        precondition(kept >= 0 && kept <= pending.count, "crash keeps \(kept) of \(pending.count) changes")
        var image = durable
        for index in 0..<kept {
            var kind = pending[index].kind
            if index == kept - 1, let tornBytes, case let .write(offset, bytes) = kind {
                precondition(tornBytes < bytes.count, "a torn write keeps fewer bytes than it had")
                kind = .write(offset: offset, bytes: bytes.withUnsafeBytes { SimulatedFile.copy(UnsafeRawBufferPointer(rebasing: $0[..<tornBytes])) })
            }
            SimulatedFile.apply(kind, to: &image)
        }
        current = image
        durable = image
        pending.removeAll()
    }

    /// Flips `mask` in the byte at `offset` of both images (a bit gone bad on
    /// the platter; a pending write over it still lands on a crash).
    func flip(offset: Int, mask: UInt8) {
        if offset < durable.count { durable[offset] ^= mask }
        if offset < current.count { current[offset] ^= mask }
    }

    /// Copies up to `length` bytes of `current` from `offset` into `buffer`; returns how many.
    func read(into buffer: UnsafeMutableRawPointer, length: Int, at offset: Int) -> Int {
        guard offset < current.count, length > 0 else { return 0 }
        let count = min(length, current.count - offset)
        current.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        return count
    }

    private static func apply(_ kind: Change.Kind, to image: inout [UInt8]) {
        switch kind {
        case let .write(offset, bytes):
            if image.count < offset + bytes.count { resize(&image, to: offset + bytes.count) }
            image.withUnsafeMutableBytes { target in
                bytes.withUnsafeBytes { (target.baseAddress! + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        case let .resize(length):
            resize(&image, to: length)
        case let .extend(length):
            if image.count < length { resize(&image, to: length) }
        }
    }

    /// Cuts or zero-extends `image` to `length` (with memcpy/memset: per-byte
    /// collection calls are slow in the debug builds tests run).
    private static func resize(_ image: inout [UInt8], to length: Int) {
        if image.count == length { return }
        if image.count > length {
            image.removeLast(image.count - length)
            return
        }
        image = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            let kept = image.count
            image.withUnsafeBytes { old in
                if kept > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: old.baseAddress!, byteCount: kept) }
            }
            memset(buffer.baseAddress! + kept, 0, length - kept)
            count = length
        }
    }

    /// A copy of `bytes` made with one memcpy.
    static func copy(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            if bytes.count > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            count = bytes.count
        }
    }
}
