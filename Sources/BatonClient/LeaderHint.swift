import BatonNet

/// The broker a `notLeader` refusal points to. A member that does not order
/// publishes says which member does and where, in words meant for people
/// as much as for clients: a Raft follower "node 2 follows the Raft leader,
/// node 1 at 127.0.0.1:7401; publish there", a chain member "…; publish to
/// the head, node 0 at 127.0.0.1:7400". The address is the first `at
/// HOST:PORT` whose HOST:PORT parses (a dotted quad or `localhost`).
///
/// No address is taken from a text that names none (a Raft member that
/// knows no leader: "… knows no Raft leader now …"), nor one that no client
/// can connect to: port 0 (a member whose client port the kernel picked, so
/// its peers never learnt it) or the unspecified address 0.0.0.0 (a member
/// that listens on every interface).
/// Stateless; any thread.
public enum LeaderHint {
    /// The address `text` names after `at `, or nil.
    public static func address(in text: String) -> IPv4SocketAddress? {
        let words = text.split(separator: " ")
        for (index, word) in words.enumerated() where word == "at" && index + 1 < words.count {
            var token = words[index + 1]
            while let last = token.last, last == ";" || last == "," || last == ")" || last == "." { token = token.dropLast() }
            guard let parsed = try? HostAndPort(parsing: String(token)),
                  let address = try? IPv4SocketAddress(parsed) else { continue }
            guard address.port != 0, address.addressHostOrder != 0 else { return nil }
            return address
        }
        return nil
    }
}
