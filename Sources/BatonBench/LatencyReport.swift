/// The machine-readable summary of a latency run (`--json`): the settings,
/// the rate asked for and achieved, the durations, and for ack and delivery
/// the corrected and uncorrected counts and percentiles in microseconds,
/// then one line of figures per interval.
///
/// ```
/// { "benchmark": "latency", "config": {...},
///   "rate": { "target_msgs_per_s": 20000, "achieved_msgs_per_s": 19999.9, ... },
///   "duration_s": { "warmup": 2, "measured": 5, "total": 7.01 },
///   "ack": { "corrected": { "count": ..., "percentiles_us": { "50": ..., "99.9": ... }, ... },
///            "uncorrected": {...} },
///   "delivery": { "subscribers": 1, "corrected": {...}, "uncorrected": {...} },
///   "complete": true, "missing": {...}, "intervals": [...] }
/// ```
///
/// Stateless; any thread.
public enum LatencyReport {
    /// The report of `result`; `config` describes the run (target, sizes, ...).
    public static func json(_ result: OpenLoopResult, config: [(String, JSONValue)]) -> JSONValue {
        let configuration = result.configuration
        let histograms = result.histograms
        return .object([
            ("benchmark", .string("latency")),
            ("config", .object(config)),
            ("rate", .object([
                ("target_msgs_per_s", .integer(Int64(configuration.ratePerSecond))),
                ("achieved_msgs_per_s", .number(rounded(result.achievedRatePerSecond, 1))),
                ("scheduled", .integer(result.scheduled)),
                ("sent", .integer(result.sent)),
                ("late_sends", .integer(result.lateSends)),
                ("max_send_lag_us", .number(micros(result.maxSendLagNanos))),
                ("offers_refused", .integer(result.offersRefused)),
                ("window_full_rounds", .integer(result.windowFullRounds)),
            ])),
            ("duration_s", .object([
                ("warmup", .number(Double(configuration.warmupNanos) / 1e9)),
                ("measured", .number(Double(configuration.durationNanos) / 1e9)),
                ("measured_sending", .number(rounded(result.measuredSendSeconds, 6))),
                ("total", .number(rounded(result.totalSeconds, 6))),
            ])),
            ("ack", .object([
                ("corrected", summary(LatencySummary(histograms.ackCorrected))),
                ("uncorrected", summary(LatencySummary(histograms.ackUncorrected))),
            ])),
            ("delivery", .object([
                ("subscribers", .integer(Int64(result.deliveriesPerMessage))),
                ("corrected", summary(LatencySummary(histograms.deliveryCorrected))),
                ("uncorrected", summary(LatencySummary(histograms.deliveryUncorrected))),
            ])),
            ("complete", .bool(result.isComplete)),
            ("missing", .object([
                ("unsent", .integer(result.unsent)),
                ("acks", .integer(result.missingAcks)),
                ("deliveries", .integer(result.missingDeliveries)),
            ])),
            ("clamped_values", .integer(result.clampedValues)),
            ("intervals", .array(result.intervals.map(interval))),
        ])
    }

    /// One histogram's figures, in microseconds.
    public static func summary(_ summary: LatencySummary) -> JSONValue {
        .object([
            ("count", .integer(Int64(summary.count))),
            ("min_us", .number(micros(summary.minNanos))),
            ("mean_us", .number(rounded(summary.meanNanos / 1_000, 3))),
            ("max_us", .number(micros(summary.maxNanos))),
            ("stddev_us", .number(rounded(summary.standardDeviationNanos / 1_000, 3))),
            ("percentiles_us", .object(zip(LatencySummary.percentileNames, summary.percentileNanos).map { name, nanos in
                (name, JSONValue.number(micros(nanos)))
            })),
        ])
    }

    static func interval(_ interval: IntervalSummary) -> JSONValue {
        .object([
            ("start_s", .number(rounded(interval.startSeconds, 6))),
            ("length_s", .number(rounded(interval.lengthSeconds, 6))),
            ("sent", .integer(interval.sent)),
            ("acked", .integer(interval.acked)),
            ("delivered", .integer(interval.delivered)),
            ("ack_p99_us", .number(micros(interval.ackP99Nanos))),
            ("ack_max_us", .number(micros(interval.ackMaxNanos))),
            ("delivery_p99_us", .number(micros(interval.deliveryP99Nanos))),
            ("delivery_max_us", .number(micros(interval.deliveryMaxNanos))),
        ])
    }

    static func micros<T: BinaryInteger>(_ nanos: T) -> Double { Double(nanos) / 1_000 }

    static func rounded(_ value: Double, _ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
