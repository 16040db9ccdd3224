import EventAPI
import EventModel
import EventStore
import Foundation
import Logging
import Testing

@testable import EventDaemon

/// A register in a temporary folder, the real planner and scheduler on a `ManualClock`, and a
/// real mail hook: a shell script that logs each attempt and keeps each message it is handed.
/// The hook fails (exit 1) for `fail@…`, defers (75) for `later@…` and hangs for `hang@…`.
final class Fixture: Sendable {
    /// 2030-03-03T08:00:00Z: a whole second, so fake times are exact.
    static let start = Date(timeIntervalSince1970: 1_898_755_200)

    let directory: String
    let clock = ManualClock(Fixture.start)
    let store: SQLiteStore
    let live: LiveConfig
    let planner: NoticePlanner
    let reader: InputReader

    init(_ settings: (inout DaemonConfig) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.path + "/eventd-unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/mail", withIntermediateDirectories: true)
        let hook = directory + "/hook.sh"
        try """
            #!/bin/sh
            echo "$EVENTD_NOTICE_ID $EVENTD_NOTICE_KIND $EVENTD_RECIPIENT $EVENTD_MESSAGE_ID" >> \(directory)/attempts.log
            case "$EVENTD_RECIPIENT" in
              fail@*) cat >/dev/null; echo "550 mailbox unavailable" >&2; exit 1 ;;
              later@*) cat >/dev/null; echo "421 try again later" >&2; exit 75 ;;
              hang@*) cat >/dev/null; exec sleep 60 ;;
            esac
            cat > \(directory)/mail/$EVENTD_NOTICE_ID-$(date +%s%N).eml

            """.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        var config = DaemonConfig()
        config.dataDirectory = directory
        config.mailHook = [hook]
        config.defaultReminders = []
        settings(&config)
        let clock = self.clock
        store = try SQLiteStore(directory: directory, clock: { clock.instant })
        live = LiveConfig(config, clock: clock)
        planner = NoticePlanner(live: live)
        reader = InputReader(defaultTimeZone: config.defaultTimeZone, maxOccurrences: config.maxOccurrences, clock: clock)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// `seconds` after the fixture's start, as the register stores it.
    static func at(_ seconds: Int64) -> Instant { Instant(seconds: Int64(start.timeIntervalSince1970) + seconds) }

    /// Adds an event as `eventctl add` does, through the daemon's write path.
    func addEvent(startingIn seconds: Int64, reminders: [String], people: [String], rrule: String? = nil) async throws -> Event {
        var input = EventInput()
        input.kind = "meeting"
        input.title = "Họp giao ban"
        input.start = ISO8601DateFormatter().string(from: Self.start.addingTimeInterval(Double(seconds)))
        input.reminders = reminders
        input.rrule = rrule
        input.participants = people.map { ParticipantInput(person: $0, role: "attendee") }
        return try await writer().create(input).event
    }

    /// The daemon's write path, with a feed writer that is not running (its marks go nowhere).
    func writer(feeds: FeedWriter? = nil) -> EventWriter {
        var logger = Logger(label: "eventd-test")
        logger.logLevel = .critical
        return EventWriter(
            store: store, reader: reader, live: live, planner: planner,
            feeds: feeds ?? FeedWriter(store: store, live: live, group: nil, clock: clock, logger: logger), wake: {})
    }

    /// The hook's log: one line per attempt, `id kind recipient message-id`.
    func attempts() -> [String] {
        ((try? String(contentsOfFile: directory + "/attempts.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func messages() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/mail")) ?? []).sorted()
    }

    /// A running scheduler; `stop()` ends it as SIGTERM does (the task is cancelled).
    struct Running {
        let scheduler: NoticeScheduler
        let task: Task<Void, any Error>

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    func startScheduler() -> Running {
        var logger = Logger(label: "eventd-test")
        logger.logLevel = .critical
        let scheduler = NoticeScheduler(store: store, live: live, planner: planner, clock: clock, logger: logger)
        return Running(scheduler: scheduler, task: Task { try await scheduler.run() })
    }

    /// How long `eventually` waits in real time: long by default, because the end-to-end tests,
    /// run in the same process, block the cooperative threads for a minute and more; short
    /// (`EVENTD_TEST_WAIT=10`) when only these tests run, as for a mutation.
    static let patience = ProcessInfo.processInfo.environment["EVENTD_TEST_WAIT"].flatMap(Double.init) ?? 300

    /// Waits (in real time, at most `seconds`) until `condition` holds: the code under test runs
    /// at its own speed, only its clock is fake. Fails the test if it never holds.
    func eventually(
        _ what: String, seconds: Double = Fixture.patience, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await !condition() {
            guard Date() < deadline else {
                Issue.record("never happened: \(what)", sourceLocation: sourceLocation)
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until the scheduler, after `since` sleeps, is asleep until `deadline`: it has looked
    /// at the outbox and found nothing to do before then.
    func asleep(until deadline: Instant, since: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let date = Date(timeIntervalSince1970: Double(deadline.seconds))
        try await eventually("the scheduler sleeps until \(deadline.seconds - Self.at(0).seconds) s", sourceLocation: sourceLocation) {
            let sleeping = clock.sleeping
            return sleeping.count > since && sleeping.deadlines.contains(date)
        }
    }

    /// Wakes the scheduler as a write would, and waits until it is asleep again until `deadline`.
    func wake(_ running: Running, thenAsleepUntil deadline: Instant, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let sleeps = clock.sleeping.count
        running.scheduler.wake()
        try await asleep(until: deadline, since: sleeps, sourceLocation: sourceLocation)
    }

    func notices() async throws -> [Notice] { try await store.notices(state: nil, eventID: nil) }

    /// Whether the one notice has had `attempts` attempts and is now `state`.
    func notice(attempts: Int, _ state: NoticeState) async throws -> Bool {
        let notice = try await notices().first
        return notice?.attempts == attempts && notice?.state == state
    }
}
