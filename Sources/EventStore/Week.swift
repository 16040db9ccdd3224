import EventModel
import Foundation
import GRDB

// What a secretary needs beyond adding events: people kept straight (one person per name,
// updates, merges, deletes), sessions changed or removed, search, and published schedules.

extension SQLiteStore {
    // MARK: People

    /// The one person a bare name names, matched as agendas match: the exact name first, then
    /// without regard to case or diacritics. nil when nobody has it; several are a conflict listing them.
    static func onePersonNamed(_ db: Database, _ name: String, field: String) throws -> Person? {
        let people = try peopleNamed(db, name)
        guard people.count <= 1 else {
            throw RegisterError.conflict(
                field: field,
                message: "\(name.debugDescription) matches \(people.count) people: \(peopleList(people)); "
                    + "give an id or an email, or ask for a new person (--new-person)")
        }
        return people.first
    }

    /// The people a bare name matches: those of exactly that name, else those of that name
    /// without regard to case or diacritics.
    static func peopleNamed(_ db: Database, _ name: String) throws -> [Person] {
        var rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM person WHERE name = ? ORDER BY id"), arguments: [name.precomposedStringWithCanonicalMapping])
        if rows.isEmpty {
            rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM person WHERE name_folded = ? ORDER BY id"), arguments: [foldedForSearch(name)])
        }
        return try rows.map(person)
    }

    /// Ids of the events a person takes any part in.
    static func eventIDs(ofPerson id: Int64, _ db: Database) throws -> [Int64] {
        try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT DISTINCT event_id FROM participation WHERE person_id = ? ORDER BY event_id"), arguments: [id])
    }

    /// Changes a person's facts. Returns the person and the events they are in (their feeds show the name).
    public func updatePerson(id: Int64, _ changes: PersonChanges) async throws -> (Person, [Event]) {
        try await writing { db in
            let old = try self.resolve(db, .id(id), field: "person", create: false)
            let new = changes.applied(to: old)
            if let email = new.email, email != old.email,
                let other = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM person WHERE email = ? AND id != ?"), arguments: [email, id])
            {
                throw RegisterError.conflict(
                    field: "email", message: "person \(other) already has the email \(email) (eventctl person merge \(id) \(other) joins them)")
            }
            try db.cachedStatement(
                sql: "UPDATE person SET name = ?, name_folded = ?, email = ?, position = ?, organisation = ?, lang = ?, tz = ? WHERE id = ?"
            ).execute(arguments: [
                new.name, foldedForSearch(new.name), new.email, new.position, new.organisation, new.language.rawValue, new.timeZone, id,
            ])
            try Audit.record(db, "update-person \(id) \(new.name)", now: self.now())
            return (new, try Self.eventIDs(ofPerson: id, db).map { try Self.loadEvent(db, id: $0) })
        }
    }

    /// Joins `duplicate` into `kept` in one transaction: every participation (with its answer,
    /// when and how it came), answer for one occurrence, counter-proposal, notice and feed token
    /// of the duplicate moves to the kept person, who also takes the
    /// duplicate's email, position, organisation and zone where they have none; the duplicate goes.
    /// Where both had the same part in an event, the answer that says something (not
    /// needs-action) is kept. Returns the kept person and the events they are now in.
    public func mergePeople(duplicate: Int64, into kept: Int64) async throws -> (Person, [Event]) {
        try await writing { db in
            guard duplicate != kept else { throw RegisterError.invalid(field: "person", message: "a person cannot be merged into themselves") }
            let from = try self.resolve(db, .id(duplicate), field: "person", create: false)
            let into = try self.resolve(db, .id(kept), field: "into", create: false)
            let same = """
                FROM participation k WHERE k.person_id = ? AND k.event_id = participation.event_id
                AND ifnull(k.session_id, 0) = ifnull(participation.session_id, 0) AND k.role = participation.role
                """
            // The kept person's row stays where both have the same part; it takes the duplicate's answer if it has none.
            try db.execute(
                sql: """
                    UPDATE participation SET
                        rsvp = (SELECT k.rsvp \(same)),
                        rsvp_at = (SELECT k.rsvp_at \(same)),
                        rsvp_comment = (SELECT k.rsvp_comment \(same)),
                        rsvp_via = (SELECT k.rsvp_via \(same)),
                        required = max(required, (SELECT k.required \(same)))
                    WHERE person_id = ? AND rsvp = 'needs-action' AND EXISTS (SELECT 1 \(same) AND k.rsvp != 'needs-action')
                    """,
                arguments: [duplicate, duplicate, duplicate, duplicate, duplicate, kept, duplicate])
            try db.execute(sql: "DELETE FROM participation WHERE person_id = ? AND EXISTS (SELECT 1 \(same))", arguments: [duplicate, kept])
            try db.cachedStatement(sql: "UPDATE participation SET person_id = ? WHERE person_id = ?").execute(arguments: [kept, duplicate])
            // Every other table that points at a person (the outbox, answers): moved the same way.
            try Self.repointPeople(db, from: duplicate, to: kept)
            var merged = into
            merged.email = into.email ?? from.email
            merged.position = into.position ?? from.position
            merged.organisation = into.organisation ?? from.organisation
            merged.timeZone = into.timeZone ?? from.timeZone
            let token =
                try String.fetchOne(db.cachedStatement(sql: "SELECT feed_token FROM person WHERE id = ?"), arguments: [kept])
                ?? String.fetchOne(db.cachedStatement(sql: "SELECT feed_token FROM person WHERE id = ?"), arguments: [duplicate])
            try db.cachedStatement(sql: "DELETE FROM person WHERE id = ?").execute(arguments: [duplicate])
            try db.cachedStatement(sql: "UPDATE person SET email = ?, position = ?, organisation = ?, tz = ?, feed_token = ? WHERE id = ?").execute(
                arguments: [merged.email, merged.position, merged.organisation, merged.timeZone, token, kept])
            try Self.readdressNotices(db, from: from, to: merged)
            try Audit.record(db, "merge-person \(duplicate) \(from.name) into \(kept) \(into.name)", now: self.now())
            return (merged, try Self.eventIDs(ofPerson: kept, db).map { try Self.loadEvent(db, id: $0) })
        }
    }

    /// Removes a person. Refused while they take part in an event unless `force`, which takes
    /// them off those events first. Their notices go with them. Returns the events they were in, as they are now.
    public func deletePerson(id: Int64, force: Bool) async throws -> [Event] {
        try await writing { db in
            let person = try self.resolve(db, .id(id), field: "person", create: false)
            let events = try Self.eventIDs(ofPerson: id, db)
            if !events.isEmpty, !force {
                let titles = try events.prefix(5).map { "\($0) \(try Self.loadEvent(db, id: $0).title)" }.joined(separator: "; ")
                throw RegisterError.conflict(
                    field: "person",
                    message: "\(person.name) takes part in \(events.count) event(s) (\(titles)\(events.count > 5 ? "; …" : "")); "
                        + "take them off first, merge them into another person, or delete with --force")
            }
            try db.cachedStatement(sql: "DELETE FROM participation WHERE person_id = ?").execute(arguments: [id])
            try Self.repointPeople(db, from: id, to: nil)
            try db.cachedStatement(sql: "DELETE FROM person WHERE id = ?").execute(arguments: [id])
            try Audit.record(db, "delete-person \(id) \(person.name)\(events.isEmpty ? "" : " from \(events.count) event(s)")", now: self.now())
            return try events.map { try Self.loadEvent(db, id: $0) }
        }
    }

    /// Notices not yet sent follow the person a merge kept: each is addressed to their address,
    /// and a letter's event names them where it named the duplicate, so a letter sent after the
    /// merge (after a restart, or beside a later update) says what the register says.
    private static func readdressNotices(_ db: Database, from duplicate: Person, to kept: Person) throws {
        guard let keptID = kept.id else { return }
        if let email = kept.email {
            try db.cachedStatement(sql: "UPDATE notice SET recipient = ? WHERE person_id = ? AND state IN ('pending', 'failed') AND recipient != ?")
                .execute(arguments: [email, keptID, email])
        }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, letter FROM notice WHERE state IN ('pending', 'failed') AND letter IS NOT NULL"))
        for row in rows {
            var letter: NoticeLetter = try StoredList.value(row["letter"], "letter")
            guard letter.event.participants.contains(where: { $0.person.id == duplicate.id }) else { continue }
            for i in letter.event.participants.indices where letter.event.participants[i].person.id == duplicate.id {
                letter.event.participants[i].person = kept
            }
            try db.cachedStatement(sql: "UPDATE notice SET letter = ? WHERE id = ?").execute(arguments: [StoredList.json(letter), row["id"] as Int64])
        }
    }

    /// Moves (or with `to` nil deletes) the rows of every table with a foreign key to `person`,
    /// other than participations, so that tables added later are carried along too.
    private static func repointPeople(_ db: Database, from: Int64, to: Int64?) throws {
        let tables = try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        for table in tables where table != "person" && table != "participation" {
            for key in try Row.fetchAll(db.cachedStatement(sql: "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)"), arguments: [table]) {
                guard (key["table"] as String) == "person" else { continue }
                let column: String = key["from"]
                if let to {
                    // A row the kept person already has (a unique index) stays theirs; the duplicate's goes.
                    try db.execute(
                        sql:
                            "UPDATE OR IGNORE \(table.quotedDatabaseIdentifier) SET \(column.quotedDatabaseIdentifier) = ? WHERE \(column.quotedDatabaseIdentifier) = ?",
                        arguments: [to, from])
                }
                try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier) WHERE \(column.quotedDatabaseIdentifier) = ?", arguments: [from])
            }
        }
    }

    /// The one person `key` names, as agendas read it: an id, an email, or a name.
    public func onePerson(matching key: String) async throws -> Person {
        let people = try await people(matching: key)
        guard people.count == 1 else {
            if people.isEmpty { throw RegisterError.notFound(what: "person matching", key: key) }
            throw RegisterError.conflict(
                field: "person", message: "\(key.debugDescription) matches \(people.count) people: \(peopleList(people)); give an id or an email")
        }
        return people[0]
    }

    // MARK: Search

    /// Events whose title, place, room, description, preparing unit, delegations, sessions or
    /// people (names, positions, organisations) hold every word of `text`, without regard to
    /// case or diacritics ("cuc phuong" finds "Cúc Phương"), and that overlap [from, to) (a
    /// recurring one: that starts before `to`), in order of start.
    public func search(_ text: String, from: Instant?, to: Instant?, kind: EventKind?) async throws -> [Event] {
        let words = SearchFold.fold(text).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { throw RegisterError.invalid(field: "q", message: "give at least one word to look for") }
        return try await reading { db in
            // SQLite has no Vietnamese folding of its own: ours, for this connection.
            db.add(
                function: DatabaseFunction("eventd_fold", argumentCount: 1, pure: true) { values in
                    String.fromDatabaseValue(values[0]).map(SearchFold.fold)
                })
            // Each event's text is folded once (people, sessions and rooms with it); each word is then a LIKE.
            var filters = ["1"]
            var arguments: StatementArguments = []
            if let kind {
                filters.append("e.kind = ?")
                arguments += [kind.rawValue]
            }
            if let to {
                filters.append("e.start_at < ?")
                arguments += [to.seconds]
            }
            if let from {
                filters.append("(e.end_at > ? OR e.rrule IS NOT NULL)")
                arguments += [from.seconds]
            }
            var likes: [String] = []
            for word in words {
                likes.append("t LIKE ? ESCAPE '\\'")
                arguments += [
                    "%"
                        + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                            of: "_", with: "\\_") + "%"
                ]
            }
            let sql = """
                WITH f AS MATERIALIZED (
                    SELECT e.id, e.start_at, eventd_fold(
                        e.title || ' ' || ifnull(e.location, '') || ' ' || ifnull(e.room, '') || ' ' || ifnull(e.description, '')
                        || ' ' || ifnull(e.prepare_org, '') || ' ' || ifnull(e.visiting_org, '') || ' ' || ifnull(e.host_org, '')
                        || ' ' || ifnull((SELECT group_concat(p.name || ' ' || ifnull(p.position, '') || ' ' || ifnull(p.organisation, ''), ' ')
                            FROM participation pa JOIN person p ON p.id = pa.person_id WHERE pa.event_id = e.id), '')
                        || ' ' || ifnull((SELECT group_concat(s.title || ' ' || ifnull(s.room, ''), ' ') FROM session s WHERE s.event_id = e.id), '')
                    ) AS t
                    FROM event e WHERE \(filters.joined(separator: " AND "))
                )
                SELECT id FROM f WHERE \(likes.joined(separator: " AND ")) ORDER BY start_at, id
                """
            let ids = try Int64.fetchAll(db, sql: sql, arguments: arguments)
            return try ids.map { try Self.loadEvent(db, id: $0) }.filter { event in
                (to == nil || event.start < to!) && (from == nil || event.recurrence != nil || event.end > from!)
            }
        }
    }

    /// Every organisation the register names: of people, preparing units and delegations.
    public func organisations() async throws -> [String] {
        try await reading { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT organisation FROM person WHERE organisation IS NOT NULL
                        UNION SELECT prepare_org FROM event WHERE prepare_org IS NOT NULL
                        UNION SELECT host_org FROM event WHERE host_org IS NOT NULL
                        UNION SELECT visiting_org FROM event WHERE visiting_org IS NOT NULL
                        """))
        }
    }

    // MARK: Published schedules

    /// One publication of a schedule: when, which revision of its scope and range (1 = the
    /// first), and its entries as published (JSON, the daemon's to read).
    public struct Publication: Sendable, Equatable {
        public var id: Int64
        public var at: Instant
        public var revision: Int
        public var entries: String
    }

    /// Records what a schedule shows now as its published version.
    public func publishSchedule(scope: String, range: String, entries: String) async throws -> Publication {
        try await writing { db in
            let at = self.now()
            try db.cachedStatement(sql: "INSERT INTO schedule_publication (scope, range, published_at, entries) VALUES (?, ?, ?, ?)").execute(
                arguments: [scope, range, at.seconds, entries])
            let id = db.lastInsertedRowID
            let revision =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM schedule_publication WHERE scope = ? AND range = ?"), arguments: [scope, range])
                ?? 1
            try Audit.record(db, "publish-schedule \(scope) \(range) revision \(revision)", now: at)
            return Publication(id: id, at: at, revision: revision, entries: entries)
        }
    }

    /// The latest publication of a schedule, if it was ever published.
    public func lastPublication(scope: String, range: String) async throws -> Publication? {
        try await reading { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM schedule_publication WHERE scope = ? AND range = ? ORDER BY id DESC LIMIT 1"),
                    arguments: [scope, range])
            else { return nil }
            let revision =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM schedule_publication WHERE scope = ? AND range = ?"), arguments: [scope, range])
                ?? 1
            return Publication(id: row["id"], at: Instant(seconds: row["published_at"]), revision: revision, entries: row["entries"])
        }
    }
}
