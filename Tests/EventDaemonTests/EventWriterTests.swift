import EventAPI
import EventModel
import EventStore
import Foundation
import Testing

@testable import EventDaemon

/// The write path every command takes (`EventWriter`), on a real register and the real planner,
/// scheduler and hook: clashes judged and refused in the change's own transaction, notices
/// planned there as rows, letters composed only when sent.
@Suite struct EventWriterTests {
    /// A meeting of the seed's people in Thái Nguyên on 4 March 2030, 9:00 to 10:00 (the fixture starts on the 3rd).
    func meeting(_ title: String, at start: String = "2030-03-04T09:00:00+07:00", _ people: [String], strict: Bool? = nil) -> EventInput {
        var input = EventInput()
        input.kind = "meeting"
        input.title = title
        input.start = start
        input.location = "Thái Nguyên"
        input.reminders = []
        input.participants = people.map { ParticipantInput(person: $0, role: "attendee") }
        input.strict = strict
        return input
    }

    /// Everything a refused change could have touched: events, outbox and audit log.
    func snapshot(_ fixture: Fixture) async throws -> [String] {
        let events = try await fixture.store.events(from: nil, to: nil, kind: nil).map { "\($0.id ?? 0) \($0.title) \($0.sequence)" }
        let notices = try await fixture.notices().map { "\($0.id) \($0.draft.kind) \($0.state)" }
        let audit = try await fixture.store.auditLog(eventID: nil, since: nil, limit: 1000).map { "\($0.id) \($0.action)" }
        return events + notices + audit
    }

    @Test func strictRefusesOnlyTheClashesAChangeMakesAndARefusalWritesNothing() async throws {
        let fixture = try Fixture()
        let writer = fixture.writer()
        _ = try await writer.create(meeting("Giao ban Sở Tư pháp", ["Phan Chí Hiếu <hieu@moj.gov.vn>"]))
        _ = try await writer.create(meeting("Làm việc với UBND tỉnh", ["Nhữ Văn Tâm <tam@thainguyen.gov.vn>"]))
        // Without strict, a clash is written and reported.
        let clashing = try await writer.create(meeting("Họp trùng giờ", ["hieu@moj.gov.vn"]))
        #expect(clashing.clashes.map(\.kind) == [.overlap])
        let id = try #require(clashing.event.id)

        // A clash the event already had is no reason to refuse another change to it.
        var rename = EventInput()
        rename.title = "Họp trùng giờ (đổi tên)"
        rename.strict = true
        let renamed = try await writer.update(id: id, rename)
        #expect(renamed.event.title == "Họp trùng giờ (đổi tên)" && renamed.clashes.isEmpty)

        // A new clash is refused, named, and leaves nothing behind: not the event, not a person, not an audit row.
        let before = try await snapshot(fixture)
        var addTam = EventInput()
        addTam.participants = [ParticipantInput(person: "tam@thainguyen.gov.vn", role: "attendee")]
        addTam.strict = true
        let refused = await #expect(throws: RegisterError.self) { try await writer.update(id: id, addTam) }
        #expect(refused?.message.contains("refused because of 1 clash(es)") == true && refused?.message.contains("Nhữ Văn Tâm") == true, "\(String(describing: refused))")
        await #expect(throws: RegisterError.self) {
            try await writer.create(meeting("Họp mới", ["Người Mới <moi@example.vn>", "tam@thainguyen.gov.vn"], strict: true))
        }
        #expect(try await snapshot(fixture) == before)
        #expect(try await fixture.store.people(matching: "moi@example.vn").isEmpty)
    }

    @Test func lettersAreQueuedWithTheChangeAndComposedWhenSentSayingWhatChanged() async throws {
        let fixture = try Fixture { $0.organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>" }
        let writer = fixture.writer()
        let event = try await writer.create(meeting("Hội nghị triển khai", ["Phan Chí Hiếu <hieu@moj.gov.vn>"])).event
        let id = try #require(event.id)
        _ = try await writer.invite(eventID: id)
        var move = EventInput()
        move.start = "2030-03-04T14:00:00+07:00"
        move.end = "2030-03-04T15:00:00+07:00"
        _ = try await writer.update(id: id, move)

        // Rows in the outbox, each with the event as its letter describes it; no mail composed yet.
        let queued = try await fixture.notices()
        #expect(queued.map(\.draft.kind) == [.invitation, .update])
        #expect(queued.allSatisfy { $0.draft.message == nil })
        #expect(queued.map { $0.draft.letter?.event.sequence } == [0, 1])
        #expect(queued.last?.draft.letter?.changes.map(\.kind) == [.time])

        let running = fixture.startScheduler()
        try await fixture.eventually("both are sent") { try await fixture.notices().map(\.state) == [.sent, .sent] }
        await running.stop()
        let mails = try fixture.messages().map { try String(contentsOfFile: fixture.directory + "/mail/" + $0, encoding: .utf8) }
        let update = try #require(mails.first { $0.contains(queued[1].messageID) })
        let parts = Self.decodedParts(update)
        #expect(parts.contains { $0.contains("METHOD:REQUEST") && $0.contains("SEQUENCE:1") && $0.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20300304T140000") })
        // The text says the old time as well as the new: the change was kept with the letter.
        #expect(parts.contains { $0.contains("09:00") && $0.contains("14:00") }, "\(parts)")
        // The invitation, sent after the move, still describes the event as it was invited to.
        let invitation = Self.decodedParts(try #require(mails.first { $0.contains(queued[0].messageID) }))
        #expect(invitation.contains { $0.contains("SEQUENCE:0") && $0.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20300304T090000") }, "\(invitation)")
    }

    @Test func someoneTakenOffHearsOnlyThatAndAnUpdateNamesTheOccurrencesItChanges() async throws {
        let fixture = try Fixture { $0.organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>" }
        let writer = fixture.writer()
        var weekly = meeting("Giao ban tuần", ["Phan Chí Hiếu <hieu@moj.gov.vn>", "Nhữ Văn Tâm <tam@thainguyen.gov.vn>"])
        weekly.rrule = "FREQ=WEEKLY;COUNT=4"
        let id = try #require(try await writer.create(weekly).event.id)
        _ = try await writer.invite(eventID: id)
        var change = EventInput()
        change.remove = ["tam@thainguyen.gov.vn"]
        change.addExdates = ["2030-03-11T09:00:00+07:00"]
        _ = try await writer.update(id: id, change)

        let running = fixture.startScheduler()
        try await fixture.eventually("all four are sent") { try await fixture.notices().map(\.state) == [.sent, .sent, .sent, .sent] }
        await running.stop()
        let notices = try await fixture.notices()
        func mail(to recipient: String, _ kind: NoticeKind) throws -> [String] {
            let notice = try #require(notices.first { $0.draft.recipient == recipient && $0.draft.kind == kind })
            let name = try #require(fixture.messages().first { $0.hasPrefix("\(notice.id)-") })
            return Self.decodedParts(try String(contentsOfFile: fixture.directory + "/mail/" + name, encoding: .utf8))
        }
        // RFC 5546 3.2.5: the CANCEL to someone taken off names only them, and says nothing of STATUS.
        let removed = try mail(to: "tam@thainguyen.gov.vn", .cancellation)
        let cancel = try #require(removed.first { $0.contains("METHOD:CANCEL") })
        #expect(!cancel.contains("STATUS:") && cancel.contains("tam@thainguyen.gov.vn") && !cancel.contains("hieu@moj.gov.vn"), "\(cancel)")
        #expect(removed.contains { $0.contains("không còn trong thành phần") && !$0.contains("đã bị hủy") }, "\(removed)")
        // The one who stays hears which date was taken out, not a rule that did not change.
        let update = try mail(to: "hieu@moj.gov.vn", .update)
        #expect(update.contains { $0.contains("− 11/03/2030 09:00") && !$0.contains("trước đây: FREQ") }, "\(update)")
    }

    @Test func aLetterThatCannotBeComposedFailsAtOnceWithTheReason() async throws {
        let fixture = try Fixture { $0.organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>" }
        let event = try await fixture.writer().create(meeting("Hội nghị", ["Phan Chí Hiếu <hieu@moj.gov.vn>"])).event
        _ = try await fixture.writer().invite(eventID: event.id!)
        // The organizer is taken out of the config before the invitation goes: it cannot be composed, now or later.
        var config = fixture.live.current
        config.organizer = nil
        _ = fixture.live.reload(config)
        let running = fixture.startScheduler()
        try await fixture.eventually("the invitation failed") { try await fixture.notice(attempts: 1, .failed) }
        await running.stop()
        #expect(try await fixture.notices().first?.lastError?.hasPrefix("cannot compose the message: ") == true)
        #expect(fixture.attempts().isEmpty, "the hook never ran")
    }

    @Test func aNoticeQueuedByAnOlderEventdWithItsMessageIsSentAsItIs() async throws {
        let fixture = try Fixture()
        let event = try await fixture.writer().create(meeting("Hội nghị", ["Phan Chí Hiếu <hieu@moj.gov.vn>"])).event
        // Before v9 an invitation was composed when queued and kept as text, with no letter.
        let message = "Subject: =?UTF-8?B?TeG7nWk=?=\r\nMessage-ID: <old@eventd>\r\n\r\ncomposed before the upgrade\r\n"
        var draft = NoticeDraft(
            kind: .invitation, eventUID: event.uid, eventID: event.id, personID: event.participants[0].person.id!, recipient: "hieu@moj.gov.vn",
            due: Fixture.at(0), startsAt: event.start, sequence: 0, message: message)
        draft.messageID = "<old@eventd>"
        try await fixture.store.write { [draft] in try $0.queue([draft]) }
        let running = fixture.startScheduler()
        try await fixture.eventually("it is sent") { try await fixture.notice(attempts: 1, .sent) }
        await running.stop()
        let name = try #require(fixture.messages().first)
        #expect(try String(contentsOfFile: fixture.directory + "/mail/" + name, encoding: .utf8) == message)
    }

    @Test func invitingNobodyIsRefusedAndWritesNothing() async throws {
        let fixture = try Fixture { $0.organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>" }
        let event = try await fixture.writer().create(meeting("Họp nội bộ", ["Nguyễn Văn A"])).event
        let before = try await snapshot(fixture)
        let error = await #expect(throws: RegisterError.self) { try await fixture.writer().invite(eventID: event.id!) }
        #expect(error?.message.contains("no email: Nguyễn Văn A") == true, "\(String(describing: error))")
        #expect(try await snapshot(fixture) == before)
    }

    /// The reminder policy, on its own: what is kept, added and withdrawn.
    @Test func replanningAddsWhatIsNewAndWithdrawsOnlyPendingRemindersNoLongerWanted() throws {
        let fixture = try Fixture()
        let now = Fixture.at(0)
        func reminder(startsIn start: Int64, offset: Int64, person: Int64 = 1) -> NoticeDraft {
            NoticeDraft(
                kind: .reminder, eventUID: "e@eventd", eventID: 1, personID: person, recipient: "hieu@moj.gov.vn", due: Fixture.at(start - offset),
                startsAt: Fixture.at(start), offset: offset, sequence: 0)
        }
        func held(_ id: Int64, _ draft: NoticeDraft, _ state: NoticeState) -> Notice {
            Notice(id: id, messageID: "<\(id)@eventd>", draft: draft, state: state, attempts: 0, nextAttempt: draft.due, lastError: nil, updated: now)
        }
        let kept = reminder(startsIn: 7200, offset: 600)
        let held = [
            held(1, kept, .pending),
            held(2, reminder(startsIn: 7200, offset: 3600), .pending),  // no longer wanted: withdrawn
            held(3, reminder(startsIn: 7200, offset: 1800), .sent),  // sent: stays
            held(4, reminder(startsIn: 600, offset: 1200), .pending),  // overdue and unsent: the scheduler's to send or skip
        ]
        let desired = [kept, reminder(startsIn: 7200, offset: 900), reminder(startsIn: 300, offset: 600)]
        let plan = fixture.planner.reminderPlan(desired: desired, held: held, now: now, withdrawOverdue: false)
        #expect(plan.queue == [desired[1]], "the one already held is not added again, the one already late is never added")
        #expect(plan.withdraw == [2])
        // A cancelled or deleted event: every pending one goes, the overdue one too; the sent one stays.
        let cancelled = fixture.planner.reminderPlan(desired: [], held: held, now: now, withdrawOverdue: true)
        #expect(cancelled.queue.isEmpty && Set(cancelled.withdraw) == [1, 2, 4])
    }

    /// The base64 parts of a message, decoded.
    static func decodedParts(_ message: String) -> [String] {
        var parts: [String] = []
        var current: String?
        var inBody = false
        // Lines end in CRLF, one Character in Swift: split the bytes, not the characters.
        for line in message.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map({ String(decoding: $0, as: UTF8.self).trimmingCharacters(in: ["\r"]) }) {
            if line.hasPrefix("Content-Transfer-Encoding: base64") {
                current = ""
                inBody = false
            } else if current != nil, !inBody, line.isEmpty {
                inBody = true
            } else if inBody, line.isEmpty || line.hasPrefix("--") {
                parts.append(String(decoding: Data(base64Encoded: current!) ?? Data(), as: UTF8.self))
                current = nil
                inBody = false
            } else if inBody {
                current! += line
            }
        }
        return parts
    }
}
