import BatonNet
import Glibc
import XCTest

final class SignalTests: XCTestCase {
    /// After `ignoreSIGPIPE()` SIGPIPE's action is SIG_IGN and raising it is
    /// harmless. The previous action is restored afterwards, so that other
    /// tests still prove that BatonNet's writes need no ignored SIGPIPE.
    func testIgnoreSIGPIPE() {
        var previous = sigaction()
        XCTAssertEqual(sigaction(SIGPIPE, nil, &previous), 0)
        defer { XCTAssertEqual(sigaction(SIGPIPE, &previous, nil), 0) }
        ignoreSIGPIPE()
        ignoreSIGPIPE()  // idempotent
        var current = sigaction()
        XCTAssertEqual(sigaction(SIGPIPE, nil, &current), 0)
        XCTAssertEqual(unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self), 1, "SIG_IGN")
        XCTAssertEqual(raise(SIGPIPE), 0)
    }
}
