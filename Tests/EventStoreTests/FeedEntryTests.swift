import EventModel
import EventStore
import Foundation
import GRDB
import Testing

/// The feed text kept per event goes stale in the transaction of any change that alters what a
/// feed shows of it, so no change is missed even when eventd dies before the feed writer runs.
@Suite struct FeedEntryTests {
    let directory = "/tmp/evf-" + UUID().uuidString.prefix(8)
    let t0 = Instant(seconds: 1_488_502_800)  // 2017-03-03T08:00:00+07:00

    func settle(_ store: SQLiteStore) async throws {
        let stale = try await store.staleFeedEvents(limit: 100)
        try await store.saveFeedEntries(stale.map { ($0.id, $0.mark, $0.event.map { FeedEntry(text: $0.title, zone: $0.timeZone, from: $0.start, to: $0.end) }) })
    }

    func stale(_ store: SQLiteStore) async throws -> [Int64] { try await store.staleFeedEvents(limit: 100).map(\.id) }

    func feed(_ store: SQLiteStore, _ selection: FeedSelection) async throws -> (zones: [FeedZone], texts: [String]) {
        try await store.readFeed(selection) { zones, empty, next in
            var texts: [String] = []
            while let text = try next() { texts.append(text) }
            #expect(texts.isEmpty == empty)
            return (zones, texts)
        }
    }

    @Test func everyKindOfChangeMakesTheEventsTextStale() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let event = try await store.createEvent(
            Event(uid: "ky-ket@eventd", kind: .signing, title: "Lễ ký kết", start: t0, end: t0.adding(seconds: 3600), timeZone: "Asia/Ho_Chi_Minh",
                  created: t0, updated: t0),
            participants: [ParticipantDraft(reference: .named(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"), role: .witness)])
        let id = try #require(event.id)
        #expect(try await stale(store) == [id], "a new event has no text yet")
        try await settle(store)
        #expect(try await stale(store).isEmpty)
        #expect(try await feed(store, .all).texts == ["Lễ ký kết"])
        #expect(try await feed(store, .person(event.participants[0].person.id!)).texts == ["Lễ ký kết"])
        #expect(try await feed(store, .kind(.conference)).texts.isEmpty)

        var title = EventChanges()
        title.title = "Lễ ký kết quy chế phối hợp"
        _ = try await store.updateEvent(id: id, applying: title)
        #expect(try await stale(store) == [id], "the event's own row")
        try await settle(store)

        var rename = PersonChanges()
        rename.name = "Phan Chí Hiếu (Thứ trưởng)"
        _ = try await store.updatePerson(id: event.participants[0].person.id!, rename)
        #expect(try await stale(store) == [id], "an attendee's name is in the ATTENDEE line")
        try await settle(store)
        // Whatever path changes a person's row, the register itself marks their events.
        try await DatabaseQueue(path: store.path).write { try $0.execute(sql: "UPDATE person SET email = 'pchieu@moj.gov.vn' WHERE email = 'hieu@moj.gov.vn'") }
        #expect(try await stale(store) == [id], "an attendee's email is in the ATTENDEE line")
        try await settle(store)

        _ = try await store.addSession(eventID: id, Session(uid: "phien-1@eventd", title: "Khai mạc", start: t0, end: t0.adding(seconds: 600)), participants: [])
        #expect(try await stale(store) == [id], "a session")

        // Changed again after the writer read it: settling the old version leaves it stale.
        let read = try await store.staleFeedEvents(limit: 10)
        _ = try await store.updateEvent(id: id, applying: title, add: [ParticipantDraft(reference: .named(name: "Nhữ Văn Tâm", email: nil), role: .speaker)])
        try await store.saveFeedEntries(read.map { ($0.id, $0.mark, FeedEntry(text: "old", zone: nil, from: t0, to: t0)) })
        #expect(try await stale(store) == [id], "a participant added while the old text was being written")
        try await settle(store)
        #expect(try await stale(store).isEmpty)

        try await store.deleteEvent(id: id)
        #expect(try await feed(store, .all).texts.isEmpty, "a deleted event leaves every feed at once")
        try await settle(store)
        #expect(try await stale(store).isEmpty)
    }

    @Test func aFeedsZonesCoverItsEventsInOrderOfStart() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        for (n, zone) in ["Europe/Paris", "Asia/Ho_Chi_Minh", "Europe/Paris", "UTC"].enumerated() {
            let start = t0.adding(seconds: Int64(n) * 86_400)
            _ = try await store.createEvent(
                Event(uid: "e\(n)@eventd", kind: .meeting, title: "Họp \(n)", start: start, end: start.adding(seconds: 3600), timeZone: zone,
                      created: t0, updated: t0), participants: [])
        }
        let stale = try await store.staleFeedEvents(limit: 100)
        try await store.saveFeedEntries(stale.map { item in
            let e = item.event!
            return (item.id, item.mark, FeedEntry(text: e.title, zone: e.timeZone == "UTC" ? nil : e.timeZone, from: e.start, to: e.timeZone == "Europe/Paris" && e.title == "Họp 2" ? nil : e.end))
        })
        let all = try await feed(store, .all)
        #expect(all.texts == ["Họp 0", "Họp 1", "Họp 2", "Họp 3"])
        #expect(all.zones == [
            FeedZone(identifier: "Europe/Paris", from: t0, to: nil),
            FeedZone(identifier: "Asia/Ho_Chi_Minh", from: t0.adding(seconds: 86_400), to: t0.adding(seconds: 86_400 + 3600)),
        ])
    }
}
