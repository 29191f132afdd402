/// Chain mode's automatic failover: the minimum chain length (a head of a
/// shorter chain refuses writes with `notEnoughReplicas`) and the failure
/// detector's timing. The configuration log's elections use the
/// replication configuration's election timeouts (150–300 ms by default),
/// its heartbeats the heartbeat interval.
///
/// Invariant after `validate()`: `minimumLength` is 1...16 and the detector's
/// values are in range. Threading: a plain value.
public struct ChainFailoverConfiguration: Sendable, Equatable {
    /// Writes are refused while the chain has fewer members (default 2: an
    /// acknowledged message is durable on at least two machines).
    public var minimumLength: Int = 2
    /// When a silent member is suspected and confirmed failed.
    public var detector = FailureDetectorConfiguration()

    public init(minimumLength: Int = 2, detector: FailureDetectorConfiguration = FailureDetectorConfiguration()) {
        self.minimumLength = minimumLength
        self.detector = detector
    }

    /// Checks every value; the error names the key.
    public func validate() throws(ReplicationConfigurationError) {
        if minimumLength < 1 || minimumLength > 16 {
            throw .invalid(key: "failover.minimum_length", reason: "\(minimumLength) must be 1 to 16")
        }
        try detector.validate()
    }
}
