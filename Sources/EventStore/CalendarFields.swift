import EventModel
import GRDB

/// The parts of an event that come from iCalendar's recurrence sets and from imported files:
/// RDATEs, excluded days, further RRULEs, changed occurrences, floating times and the properties
/// eventd keeps for the round trip (migration "v7-ical"). Written after the event's own row.
enum CalendarFields {
    /// Writes them for event `id`, replacing what was stored.
    static func save(_ db: Database, id: Int64, _ event: Event) throws {
        let recurrence = event.recurrence
        try db.cachedStatement(sql: "UPDATE event SET rdates = ?, exdate_days = ?, more_rules = ?, floating = ?, kept_ical = ? WHERE id = ?").execute(
            arguments: [
                StoredList.text(recurrence?.dates.map(\.seconds)), StoredList.text(recurrence?.exceptionDates),
                StoredList.text(recurrence?.moreRules),
                event.floating, event.keptProperties, id,
            ])
        try db.cachedStatement(sql: "DELETE FROM event_override WHERE event_id = ?").execute(arguments: [id])
        for o in recurrence?.overrides ?? [] {
            try db.cachedStatement(
                sql: """
                    INSERT INTO event_override (event_id, recurrence_id, start_at, end_at, status, title, location, description, sequence, kept_ical,
                        this_and_future)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (event_id, recurrence_id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at,
                        status = excluded.status, title = excluded.title, location = excluded.location,
                        description = excluded.description, sequence = excluded.sequence, kept_ical = excluded.kept_ical,
                        this_and_future = excluded.this_and_future
                    """
            ).execute(arguments: [
                id, o.recurrenceID.seconds, o.start.seconds, o.end.seconds, o.status?.rawValue, o.title, o.location, o.description,
                o.sequence, o.keptProperties, o.thisAndFuture,
            ])
        }
    }

    /// Fills them in from the event's `row` and its overrides.
    static func load(_ db: Database, row: Row, into event: inout Event) throws {
        event.floating = row["floating"] ?? false
        event.keptProperties = row["kept_ical"]
        guard var recurrence = event.recurrence else { return }
        recurrence.dates = try StoredList.instants(row["rdates"], "RDATEs")
        recurrence.exceptionDates = try StoredList.decode(row["exdate_days"], "excluded days")
        recurrence.moreRules = try StoredList.decode(row["more_rules"], "RRULEs")
        recurrence.overrides = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM event_override WHERE event_id = ? ORDER BY recurrence_id"), arguments: [event.id]
        ).map { o in
            OccurrenceOverride(
                recurrenceID: Instant(seconds: o["recurrence_id"]), start: Instant(seconds: o["start_at"]), end: Instant(seconds: o["end_at"]),
                status: try (o["status"] as String?).map { try stored($0, "occurrence status") }, title: o["title"], location: o["location"],
                description: o["description"], sequence: o["sequence"], keptProperties: o["kept_ical"], thisAndFuture: o["this_and_future"])
        }
        event.recurrence = recurrence
    }
}
