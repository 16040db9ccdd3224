import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation

/// The one way events, and the answers to them, are written. Each command's change runs in one
/// transaction, in order: the input is read and checked (`InputReader`), the store makes the
/// change, the clashes it makes are found (and with `strict` refuse it), and the notices it calls
/// for are planned as outbox rows (`NoticePlanner`). Only after the commit are the feeds marked
/// and the notice scheduler woken; mail is composed when each notice is sent. Answers (a REPLY or
/// COUNTER by mail or file, `rsvp` by hand) take `answer`, which marks their events' feeds after
/// the commit the same way, so no answer waits for the event's next change to reach a feed.
struct EventWriter: Sendable {
    let store: SQLiteStore
    let reader: InputReader
    let live: LiveConfig
    let planner: NoticePlanner
    let feeds: FeedWriter
    /// Wakes the notice scheduler after a write that may have queued a notice.
    let wake: @Sendable () -> Void

    var scheduling: Scheduling { Scheduling(config: live.current) }

    /// An event as a command left it, and the clashes the change made (none before it).
    struct Written: Sendable {
        var event: Event
        var clashes: [Clash]
    }

    func create(_ input: EventInput) async throws -> Written {
        let (event, participants) = try reader.newEvent(input)
        return try await write(strict: input.strict) { try $0.createEvent(event, participants: participants) }
    }

    func update(id: Int64, _ input: EventInput) async throws -> Written {
        let reader = self.reader
        let add = try reader.participants(input.participants ?? [])
        let remove = try (input.remove ?? []).map { text in try PersonReference(parsing: text, field: "remove") }
        return try await write(strict: input.strict) { context in
            try context.updateEvent(id: id, changes: { old in try reader.changes(input, to: old) }, add: add, remove: remove)
        }
    }

    func cancel(id: Int64) async throws -> Event {
        var cancel = EventChanges()
        cancel.status = .cancelled
        return try await write(findClashes: false) { [cancel] in try $0.updateEvent(id: id, changes: { _ in cancel }) }.event
    }

    func delete(id: Int64) async throws {
        _ = try await write(findClashes: false) { try $0.deleteEvent(id: id) }
    }

    /// A new session, read in its event's zone; returns the event and the session as stored.
    func addSession(eventID: Int64, _ input: SessionInput) async throws -> (Written, Session) {
        let reader = self.reader
        let (written, sessionID) = try await write(strict: input.strict) { context in
            let (session, participants) = try reader.session(input, zone: try context.event(id: eventID).timeZone)
            return try context.addSession(eventID: eventID, session, participants: participants)
        }
        return (written, written.event.sessions.first { $0.id == sessionID }!)
    }

    func updateSession(eventID: Int64, sessionID: Int64, _ input: SessionPatch) async throws -> (Written, Session) {
        let reader = self.reader
        let add = try reader.participants(input.participants ?? [])
        let remove = try (input.remove ?? []).map { text in try PersonReference(parsing: text, field: "remove") }
        let written = try await write(strict: input.strict) { context in
            try context.updateSession(
                eventID: eventID, sessionID: sessionID, changes: { event in try reader.sessionChanges(input, zone: event.timeZone) }, add: add,
                remove: remove)
        }
        guard let session = written.event.sessions.first(where: { $0.id == sessionID }) else {
            throw RegisterError.notFound(what: "session with id", key: String(sessionID))
        }
        return (written, session)
    }

    func deleteSession(eventID: Int64, sessionID: Int64) async throws {
        _ = try await write(findClashes: false) { try $0.deleteSession(eventID: eventID, sessionID: sessionID) }
    }

    /// The events of an iCalendar file, in one transaction; their clashes are not looked for.
    func importEvents(_ imports: [EventImport], remind: Bool) async throws -> ImportOutcome {
        let (outcome, marks) = try await store.write { context in
            var outcome = ImportOutcome()
            var marks = FeedMarks()
            for item in imports {
                if let reason = WorkBudget.exceeded() { throw RegisterError.invalid(field: "calendar", message: reason) }
                let step = try context.importEvent(item, remind: remind)
                if let change = step.change {
                    try self.planNotices(change, context)
                    marks.add(change)
                }
                outcome.add(step)
            }
            return (outcome, marks)
        }
        committed(marks)
        return outcome
    }

    /// An organizer's CANCEL (RFC 5546 §3.2.5): each known event whose SEQUENCE is not newer is
    /// cancelled, or with a RECURRENCE-ID only that occurrence; the rest are skipped with the reason.
    func cancelImported(_ message: ParsedMessage) async throws -> ImportResult {
        let (result, marks) = try await store.write { context in
            var result = ImportResult(created: [], updated: [], skipped: [])
            var marks = FeedMarks()
            for parsed in message.events {
                guard let event = try context.event(uid: parsed.uid), let eventID = event.id else {
                    result.skipped.append(.init(uid: parsed.uid, reason: "no event with this UID to cancel"))
                    continue
                }
                guard parsed.sequence >= event.sequence else {
                    result.skipped.append(
                        .init(uid: parsed.uid, reason: "the register holds SEQUENCE \(event.sequence), newer than the CANCEL's \(parsed.sequence)"))
                    continue
                }
                var cancel = EventChanges()
                if let occurrence = parsed.recurrenceID {
                    guard var recurrence = event.recurrence else {
                        result.skipped.append(
                            .init(uid: parsed.uid, reason: "event \(eventID) does not repeat; a CANCEL with RECURRENCE-ID names none of its occurrences"))
                        continue
                    }
                    var override = recurrence.override(at: occurrence)
                        ?? OccurrenceOverride(recurrenceID: occurrence, start: occurrence, end: occurrence.adding(seconds: event.end.seconds - event.start.seconds))
                    override.status = .cancelled
                    override.sequence = parsed.sequence
                    recurrence.setOverride(override)
                    cancel.recurrence = .some(recurrence)
                } else {
                    cancel.status = .cancelled
                }
                let change = try context.updateEvent(id: eventID, changes: { [cancel] _ in cancel })
                try self.planNotices(change, context)
                marks.add(change)
                result.updated.append(parsed.uid)
            }
            return (result, marks)
        }
        committed(marks)
        return result
    }

    /// Invitations to everyone on the event with an email but the organizer; returns the event
    /// and the invitations queued. Nobody to invite is a 400, and nothing is written.
    func invite(eventID: Int64) async throws -> (Event, [NoticeDraft]) {
        let planner = self.planner
        let invited = try await store.write { context in
            let event = try context.event(id: eventID)
            guard event.status != .cancelled else {
                throw RegisterError.conflict(field: "status", message: "event \(eventID) is cancelled; there is nothing to invite to")
            }
            let drafts = try planner.invitations(event, now: context.now)
            guard !drafts.isEmpty else {
                let missing = planner.uninvitable(event).map(\.name)
                let who = missing.isEmpty ? "" : " (no email: \(missing.joined(separator: ", ")))"
                throw RegisterError.invalid(field: "participants", message: "no participant of event \(eventID) other than the organizer has an email to invite\(who)")
            }
            try context.queue(drafts)
            try context.audit("invite \(drafts.count)", eventID: eventID)
            return (event, drafts)
        }
        wake()
        return invited
    }

    /// Answers recorded by `record` in one transaction, which returns what it recorded and the
    /// ids of the events whose answers it changed; once committed, their feeds (the event's, its
    /// kind's, and everyone's on it) are marked, and the scheduler woken (an `unanswered` reminder
    /// may have nobody left to remind).
    func answer<Result: Sendable>(_ record: @escaping @Sendable (WriteContext) throws -> (Result, events: [Int64])) async throws -> Result {
        let (result, marks) = try await store.write { context in
            let (result, ids) = try record(context)
            return (result, FeedMarks(events: try Set(ids).sorted().map { try context.event(id: $0) }))
        }
        committed(marks)
        return result
    }

    // MARK: The path every change takes

    /// One change in one transaction: made by `change`, its clashes found (`findClashes`) and
    /// refused when `strict`, its notices planned; then, committed, the feeds and the scheduler.
    private func write<Extra: Sendable>(
        strict: Bool? = nil, findClashes: Bool = true, _ change: @escaping @Sendable (WriteContext) throws -> (EventChange, Extra)
    ) async throws -> (Written, Extra) {
        let (done, extra, clashes) = try await store.write { context in
            let (done, extra) = try change(context)
            let clashes = findClashes ? try self.clashesMade(by: done, strict: strict == true, context) : []
            try self.planNotices(done, context)
            return (done, extra, clashes)
        }
        committed(FeedMarks([done]))
        // A deleted event is gone: what it was is all there is to answer with.
        return (Written(event: (done.after ?? done.before)!, clashes: clashes), extra)
    }

    private func write(
        strict: Bool? = nil, findClashes: Bool = true, _ change: @escaping @Sendable (WriteContext) throws -> EventChange
    ) async throws -> Written {
        try await write(strict: strict, findClashes: findClashes) { context in (try change(context), ()) }.0
    }

    /// The clashes the event has after the change that it did not have before, found among the
    /// events as they are in this transaction; with `strict`, any of them refuses the change.
    private func clashesMade(by change: EventChange, strict: Bool, _ context: WriteContext) throws -> [Clash] {
        guard let after = change.after else { return [] }
        let known = Set(try change.before.map { try clashes(of: $0, context) }?.map(\.key) ?? [])
        let made = try clashes(of: after, context).filter { !known.contains($0.key) }
        if strict, !made.isEmpty {
            var reasons = made.map(\.message).joined(separator: "; ")
            // A refused new event never gets the id the messages name.
            if change.before == nil, let id = after.id { reasons = reasons.replacingOccurrences(of: "event \(id) ", with: "the new event ") }
            throw RegisterError.conflict(field: "strict", message: "refused because of \(made.count) clash(es): " + reasons)
        }
        return made
    }

    private func clashes(of event: Event, _ context: WriteContext) throws -> [Clash] {
        try scheduling.clashes(involving: event) { from, to in try context.clashCandidates(for: event, from: from, to: to) }
    }

    /// Writes the notices the change calls for, as outbox rows in its transaction.
    private func planNotices(_ change: EventChange, _ context: WriteContext) throws {
        guard let uid = (change.after ?? change.before)?.uid else { return }
        // Only a change to an event that already was can send letters: a new one was never invited.
        let invited = try change.before != nil && context.wasInvited(eventUID: uid)
        try context.apply(planner.plan(change, held: context.reminders(eventUID: uid), invited: invited, now: context.now))
    }

    private func committed(_ marks: FeedMarks) {
        feeds.touched(marks)
        wake()
    }
}
