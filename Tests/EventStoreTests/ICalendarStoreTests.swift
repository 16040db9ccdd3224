@testable import EventStore
import EventModel
import Foundation
import GRDB
import Testing

/// The v7-ical migration on a register that holds data, and what it stores.
@Suite struct ICalendarStoreTests {
    let directory = "/tmp/evs-" + UUID().uuidString.prefix(8)
    let t0 = Instant(seconds: 1_488_502_800)  // 2017-03-03T08:00:00+07:00

    @Test func theMigrationKeepsEveryRowIndexAndReferenceAndAllowsZeroLengthEvents() async throws {
        // A register as the migrations before v7-ical left it, with an event, a session and a participation.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let before = try DatabaseQueue(path: directory + "/register.sqlite")
        let last = "v7-week: rooms and preparing units of events, published weekly schedules"
        try Schema.migrator.migrate(before, upTo: last)
        try await before.write { db in
            try db.execute(sql: """
                INSERT INTO person (id, name, name_folded, email, created_at) VALUES (1, 'Phan Chí Hiếu', 'phan chi hieu', 'hieu@moj.gov.vn', 0);
                INSERT INTO event (id, uid, kind, title, start_at, end_at, tz, status, created_at, updated_at, rrule, room)
                    VALUES (7, 'old@eventd', 'conference', 'Hội nghị', 1488502800, 1488515400, 'Asia/Ho_Chi_Minh', 'confirmed', 0, 0, 'FREQ=WEEKLY;COUNT=3', 'Hội trường A');
                INSERT INTO session (id, event_id, uid, title, start_at, end_at) VALUES (3, 7, 's@eventd', 'Khai mạc', 1488502800, 1488504600);
                INSERT INTO participation (event_id, session_id, person_id, role, start_at, end_at) VALUES (7, NULL, 1, 'witness', 1488502800, 1488515400);
                """)
            // v1's CHECK refuses an event that ends as it starts.
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO event (uid, kind, title, start_at, end_at, tz, status, created_at, updated_at) VALUES ('z', 'meeting', 'z', 5, 5, 'UTC', 'confirmed', 0, 0)")
            }
        }
        try before.close()

        let store = try SQLiteStore(directory: directory)
        let old = try await store.event(id: 7)
        #expect(old.uid == "old@eventd" && old.room == "Hội trường A" && old.sessions.map(\.uid) == ["s@eventd"])
        #expect(old.participants.map(\.person.name) == ["Phan Chí Hiếu"] && old.recurrence?.rule == "FREQ=WEEKLY;COUNT=3")
        try await store.pool.read { db in
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            let indexes = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL"))
            #expect(indexes.isSuperset(of: ["event_by_time", "event_recurring", "event_long"]), "\(indexes)")
            let check = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'event'") ?? ""
            #expect(check.contains("CHECK (end_at >= start_at)") && check.contains("room"))
        }
        // Deleting the event still cascades to its session and participation through the rebuilt table.
        try await store.deleteEvent(id: 7)
        let left = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM session"), try Int.fetchOne(db, sql: "SELECT count(*) FROM participation"))
        }
        #expect(left.0 == 0 && left.1 == 0)
    }

    /// v9 turns the space-separated lists of a register into JSON arrays, item for item, and
    /// refuses to open one with an item it cannot read rather than drop it.
    @Test func theV9MigrationTurnsEveryListIntoJSONAndRefusesAnUnreadableItem() async throws {
        let last = "v8-feeds: each event's feed text, kept until the event changes"
        func register(exdates: String) throws -> String {
            let folder = directory + "-" + UUID().uuidString.prefix(4)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let queue = try DatabaseQueue(path: folder + "/register.sqlite")
            try Schema.migrator.migrate(queue, upTo: last)
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO event (id, uid, kind, title, start_at, end_at, tz, status, created_at, updated_at, rrule, exdates, reminders, rdates,
                            exdate_days, more_rules)
                        VALUES (7, 'old@eventd', 'meeting', 'Giao ban', 1488502800, 1488506400, 'Asia/Ho_Chi_Minh', 'confirmed', 0, 0,
                            'FREQ=WEEKLY;COUNT=5', ?, '86400:everyone 1800:speakers', '1488762000', '2017-03-24 2017-03-31',
                            'FREQ=MONTHLY;COUNT=2' || char(10) || 'FREQ=YEARLY;COUNT=2');
                        INSERT INTO event (id, uid, kind, title, start_at, end_at, tz, status, created_at, updated_at)
                        VALUES (8, 'plain@eventd', 'meeting', 'Họp', 1488502800, 1488506400, 'Asia/Ho_Chi_Minh', 'confirmed', 0, 0);
                        """, arguments: [exdates])
            }
            try queue.close()
            return folder
        }
        let folder = try register(exdates: "1489107600 1489712400")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(directory: folder)
        let event = try await store.event(id: 7)
        let recurrence = try #require(event.recurrence)
        #expect(recurrence.exceptions == [Instant(seconds: 1_489_107_600), Instant(seconds: 1_489_712_400)])
        #expect(recurrence.dates == [Instant(seconds: 1_488_762_000)])
        #expect(recurrence.exceptionDates == ["2017-03-24", "2017-03-31"])
        #expect(recurrence.moreRules == ["FREQ=MONTHLY;COUNT=2", "FREQ=YEARLY;COUNT=2"])
        #expect(event.reminders == [Reminder(offset: 86_400, audience: .everyone), Reminder(offset: 1800, audience: .speakers)])
        let plain = try await store.event(id: 8)
        #expect(plain.recurrence == nil && plain.reminders == nil, "an event without lists keeps none, and its default reminders")
        let stored = try store.pool.read { db in try Row.fetchOne(db, sql: "SELECT exdates, rdates, reminders FROM event WHERE id = 7")! }
        #expect(stored["exdates"] as String == "[1489107600,1489712400]" && stored["rdates"] as String == "[1488762000]")

        let broken = try register(exdates: "1489107600 next-week")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let error = #expect(throws: (any Error).self) { try SQLiteStore(directory: broken) }
        #expect("\(String(describing: error))".contains("event 7 holds an unreadable exdates item \"next-week\""), "\(String(describing: error))")
        let queue = try DatabaseQueue(path: broken + "/register.sqlite")
        #expect(try await queue.read { db in try String.fetchOne(db, sql: "SELECT exdates FROM event WHERE id = 7") } == "1489107600 next-week", "nothing was changed")
    }

    @Test func recurrenceSetsOverridesAndLongEventsAreStoredAndFound() async throws {
        let store = try SQLiteStore(directory: directory)
        var series = Event(uid: "weekly@test", kind: .meeting, title: "Giao ban", start: t0, end: t0.adding(seconds: 3600), timeZone: "Asia/Ho_Chi_Minh",
                           created: t0, updated: t0, floating: true, keptProperties: "TRANSP:TRANSPARENT\r\nX-FOO:1")
        series.recurrence = Recurrence(
            rule: "FREQ=WEEKLY;COUNT=5", exceptions: [t0.adding(seconds: 7 * 86_400)], moreRules: ["FREQ=MONTHLY;COUNT=2"],
            dates: [t0.adding(seconds: 3 * 86_400)], exceptionDates: ["2017-03-24"],
            overrides: [OccurrenceOverride(recurrenceID: t0.adding(seconds: 14 * 86_400), start: t0.adding(seconds: 15 * 86_400), end: t0.adding(seconds: 15 * 86_400 + 7200),
                                           status: .cancelled, title: "Dời", sequence: 2, keptProperties: "X-BAR:2")])
        let zero = Event(uid: "deadline@test", kind: .meeting, title: "Hạn nộp", start: t0, end: t0, timeZone: "UTC", created: t0, updated: t0)
        let long = Event(uid: "long@test", kind: .meeting, title: "Cả năm và hơn", start: t0, end: t0.adding(seconds: 800 * 86_400), timeZone: "UTC",
                         created: t0, updated: t0)
        let outcome = try await store.importEvents([
            EventImport(event: series, participants: [], sessions: []), EventImport(event: zero, participants: [], sessions: []),
            EventImport(event: long, participants: [ParticipantDraft(reference: .named(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"), role: .attendee)], sessions: []),
        ])
        #expect(outcome.created == ["weekly@test", "deadline@test", "long@test"])
        let stored = try #require(try await store.events(from: nil, to: nil, kind: nil).first { $0.uid == "weekly@test" })
        #expect(stored.recurrence == series.recurrence && stored.floating && stored.keptProperties == series.keptProperties)
        // 700 days on, the long event is still running: both queries find it.
        let later = t0.adding(seconds: 700 * 86_400)
        // (The recurring series is listed too: its occurrences are the caller's to expand.)
        #expect(try await store.events(from: later, to: later.adding(seconds: 86_400), kind: nil).map(\.uid).sorted() == ["long@test", "weekly@test"])
        let person = try #require(try await store.people().first?.id)
        #expect(try await store.events(ofPerson: person, from: later, to: later.adding(seconds: 86_400)).map(\.uid) == ["long@test"])
        // A change of title keeps the imported times (zero-length, longer than a year) as they were.
        var retitle = EventChanges()
        retitle.title = "Hạn nộp hồ sơ"
        let zeroID = try #require(try await store.events(from: nil, to: nil, kind: nil).first { $0.uid == "deadline@test" }?.id)
        #expect(try await store.updateEvent(id: zeroID, applying: retitle).end == t0)
    }
}
