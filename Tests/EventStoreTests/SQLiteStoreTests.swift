import EventModel
@testable import EventStore
import Foundation
import GRDB
import Testing

@Suite struct SQLiteStoreTests {
    let directory = "/tmp/evs-" + UUID().uuidString.prefix(8)
    let t0 = Instant(seconds: 1_488_502_800)  // 2017-03-03T08:00:00+07:00

    func conference(_ store: SQLiteStore) async throws -> Event {
        let event = Event(
            uid: "conf-2017@eventd", kind: .conference, title: "Hội nghị ký giao ước thi đua năm 2017", location: "Thái Nguyên",
            start: t0, end: t0.adding(seconds: 12_600), timeZone: "Asia/Ho_Chi_Minh", created: t0, updated: t0)
        return try await store.createEvent(event, participants: [
            ParticipantDraft(reference: .named(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"), role: .witness),
            ParticipantDraft(reference: .named(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"), role: .speaker),
            ParticipantDraft(reference: .named(name: "Nhữ Văn Tâm", email: nil), role: .speaker),
        ])
    }

    @Test func onePersonCanHoldSeveralRolesAndIsStoredOnce() async throws {
        let store = try SQLiteStore(directory: directory)
        let event = try await conference(store)
        #expect(event.participants.map(\.role) == [.witness, .speaker, .speaker])
        #expect(try await store.people().count == 2)
        #expect(try await store.counts().events == 1)
    }

    /// A value eventd does not know (a newer version's, a hand edit) is an error naming it, not a
    /// default that would rewrite the event as something else on its next change.
    @Test func unknownStoredValuesAreErrorsNotDefaults() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let id = try #require(try await conference(store).id)
        let raw = try DatabaseQueue(path: store.path)
        for (sql, message) in [
            ("UPDATE event SET kind = 'party'", "unknown event kind \"party\""),
            (#"UPDATE event SET kind = 'conference', reminders = '[{"offset":86400,"audience":"friends"}]'"#, "unreadable reminders"),
            ("UPDATE event SET reminders = NULL, rrule = 'FREQ=DAILY;COUNT=3', exdates = '[1488502800, \"soon\"]'", "unreadable excluded dates"),
            ("UPDATE event SET exdates = '', rdates = '1488502800 1488589200'", "unreadable RDATEs"),
            ("UPDATE event SET rrule = NULL; UPDATE participation SET role = 'guest' WHERE id = (SELECT MIN(id) FROM participation)", "unknown role \"guest\""),
        ] {
            try await raw.write { try $0.execute(sql: sql) }
            let error = await #expect(throws: StoreError.self) { try await store.event(id: id) }
            #expect(error?.description.contains(message) == true, "\(sql): \(String(describing: error))")
        }
    }

    @Test func aFailedWriteLeavesNoTrace() async throws {
        let store = try SQLiteStore(directory: directory)
        let event = Event(
            uid: "bad@eventd", kind: .meeting, title: "Họp", start: t0, end: t0.adding(seconds: 3600),
            timeZone: "Asia/Ho_Chi_Minh", created: t0, updated: t0)
        await #expect(throws: RegisterError.self) {
            _ = try await store.createEvent(event, participants: [
                ParticipantDraft(reference: .named(name: "Người Mới", email: "moi@example.vn"), role: .attendee),
                ParticipantDraft(reference: .id(999), role: .witness),
            ])
        }
        #expect(try await store.counts().events == 0)
        #expect(try await store.counts().people == 0)
    }

    @Test func updatesRaiseSequenceOnlyForAttendeeVisibleChanges() async throws {
        let store = try SQLiteStore(directory: directory)
        let event = try await conference(store)
        var rename = EventChanges()
        rename.title = "Hội nghị (tên mới)"
        var updated = try await store.updateEvent(id: event.id!, applying: rename)
        #expect(updated.sequence == 0)
        var move = EventChanges()
        move.location = .some("Hà Nội")
        updated = try await store.updateEvent(id: event.id!, applying: move)
        #expect(updated.sequence == 1)
        var cancel = EventChanges()
        cancel.status = .cancelled
        updated = try await store.updateEvent(id: event.id!, applying: cancel)
        #expect(updated.sequence == 2)
        #expect(updated.status == .cancelled)
    }

    @Test func ambiguousNamesAreRefused() async throws {
        let store = try SQLiteStore(directory: directory)
        _ = try await store.addPerson(Person(name: "Nguyễn Văn An", email: "an1@example.vn"))
        _ = try await store.addPerson(Person(name: "Nguyễn Văn An", email: "an2@example.vn"))
        let event = Event(uid: "x@eventd", kind: .meeting, title: "Họp", start: t0, end: t0.adding(seconds: 3600), timeZone: "UTC", created: t0, updated: t0)
        let message = "\"Nguyễn Văn An\" matches 2 people: 1 Nguyễn Văn An <an1@example.vn>; 2 Nguyễn Văn An <an2@example.vn>; "
            + "give an id or an email, or ask for a new person (--new-person)"
        await #expect(throws: RegisterError.conflict(field: "attendee", message: message)) {
            _ = try await store.createEvent(event, participants: [ParticipantDraft(reference: .named(name: "Nguyễn Văn An", email: nil), role: .attendee)])
        }
    }

    @Test func onePersonsEventsBetweenTwoDatesUseOneIndexRange() async throws {
        let store = try SQLiteStore(directory: directory)
        let event = try await conference(store)
        let hieu = try await store.person(key: "hieu@moj.gov.vn")
        #expect(try await store.eventIDs(personID: hieu.id!, from: t0.adding(seconds: -86_400), to: t0.adding(seconds: 86_400)) == [event.id!])
        #expect(try await store.eventIDs(personID: hieu.id!, from: t0.adding(seconds: 86_400), to: t0.adding(seconds: 2 * 86_400)).isEmpty)

        let queue = try DatabaseQueue(path: store.path)
        let plan = try await queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.personEventsSQL, arguments: [1, 0, 0, 0]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING COVERING INDEX participation_by_person_time (person_id=? AND start_at>? AND start_at<?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
    }

    @Test func reopeningMigratesOnceAndKeepsData() async throws {
        // A register some versions old: opening it runs the migrations it lacks, each once, in order.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let old = try DatabaseQueue(path: directory + "/register.sqlite")
        try Schema.migrator.migrate(old, upTo: "v5: personal feed tokens")
        try old.close()
        /// The migrations recorded, and the schema. (Not `PRAGMA schema_version`: GRDB's pool
        /// creates and drops a table on every open to make the WAL file.)
        func recorded() throws -> (migrations: [String], schema: [String]) {
            let db = try DatabaseQueue(path: directory + "/register.sqlite")
            defer { try? db.close() }
            return try db.read { db in
                (
                    try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"),
                    try String.fetchAll(db, sql: "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
                )
            }
        }
        do {
            let store = try SQLiteStore(directory: directory)
            _ = try await conference(store)
        }
        let first = try recorded()
        #expect(first.migrations == Schema.migrator.migrations)
        // Opened again: nothing runs again (the schema is not touched), and the data is there.
        let again = try SQLiteStore(directory: directory)
        #expect(try await again.counts().events == 1)
        let second = try recorded()
        #expect(second.migrations == first.migrations)
        #expect(second.schema == first.schema, "reopening changed the schema")
        let mode = try await DatabaseQueue(path: again.path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
