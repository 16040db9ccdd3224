import Synchronization

/// A time budget for work that outside input drives (reading a calendar or a mail, expanding
/// its rules, storing an import), and the daemon's stop. The loops such input controls ask
/// `WorkBudget.exceeded()` as they go and give up with the reason it names: a request that
/// would run past its budget, or that is still running when eventd is told to stop, ends with
/// its transaction rolled back instead of holding a core.
///
/// The budget is a task-local value, so it reaches synchronous code called from the task, and
/// the work threads and the store's writer bind it again where they run the work.
public struct WorkBudget: Sendable {
    /// What the work is, for the refusal and the log: `POST /v1/import`.
    public var what: String
    /// Seconds the work may take, and when that ends on the monotonic clock.
    public var seconds: Double
    public var deadline: ContinuousClock.Instant

    public init(what: String, seconds: Double) {
        self.what = what
        self.seconds = seconds
        self.deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    }

    @TaskLocal public static var current: WorkBudget?

    /// Set once when eventd begins to stop: every budgeted loop ends at its next check.
    private static let stopping = Atomic<Bool>(false)

    public static func stop() { stopping.store(true, ordering: .releasing) }
    public static var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// nil while the work may go on; else why it must end, in words for the caller.
    public static func exceeded() -> String? {
        if isStopping { return "eventd is stopping; the work was cut short" }
        guard let budget = current, ContinuousClock.now > budget.deadline else { return nil }
        return "the input takes more than the \(Self.format(budget.seconds)) s eventd gives one request (max_request_seconds)"
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
