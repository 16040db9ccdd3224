import Foundation
import Synchronization

@testable import EventDaemon

/// A clock that moves only when the test moves it: `advance(by:)` wakes every sleeper whose
/// deadline it reached, so what the daemon does "an hour later" happens at once and exactly then.
final class ManualClock: DaemonClock {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Int: Sleeper] = [:]
        /// Sleeps begun so far, so a test can wait for the next one.
        var sleeps = 0
    }

    private let state: Mutex<State>

    init(_ start: Date) { state = Mutex(State(now: start)) }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(until deadline: Date) async throws {
        let id = state.withLock { state in
            state.sleeps += 1
            return state.sleeps
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            // Either the sleeper is registered (taken out here) or it sees isCancelled when it registers.
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on and wakes those whose deadline has come.
    func advance(by seconds: Double) {
        let woken = state.withLock { state in
            state.now = state.now.addingTimeInterval(seconds)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// How many sleeps have begun, and the deadlines of those still asleep.
    var sleeping: (count: Int, deadlines: [Date]) { state.withLock { ($0.sleeps, $0.sleepers.values.map(\.deadline)) } }
}
