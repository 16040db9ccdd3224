import GRDB
import Foundation

/// Named, append-only migrations. A shipped migration is never edited: add a new one.
/// They speak SQL only, so they do not change when application types do.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: people, events, sessions, participations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE person (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        name_folded TEXT NOT NULL,
                        email TEXT UNIQUE,
                        position TEXT,
                        organisation TEXT,
                        lang TEXT NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX person_by_name ON person(name);
                    CREATE INDEX person_by_folded_name ON person(name_folded);

                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        uid TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        title TEXT NOT NULL,
                        description TEXT,
                        location TEXT,
                        link TEXT,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL CHECK (end_at > start_at),
                        tz TEXT NOT NULL,
                        all_day INTEGER NOT NULL DEFAULT 0,
                        status TEXT NOT NULL CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
                        sequence INTEGER NOT NULL DEFAULT 0,
                        visiting_org TEXT,
                        host_org TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX event_by_time ON event(start_at, end_at);

                    CREATE TABLE session (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                        title TEXT NOT NULL,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL CHECK (end_at > start_at),
                        room TEXT
                    );
                    CREATE INDEX session_by_event ON session(event_id, start_at);

                    -- start_at and end_at are copied from the event or session, so that one
                    -- person's events between two dates is a single range of one index.
                    CREATE TABLE participation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                        session_id INTEGER REFERENCES session(id) ON DELETE CASCADE,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        role TEXT NOT NULL,
                        required INTEGER NOT NULL DEFAULT 1,
                        rsvp TEXT NOT NULL DEFAULT 'needs-action',
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX participation_once ON participation(event_id, ifnull(session_id, 0), person_id, role);
                    CREATE INDEX participation_by_person_time ON participation(person_id, start_at, end_at, event_id);
                    """)
        }
        migrator.registerMigration("v2: recurrence rules and stable session UIDs") { db in
            try db.execute(
                sql: """
                    ALTER TABLE event ADD COLUMN rrule TEXT;
                    -- Excluded occurrences (EXDATE) as start instants in seconds, space-separated.
                    ALTER TABLE event ADD COLUMN exdates TEXT NOT NULL DEFAULT '';
                    ALTER TABLE session ADD COLUMN uid TEXT;
                    UPDATE session SET uid = lower(hex(randomblob(16))) || '@eventd';
                    CREATE UNIQUE INDEX session_by_uid ON session(uid);
                    CREATE INDEX event_recurring ON event(start_at) WHERE rrule IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v3: a person's own time zone") { db in
            try db.execute(sql: "ALTER TABLE person ADD COLUMN tz TEXT")
        }
        migrator.registerMigration("v4: reminders and the outbox of notices") { db in
            try db.execute(
                sql: """
                    -- Reminder offsets and audiences, "86400:everyone 7200:speakers"; NULL: the daemon's defaults.
                    ALTER TABLE event ADD COLUMN reminders TEXT;

                    -- One row per notice and recipient. A reminder is identified by its event, occurrence,
                    -- offset and person, so planning it again updates it instead of adding another.
                    CREATE TABLE notice (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        message_id TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL CHECK (kind IN ('reminder', 'invitation', 'update', 'cancellation')),
                        event_uid TEXT NOT NULL,
                        event_id INTEGER,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        recipient TEXT NOT NULL,
                        due_at INTEGER NOT NULL,
                        starts_at INTEGER NOT NULL,
                        reminder_offset INTEGER,
                        sequence INTEGER NOT NULL,
                        message TEXT,
                        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX notice_reminder_once ON notice(event_uid, starts_at, reminder_offset, person_id) WHERE kind = 'reminder';
                    CREATE INDEX notice_due ON notice(next_attempt_at) WHERE state = 'pending';
                    CREATE INDEX notice_by_event ON notice(event_uid, kind);
                    """)
        }
        migrator.registerMigration("v5: personal feed tokens") { db in
            try db.execute(sql: "ALTER TABLE person ADD COLUMN feed_token TEXT; CREATE UNIQUE INDEX person_by_feed_token ON person(feed_token)")
        }
        migrator.registerMigration("v6: the audit log of changes") { db in
            try db.execute(
                sql: """
                    -- One row per change made through the API, written in the change's own transaction.
                    -- uid and gid come from the socket (SO_PEERCRED); before and after are the event as JSON.
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at INTEGER NOT NULL,
                        uid INTEGER NOT NULL,
                        gid INTEGER NOT NULL,
                        pid INTEGER NOT NULL,
                        user_name TEXT NOT NULL,
                        action TEXT NOT NULL,
                        event_id INTEGER,
                        event_uid TEXT,
                        before TEXT,
                        after TEXT
                    );
                    CREATE INDEX audit_by_event ON audit(event_id, at);
                    CREATE INDEX audit_by_time ON audit(at);
                    """)
        }
        migrator.registerMigration("v7-rsvp: answers to invitations, counter-proposals, reminder audiences") { db in
            try db.execute(
                sql: """
                    -- The answer for the whole event (or series) is kept on each of the person's participations.
                    ALTER TABLE participation ADD COLUMN rsvp_at INTEGER;
                    ALTER TABLE participation ADD COLUMN rsvp_comment TEXT;
                    ALTER TABLE participation ADD COLUMN rsvp_via TEXT;

                    -- An answer for one occurrence of a series (a REPLY with RECURRENCE-ID).
                    CREATE TABLE occurrence_answer (
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        occurrence INTEGER NOT NULL,
                        rsvp TEXT NOT NULL,
                        comment TEXT,
                        answered_at INTEGER NOT NULL,
                        via TEXT NOT NULL,
                        PRIMARY KEY (event_id, person_id, occurrence)
                    );

                    -- A COUNTER: a new time an attendee proposes, kept for the organizer, never applied.
                    CREATE TABLE proposal (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        occurrence INTEGER,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL,
                        comment TEXT,
                        received_at INTEGER NOT NULL,
                        via TEXT NOT NULL
                    );
                    CREATE INDEX proposal_by_event ON proposal(event_id, received_at);

                    -- A reminder's audience; 'unanswered' reminders are invitations sent again.
                    ALTER TABLE notice ADD COLUMN audience TEXT;
                    """)
        }
        migrator.registerMigration("v7-week: rooms and preparing units of events, published weekly schedules") { db in
            try db.execute(
                sql: """
                    ALTER TABLE event ADD COLUMN room TEXT;
                    -- The unit that prepares the meeting (đơn vị chuẩn bị), for the weekly schedule.
                    ALTER TABLE event ADD COLUMN prepare_org TEXT;

                    -- Each publication of a schedule: its scope (an organisation, people, or all), its range
                    -- (an ISO week or two instants) and the entries as published, as JSON, so that a later
                    -- version can mark what is new, moved or cancelled since.
                    CREATE TABLE schedule_publication (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        scope TEXT NOT NULL,
                        range TEXT NOT NULL,
                        published_at INTEGER NOT NULL,
                        entries TEXT NOT NULL
                    );
                    CREATE INDEX schedule_publication_by_scope ON schedule_publication(scope, range, id);
                    """)
        }
        migrator.registerMigration("v7-ical: recurrence sets, changed occurrences, floating times, kept iCalendar properties") { db in
            try db.execute(
                sql: """
                    -- Extra occurrences (RDATE), start instants in seconds, space-separated.
                    ALTER TABLE event ADD COLUMN rdates TEXT NOT NULL DEFAULT '';
                    -- Days without occurrences (a DATE-valued EXDATE on a series with times), YYYY-MM-DD, space-separated.
                    ALTER TABLE event ADD COLUMN exdate_days TEXT NOT NULL DEFAULT '';
                    -- RRULEs after the first (rrule), one per line.
                    ALTER TABLE event ADD COLUMN more_rules TEXT NOT NULL DEFAULT '';
                    -- 1: the times were floating in the imported file; they are written back without a zone.
                    ALTER TABLE event ADD COLUMN floating INTEGER NOT NULL DEFAULT 0;
                    -- Imported properties and alarms eventd does not model, as iCalendar content lines.
                    ALTER TABLE event ADD COLUMN kept_ical TEXT;

                    -- One changed or cancelled occurrence of a recurring event (a VEVENT with RECURRENCE-ID).
                    CREATE TABLE event_override (
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                        recurrence_id INTEGER NOT NULL,
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL CHECK (end_at >= start_at),
                        status TEXT CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
                        title TEXT,
                        location TEXT,
                        description TEXT,
                        sequence INTEGER NOT NULL DEFAULT 0,
                        kept_ical TEXT,
                        PRIMARY KEY (event_id, recurrence_id)
                    );
                    """)
            // RFC 5545 3.6.1: a VEVENT with a DTSTART and neither DTEND nor DURATION ends when it
            // starts. v1 wrote CHECK (end_at > start_at) into the event table; SQLite cannot change
            // a CHECK in place, so the table is copied into one whose CHECK allows end_at = start_at
            // (the documented twelve-step rebuild; GRDB turns foreign keys off until the end of the
            // migration and checks them then). Every column and index present now is kept.
            let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'event'") ?? ""
            let relaxed = create.replacingOccurrences(of: "CHECK (end_at > start_at)", with: "CHECK (end_at >= start_at)")
            if relaxed != create, let head = relaxed.range(of: "CREATE TABLE event") {
                let indexes = try String.fetchAll(
                    db, sql: "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'event' AND sql IS NOT NULL")
                try db.execute(sql: relaxed.replacingCharacters(in: head, with: "CREATE TABLE event_v7"))
                try db.execute(sql: "INSERT INTO event_v7 SELECT * FROM event; DROP TABLE event; ALTER TABLE event_v7 RENAME TO event")
                for index in indexes { try db.execute(sql: index) }
            }
            // Imported events may last longer than the year the time-range queries assume.
            try db.execute(sql: "CREATE INDEX event_long ON event(start_at) WHERE end_at - start_at > 31622400")
        }
        migrator.registerMigration("v7-ical: changes of occurrences that hold for the later ones too (RANGE=THISANDFUTURE)") { db in
            try db.execute(sql: "ALTER TABLE event_override ADD COLUMN this_and_future INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v8-feeds: each event's feed text, kept until the event changes") { db in
            // feed_stale is kept by triggers in the transaction of every change, so no change can
            // leave a stale text behind, even if eventd dies before the feed writer runs; `mark`
            // counts the changes, so the writer settles only the version it rendered.
            try db.execute(
                sql: """
                    CREATE TABLE feed_entry (
                        event_id INTEGER PRIMARY KEY REFERENCES event(id) ON DELETE CASCADE,
                        text TEXT NOT NULL,
                        zone TEXT,
                        span_from INTEGER NOT NULL,
                        span_to INTEGER
                    );
                    CREATE TABLE feed_stale (event_id INTEGER PRIMARY KEY, mark INTEGER NOT NULL);
                    INSERT INTO feed_stale (event_id, mark) SELECT id, 1 FROM event;
                    """)
            func stale(_ id: String) -> String {
                "INSERT INTO feed_stale (event_id, mark) VALUES (\(id), 1) ON CONFLICT (event_id) DO UPDATE SET mark = mark + 1;"
            }
            var triggers = [
                "feed_event_insert AFTER INSERT ON event": stale("NEW.id"),
                "feed_event_update AFTER UPDATE ON event": stale("NEW.id"),
                "feed_event_delete AFTER DELETE ON event": "DELETE FROM feed_stale WHERE event_id = OLD.id;",
                // A renamed person, or a new email, changes the ATTENDEE lines of all their events.
                "feed_person_update AFTER UPDATE OF name, email ON person": """
                    INSERT INTO feed_stale (event_id, mark) SELECT DISTINCT event_id, 1 FROM participation WHERE person_id = NEW.id
                    ON CONFLICT (event_id) DO UPDATE SET mark = mark + 1;
                    """,
            ]
            for table in ["participation", "session", "event_override"] {
                triggers["feed_\(table)_insert AFTER INSERT ON \(table)"] = stale("NEW.event_id")
                triggers["feed_\(table)_update AFTER UPDATE ON \(table)"] = stale("OLD.event_id") + stale("NEW.event_id")
                triggers["feed_\(table)_delete AFTER DELETE ON \(table)"] = stale("OLD.event_id")
            }
            for (head, body) in triggers {
                try db.execute(sql: "CREATE TRIGGER \(head) BEGIN \(body) END")
            }
        }
        migrator.registerMigration("v9: lists as JSON arrays; letters kept with the event they describe") { db in
            // Letters (invitations, updates, cancellations) are composed when sent, from the event
            // they describe as it was at the change: planning them needs no mail or iCalendar work.
            try db.execute(sql: "ALTER TABLE notice ADD COLUMN letter TEXT")
            // Space-separated lists dropped items they could not read; JSON arrays are read whole or refused.
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, exdates, rdates, exdate_days, more_rules, reminders FROM event WHERE exdates != '' OR rdates != '' OR exdate_days != '' OR more_rules != '' OR reminders IS NOT NULL")
            for row in rows {
                let id: Int64 = row["id"]
                func seconds(_ column: String) throws -> [Int64] {
                    try ((row[column] as String?) ?? "").split(separator: " ").map { item in
                        guard let value = Int64(item) else { throw StoreError.io("event \(id) holds an unreadable \(column) item \(String(item).debugDescription)") }
                        return value
                    }
                }
                // Written as JSON text here, not through `Reminder`, so this migration never changes.
                let reminders: String? = try (row["reminders"] as String?).map { text in
                    "[" + (try text.split(separator: " ").map { item in
                        let parts = item.split(separator: ":").map(String.init)
                        guard parts.count == 2, let offset = Int64(parts[0]), ["everyone", "speakers", "organizers", "unanswered"].contains(parts[1]) else {
                            throw StoreError.io("event \(id) holds an unreadable reminder \(String(item).debugDescription)")
                        }
                        return "{\"offset\":\(offset),\"audience\":\"\(parts[1])\"}"
                    }).joined(separator: ",") + "]"
                }
                let words = { (column: String, separator: Character) in ((row[column] as String?) ?? "").split(separator: separator).map(String.init) }
                // Empty lists stay the empty text; the rest JSON arrays, encoded here for the same reason.
                func array<T: Encodable>(_ items: [T]) throws -> String {
                    items.isEmpty ? "" : String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
                }
                try db.execute(
                    sql: "UPDATE event SET exdates = ?, rdates = ?, exdate_days = ?, more_rules = ?, reminders = ? WHERE id = ?",
                    arguments: [
                        try array(seconds("exdates")), try array(seconds("rdates")), try array(words("exdate_days", " ")),
                        try array(words("more_rules", "\n")), reminders, id,
                    ])
            }
        }
        migrator.registerMigration("v10: who may answer for a person, and answers of delegates") { db in
            try db.execute(
                sql: """
                    -- An address that may answer invitations for a person (SENT-BY): their assistant.
                    -- No unique key: merging two people may bring the same address twice, read as one.
                    CREATE TABLE person_assistant (
                        id INTEGER PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                        email TEXT NOT NULL
                    );
                    CREATE INDEX person_assistant_by_person ON person_assistant(person_id);

                    -- A participant's delegation (PARTSTAT=DELEGATED;DELEGATED-TO) and, once it
                    -- comes, the delegate's own answer (a REPLY with DELEGATED-FROM).
                    CREATE TABLE delegation (
                        id INTEGER PRIMARY KEY,
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        occurrence INTEGER,
                        delegate TEXT NOT NULL,
                        delegate_name TEXT,
                        rsvp TEXT,
                        comment TEXT,
                        answered_at INTEGER,
                        via TEXT
                    );
                    CREATE INDEX delegation_by_event ON delegation(event_id, delegate);
                    """)
        }
        migrator.registerMigration("v11-ident: the name a file gave an address in one event") { db in
            // One person per address: a file's CN that differs from that person's name is kept
            // on the participation it came with, and written back there, never as a rename.
            try db.execute(sql: "ALTER TABLE participation ADD COLUMN name_in_file TEXT")
        }
        return migrator
    }
}
