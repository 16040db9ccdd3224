import EventModel
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Where the CPU-heavy work of a request runs: reading a calendar or a mail, planning an import.
/// Its own threads, so that however long one input takes, the threads that answer the API (and
/// hear SIGTERM) stay free; and a budget, so that it takes at most `max_request_seconds` and
/// ends at once when eventd stops.
final class InputWork: Sendable {
    private let pool: NIOThreadPool
    private let running = Mutex([Int: String]())
    private let next = Atomic<Int>(0)

    init(threads: Int = 2) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// `body` on the input threads, under `budget` (one request's, shared by all its steps).
    func run<T: Sendable>(_ budget: WorkBudget, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let id = next.add(1, ordering: .relaxed).newValue
        running.withLock { $0[id] = budget.what }
        defer { _ = running.withLock { $0.removeValue(forKey: id) } }
        return try await pool.runIfActive { try WorkBudget.$current.withValue(budget) { try body() } }
    }

    /// What runs now, for the log of a stop that had to cut work short.
    var inFlight: [String] { running.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }
}

/// The stop that always stops. On SIGTERM or SIGINT every budgeted loop is told to end (its
/// transaction rolls back), and if eventd has still not stopped after `stop_timeout`, a thread of
/// its own, which no busy task can hold up, logs what was cut short and ends the process: the
/// register is transactional (an unfinished write is rolled back when it is next opened) and a
/// notice whose hook was running is sent again after the restart.
struct StopGuard: Service {
    let live: LiveConfig
    let work: InputWork
    let logger: Logger

    func run() async throws {
        // Returns when the group begins to stop (this service is the first to hear it).
        try? await gracefulShutdown()
        WorkBudget.stop()
        // The setting in force at the stop, a reload's included.
        let timeout = live.current.stopTimeout, work = work, logger = logger
        let thread = Thread {
            Thread.sleep(forTimeInterval: timeout)
            let cut = work.inFlight
            logger.error(
                "eventd did not stop within stop_timeout; ending it now",
                metadata: ["stop_timeout": "\(timeout)", "cut short": "\(cut.isEmpty ? "requests and notices in progress" : cut.joined(separator: "; "))"])
            _exit(1)
        }
        thread.start()
    }
}
