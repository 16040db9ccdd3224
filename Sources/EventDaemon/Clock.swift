import EventModel
import Foundation

/// The daemon's one source of time: every "now" and every timed wait goes through it, so the
/// tests can drive notices, retries and feed coalescing on a clock they move themselves.
/// A `Date`, not an `Instant`: `feeds_delay` and the hook's timeout may be under a second.
protocol DaemonClock: Sendable {
    func now() -> Date
    /// Returns once the clock reads `deadline` or later; throws `CancellationError` if cancelled first.
    func sleep(until deadline: Date) async throws
}

extension DaemonClock {
    /// Now in the register's whole seconds (rounded down, as stored times are).
    var instant: Instant { Instant(seconds: Int64(now().timeIntervalSince1970.rounded(.down))) }

    func sleep(seconds: Double) async throws {
        try await sleep(until: now().addingTimeInterval(seconds))
    }

    func sleep(until instant: Instant) async throws {
        try await sleep(until: Date(timeIntervalSince1970: Double(instant.seconds)))
    }
}

/// The wall clock.
struct SystemClock: DaemonClock {
    func now() -> Date { Date() }

    func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .seconds(seconds)) } else { try Task.checkCancellation() }
    }
}
