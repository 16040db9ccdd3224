import EventModel
import EventStore
import Foundation
import GRDB
import Testing

/// People kept straight in the store: a bare name matched as agendas match it, merges that move
/// everything in one transaction, deletes that do not orphan, and search without diacritics.
@Suite struct PeopleStoreTests {
    let directory = "/tmp/evp-" + UUID().uuidString.prefix(8)
    let t0 = Instant(seconds: 1_488_502_800)  // 2017-03-03T08:00:00+07:00

    func event(_ uid: String, _ title: String, location: String? = nil, hours: Int64 = 0) -> Event {
        Event(
            uid: uid, kind: .meeting, title: title, location: location, start: t0.adding(seconds: hours * 3600),
            end: t0.adding(seconds: hours * 3600 + 3600), timeZone: "Asia/Ho_Chi_Minh", created: t0, updated: t0)
    }

    func named(_ name: String, _ role: Role = .attendee, rsvp: RSVPState = .needsAction, forceNew: Bool = false) -> ParticipantDraft {
        ParticipantDraft(reference: .named(name: name, email: nil), role: role, rsvp: rsvp, forceNew: forceNew)
    }

    @Test func aBareNameIsMatchedFoldedOnceSeveralOrNone() async throws {
        let store = try SQLiteStore(directory: directory)
        let hieu = try await store.addPerson(Person(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"))
        // One match, typed without diacritics or in capitals: that person.
        let one = try await store.createEvent(event("a@x", "Họp"), participants: [named("phan chi hieu"), named("PHAN CHÍ HIẾU", .chair)])
        #expect(Set(one.participants.map(\.person.id)) == [hieu.id])
        #expect(try await store.people().count == 1)
        // None: a new person.
        let none = try await store.createEvent(event("b@x", "Họp"), participants: [named("Nhữ Văn Tâm")])
        #expect(none.participants.first?.person.name == "Nhữ Văn Tâm")
        #expect(try await store.people().count == 2)
        // A new person asked for, although one of that name exists.
        _ = try await store.createEvent(event("c@x", "Họp"), participants: [named("Nhữ Văn Tâm", forceNew: true)])
        #expect(try await store.people().filter { $0.name == "Nhữ Văn Tâm" }.count == 2)
        // Several: refused, listing them, and nothing is written.
        await #expect(throws: RegisterError.self) {
            _ = try await store.createEvent(self.event("d@x", "Họp"), participants: [self.named("nhu van tam")])
        }
        do {
            _ = try await store.createEvent(event("d@x", "Họp"), participants: [named("nhu van tam")])
        } catch let error as RegisterError {
            #expect(error.message.contains("matches 2 people: 2 Nhữ Văn Tâm; 3 Nhữ Văn Tâm"), "\(error.message)")
        }
        #expect(try await store.counts().events == 3)
        // The exact spelling wins over a folded match: Ân and An are different names.
        let an = try await store.addPerson(Person(name: "Nguyễn Văn An"))
        let an2 = try await store.addPerson(Person(name: "Nguyễn Văn Ân"))
        let exact = try await store.createEvent(event("e@x", "Họp"), participants: [named("Nguyễn Văn Ân")])
        #expect(exact.participants.first?.person.id == an2.id)
        #expect(an.id != an2.id)
    }

    @Test func mergeMovesPartsAnswersNoticesAndTheFeedToken() async throws {
        let store = try SQLiteStore(directory: directory)
        let kept = try await store.addPerson(Person(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"))
        let duplicate = try await store.addPerson(Person(name: "Phan Chi Hieu (dup)", position: "Thứ trưởng Bộ Tư pháp"))
        let dupRef = ParticipantDraft(reference: .id(duplicate.id!), role: .witness, rsvp: .accepted)
        // Only the duplicate is in the first event; both are witnesses in the second.
        let first = try await store.createEvent(event("m1@x", "Hội nghị", hours: 0), participants: [ParticipantDraft(reference: .id(duplicate.id!), role: .speaker, rsvp: .declined)])
        let second = try await store.createEvent(
            event("m2@x", "Lễ ký kết", hours: 2), participants: [ParticipantDraft(reference: .id(kept.id!), role: .witness), dupRef])
        let token = try await store.feedToken(personID: duplicate.id!, rotate: false).token
        // A notice addressed to the duplicate.
        let db = try DatabaseQueue(path: directory + "/register.sqlite")
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO notice (message_id, kind, event_uid, event_id, person_id, recipient, due_at, starts_at, sequence, next_attempt_at, created_at, updated_at)
                    VALUES ('<n1@x>', 'invitation', 'm1@x', ?, ?, 'dup@example.vn', 0, 0, 0, 0, 0, 0)
                    """, arguments: [first.id, duplicate.id])
        }
        let (merged, events) = try await store.mergePeople(duplicate: duplicate.id!, into: kept.id!)
        #expect(merged.id == kept.id)
        #expect(merged.email == "hieu@moj.gov.vn")
        #expect(merged.position == "Thứ trưởng Bộ Tư pháp")
        #expect(Set(events.compactMap(\.id)) == [first.id!, second.id!])
        let one = try await store.event(id: first.id!)
        #expect(one.participants.map(\.person.id) == [kept.id])
        #expect(one.participants.first?.rsvp == .declined)
        let two = try await store.event(id: second.id!)
        #expect(two.participants.count == 1)
        #expect(two.participants.first?.person.id == kept.id)
        #expect(two.participants.first?.rsvp == .accepted)
        #expect(try await store.feedTokens()[kept.id!]?.token == token)
        #expect(try await store.notices(state: nil, eventID: nil).map(\.draft.personID) == [kept.id!])
        #expect(try await store.people().map(\.id) == [kept.id])
        await #expect(throws: RegisterError.self) { _ = try await store.mergePeople(duplicate: kept.id!, into: kept.id!) }
    }

    @Test func deleteIsRefusedWhileOnEventsUnlessForced() async throws {
        let store = try SQLiteStore(directory: directory)
        let created = try await store.createEvent(event("d1@x", "Họp"), participants: [named("Vũ Duy Hiển", .speaker)])
        let hien = created.participants[0].person
        await #expect(throws: RegisterError.self) { _ = try await store.deletePerson(id: hien.id!, force: false) }
        #expect(try await store.people().count == 1)
        let events = try await store.deletePerson(id: hien.id!, force: true)
        #expect(events.map(\.id) == [created.id])
        #expect(events.first?.participants.isEmpty == true)
        #expect(try await store.people().isEmpty)
        let lonely = try await store.addPerson(Person(name: "Người Ngoài"))
        #expect(try await store.deletePerson(id: lonely.id!, force: false).isEmpty)
    }

    @Test func searchIgnoresCaseAndDiacritics() async throws {
        let store = try SQLiteStore(directory: directory)
        var workshop = event("w@x", "Hội thảo tham vấn mô hình 3D tại VQG Cúc Phương", location: "Ninh Bình")
        workshop.description = "Do IUCN phối hợp tổ chức"
        _ = try await store.createEvent(workshop, participants: [])
        _ = try await store.createEvent(event("v@x", "Buổi làm việc", location: "Tuyên Quang", hours: 3), participants: [named("Chẩu Văn Lâm", .chair)])
        #expect(try await store.search("cuc phuong", from: nil, to: nil, kind: nil).map(\.uid) == ["w@x"])
        #expect(try await store.search("CÚC PHƯƠNG ninh binh", from: nil, to: nil, kind: nil).map(\.uid) == ["w@x"])
        #expect(try await store.search("iucn", from: nil, to: nil, kind: nil).map(\.uid) == ["w@x"])
        #expect(try await store.search("chau van lam", from: nil, to: nil, kind: nil).map(\.uid) == ["v@x"])
        #expect(try await store.search("tuyen quang", from: t0.adding(seconds: 86_400), to: nil, kind: nil).isEmpty)
        #expect(try await store.search("cuc phuong tuyen", from: nil, to: nil, kind: nil).isEmpty)
        #expect(try await store.search("100%", from: nil, to: nil, kind: nil).isEmpty)
    }
}
