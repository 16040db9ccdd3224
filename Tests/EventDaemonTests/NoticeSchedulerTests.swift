import EventAPI
import EventModel
import EventStore
import Foundation
import Testing

@testable import EventDaemon

/// The real scheduler, planner, store and hook process; only the clock is the test's.
@Suite struct NoticeSchedulerTests {
    @Test func aReminderIsNotSentBeforeItIsDueAndIsSentOnceWhenItIs() async throws {
        let fixture = try Fixture()
        // Due 50 minutes from now: the event at +1 h, the reminder 10 minutes before.
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["10m"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        let due = Fixture.at(3000)
        #expect(try await fixture.notices().map(\.draft.due) == [due])
        let running = fixture.startScheduler()
        try await fixture.asleep(until: due, since: 0)

        // A second early, and woken as a write would wake it: still nothing.
        fixture.clock.advance(by: 2999)
        try await fixture.wake(running, thenAsleepUntil: due)
        #expect(fixture.attempts().isEmpty)
        #expect(try await fixture.notices().map(\.state) == [.pending])

        // On the second it is due: sent, once.
        fixture.clock.advance(by: 1)
        try await fixture.eventually("the reminder is sent") { try await fixture.notices().map(\.state) == [.sent] }
        #expect(fixture.attempts().count == 1)
        #expect(fixture.messages().count == 1)
        let notice = try #require(try await fixture.notices().first)
        #expect(notice.attempts == 1)
        #expect(fixture.attempts().first?.hasSuffix(" reminder hieu@moj.gov.vn \(notice.messageID)") == true)

        // Later, and woken again, it is not sent a second time.
        fixture.clock.advance(by: 3600)
        try await fixture.wake(running, thenAsleepUntil: Fixture.at(86_400))
        #expect(fixture.attempts().count == 1)
        await running.stop()
    }

    @Test func aFailingHookIsRetriedWithBackoffAtItsTimesThenReportedFailed() async throws {
        let fixture = try Fixture {
            $0.maxAttempts = 3
            $0.retryBase = 60
        }
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["3590s"], people: ["Hỏng <fail@example.vn>"])
        let running = fixture.startScheduler()
        try await fixture.asleep(until: Fixture.at(10), since: 0)

        // Attempt 1 when due; the retry waits retry_base (60 s), the next twice that (120 s).
        fixture.clock.advance(by: 10)
        try await fixture.eventually("attempt 1 ends") { try await fixture.notice(attempts: 1, .pending) }
        #expect(try await fixture.notices().first?.nextAttempt == Fixture.at(70))
        #expect(try await fixture.notices().first?.lastError == "exit 1: 550 mailbox unavailable")
        try await fixture.asleep(until: Fixture.at(70), since: 0)

        fixture.clock.advance(by: 59)
        try await fixture.wake(running, thenAsleepUntil: Fixture.at(70))
        #expect(fixture.attempts().count == 1, "not retried a second early")

        fixture.clock.advance(by: 1)
        try await fixture.eventually("attempt 2 ends") { try await fixture.notice(attempts: 2, .pending) }
        #expect(try await fixture.notices().first?.nextAttempt == Fixture.at(190))
        fixture.clock.advance(by: 119)
        try await fixture.wake(running, thenAsleepUntil: Fixture.at(190))
        #expect(fixture.attempts().count == 2, "the second wait is twice the first")

        // The last attempt fails: reported failed with the hook's stderr, never tried again.
        fixture.clock.advance(by: 1)
        try await fixture.eventually("reported failed") { try await fixture.notices().first?.state == .failed }
        let failed = try #require(try await fixture.notices().first)
        #expect(failed.attempts == 3)
        #expect(failed.lastError == "exit 1: 550 mailbox unavailable")
        fixture.clock.advance(by: 7200)
        try await fixture.wake(running, thenAsleepUntil: Fixture.at(86_400))
        #expect(fixture.attempts().count == 3)
        await running.stop()
    }

    @Test func aHookThatHangsIsKilledAtHookTimeoutOnTheClock() async throws {
        let fixture = try Fixture {
            $0.maxAttempts = 1
            $0.hookTimeout = 30
        }
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["3590s"], people: ["Treo <hang@example.vn>"])
        let running = fixture.startScheduler()
        try await fixture.asleep(until: Fixture.at(10), since: 0)
        fixture.clock.advance(by: 10)
        try await fixture.eventually("the hook runs") { fixture.attempts().count == 1 }
        // The hook hangs; short of the timeout it is left alone: its timeout still sleeps on the
        // clock, until 30 s after it began (a shorter timeout would have woken, or never slept).
        fixture.clock.advance(by: 29)
        let timeout = Date(timeIntervalSince1970: Double(Fixture.at(40).seconds))
        try await fixture.eventually("the hook's timeout sleeps until 30 s after it began") { fixture.clock.sleeping.deadlines.contains(timeout) }
        #expect(try await fixture.notices().first?.state == .sending)
        fixture.clock.advance(by: 1)
        try await fixture.eventually("the hook is killed") { try await fixture.notices().first?.state == .failed }
        #expect(try await fixture.notices().first?.lastError == "the hook ran longer than 30 s (hook_timeout); it and its children were killed")
        await running.stop()
    }

    /// Issue 20: when the write that ends a delivery failed, the one that put the notice back
    /// ran under `try?`, and a failure there left it `sending` until a restart.
    @Test func aNoticeThatCannotBePutBackIsTriedAgainNotLeftSending() async throws {
        let fixture = try Fixture { $0.retryBase = 60 }
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["3590s"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        let running = fixture.startScheduler()
        try await fixture.asleep(until: Fixture.at(10), since: 0)
        // From another connection, as a failing disk would: no notice may leave `sending`.
        let register = fixture.directory + "/register.sqlite"
        let trigger = "CREATE TRIGGER stuck BEFORE UPDATE OF state ON notice WHEN OLD.state = 'sending' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;"
        #expect(try sqlite(register, trigger) == 0)
        let sleeps = fixture.clock.sleeping.count
        fixture.clock.advance(by: 10)
        try await fixture.eventually("the hook runs") { fixture.attempts().count == 1 }
        // Neither sent nor put back: it waits a second on the clock to try again.
        let again = Date(timeIntervalSince1970: Double(Fixture.at(11).seconds))
        try await fixture.eventually("the put-back waits to be tried again") {
            fixture.clock.sleeping.count > sleeps && fixture.clock.sleeping.deadlines.contains(again)
        }
        #expect(try await fixture.notices().first?.state == .sending)
        #expect(try sqlite(register, "DROP TRIGGER stuck;") == 0)
        fixture.clock.advance(by: 1)
        try await fixture.eventually("put back to pending for a retry") { try await fixture.notice(attempts: 1, .pending) }
        #expect(try await fixture.notices().first?.nextAttempt == Fixture.at(70))
        await running.stop()
    }

    /// README: `hook_concurrency` is the most hooks running at once. Three notices fall due
    /// together under a limit of two: two hooks run, and the third waits for a slot.
    @Test func noMoreHooksRunAtOnceThanHookConcurrency() async throws {
        let fixture = try Fixture {
            $0.hookConcurrency = 2
            $0.hookTimeout = 30
            $0.maxAttempts = 1
        }
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["3590s"], people: ["A <hang@a.example.vn>", "B <hang@b.example.vn>", "C <hang@c.example.vn>"])
        let running = fixture.startScheduler()
        try await fixture.asleep(until: Fixture.at(10), since: 0)
        let sleeps = fixture.clock.sleeping.count
        fixture.clock.advance(by: 10)
        try await fixture.eventually("two hooks run") { fixture.attempts().count == 2 }
        // With both slots busy the scheduler sleeps, not until the clock's next notice (the
        // third is due now) but until a hook ends or its daily look: the third is still pending.
        try await fixture.asleep(until: Fixture.at(86_400), since: sleeps)
        #expect(try await fixture.notices().map(\.state).sorted { $0.rawValue < $1.rawValue } == [.pending, .sending, .sending])
        #expect(fixture.attempts().count == 2)
        // The two hang until hook_timeout; their slots free, the third runs.
        fixture.clock.advance(by: 30)
        try await fixture.eventually("the third hook runs once a slot is free") { fixture.attempts().count == 3 }
        fixture.clock.advance(by: 30)
        try await fixture.eventually("all three end") { try await fixture.notices().allSatisfy { $0.state == .failed } }
        await running.stop()
    }

    /// README: `auto_updates = false` sends no updated REQUEST after a change that raises the
    /// sequence; with it (the default) the same change queues one.
    @Test(arguments: [true, false])
    func autoUpdatesDecidesWhetherAChangeSendsAnUpdate(autoUpdates: Bool) async throws {
        let fixture = try Fixture {
            $0.autoUpdates = autoUpdates
            $0.organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>"
        }
        let event = try await fixture.addEvent(startingIn: 86_400, reminders: [], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        let id = try #require(event.id)
        _ = try await fixture.writer().invite(eventID: id)
        var move = EventInput()
        move.location = "Hội trường B"
        let moved = try await fixture.writer().update(id: id, move)
        #expect(moved.event.sequence > event.sequence, "a change of place raises the sequence")
        let kinds = try await fixture.notices().map(\.draft.kind)
        #expect(kinds == (autoUpdates ? [.invitation, .update] : [.invitation]), "\(kinds)")
    }

    /// Runs one statement with the sqlite3 shell; its exit status.
    func sqlite(_ file: String, _ sql: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-cmd", ".timeout 5000", file, sql]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func aNoticeClaimedWhenTheDaemonDiedIsSentOnceAfterTheRestartWithItsMessageID() async throws {
        let fixture = try Fixture()
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["3590s"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        fixture.clock.advance(by: 10)
        // What a daemon killed after claiming it (before or while its hook ran) leaves behind.
        let claimed = try await fixture.store.claimDueNotices(now: fixture.clock.instant, limit: 4)
        try #require(claimed.map(\.state) == [.sending])
        #expect(try await fixture.notices().map(\.state) == [.sending])

        let running = fixture.startScheduler()
        try await fixture.eventually("sent after the restart") { try await fixture.notices().map(\.state) == [.sent] }
        let notice = try #require(try await fixture.notices().first)
        #expect(notice.attempts == 2, "the interrupted attempt counts")
        #expect(fixture.attempts() == ["\(notice.id) reminder hieu@moj.gov.vn \(claimed[0].messageID)"], "once, with the same Message-ID")
        #expect(fixture.messages().count == 1)
        await running.stop()
    }

    @Test func aReminderThatFellDueWhileTheDaemonWasDownIsSentOnStartUnlessTheEventBegan() async throws {
        let fixture = try Fixture()
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["10m"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        _ = try await fixture.addEvent(startingIn: 1800, reminders: ["10m"], people: ["Nhữ Văn Tâm <tam@thainguyen.gov.vn>"])
        // Down from before the reminders were due until after the second event began (late_grace 0).
        fixture.clock.advance(by: 3100)
        let running = fixture.startScheduler()
        try await fixture.eventually("one sent, one skipped") { try await Set(fixture.notices().map(\.state)) == [.sent, .skipped] }
        let notices = try await fixture.notices()
        #expect(fixture.attempts().map { $0.split(separator: " ")[2] } == ["hieu@moj.gov.vn"])
        let skipped = try #require(notices.first { $0.state == .skipped })
        #expect(skipped.draft.recipient == "tam@thainguyen.gov.vn")
        #expect(skipped.lastError?.hasPrefix("not sent: the event began at 2030-03-03T08:30:00+00:00 before it could be (late_grace 0 s)") == true, "\(skipped.lastError ?? "")")
        await running.stop()
    }

    @Test func cancellingTheEventWithdrawsItsRemindersAndNoneIsSent() async throws {
        let fixture = try Fixture()
        let event = try await fixture.addEvent(startingIn: 86_400, reminders: ["1h", "10m"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        let kept = try await fixture.addEvent(startingIn: 86_400, reminders: ["1h"], people: ["Nhữ Văn Tâm <tam@thainguyen.gov.vn>"])
        #expect(try await fixture.notices().count == 3)
        _ = try await fixture.writer().cancel(id: event.id!)
        let left = try await fixture.notices()
        #expect(left.map(\.draft.eventUID) == [kept.uid], "the cancelled event's reminders are withdrawn, the other event's kept")

        let running = fixture.startScheduler()
        try await fixture.asleep(until: Fixture.at(86_400 - 3600), since: 0)
        fixture.clock.advance(by: 86_400 - 600)
        try await fixture.eventually("the other event's reminder is sent") { try await fixture.notices().map(\.state) == [.sent] }
        #expect(fixture.attempts().map { $0.split(separator: " ")[2] } == ["tam@thainguyen.gov.vn"])
        await running.stop()
    }

    @Test func aRecurringEventsRemindersAreToppedUpDailyAsTheWeekAheadMoves() async throws {
        let fixture = try Fixture()
        let week = NoticePlanner.reminderWindow
        _ = try await fixture.addEvent(startingIn: 3600, reminders: ["10m"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"], rrule: "FREQ=WEEKLY;COUNT=4")
        // Only reminders due within the week ahead are in the outbox: the first occurrence's.
        #expect(try await fixture.notices().map(\.draft.due) == [Fixture.at(3000)])
        let running = fixture.startScheduler()
        try await fixture.asleep(until: Fixture.at(3000), since: 0)
        fixture.clock.advance(by: 3000)
        try await fixture.eventually("the first reminder is sent") { try await fixture.notices().map(\.state) == [.sent] }

        // The second week's reminder comes within the window during the day; the daily top-up
        // (a day after the start) plans it, not a wake-up before.
        fixture.clock.advance(by: 86_399 - 3000)
        try await fixture.wake(running, thenAsleepUntil: Fixture.at(86_400))
        #expect(try await fixture.notices().count == 1)
        fixture.clock.advance(by: 1)
        try await fixture.eventually("the second reminder is planned") { try await fixture.notices().count == 2 }
        #expect(try await fixture.notices().map(\.draft.due) == [Fixture.at(3000), Fixture.at(3000 + week)])
        #expect(fixture.attempts().count == 1)
        await running.stop()
    }

    /// README: a reminder joins the outbox once due within 7 days, looked for again at each start.
    @Test func aReminderBeyondTheWeekIsPlannedAtTheFirstStartThatBringsItWithin() async throws {
        let fixture = try Fixture()
        // Ten days ahead, a day's notice: due on day 9, beyond the week.
        _ = try await fixture.addEvent(startingIn: 10 * 86_400, reminders: ["1d"], people: ["Phan Chí Hiếu <hieu@moj.gov.vn>"])
        #expect(try await fixture.notices().isEmpty, "not planned while it is more than a week away")
        // eventd was down for four days: the start itself plans it, before any daily top-up.
        fixture.clock.advance(by: 4 * 86_400)
        let running = fixture.startScheduler()
        try await fixture.eventually("the reminder is planned at start") { try await fixture.notices().map(\.draft.due) == [Fixture.at(9 * 86_400)] }
        await running.stop()
    }
}
