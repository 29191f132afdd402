import BatonNet

/// The brokers a client may use, which one it uses now, and where it goes
/// after a failure: the members of one cluster, as the owner listed them
/// (its bootstrap list) plus any a refusal named since.
///
/// After a `notLeader` refusal whose text names the member that orders
/// (`LeaderHint`), the client goes there (adding it to the list when it is
/// not in it and the list has room); after anything else — or a refusal that
/// names no usable address — to the next broker in the list, round-robin.
/// Each such move counts as a failure until the client makes progress
/// (`progressed()`: an acknowledgement, a delivered message); once every
/// broker could have failed once since then (a whole round: the count is a
/// multiple of the list's length), the owner should pause before connecting
/// again (`move` returns true) — so a cluster in the middle of an election
/// is asked again only after a back-off, while a broker that merely stopped
/// is replaced at once. A list of one broker asks for a pause before every
/// reconnect, as a client of one broker always did.
///
/// Invariant: 1...`maximumCount` addresses, no two equal; `currentIndex` is
/// an index of `addresses`; `failuresSinceProgress >= 0`.
/// Threading: a value, owned by its client's thread.
public struct BrokerList: Sendable, Equatable {
    /// The brokers, in the order the owner gave them, then the ones refusals named.
    public private(set) var addresses: [IPv4SocketAddress]
    /// Which of `addresses` the client uses (or will connect to next).
    public private(set) var currentIndex = 0
    /// Moves since the client last made progress.
    public private(set) var failuresSinceProgress = 0

    /// The most brokers a list holds (a cluster has at most 16 members).
    public static let maximumCount = 16

    /// The bootstrap list: at least one address; a repeated one is kept once.
    public init(_ addresses: [IPv4SocketAddress]) throws(BatonClientError) {
        var unique: [IPv4SocketAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        guard !unique.isEmpty else { throw .invalidArgument("a client needs at least one broker address") }
        guard unique.count <= Self.maximumCount else {
            throw .invalidArgument("\(unique.count) broker addresses: at most \(Self.maximumCount) (the members of one cluster)")
        }
        self.addresses = unique
    }

    /// The broker the client uses (or connects to next).
    public var current: IPv4SocketAddress { addresses[currentIndex] }

    /// Makes `index` current (the owner's first connect, trying each in turn).
    public mutating func use(index: Int) {
        precondition(addresses.indices.contains(index), "broker index \(index) of \(addresses.count)")
        currentIndex = index
    }

    /// Chooses the broker to try after `error` ended the session with the
    /// current one (see the type's doc) and counts the failure. Returns
    /// true when the owner should pause first: a whole round has failed
    /// since the last progress.
    @discardableResult
    public mutating func move(after error: BatonClientError) -> Bool {
        failuresSinceProgress &+= 1
        if let hinted = leaderNamed(by: error), hinted != current {
            if let index = addresses.firstIndex(of: hinted) {
                currentIndex = index
            } else if addresses.count < Self.maximumCount {
                addresses.append(hinted)
                currentIndex = addresses.count - 1
            } else {
                currentIndex = (currentIndex + 1) % addresses.count
            }
        } else {
            currentIndex = (currentIndex + 1) % addresses.count
        }
        return failuresSinceProgress % addresses.count == 0
    }

    /// The client made progress: the next failure starts a new round.
    @inline(__always)
    public mutating func progressed() {
        if failuresSinceProgress != 0 { failuresSinceProgress = 0 }
    }

    /// The leader a `notLeader` refusal names, if it names a usable address.
    func leaderNamed(by error: BatonClientError) -> IPv4SocketAddress? {
        guard case let .server(code, _, text) = error, code == .notLeader else { return nil }
        return LeaderHint.address(in: text)
    }
}
