import BatonProtocol

/// One Publish the fake server received.
struct ReceivedPublish: Sendable, Equatable {
    var session: Int
    var streamId: UInt32
    var producerId: UInt64
    var firstSequence: UInt64
    var payloads: [[UInt8]]
}

/// One message the fake server logged (after dropping duplicates).
struct LoggedMessage: Sendable, Equatable {
    var producerId: UInt64
    var sequence: UInt64
    var position: Int64
    var payload: [UInt8]
}

/// One Subscribe the fake server received.
struct ReceivedSubscribe: Sendable, Equatable {
    var subscriptionId: UInt32
    var streamId: UInt32
    var from: UInt8
    var start: Int64
    var credit: UInt32
}

/// Everything the fake server saw and did, for the test to assert on.
struct FakeServerRecord: Sendable {
    var sessions = 0
    var hellos = 0
    var publishes: [ReceivedPublish] = []
    var logged: [LoggedMessage] = []
    var acks: [UInt64] = []
    var errorsSent: [ClientErrorCode] = []
    var subscribes: [ReceivedSubscribe] = []
    var credits: [UInt32] = []
    var unsubscribes = 0
    var heartbeats = 0
    var framesDelivered = 0
    var problems: [String] = []
}
