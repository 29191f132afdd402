/// The answer to `ConfigurationLog.propose`.
/// Threading: a plain value.
public enum ConfigurationProposalResult: Equatable, Sendable {
    /// Appended as `entry` (not committed yet, unless this member is the only
    /// voter); persist, then carry out `action` (the Append to every follower).
    /// It commits when `committedMembership` becomes it. If this leader falls
    /// first, the entry may still commit under the next leader (whose no-op
    /// carries what it inherited) or be replaced: watch the committed epoch,
    /// not the proposal.
    case accepted(entry: ConfigurationEntry, action: ConfigurationLogAction)
    /// Nothing changed.
    case refused(ConfigurationProposalRefusal)
}
