import BatonCodec

/// Constants of the client protocol (TCP, schema 1). `docs/PROTOCOL.md` is the
/// reference; this enum and the flyweights beside it are its code.
public enum ClientProtocol {
    /// Schema 1, version 1. A server reads exactly the versions in `supportedVersions`.
    public static let schema = MessageSchema(id: 1, version: 1, supportedVersions: 1...1)
    /// Bytes of the length prefix in front of every message on the stream.
    public static let lengthPrefixBytes = 4
    /// Default upper bound of `messageLength` (the bytes after the prefix).
    public static let defaultMaxMessageLength = 1024 * 1024 + 64
    /// Default upper bound of one Publish payload.
    public static let defaultMaxPayloadLength = 64 * 1024
    /// Default upper bound of messages in one Publish batch.
    public static let defaultMaxBatchCount = 4096
    /// `streamId` value that means every stream (Subscribe only).
    public static let allStreams: UInt32 = 0xFFFF_FFFF

    /// Template ids.
    public enum Template: UInt16, Sendable, CaseIterable {
        case hello = 1
        case welcome = 2
        case publish = 3
        case publishAck = 4
        case subscribe = 5
        case subscribed = 6
        case deliver = 7
        case credit = 8
        case unsubscribe = 9
        case error = 10
        case heartbeat = 11
    }
}

/// Where a subscription starts (`Subscribe.from`).
public enum SubscribeStart: UInt8, Sendable {
    case earliest = 0
    case latest = 1
    case position = 2
    case timestamp = 3
}

/// The codes of an Error message. `isFatal` codes close the session.
public enum ClientErrorCode: UInt16, Sendable, CustomStringConvertible {
    case malformed = 1
    case unsupportedVersion = 2
    case messageTooLarge = 3
    case unknownTemplate = 4
    case notWelcomed = 5
    case payloadTooLarge = 6
    case sequenceGap = 7
    case badPosition = 8
    case unknownSubscription = 9
    case tooManySubscriptions = 10
    case subscriberTooSlow = 11
    case backPressure = 12
    case notLeader = 13
    case sessionTimeout = 14
    case shuttingDown = 15
    case `internal` = 16
    case wrongSessionKind = 17
    /// The chain is shorter than its minimum length: nothing is acknowledged
    /// until a member rejoins (retry later; the session stays open).
    case notEnoughReplicas = 18

    /// After an Error with this code the server closes the session.
    public var isFatal: Bool {
        switch self {
        case .badPosition, .unknownSubscription, .tooManySubscriptions, .subscriberTooSlow, .backPressure, .notLeader,
             .notEnoughReplicas:
            return false
        default:
            return true
        }
    }

    public var description: String {
        switch self {
        case .malformed: return "malformed"
        case .unsupportedVersion: return "unsupportedVersion"
        case .messageTooLarge: return "messageTooLarge"
        case .unknownTemplate: return "unknownTemplate"
        case .notWelcomed: return "notWelcomed"
        case .payloadTooLarge: return "payloadTooLarge"
        case .sequenceGap: return "sequenceGap"
        case .badPosition: return "badPosition"
        case .unknownSubscription: return "unknownSubscription"
        case .tooManySubscriptions: return "tooManySubscriptions"
        case .subscriberTooSlow: return "subscriberTooSlow"
        case .backPressure: return "backPressure"
        case .notLeader: return "notLeader"
        case .sessionTimeout: return "sessionTimeout"
        case .shuttingDown: return "shuttingDown"
        case .internal: return "internal"
        case .wrongSessionKind: return "wrongSessionKind"
        case .notEnoughReplicas: return "notEnoughReplicas"
        }
    }
}
