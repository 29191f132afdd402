/// Why a chain membership cannot be built or decoded, each case naming the
/// value that breaks the rule. Thrown by `ChainMembership`'s initializer and
/// its change helpers (a change that would make an invalid membership) and
/// by `ChainMembership.decode` / `ConfigurationEntry.decode` (bytes from the
/// wire or a state file that are not a valid one).
///
/// A plain value: `Sendable`, no references.
public enum ChainMembershipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A chain has 1 to `ChainMembership.maximumMembers` (16) members.
    case memberCountOutOfRange(count: Int)
    /// A node id appears twice in the member list.
    case duplicateMember(nodeId: UInt32)
    /// The minimum chain length is 1 to `ChainMembership.maximumMembers`.
    case minimumLengthOutOfRange(minimumLength: Int)
    /// Epochs start at 1; 0 is no epoch.
    case epochZero
    /// The epoch is `UInt32.max`: no later one can follow it.
    case epochExhausted
    /// A change names a member the chain does not have.
    case notAMember(nodeId: UInt32)
    /// A change adds a member the chain already has.
    case alreadyAMember(nodeId: UInt32)
    /// A change adds a member an operator holds out (add it back first).
    case heldOut(nodeId: UInt32)
    /// A change releases a member no operator holds out.
    case notHeldOut(nodeId: UInt32)
    /// A configuration entry with term 0 and an index, or index 0 and a term
    /// (only index 0, the cluster file's membership, has term 0).
    case entryTermMismatch(index: UInt64, term: UInt64)
    /// The bytes end before the value does: `needed` more bytes at `offset`, `remaining` there.
    case truncated(offset: Int, needed: Int, remaining: Int)

    public var description: String {
        switch self {
        case let .memberCountOutOfRange(count):
            return "\(count) members: a chain has 1 to \(ChainMembership.maximumMembers)"
        case let .duplicateMember(nodeId):
            return "member \(nodeId) appears twice"
        case let .minimumLengthOutOfRange(minimumLength):
            return "minimum chain length \(minimumLength): must be 1 to \(ChainMembership.maximumMembers)"
        case .epochZero:
            return "epoch 0: epochs start at 1"
        case .epochExhausted:
            return "epoch \(UInt32.max) is the last: no change can follow it"
        case let .notAMember(nodeId):
            return "node \(nodeId) is not a member of the chain"
        case let .alreadyAMember(nodeId):
            return "node \(nodeId) is already a member of the chain"
        case let .heldOut(nodeId):
            return "node \(nodeId) is held out of the chain by an operator (baton admin add-member brings it back)"
        case let .notHeldOut(nodeId):
            return "node \(nodeId) is not held out of the chain"
        case let .entryTermMismatch(index, term):
            return "entry \(index) of term \(term): only index 0 has term 0"
        case let .truncated(offset, needed, remaining):
            return "bytes end early: \(needed) needed at offset \(offset), \(remaining) there"
        }
    }
}
