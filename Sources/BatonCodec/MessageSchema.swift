/// One message schema as this build speaks it: the id written into and
/// expected in every `MessageHeader`, the version it writes, and the versions
/// it reads.
///
/// Invariant: `supportedVersions` contains `version` (checked at init).
/// A plain value: `Sendable`.
@frozen
public struct MessageSchema: Equatable, Sendable {
    /// The schema id (`MessageHeader.schemaId`).
    public let id: UInt16
    /// The version this build writes.
    public let version: UInt16
    /// The versions this build decodes; anything else is `CodecError.unsupportedVersion`.
    public let supportedVersions: ClosedRange<UInt16>

    /// A schema that writes `version` and reads `supportedVersions` (just
    /// `version` when not given). Traps if `supportedVersions` leaves out `version`.
    @inlinable
    public init(id: UInt16, version: UInt16, supportedVersions: ClosedRange<UInt16>? = nil) {
        let versions = supportedVersions ?? version...version
        precondition(versions.contains(version),
                     "schema \(id): supported versions \(versions) must include the written version \(version)")
        self.id = id
        self.version = version
        self.supportedVersions = versions
    }
}
