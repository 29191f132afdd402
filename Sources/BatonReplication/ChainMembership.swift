import BatonCodec

/// The chain's membership in one configuration epoch: its members in chain
/// order (head first, tail last), the members an operator held out, the
/// epoch that names this membership, and the minimum chain length (below it
/// the data path refuses writes: a chain shrunk by failures may hold fewer
/// members than its minimum, and that is a valid membership). One entry of
/// the configuration log carries one whole membership; a change is a new
/// membership with the epoch + 1.
///
/// A member *held out* (`baton admin remove-member`) stays out of the chain
/// until an operator adds it back (`add-member`): it does not rejoin on its
/// own, as a member removed because it failed does. It still votes in the
/// configuration log.
///
/// Encoded (for the `chain-config` state file), little-endian:
/// ```
///  0        4        5        6        8
///  +--------+--------+--------+--------+--------------------------------+
///  | epoch  | member | held-  | min.   | member ids, head first, then   |
///  | UInt32 | count  | out    | length | held-out ids (UInt32 each)     |
///  |        | UInt8  | UInt8  | UInt16 |                                |
///  +--------+--------+--------+--------+--------------------------------+
/// ```
/// `8 + 4 × (members + held out)` bytes: 12 to 72. (Bytes 4–5 were one
/// UInt16 member count before held-out members existed; a file written then
/// reads the same, with none held out.)
///
/// Invariant (checked by every initializer and by `decode`): 1 to 16
/// members, at most 16 members and held-out ids together, no id twice in
/// either list or in both, epoch ≥ 1, minimum length 1 to 16.
/// Threading: a plain value.
public struct ChainMembership: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The most members a chain has (the cluster file's limit).
    public static let maximumMembers = 16
    /// Bytes before the member ids.
    public static let headerBytes = 8
    static let epochOffset = 0
    static let memberCountOffset = 4
    static let heldOutCountOffset = 5
    static let minimumLengthOffset = 6

    /// The configuration epoch (≥ 1): each committed change is the previous epoch + 1.
    public let epoch: UInt32
    /// Node ids in chain order: head first, tail last; unique; 1 to 16 of them.
    public let members: [UInt32]
    /// The fewest members the chain needs to accept writes (1 to 16).
    public let minimumLength: Int
    /// Members an operator removed: out of the chain until added back (none in `members`).
    public let heldOut: [UInt32]

    /// A membership; throws when it breaks a rule of the invariant.
    public init(epoch: UInt32, members: [UInt32], minimumLength: Int, heldOut: [UInt32] = []) throws(ChainMembershipError) {
        guard epoch != 0 else { throw .epochZero }
        guard (1...Self.maximumMembers).contains(members.count) else { throw .memberCountOutOfRange(count: members.count) }
        guard members.count + heldOut.count <= Self.maximumMembers else {
            throw .memberCountOutOfRange(count: members.count + heldOut.count)
        }
        guard (1...Self.maximumMembers).contains(minimumLength) else { throw .minimumLengthOutOfRange(minimumLength: minimumLength) }
        let all = members + heldOut
        for (index, member) in all.enumerated() where all[(index + 1)...].contains(member) {
            throw .duplicateMember(nodeId: member)
        }
        self.epoch = epoch
        self.members = members
        self.minimumLength = minimumLength
        self.heldOut = heldOut
    }

    /// The first member: it orders writes.
    public var head: UInt32 { members[0] }
    /// The last member: its durable position starts the commit.
    public var tail: UInt32 { members[members.count - 1] }
    /// Members in the chain.
    public var count: Int { members.count }
    /// Whether the chain is at least its minimum length (writes are accepted).
    public var meetsMinimumLength: Bool { members.count >= minimumLength }

    public func contains(_ nodeId: UInt32) -> Bool { members.contains(nodeId) }

    /// `nodeId`'s place in the chain (0: head), nil when not a member.
    public func position(of nodeId: UInt32) -> Int? { members.firstIndex(of: nodeId) }

    /// The member after `nodeId`; nil for the tail or a non-member.
    public func successor(of nodeId: UInt32) -> UInt32? {
        guard let index = position(of: nodeId), index + 1 < members.count else { return nil }
        return members[index + 1]
    }

    /// The member before `nodeId`; nil for the head or a non-member.
    public func predecessor(of nodeId: UInt32) -> UInt32? {
        guard let index = position(of: nodeId), index > 0 else { return nil }
        return members[index - 1]
    }

    /// Whether an operator holds `nodeId` out of the chain.
    public func holdsOut(_ nodeId: UInt32) -> Bool { heldOut.contains(nodeId) }

    /// This chain without `nodeId`, in the next epoch (its neighbours close
    /// up; without the head, its successor is head). Throws when it is not a
    /// member, is the last member, or the epoch is exhausted.
    public func removing(_ nodeId: UInt32) throws(ChainMembershipError) -> ChainMembership {
        guard let index = position(of: nodeId) else { throw .notAMember(nodeId: nodeId) }
        var remaining = members
        remaining.remove(at: index)
        return try ChainMembership(epoch: try nextEpoch(), members: remaining, minimumLength: minimumLength, heldOut: heldOut)
    }

    /// This chain without `nodeId`, which stays out until `releasing` it
    /// (an operator's removal), in the next epoch. Throws as `removing` does.
    public func holdingOut(_ nodeId: UInt32) throws(ChainMembershipError) -> ChainMembership {
        let removed = try removing(nodeId)
        return try ChainMembership(epoch: removed.epoch, members: removed.members, minimumLength: minimumLength,
                                   heldOut: heldOut + [nodeId])
    }

    /// The same chain with `nodeId` no longer held out (it may rejoin now),
    /// in the next epoch. Throws when it is not held out.
    public func releasing(_ nodeId: UInt32) throws(ChainMembershipError) -> ChainMembership {
        guard holdsOut(nodeId) else { throw .notHeldOut(nodeId: nodeId) }
        return try ChainMembership(epoch: try nextEpoch(), members: members, minimumLength: minimumLength,
                                   heldOut: heldOut.filter { $0 != nodeId })
    }

    /// This chain with `nodeId` as its new tail, in the next epoch. Throws
    /// when it is a member already, held out, the chain is full, or the
    /// epoch is exhausted.
    public func appending(_ nodeId: UInt32) throws(ChainMembershipError) -> ChainMembership {
        guard !contains(nodeId) else { throw .alreadyAMember(nodeId: nodeId) }
        guard !holdsOut(nodeId) else { throw .heldOut(nodeId: nodeId) }
        return try ChainMembership(epoch: try nextEpoch(), members: members + [nodeId], minimumLength: minimumLength, heldOut: heldOut)
    }

    /// The same members with another minimum length, in the next epoch.
    public func withMinimumLength(_ minimumLength: Int) throws(ChainMembershipError) -> ChainMembership {
        try ChainMembership(epoch: try nextEpoch(), members: members, minimumLength: minimumLength, heldOut: heldOut)
    }

    /// `epoch + 1`; throws `.epochExhausted` at `UInt32.max`.
    public func nextEpoch() throws(ChainMembershipError) -> UInt32 {
        guard epoch < UInt32.max else { throw .epochExhausted }
        return epoch + 1
    }

    // MARK: - Encoding

    /// Encoded bytes of a membership of `memberCount` members.
    public static func encodedBytes(memberCount: Int) -> Int { headerBytes + 4 * memberCount }

    /// This membership's encoded bytes.
    public var encodedBytes: Int { Self.encodedBytes(memberCount: members.count + heldOut.count) }

    /// Writes the encoding at `writer`'s offset; throws (writing nothing) when it has no room.
    public func encode(into writer: inout ByteWriter) throws(CodecError) {
        guard writer.remaining >= encodedBytes else {
            throw .writePastEnd(offset: writer.offset, needed: encodedBytes, remaining: writer.remaining)
        }
        try writer.write(epoch)
        try writer.write(UInt8(members.count))
        try writer.write(UInt8(heldOut.count))
        try writer.write(UInt16(minimumLength))
        for member in members { try writer.write(member) }
        for member in heldOut { try writer.write(member) }
    }

    /// The membership at `reader`'s offset, moving past it. Throws, naming
    /// the problem, when the bytes end early or the values break the
    /// invariant (the offset is then unspecified: discard the bytes).
    public static func decode(from reader: inout ByteReader) throws(ChainMembershipError) -> ChainMembership {
        let epoch = try reader.readConfigurationField(UInt32.self)
        let count = Int(try reader.readConfigurationField(UInt8.self))
        let heldOutCount = Int(try reader.readConfigurationField(UInt8.self))
        let minimumLength = Int(try reader.readConfigurationField(UInt16.self))
        guard (1...maximumMembers).contains(count), count + heldOutCount <= maximumMembers else {
            throw .memberCountOutOfRange(count: count + heldOutCount)
        }
        let ids = count + heldOutCount
        guard reader.remaining >= 4 * ids else {
            throw .truncated(offset: reader.offset, needed: 4 * ids, remaining: reader.remaining)
        }
        var members: [UInt32] = []
        members.reserveCapacity(count)
        for _ in 0..<count { members.append(try reader.readConfigurationField(UInt32.self)) }
        var heldOut: [UInt32] = []
        for _ in 0..<heldOutCount { heldOut.append(try reader.readConfigurationField(UInt32.self)) }
        return try ChainMembership(epoch: epoch, members: members, minimumLength: minimumLength, heldOut: heldOut)
    }

    public var description: String {
        let out = heldOut.isEmpty ? "" : ", held out \(heldOut.map(String.init).joined(separator: " "))"
        return "epoch \(epoch) [\(members.map(String.init).joined(separator: " → "))] min \(minimumLength)\(out)"
    }
}
