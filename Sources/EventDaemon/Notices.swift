import EventModel
import EventStore
import Foundation
import Logging
import ServiceLifecycle
import Subprocess
import Synchronization
import SystemPackage

/// Decides which notices a change calls for, from the change, what the outbox holds for the
/// event and the time. It reads and writes nothing itself: `EventWriter` and the scheduler's
/// top-up hand it what the transaction read and write its `Plan` in the same transaction.
struct NoticePlanner: Sendable {
    let live: LiveConfig

    var config: DaemonConfig { live.current }
    var composer: MailComposer {
        let config = self.config
        return MailComposer(
            from: config.mailFrom, organizer: config.organizer, defaultZone: config.defaultTimeZone, reminders: config.defaultReminders.map { Int($0) })
    }

    var scheduling: Scheduling { Scheduling(config: config) }

    /// Notices to put in the outbox, and pending ones to take out of it.
    struct Plan: Sendable, Equatable {
        var queue: [NoticeDraft] = []
        var withdraw: [Int64] = []
    }

    /// Reminders follow the event (moved, withdrawn when it is cancelled or deleted); a cancel
    /// sends CANCEL to everyone; once invitations went out (`invited`), a change that raises
    /// SEQUENCE sends an updated REQUEST, and a person taken off the event gets a CANCEL.
    /// `held`: the event's reminders in the outbox.
    func plan(_ change: EventChange, held: [Notice], invited: Bool, now: Instant) throws -> Plan {
        let (before, after) = (change.before, change.after)
        var plan = reminderPlan(
            desired: try reminders(for: after, now: now), held: held, now: now, withdrawOverdue: after == nil || after?.status == .cancelled)
        // Only people eventd invited hear of changes, and only while the event is still ahead.
        guard let before, invited, before.end > now else { return plan }
        guard let after else {
            // RFC 5546: a CANCEL raises SEQUENCE, so calendars take it as newer than the last REQUEST.
            var gone = before
            gone.sequence += 1
            if before.status != .cancelled { plan.queue += try letters(.cancellation, gone, to: people(before), now: now) }
            return plan
        }
        if after.status == .cancelled, before.status != .cancelled {
            plan.queue += try letters(.cancellation, after, to: people(before).union(people(after)), now: now)
            return plan
        }
        guard after.status != .cancelled else { return plan }
        let removed = people(before).subtracting(people(after))
        if !removed.isEmpty {
            // The event as they knew it, with the new SEQUENCE, so their calendar takes the CANCEL as newer.
            var theirs = before
            theirs.sequence = after.sequence
            plan.queue += try letters(.cancellation, theirs, to: removed, now: now, removed: true)
        }
        guard config.autoUpdates, after.sequence > before.sequence else { return plan }
        // Someone new was never invited: an invitation for them, an update (saying what changed) for the rest.
        let added = people(after).subtracting(people(before))
        plan.queue += try letters(.invitation, after, to: added, now: now)
        plan.queue += try letters(
            .update, after, to: people(after).subtracting(added), now: now, changes: ChangedFact.between(before, after),
            occurrence: Self.changedOccurrence(before, after)?.start)
        return plan
    }

    /// The one occurrence a change changed (moved, retitled, cancelled), when that is all it
    /// changed of the series' times: the update is about that occurrence and names its date.
    static func changedOccurrence(_ before: Event, _ after: Event) -> OccurrenceOverride? {
        guard before.start == after.start, before.end == after.end, let series = after.recurrence else { return nil }
        var bare = series, old = before.recurrence
        bare.overrides = []
        old?.overrides = []
        guard bare == old else { return nil }
        let held = before.recurrence?.overrides ?? []
        let changed = series.overrides.filter { !held.contains($0) }
        return changed.count == 1 ? changed[0] : nil
    }

    /// The event's reminders made `desired`. A new one is added unless its time has passed (a new
    /// event gets no late reminders). A held one no longer wanted (the event moved or shrank) is
    /// withdrawn while pending, except one that fell due unsent (eventd was down), which the
    /// scheduler sends or skips, unless `withdrawOverdue` (the event was cancelled or deleted).
    /// Reminders sent, being sent, failed or skipped stay as they are: replanning never sends one twice.
    func reminderPlan(desired: [NoticeDraft], held: [Notice], now: Instant, withdrawOverdue: Bool) -> Plan {
        // The key holds the occurrence and the offset, so a kept reminder's time is already right:
        // a moved event has new keys, and its old pending reminders are withdrawn.
        struct Key: Hashable { var startsAt: Instant, offset: Int64, person: Int64 }
        func key(_ draft: NoticeDraft) -> Key { Key(startsAt: draft.startsAt, offset: draft.offset ?? 0, person: draft.personID) }
        let heldKeys = Set(held.map { key($0.draft) })
        let wanted = Set(desired.map(key))
        return Plan(
            queue: desired.filter { !heldKeys.contains(key($0)) && $0.due >= now },
            withdraw: held.filter { $0.state == .pending && !wanted.contains(key($0.draft)) && (withdrawOverdue || $0.draft.due >= now) }.map(\.id))
    }

    /// REQUESTs to every participant with an email (`eventctl invite`), but not to the organizer.
    func invitations(_ event: Event, now: Instant) throws -> [NoticeDraft] {
        try letters(.invitation, event, to: people(event), now: now)
    }

    /// Who an invitation cannot reach: participants without an email (the organizer aside).
    func uninvitable(_ event: Event) -> [Person] {
        unique(event.participants.map(\.person)).filter { $0.email == nil }
    }

    /// Reminders are put in the outbox only when due within this window; the scheduler tops it up
    /// every day and at start, so a year of events is not a year of notice rows.
    static let reminderWindow: Int64 = 7 * 86_400

    /// Every reminder, of every occurrence not yet begun, that falls due before `now` plus the window.
    func reminders(for event: Event?, now: Instant) throws -> [NoticeDraft] {
        guard let event, event.status != .cancelled else { return [] }
        let reminders = event.reminders ?? config.defaultReminders.map { Reminder(offset: $0, audience: config.defaultReminderAudience) }
        guard let longest = reminders.map(\.offset).max() else { return [] }
        let last = now.adding(seconds: Self.reminderWindow)
        var drafts: [NoticeDraft] = []
        var seen = Set<String>()
        // Occurrences not yet begun; the outbox adds only reminders still ahead, but keeps overdue ones it holds.
        for start in try scheduling.starts(of: event, from: now, to: last.adding(seconds: longest + 1)) where start > now {
            for reminder in reminders {
                let due = start.adding(seconds: -reminder.offset)
                guard due <= last else { continue }
                // `unanswered`: those whose answer is still awaited (checked again when it is sent).
                let audience = event.participants.filter {
                    reminder.audience.includes($0.role) && (reminder.audience != .unanswered || $0.rsvp == .needsAction)
                }.map(\.person)
                for person in unique(audience) {
                    // `1h` and `60m:speakers` are one reminder for a speaker.
                    guard let id = person.id, let email = person.email, seen.insert("\(start.seconds)/\(reminder.offset)/\(id)").inserted else { continue }
                    drafts.append(
                        NoticeDraft(
                            kind: .reminder, eventUID: event.uid, eventID: event.id, personID: id, recipient: email, due: due,
                            startsAt: start, offset: reminder.offset, sequence: event.sequence, audience: reminder.audience))
                }
            }
        }
        return drafts
    }

    /// One letter per person with an email, each keeping the event it describes; the mail is
    /// composed when it is sent. An invitation needs an organizer with an email: without one
    /// the change is refused here, before anything is written.
    private func letters(
        _ kind: NoticeKind, _ event: Event, to people: Set<Person>, now: Instant, changes: [ChangedFact] = [], removed: Bool = false,
        occurrence: Instant? = nil
    ) throws -> [NoticeDraft] {
        // The organizer sends the invitations; they are not invited to their own event.
        let organizer = composer.organizer(of: event)?.email
        let recipients = people.sorted { ($0.id ?? 0) < ($1.id ?? 0) }.filter { $0.id != nil && $0.email != nil && $0.email != organizer }
        guard !recipients.isEmpty else { return [] }
        guard organizer != nil else { throw MailComposer.noOrganizer }
        let letter = NoticeLetter(event: event, changes: changes, removed: removed, occurrence: occurrence)
        return recipients.map { person in
            var draft = NoticeDraft(
                kind: kind, eventUID: event.uid, eventID: event.id, personID: person.id!, recipient: person.email!, due: now, startsAt: event.start,
                sequence: event.sequence, letter: letter)
            draft.messageID = "<\(UUID().uuidString.lowercased())@eventd>"
            return draft
        }
    }

    private func people(_ event: Event) -> Set<Person> { Set(event.participants.map(\.person)) }

    private func unique(_ people: [Person]) -> [Person] {
        var seen = Set<Int64>()
        return people.filter { seen.insert($0.id ?? 0).inserted }
    }
}

extension WriteContext {
    /// Writes a notice plan in this transaction.
    func apply(_ plan: NoticePlanner.Plan) throws {
        try withdraw(noticeIDs: plan.withdraw)
        try queue(plan.queue)
    }
}

/// Runs the mail hook: argv without a shell, the message on stdin, `EVENTD_*` in the environment.
struct MailHook: Sendable {
    let argv: [String]
    let timeout: Int64
    let clock: any DaemonClock

    enum Outcome: Sendable, Equatable {
        case delivered
        /// Exit 75 (EX_TEMPFAIL): try again later.
        case later(String)
        case failed(String)
    }

    private enum HookEvent: Sendable {
        case stderr([UInt8]), timedOut, stopped
    }

    /// Most of the hook's stderr kept as its error; the rest is read and dropped, never an error itself.
    static let stderrLimit = 64 * 1024

    /// Between SIGTERM and SIGKILL for what is left of a hook's process group.
    static let grace: Duration = .seconds(1)

    func send(_ message: String, environment: [String: String]) async -> Outcome {
        let group = ProcessGroupID()
        let outcome = await run(message, environment: environment, group: group)
        // However the hook ended (exit 0, 75, any failure, its timeout, eventd stopping), what it
        // left running in its group is ended too: a background child (a sendmail that forks, a
        // `cmd &`) must not outlive the notice it was started for.
        if let id = group.id { await Self.end(processGroup: id) }
        return outcome
    }

    private func run(_ message: String, environment: [String: String], group: ProcessGroupID) async -> Outcome {
        let argv = self.argv
        let clock = self.clock
        let deadline = clock.now().addingTimeInterval(Double(timeout))
        // Its own session and process group, whose id is the hook's pid: at its timeout, and once
        // it exits, the whole group is ended, so a hook's children do not outlive it.
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: Self.grace)]
        let timeout = self.timeout
        do {
            // The message reaches the hook as a file rather than a pipe: a hook that exits without
            // reading it (or forks before reading) cannot make the write fail.
            let message = try MessageFile(message)
            let result = try await Subprocess.run(
                .path(FilePath(argv[0])), arguments: Arguments(Array(argv.dropFirst())),
                environment: Subprocess.Environment.inherit.updating(
                    Dictionary(uniqueKeysWithValues: environment.map { (Subprocess.Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
                platformOptions: options, input: .fileDescriptor(message.descriptor, closeAfterSpawningProcess: true), output: .discarded, error: .sequence
            ) { execution in
                group.set(execution.processIdentifier.value)
                return try await withThrowingTaskGroup(of: HookEvent.self) { tasks in
                    tasks.addTask {
                        var kept: [UInt8] = []
                        for try await buffer in execution.standardError where kept.count < Self.stderrLimit {
                            buffer.withUnsafeBytes { kept.append(contentsOf: $0.prefix(Self.stderrLimit - kept.count)) }
                        }
                        return .stderr(kept)
                    }
                    tasks.addTask {
                        do { try await clock.sleep(until: deadline) } catch { return .stopped }
                        // The hook itself as well as its group: on a busy machine the timeout can
                        // come before the child has made its own group (setsid), and a signal to a
                        // group that does not exist yet is lost.
                        try? execution.send(signal: .terminate, toProcessGroup: true)
                        try? execution.send(signal: .terminate, toProcessGroup: false)
                        do {
                            try await Task.sleep(for: Self.grace)
                            try? execution.send(signal: .kill, toProcessGroup: true)
                            try? execution.send(signal: .kill, toProcessGroup: false)
                        } catch {
                            // Cancelled: the hook has exited, and `end(processGroup:)` gives what is left its own grace.
                        }
                        return .timedOut
                    }
                    // stderr ends when the hook has exited (swift-subprocess then stops reading, even
                    // while a child still holds it open) or when nothing holds it open any more.
                    var kept: [UInt8] = []
                    var timedOut = false
                    for try await event in tasks {
                        switch event {
                        case .stderr(let bytes):
                            kept = bytes
                            tasks.cancelAll()
                        case .timedOut: timedOut = true
                        case .stopped: break
                        }
                    }
                    return (String(decoding: kept, as: UTF8.self), timedOut)
                }
            }
            let (stderrText, timedOut) = result.closureResult
            let stderr = stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            switch result.terminationStatus {
            // Ended by us: the hook itself was still running at the timeout.
            case .signaled where timedOut: return .failed("the hook ran longer than \(timeout) s (hook_timeout); it and its children were killed")
            case .exited(0): return .delivered
            case .exited(75): return .later("exit 75 (try later)" + (stderr.isEmpty ? "" : ": " + stderr))
            case .exited(let code): return .failed("exit \(code)" + (stderr.isEmpty ? "" : ": " + stderr))
            case .signaled(let signal): return .failed("killed by signal \(signal)")
            }
        } catch is CancellationError {
            return .failed("the hook was interrupted (eventd is stopping)")
        } catch {
            return .failed("cannot run \(argv[0]): \(error)")
        }
    }

    /// Ends what is left of a hook's process group once the hook has been reaped: SIGTERM, and
    /// SIGKILL for whatever is still there after `grace` (at once when eventd is stopping). While
    /// any member lives the kernel keeps the group's id for it, and with none left kill() answers
    /// ESRCH, so the signals reach only the hook's own children. Real time, not the daemon's clock:
    /// the grace is for processes, which do not run on a test's clock.
    static func end(processGroup id: pid_t) async {
        guard kill(-id, SIGTERM) == 0 else { return }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
            if kill(-id, 0) != 0 { return }
        }
        kill(-id, SIGKILL)
    }
}

/// The process group a hook runs in, set once the hook is started, read after it is reaped.
final class ProcessGroupID: Sendable {
    private let value = Mutex<pid_t?>(nil)

    var id: pid_t? { value.withLock { $0 } }

    func set(_ id: pid_t) { value.withLock { $0 = id } }
}

/// A message in an unlinked temporary file, positioned at its start, for a hook's stdin.
struct MessageFile {
    let descriptor: FileDescriptor

    init(_ text: String) throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/eventd-notice-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw Daemon.StartError(description: "cannot create a temporary file for the hook: \(String(cString: strerror(errno)))") }
        // Gone from the folder at once: only the descriptor, and the hook it is handed to, can read it.
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard FileModes.writeAll(fd, Array(text.utf8)) else {
            defer { close(fd) }
            throw FileModes.failure("cannot write the message for the hook")
        }
        lseek(fd, 0, SEEK_SET)
        descriptor = FileDescriptor(rawValue: fd)
    }
}

/// Sends each notice at its time: sleeps until the next one is due, wakes early when a nearer
/// one is queued, runs up to `hook_concurrency` hooks at once, retries with backoff.
final class NoticeScheduler: Service, Sendable {
    let store: SQLiteStore
    let live: LiveConfig
    let planner: NoticePlanner
    let clock: any DaemonClock
    let logger: Logger
    private let wakeup = Wakeup()
    private let active = Mutex(0)

    init(store: SQLiteStore, live: LiveConfig, planner: NoticePlanner, clock: any DaemonClock, logger: Logger) {
        self.store = store
        self.live = live
        self.planner = planner
        self.clock = clock
        self.logger = logger
    }

    var config: DaemonConfig { live.current }
    var hook: MailHook { MailHook(argv: config.mailHook, timeout: config.hookTimeout, clock: clock) }

    /// Called after every write that may have queued a notice.
    func wake() { Task { await wakeup.signal() } }

    func run() async throws {
        let interrupted = try await store.requeueInterruptedNotices()
        if interrupted > 0 { logger.notice("sending again \(interrupted) notice(s) interrupted by the last stop") }
        await replanReminders()
        // On SIGTERM the loop's sleep is cancelled; a hook still running is killed and its
        // notice, left `sending`, goes out again after the next start.
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        // Reminders were topped up in `run` (eventd may have been down for days); then daily.
        var nextReplan = clock.instant.adding(seconds: 86_400)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                do {
                    let now = clock.instant
                    if now >= nextReplan {
                        nextReplan = now.adding(seconds: 86_400)
                        await replanReminders()
                    }
                    let free = config.hookConcurrency - active.withLock { $0 }
                    for notice in try await store.claimDueNotices(now: now, limit: free) {
                        active.withLock { $0 += 1 }
                        group.addTask {
                            await self.deliver(notice)
                            self.active.withLock { $0 -= 1 }
                            await self.wakeup.signal()
                        }
                    }
                    let next = try await store.nextNoticeDue()
                    // With every hook slot busy, wait for one to finish rather than for the clock.
                    let deadline = active.withLock { $0 } >= config.hookConcurrency ? nextReplan : min(next ?? nextReplan, nextReplan)
                    await sleep(until: deadline)
                } catch {
                    if Task.isCancelled { break }
                    logger.error("notice scheduler: \(error)")
                    try? await clock.sleep(seconds: 1)
                }
            }
        }
    }

    /// Sleeps until `deadline` (whole seconds) or until woken, whichever comes first.
    private func sleep(until deadline: Instant) async {
        guard deadline > clock.instant else { return }
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline) }
            group.addTask { await self.wakeup.wait() }
            await group.next()
            group.cancelAll()
            await wakeup.signal()  // releases the waiter if the clock won
        }
        await wakeup.drain()
    }

    /// Reminders are planned a short window ahead (`NoticePlanner.reminderWindow`): this tops the
    /// window up as time passes, a page of events per transaction, and mends any plan a crash
    /// interrupted. One event that cannot be planned is logged and skipped; it never stops the
    /// others or the sending.
    private func replanReminders() async {
        let now = clock.instant
        let planner = self.planner
        var after: Int64 = 0
        do {
            while !Task.isCancelled {
                let page = try await store.eventsStill(runningAfter: now, idAbove: after, limit: 500)
                guard let last = page.last?.id else { break }
                after = last
                var plans: [(uid: String, desired: [NoticeDraft])] = []
                for event in page {
                    do {
                        plans.append((event.uid, try planner.reminders(for: event, now: now)))
                    } catch {
                        logger.error("cannot plan the reminders of event \(event.id ?? 0): \(error)")
                    }
                }
                try await store.write { [plans] context in
                    for plan in plans {
                        let held = try context.reminders(eventUID: plan.uid)
                        try context.apply(planner.reminderPlan(desired: plan.desired, held: held, now: now, withdrawOverdue: false))
                    }
                }
            }
        } catch {
            if !Task.isCancelled { logger.error("cannot plan reminders: \(error)") }
        }
        Memory.giveBack()
    }

    private func deliver(_ notice: Notice) async {
        let now = clock.instant
        let draft = notice.draft
        do {
            if draft.kind == .reminder, draft.startsAt.adding(seconds: config.lateGrace) < now {
                let reason = "not sent: the event began at \(isoUTC(draft.startsAt)) before it could be (late_grace \(config.lateGrace) s)"
                try await store.finishNotice(id: notice.id, state: .skipped, error: reason)
                logger.warning("notice \(notice.id) skipped", metadata: ["reason": "\(reason)"])
                return
            }
            let composed: String?, reason: String
            do {
                (composed, reason) = try await message(for: notice, now: now)
            } catch let error where !(error is StoreError) {
                // Not the register's passing trouble: trying again would compose the same failure.
                try await store.finishNotice(id: notice.id, state: .failed, error: "cannot compose the message: \(error)")
                logger.error("notice \(notice.id) failed: cannot compose the message: \(error)")
                return
            }
            guard let message = composed else {
                try await store.finishNotice(id: notice.id, state: .skipped, error: reason)
                return
            }
            let outcome = await hook.send(
                message,
                environment: [
                    "EVENTD_NOTICE_ID": String(notice.id), "EVENTD_EVENT_UID": draft.eventUID, "EVENTD_RECIPIENT": draft.recipient,
                    "EVENTD_NOTICE_KIND": draft.kind.rawValue, "EVENTD_MESSAGE_ID": notice.messageID,
                ])
            switch outcome {
            case .delivered:
                try await store.finishNotice(id: notice.id, state: .sent)
                logger.info("notice \(notice.id) sent", metadata: ["kind": "\(draft.kind.rawValue)", "to": "\(draft.recipient)"])
            case .later(let error), .failed(let error):
                if notice.attempts >= config.maxAttempts {
                    try await store.finishNotice(id: notice.id, state: .failed, error: error)
                    logger.error("notice \(notice.id) failed after \(notice.attempts) attempts: \(error)")
                } else {
                    let backoff = min(3600, config.retryBase << Int64(min(notice.attempts - 1, 20)))
                    // Rounded up to the next whole second, so the wait is never shorter than the backoff.
                    let retryAt = Instant(seconds: Int64((clock.now().timeIntervalSince1970 + Double(backoff)).rounded(.up)))
                    try await store.finishNotice(id: notice.id, state: .pending, retryAt: retryAt, error: error)
                    logger.warning("notice \(notice.id) attempt \(notice.attempts) failed; retrying in \(backoff) s: \(error)")
                }
            }
        } catch {
            logger.error("notice \(notice.id): \(error)")
            await putBack(notice, error: "\(error)", retryAt: now.adding(seconds: config.retryBase))
        }
    }

    /// Puts a notice whose delivery broke off back to pending. The write may fail as the one
    /// before it did (a full disk, a busy register): it is not dropped (issue 20: under `try?`
    /// the notice stayed `sending` until a restart) but tried again, a second later and then
    /// twice as long each time (at most a minute), until it is taken or eventd stops; a notice
    /// still `sending` at a stop is claimed again at the next start.
    private func putBack(_ notice: Notice, error: String, retryAt: Instant) async {
        var wait = 1.0
        while !Task.isCancelled {
            do {
                try await store.finishNotice(id: notice.id, state: .pending, retryAt: retryAt, error: error)
                return
            } catch let failure {
                logger.error("notice \(notice.id) stays sending: it cannot be put back to pending (\(failure)); trying again in \(Int(wait)) s")
            }
            do { try await clock.sleep(seconds: wait) } catch { return }
            wait = min(wait * 2, 60)
        }
    }

    /// The mail: a letter composed from the event it keeps, or a reminder composed now from the
    /// event as it is; nil when there is nothing to send any more (the event is gone, or an
    /// `unanswered` person answered).
    private func message(for notice: Notice, now: Instant) async throws -> (String?, reason: String) {
        if let message = notice.draft.message { return (message, "") }
        if let letter = notice.draft.letter {
            // The person as the letter knew them: one taken off the event since is still in it.
            let known = letter.event.participants.first { $0.person.id == notice.draft.personID }?.person
            let recipient = if let known { known } else { try await store.person(id: notice.draft.personID) }
            return (try planner.composer.compose(
                MailComposer.Letter(
                    kind: notice.draft.kind, event: letter.event, recipient: recipient, messageID: notice.messageID, date: now, occurrence: letter.occurrence,
                    changes: letter.changes, removed: letter.removed)), "")
        }
        guard let event = try await store.event(uid: notice.draft.eventUID), event.status != .cancelled else {
            return (nil, "the event was cancelled or deleted")
        }
        let person = try await store.person(id: notice.draft.personID)
        let unanswered = notice.draft.audience == .unanswered
        if unanswered, !event.participants.contains(where: { $0.person.id == person.id && $0.rsvp == .needsAction }) {
            return (nil, "\(person.name) has answered since")
        }
        return (try planner.composer.compose(
            MailComposer.Letter(
                kind: unanswered ? .invitation : .reminder, event: event, recipient: person, messageID: notice.messageID, date: now,
                occurrence: event.recurrence == nil ? nil : notice.draft.startsAt, again: unanswered)), "")
    }

    private func isoUTC(_ instant: Instant) -> String { (try? Zone("UTC"))?.iso8601(instant) ?? String(instant.seconds) }
}

/// A wake-up call that is not lost when nobody is waiting yet.
actor Wakeup {
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false

    /// Returns on the next signal, or when the task is cancelled (graceful shutdown).
    func wait() async {
        await withTaskCancellationHandler {
            if pending || Task.isCancelled {
                pending = false
                return
            }
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.signal() }
        }
    }

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Forgets a wake-up that arrived while nobody waited: the loop is about to look anyway.
    func drain() { pending = false }
}
