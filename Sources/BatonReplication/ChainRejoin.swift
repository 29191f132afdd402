/// Where a member removed from the chain is in rejoining it (`ChainReplicator+Rejoin`).
///
/// Threading: the replicator's thread only.
enum ChainRejoin: Equatable {
    /// In the chain (or not yet started rejoining).
    case none
    /// Removed: waiting for its order stage to let go of the appender (it headed the chain).
    case releasing
    /// Cutting its log back to the last commit it knew (truncation `generation`).
    case truncating(generation: Int64, position: Int64)
    /// Taking the log from the current tail as a learner (not counted in any
    /// commit); asks the configuration leader to add it once it holds the commit
    /// (`lastAskedNanos`: when it last asked).
    case learning(lastAskedNanos: Int64)
}
