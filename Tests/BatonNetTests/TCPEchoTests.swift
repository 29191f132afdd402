import BatonNet
import BatonTestSupport
import Glibc
import XCTest

final class TCPEchoTests: XCTestCase {
    /// One thread, one epoll: the client streams 4 MiB of a known pattern in
    /// pieces, the server echoes whatever it reads (switching to writable
    /// interest while it holds a backlog), the client checks every byte back.
    func testEchoThroughListenerAcceptConnectWithEPoll() throws {
        let pair = try TCPPair.make()
        defer { pair.close() }
        XCTAssertTrue(try pair.server.noDelay(), "accepted sockets have TCP_NODELAY")
        XCTAssertTrue(try pair.client.noDelay(), "connected sockets have TCP_NODELAY")
        XCTAssertEqual(try pair.server.peerAddress(), try pair.client.localAddress())

        let serverToken: UInt64 = 1, clientToken: UInt64 = 2
        var epoll = try EPoll(eventCapacity: 8)
        try epoll.add(pair.server.descriptor, interest: [.readable, .readHangUp], token: serverToken)
        try epoll.add(pair.client.descriptor, interest: [.readable], token: clientToken)

        let total = 4 << 20
        let source = patternBytes(count: total)
        var clientSent = 0, clientReceived = 0
        var backlog = [UInt8](), backlogStart = 0
        var serverWantsWrite = false
        var scratch = [UInt8](repeating: 0, count: 48 * 1_024)
        var mismatches = 0
        let deadline = Deadline(seconds: 20)

        func serverFlush() throws {
            while backlogStart < backlog.count {
                let result = backlog.withUnsafeBytes { pair.server.write(UnsafeRawBufferPointer(rebasing: $0[backlogStart...])) }
                guard case .transferred(let n) = result else {
                    XCTAssertEqual(result, .wouldBlock)
                    break
                }
                backlogStart += n
            }
            if backlogStart == backlog.count { backlog.removeAll(keepingCapacity: true); backlogStart = 0 }
            let wantsWrite = !backlog.isEmpty
            if wantsWrite != serverWantsWrite {
                try epoll.modify(pair.server.descriptor,
                                 interest: wantsWrite ? [.readable, .readHangUp, .writable] : [.readable, .readHangUp],
                                 token: serverToken)
                serverWantsWrite = wantsWrite
            }
        }

        while clientReceived < total && !deadline.hasPassed {
            if clientSent < total {  // pieces of varying size, up to 60 KiB
                let piece = min(total - clientSent, 1 + (clientSent * 7919) % 61_440)
                let result = source.withUnsafeBytes { pair.client.write(UnsafeRawBufferPointer(rebasing: $0[clientSent..<clientSent + piece])) }
                if case .transferred(let n) = result { clientSent += n } else { XCTAssertEqual(result, .wouldBlock) }
            }
            let ready = try epoll.wait(timeoutMillis: clientSent < total ? 0 : deadline.millisLeft())
            for index in 0..<ready {
                let event = epoll[ready: index]
                switch event.token {
                case serverToken:
                    XCTAssertFalse(event.events.contains(.readHangUp), "the client never half-closes here")
                    if event.events.contains(.readable) {
                        let result = scratch.withUnsafeMutableBytes { pair.server.read(into: $0) }
                        if case .transferred(let n) = result { backlog.append(contentsOf: scratch[0..<n]) }
                        else { XCTAssertEqual(result, .wouldBlock) }
                    }
                    try serverFlush()
                case clientToken:
                    let result = scratch.withUnsafeMutableBytes { pair.client.read(into: $0) }
                    if case .transferred(let n) = result {
                        for k in 0..<n where scratch[k] != source[clientReceived + k] { mismatches += 1 }
                        clientReceived += n
                    } else {
                        XCTAssertEqual(result, .wouldBlock)
                    }
                default:
                    XCTFail("unknown token \(event.token)")
                }
            }
        }
        XCTAssertEqual(clientSent, total)
        XCTAssertEqual(clientReceived, total, "every byte echoed before the deadline")
        XCTAssertEqual(mismatches, 0)
        try epoll.remove(pair.client.descriptor)
        try epoll.remove(pair.server.descriptor)
        XCTAssertEqual(try epoll.wait(timeoutMillis: 0), 0, "nothing registered, nothing ready")
    }
}
