import EventAPI
import Testing

@testable import EventDaemon

/// The feed listener's cap as the descriptor limit leaves it, and what a refused request is answered.
@Suite struct ConnectionLimitsTests {
    func config(_ lines: String) throws -> DaemonConfig { try DaemonConfig.parse(lines, source: "test") }

    @Test func theFeedCapLeavesTheSocketsConnectionsAndTheReserve() throws {
        let small = try config("max_connections = 16\nfeeds_max_connections = 10000\n")
        #expect(ConnectionLimits.feeds(small, descriptorLimit: 160).maxConnections == 160 - 16 - ConnectionLimits.descriptorReserve)
        // Each mail hook beyond four takes its descriptors from the feed listener too.
        let hooks = try config("max_connections = 16\nfeeds_max_connections = 10000\nhook_concurrency = 8\n")
        #expect(ConnectionLimits.feeds(hooks, descriptorLimit: 160).maxConnections == 160 - 16 - ConnectionLimits.descriptorReserve - 4 * 8)
        // Room enough: the configured cap; none at all: every connection refused, never a negative cap.
        #expect(ConnectionLimits.feeds(DaemonConfig(), descriptorLimit: 1 << 20).maxConnections == 512)
        #expect(ConnectionLimits.feeds(DaemonConfig(), descriptorLimit: 64).maxConnections == 0)
        let timeouts = try config("feeds_header_timeout = 1.5s\nfeeds_body_timeout = 2s\nfeeds_idle_timeout = 3s\n")
        let limits = ConnectionLimits.feeds(timeouts, descriptorLimit: 1 << 20)
        #expect(limits.header == .milliseconds(1500) && limits.body == .seconds(2) && limits.idle == .seconds(3))
    }

    @Test func theFeedKeysAreCheckedAndNeedARestart() throws {
        #expect(throws: DaemonConfig.ParseError.self) { try config("feeds_max_connections = 0\n") }
        #expect(throws: DaemonConfig.ParseError.self) { try config("feeds_header_timeout = forever\n") }
        let live = LiveConfig(DaemonConfig(), clock: SystemClock())
        let ignored = live.reload(try config("feeds_max_connections = 8\nfeeds_idle_timeout = 5s\n"))
        #expect(ignored.contains("feeds_max_connections") && ignored.contains("feeds_idle_timeout"))
    }

    @Test func aRefusedHeadIs414Or431AndAnythingElse400() {
        let line = ConnectionGuard.refusal(.headerOverflow, lineTooLong: true)
        #expect(line.0.code == 414 && line.1.error.code == "too_large")
        let fields = ConnectionGuard.refusal(.headerOverflow, lineTooLong: false)
        #expect(fields.0.code == 431 && fields.1.error.code == "too_large")
        let other = ConnectionGuard.refusal(.invalidHeaderToken, lineTooLong: true)
        #expect(other.0.code == 400 && other.1.error.code == "bad_request")
    }

    @Test func anInternalErrorNamesAReferenceAndNothingElse() {
        let reference = InternalError.newReference()
        #expect(reference.count == 16 && reference.allSatisfy(\.isHexDigit))
        #expect(InternalError.newReference() != reference)
        #expect(InternalError.message(reference: reference) == "internal error; see eventd's log, reference \(reference)")
    }
}
