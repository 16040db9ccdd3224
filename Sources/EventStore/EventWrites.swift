import EventModel
import Foundation
import GRDB

/// The changes of events, made inside a transaction the caller holds (`SQLiteStore.write`).
/// Each returns the event before and after the change and has already recorded it in the audit
/// log, so the caller can check the result, queue its notices, or refuse it by throwing, all in
/// the same transaction.
extension WriteContext {
    /// Stores a new event with its people; creates people it does not know yet.
    public func createEvent(_ event: Event, participants: [ParticipantDraft]) throws -> EventChange {
        var event = event
        event.created = now
        event.updated = now
        let id = try insertEvent(event)
        for draft in participants {
            try store.addParticipant(db, eventID: id, sessionID: nil, draft: draft, start: event.start, end: event.end)
        }
        return try finish(id: id, before: nil)
    }

    /// Changes an event: `changes` are applied to what is stored now, then people are added and
    /// taken off. Any failure leaves the transaction to roll back.
    public func updateEvent(
        id: Int64, changes: (Event) throws -> EventChanges, add: [ParticipantDraft] = [], remove: [PersonReference] = []
    ) throws -> EventChange {
        let old = try SQLiteStore.loadEvent(db, id: id)
        var new = try changes(old).applied(to: old, now: now)
        for reference in remove {
            let person = try store.resolve(db, reference, field: "remove", create: false)
            try db.cachedStatement(sql: "DELETE FROM participation WHERE event_id = ? AND person_id = ?").execute(arguments: [id, person.id])
            if db.changesCount == 0 {
                throw RegisterError.invalid(field: "remove", message: "\(person.name) takes no part in event \(id)")
            }
        }
        if !add.isEmpty || !remove.isEmpty, new.sequence == old.sequence { new.sequence += 1 }
        try db.cachedStatement(
            sql: """
                UPDATE event SET kind = ?, title = ?, description = ?, location = ?, link = ?, start_at = ?, end_at = ?,
                    tz = ?, all_day = ?, status = ?, sequence = ?, visiting_org = ?, host_org = ?, updated_at = ?,
                    rrule = ?, exdates = ?, reminders = ?, room = ?, prepare_org = ?
                WHERE id = ?
                """
        ).execute(arguments: [
            new.kind.rawValue, new.title, new.description, new.location, new.link, new.start.seconds,
            new.end.seconds, new.timeZone, new.allDay, new.status.rawValue, new.sequence,
            new.delegation?.visiting, new.delegation?.host, new.updated.seconds, new.recurrence?.rule,
            StoredList.text(new.recurrence?.exceptions.map(\.seconds)), new.reminders.map(StoredList.json), new.room, new.preparedBy, id,
        ])
        try CalendarFields.save(db, id: id, new)
        for session in new.sessions {
            try db.cachedStatement(sql: "UPDATE session SET start_at = ?, end_at = ? WHERE id = ?").execute(arguments: [
                session.start.seconds, session.end.seconds, session.id,
            ])
            try db.cachedStatement(sql: "UPDATE participation SET start_at = ?, end_at = ? WHERE session_id = ?").execute(arguments: [
                session.start.seconds, session.end.seconds, session.id,
            ])
        }
        try db.cachedStatement(sql: "UPDATE participation SET start_at = ?, end_at = ? WHERE event_id = ? AND session_id IS NULL").execute(
            arguments: [new.start.seconds, new.end.seconds, id])
        try askAgain(id: id, old: old, new: new)
        for draft in add {
            try store.addParticipant(db, eventID: id, sessionID: nil, draft: draft, start: new.start, end: new.end)
        }
        return try finish(id: id, before: old)
    }

    /// After a change of time, date, recurrence or place the answers given were to another
    /// meeting: as iTIP (RFC 5546) has an organizer do, everyone is asked again (PARTSTAT
    /// NEEDS-ACTION, and RSVP=TRUE in the REQUEST the change sends). A delegation stands: the
    /// delegate is asked. A change of one occurrence's time or place asks again for that one.
    private func askAgain(id: Int64, old: Event, new: Event) throws {
        func series(_ event: Event) -> Recurrence? {
            var recurrence = event.recurrence
            recurrence?.overrides = []
            return recurrence
        }
        let moved = old.start != new.start || old.end != new.end || old.allDay != new.allDay || series(old) != series(new)
            || old.location != new.location || old.room != new.room
        if moved {
            try db.cachedStatement(
                sql: """
                    UPDATE participation SET rsvp = 'needs-action', rsvp_at = NULL, rsvp_comment = NULL, rsvp_via = NULL
                    WHERE event_id = ? AND role != 'organizer' AND rsvp NOT IN ('needs-action', 'delegated')
                    """
            ).execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM occurrence_answer WHERE event_id = ?").execute(arguments: [id])
            return
        }
        let held = Dictionary((old.recurrence?.overrides ?? []).map { ($0.recurrenceID, $0) }) { a, _ in a }
        for o in new.recurrence?.overrides ?? [] {
            // As the occurrence was: its own change, or where the series put it.
            let was = held[o.recurrenceID]
            let start = was?.start ?? o.recurrenceID
            let end = was?.end ?? o.recurrenceID.adding(seconds: old.end.seconds - old.start.seconds)
            guard o.start != start || o.end != end || o.location != was?.location else { continue }
            try db.cachedStatement(sql: "DELETE FROM occurrence_answer WHERE event_id = ? AND occurrence = ?").execute(arguments: [id, o.recurrenceID.seconds])
        }
    }

    public func deleteEvent(id: Int64) throws -> EventChange {
        let before = try SQLiteStore.loadEvent(db, id: id)
        try db.cachedStatement(sql: "DELETE FROM event WHERE id = ?").execute(arguments: [id])
        try Audit.record(db, "delete", event: (before, nil), now: now)
        return EventChange(before: before, after: nil)
    }

    /// Adds a timetable slot, which must lie inside its event, with its speakers and chair.
    /// Returns the change and the new session's id.
    public func addSession(eventID: Int64, _ session: Session, participants: [ParticipantDraft]) throws -> (EventChange, Int64) {
        let event = try SQLiteStore.loadEvent(db, id: eventID)
        let sessionID = try store.insertSession(db, eventID: eventID, event: event, session, participants: participants)
        // The timetable is in what attendees see (DESCRIPTION, their slots): a new session raises SEQUENCE.
        try raiseSequence(eventID)
        return (try finish(id: eventID, before: event, action: "add-session"), sessionID)
    }

    /// Changes one session of an event: its facts, then people added and taken off. The
    /// session must stay inside its event; the event's sequence goes up.
    public func updateSession(
        eventID: Int64, sessionID: Int64, changes: (Event) throws -> SessionChanges, add: [ParticipantDraft], remove: [PersonReference]
    ) throws -> EventChange {
        let event = try SQLiteStore.loadEvent(db, id: eventID)
        guard let old = event.sessions.first(where: { $0.id == sessionID }) else {
            throw RegisterError.notFound(what: "session with id", key: "\(sessionID) in event \(eventID)")
        }
        let new = try changes(event).applied(to: old)
        guard new.start >= event.start, new.end <= event.end else {
            throw RegisterError.invalid(
                field: "start", message: "session \(new.title.debugDescription) must lie inside its event (see eventctl show \(eventID))")
        }
        try db.cachedStatement(sql: "UPDATE session SET title = ?, start_at = ?, end_at = ?, room = ? WHERE id = ?").execute(arguments: [
            new.title, new.start.seconds, new.end.seconds, new.room, sessionID,
        ])
        try db.cachedStatement(sql: "UPDATE participation SET start_at = ?, end_at = ? WHERE session_id = ?").execute(arguments: [
            new.start.seconds, new.end.seconds, sessionID,
        ])
        for reference in remove {
            let person = try store.resolve(db, reference, field: "remove", create: false)
            try db.cachedStatement(sql: "DELETE FROM participation WHERE session_id = ? AND person_id = ?").execute(arguments: [sessionID, person.id])
            if db.changesCount == 0 {
                throw RegisterError.invalid(field: "remove", message: "\(person.name) takes no part in session \(sessionID)")
            }
        }
        for draft in add {
            try store.addParticipant(db, eventID: eventID, sessionID: sessionID, draft: draft, start: new.start, end: new.end)
        }
        try raiseSequence(eventID)
        return try finish(id: eventID, before: event, action: "update-session \(sessionID)")
    }

    /// Removes one session (and its people's parts in it); the event's sequence goes up.
    public func deleteSession(eventID: Int64, sessionID: Int64) throws -> EventChange {
        let event = try SQLiteStore.loadEvent(db, id: eventID)
        try db.cachedStatement(sql: "DELETE FROM session WHERE id = ? AND event_id = ?").execute(arguments: [sessionID, eventID])
        guard db.changesCount == 1 else { throw RegisterError.notFound(what: "session with id", key: "\(sessionID) in event \(eventID)") }
        try raiseSequence(eventID)
        return try finish(id: eventID, before: event, action: "delete-session \(sessionID)")
    }

    /// Stores one event read from iCalendar: a known UID is replaced (its people and sessions
    /// with it) unless the stored SEQUENCE is newer; an unknown one is created.
    ///
    /// `remind`: whether the file's events send reminder emails. Without it, new events have no
    /// reminders and known ones keep theirs, so importing an old export mails nobody; with it,
    /// they take the default reminders unless they have reminders of their own.
    public func importEvent(_ item: EventImport, remind: Bool) throws -> ImportStep {
        // Written in a savepoint, and taken back when the register held the event just so: an
        // unchanged re-import writes nothing, marks no feed and leaves no audit row.
        var step: ImportStep?
        try db.inSavepoint {
            step = try writeImport(item, remind: remind)
            guard case .updated(let change)? = step, let before = change.before, let after = change.after,
                Self.substance(before) == Self.substance(after)
            else { return .commit }
            step = .unchanged(uid: after.uid)
            return .rollback
        }
        return step!
    }

    /// What a file can say of an event: all but when the rows were written and the ids they got
    /// (sessions are written anew), with the people in one order.
    static func substance(_ event: Event) -> Event {
        var e = event
        e.created = Instant(seconds: 0)
        e.updated = Instant(seconds: 0)
        let index = Dictionary(e.sessions.enumerated().map { ($0.element.id ?? -1, Int64($0.offset)) }) { a, _ in a }
        e.participants = e.participants.map { p in
            var p = p
            p.sessionID = p.sessionID.map { index[$0] ?? -1 }
            return p
        }.sorted { ($0.person.id ?? 0, $0.sessionID ?? -1, $0.role.rawValue) < ($1.person.id ?? 0, $1.sessionID ?? -1, $1.role.rawValue) }
        e.sessions = e.sessions.map { session in
            var session = session
            session.id = nil
            return session
        }
        return e
    }

    private func writeImport(_ item: EventImport, remind: Bool) throws -> ImportStep {
        var event = item.event
        try EventChanges.checkTimes(start: event.start, end: event.end, field: "DTEND of \(event.uid)", imported: true)
        event.updated = now
        if item.overridesOnly, let storedID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM event WHERE uid = ?"), arguments: [event.uid]) {
            return .updated(try mergeOverrides(of: event, into: storedID))
        }
        let id: Int64
        var before: Event?
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, sequence, created_at FROM event WHERE uid = ?"), arguments: [event.uid]) {
            let stored: Int = row["sequence"]
            if stored > event.sequence {
                return .skipped(uid: event.uid, reason: "the register holds SEQUENCE \(stored), newer than the file's \(event.sequence)")
            }
            id = row["id"]
            before = try SQLiteStore.loadEvent(db, id: id)
            event.created = Instant(seconds: row["created_at"])
            // iCalendar carries neither the event's room nor its preparing unit: keep ours.
            event.room = event.room ?? before?.room
            event.preparedBy = event.preparedBy ?? before?.preparedBy
            event.reminders = remind ? before?.reminders.flatMap { $0.isEmpty ? nil : $0 } : before?.reminders
            try db.cachedStatement(sql: "DELETE FROM event WHERE id = ?").execute(arguments: [id])
            try insertEvent(event, id: id)
        } else {
            event.created = now
            if !remind { event.reminders = [] }
            id = try insertEvent(event)
        }
        for draft in item.participants {
            try store.addParticipant(db, eventID: id, sessionID: nil, draft: draft, start: event.start, end: event.end)
        }
        for part in item.sessions {
            _ = try store.insertSession(db, eventID: id, event: event, part.session, participants: part.participants)
        }
        let change = try finish(id: id, before: before, action: "import")
        return before == nil ? .created(change) : .updated(change)
    }

    /// Changed occurrences of a series the register holds: they join it, the rest stays.
    private func mergeOverrides(of event: Event, into storedID: Int64) throws -> EventChange {
        let old = try SQLiteStore.loadEvent(db, id: storedID)
        var merged = old
        var recurrence = old.recurrence ?? Recurrence(rule: "", dates: [old.start])
        for o in event.recurrence?.overrides ?? [] {
            recurrence.setOverride(o)
            if old.recurrence == nil || recurrence.rule.isEmpty, !recurrence.dates.contains(o.recurrenceID) {
                recurrence.dates.append(o.recurrenceID)
            }
        }
        recurrence.dates.sort()
        merged.recurrence = recurrence
        merged.sequence = max(old.sequence, event.sequence)
        try db.cachedStatement(sql: "UPDATE event SET rrule = ?, sequence = ?, updated_at = ? WHERE id = ?").execute(arguments: [
            recurrence.rule, merged.sequence, now.seconds, storedID,
        ])
        try CalendarFields.save(db, id: storedID, merged)
        return try finish(id: storedID, before: old, action: "import")
    }

    @discardableResult
    private func insertEvent(_ event: Event, id: Int64? = nil) throws -> Int64 {
        // Zero-length and very long events come only from files; commands check their own times first.
        try EventChanges.checkTimes(start: event.start, end: event.end, imported: true)
        try db.cachedStatement(
            sql: """
                INSERT INTO event (id, uid, kind, title, description, location, link, start_at, end_at, tz, all_day,
                    status, sequence, visiting_org, host_org, created_at, updated_at, rrule, exdates, reminders, room, prepare_org)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, event.uid, event.kind.rawValue, event.title, event.description, event.location, event.link,
            event.start.seconds, event.end.seconds, event.timeZone, event.allDay, event.status.rawValue,
            event.sequence, event.delegation?.visiting, event.delegation?.host, event.created.seconds,
            event.updated.seconds, event.recurrence?.rule, StoredList.text(event.recurrence?.exceptions.map(\.seconds)),
            event.reminders.map(StoredList.json), event.room, event.preparedBy,
        ])
        let newID = db.lastInsertedRowID
        try CalendarFields.save(db, id: newID, event)
        return newID
    }

    private func raiseSequence(_ eventID: Int64) throws {
        try db.cachedStatement(sql: "UPDATE event SET updated_at = ?, sequence = sequence + 1 WHERE id = ?").execute(arguments: [now.seconds, eventID])
    }

    /// The event as written so far, with the change recorded in the audit log.
    private func finish(id: Int64, before: Event?, action: String? = nil) throws -> EventChange {
        let event = try SQLiteStore.loadEvent(db, id: id)
        try Audit.record(db, action ?? Audit.action(before: before, after: event), event: (before, event), now: now)
        return EventChange(before: before, after: event)
    }
}

/// One change in a transaction of its own, for callers with nothing to check or plan (tools,
/// tests): the daemon writes through its `EventWriter`, which plans notices in the same transaction.
extension SQLiteStore {
    public func createEvent(_ event: Event, participants: [ParticipantDraft]) async throws -> Event {
        try await write { try $0.createEvent(event, participants: participants).after! }
    }

    public func updateEvent(
        id: Int64, applying changes: EventChanges, add: [ParticipantDraft] = [], remove: [PersonReference] = []
    ) async throws -> Event {
        try await write { try $0.updateEvent(id: id, changes: { _ in changes }, add: add, remove: remove).after! }
    }

    public func deleteEvent(id: Int64) async throws {
        _ = try await write { try $0.deleteEvent(id: id) }
    }

    public func addSession(eventID: Int64, _ session: Session, participants: [ParticipantDraft]) async throws -> (Event, Int64) {
        try await write { context in
            let (change, sessionID) = try context.addSession(eventID: eventID, session, participants: participants)
            return (change.after!, sessionID)
        }
    }

    /// Events read from iCalendar, in one transaction (`WriteContext.importEvent`).
    public func importEvents(_ imports: [EventImport], remind: Bool = false) async throws -> ImportOutcome {
        try await write { context in
            var outcome = ImportOutcome()
            for item in imports { outcome.add(try context.importEvent(item, remind: remind)) }
            return outcome
        }
    }
}

/// Lists in the event's columns (excluded dates, RDATEs, reminders, …) as JSON arrays, or the
/// empty text for an empty one. A stored value that does not read is an error naming it,
/// never silently dropped.
enum StoredList {
    // The types stored (numbers, strings, `Reminder`s, `NoticeLetter`s) always encode.
    static func json<T: Encodable>(_ value: T) -> String {
        String(decoding: try! JSONEncoder().encode(value), as: UTF8.self)
    }

    /// Empty lists (and no list) as the empty text, as the columns' default.
    static func text<T: Encodable>(_ values: [T]?) -> String {
        guard let values, !values.isEmpty else { return "" }
        return json(values)
    }

    static func decode<T: Decodable>(_ text: String?, _ what: String) throws -> [T] {
        guard let text, !text.isEmpty else { return [] }
        return try value(text, what)
    }

    static func value<T: Decodable>(_ text: String, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.io("the register holds unreadable \(what) \(text.prefix(200).debugDescription)")
        }
    }

    static func instants(_ text: String?, _ what: String) throws -> [Instant] {
        try (decode(text, what) as [Int64]).map(Instant.init(seconds:))
    }
}
