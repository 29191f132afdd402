import BatonCodec

/// One entry of the chain's configuration log: a whole membership, written
/// by the leader of `term` at log index `index`.
///
/// Because every entry is a whole membership, a member's configuration log
/// is fully described by its last entry (and the newest entry it knows to be
/// committed): Raft's log matching degenerates to "replace your last entry
/// with the leader's", and a vote compares `(term, index)` of last entries.
/// Index 0 (term 0) is the membership of the cluster file, the same on every
/// member and committed from the start.
///
/// Encoded (wire and state file), little-endian: `index` (UInt64), `term`
/// (UInt64), then the `ChainMembership` encoding — 28 to 88 bytes.
///
/// Invariant: `term == 0` exactly when `index == 0` (checked by `decode`,
/// preconditioned by `init`). Threading: a plain value.
public struct ConfigurationEntry: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Bytes before the membership.
    public static let headerBytes = 16

    /// Log index, 1-based (0: the cluster file's membership, no entry written).
    public let index: UInt64
    /// The term of the leader that wrote the entry (0 for index 0).
    public let term: UInt64
    public let membership: ChainMembership

    public init(index: UInt64, term: UInt64, membership: ChainMembership) {
        precondition((index == 0) == (term == 0), "entry \(index) of term \(term): only index 0 has term 0")
        self.index = index
        self.term = term
        self.membership = membership
    }

    /// The entry that starts every member's log: the cluster file's membership at index 0.
    public static func initial(_ membership: ChainMembership) -> ConfigurationEntry {
        ConfigurationEntry(index: 0, term: 0, membership: membership)
    }

    /// Raft's "at least as up to date": a later term, or the same term and
    /// an index at least as high. Votes and a follower's replacement of its
    /// last entry both use it.
    public func isAtLeastAsUpToDate(as other: ConfigurationEntry) -> Bool {
        Self.isAtLeastAsUpToDate(term: term, index: index, asTerm: other.term, index: other.index)
    }

    /// `(term, index)` compared with `(otherTerm, otherIndex)`: term first, then index.
    public static func isAtLeastAsUpToDate(term: UInt64, index: UInt64, asTerm otherTerm: UInt64, index otherIndex: UInt64) -> Bool {
        term > otherTerm || (term == otherTerm && index >= otherIndex)
    }

    /// This entry's encoded bytes.
    public var encodedBytes: Int { Self.headerBytes + membership.encodedBytes }

    /// Writes the encoding at `writer`'s offset; throws (writing nothing) when it has no room.
    public func encode(into writer: inout ByteWriter) throws(CodecError) {
        guard writer.remaining >= encodedBytes else {
            throw .writePastEnd(offset: writer.offset, needed: encodedBytes, remaining: writer.remaining)
        }
        try writer.write(index)
        try writer.write(term)
        try membership.encode(into: &writer)
    }

    /// The entry at `reader`'s offset, moving past it. Throws, naming the
    /// problem, when the bytes end early or break the invariant (the offset
    /// is then unspecified: discard the bytes). A term 0 with an index, or an
    /// index 0 with a term, is `ChainMembershipError.entryTermMismatch`.
    public static func decode(from reader: inout ByteReader) throws(ChainMembershipError) -> ConfigurationEntry {
        let index = try reader.readConfigurationField(UInt64.self)
        let term = try reader.readConfigurationField(UInt64.self)
        let membership = try ChainMembership.decode(from: &reader)
        guard (index == 0) == (term == 0) else { throw .entryTermMismatch(index: index, term: term) }
        return ConfigurationEntry(index: index, term: term, membership: membership)
    }

    public var description: String { "entry \(index) of term \(term): \(membership)" }
}
