import EventAPI
import Foundation
import Testing

/// Every output tells the same story (issue 20): one person per person across merges, imports
/// and bare names; the room and the preparing unit wherever the event goes; answers in the feeds
/// as soon as they are recorded; an unchanged file changes nothing; a rescheduled meeting asks
/// everyone again.
@Suite struct IdentityTests {
    /// The ATTENDEE line of `email` in an iCalendar text, unfolded.
    func attendee(_ email: String, in text: String) -> String? {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
            .first { $0.hasPrefix("ATTENDEE") && $0.lowercased().hasSuffix("mailto:" + email) }
    }

    /// Waits until `done` holds of the file at `path` (or fails after `seconds`); returns its text.
    func waitForFile(_ path: String, seconds: Double = 15, _ done: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        while !done(text) {
            guard Date() < deadline else {
                Issue.record("\(path) did not come to hold what was expected within \(seconds) s:\n\(text)")
                return text
            }
            usleep(50_000)
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
        return text
    }

    @Test func mergedPeopleKeepTheirPendingNoticesAcrossARestartAndALaterUpdate() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        try daemon.ctl(Seed.conference)
        // A duplicate of Phan Chí Hiếu under a private address, with a reminder days ahead and one in seconds.
        let far = try daemon.ctl(
            "add", "Họp Bộ", "--kind", "meeting", "--start", startIn(3 * 86_400), "--witness", "Thứ trưởng Hiếu <hieu.pc@gmail.example>",
            "--remind", "1d").out
        let near = try daemon.ctl(
            "add", "Họp nhanh", "--kind", "meeting", "--start", startIn(12), "--attendee", "hieu.pc@gmail.example", "--remind", "6s").out
        #expect(try daemon.notices("--event", far).map(\.recipient) == ["hieu.pc@gmail.example"])
        let merged = try daemon.ctl("person", "merge", "hieu.pc@gmail.example", "phan chi hieu")
        #expect(merged.status == 0, "\(merged)")
        // The outbox follows the person: the reminders go to the address the register now has.
        #expect(try daemon.notices("--event", far).map(\.recipient) == ["hieu@moj.gov.vn"])
        #expect(try daemon.notices("--event", near).map(\.recipient) == ["hieu@moj.gov.vn"])
        try daemon.restart()
        #expect(try daemon.notices("--event", far).map { "\($0.recipient) \($0.state)" } == ["hieu@moj.gov.vn pending"], "the top-up at start keeps them")
        let updated = try daemon.ctl("update", far, "--description", "Thêm tài liệu")
        #expect(updated.status == 0, "\(updated)")
        #expect(try daemon.notices("--event", far).map { "\($0.recipient) \($0.state)" } == ["hieu@moj.gov.vn pending"], "a later update keeps them")
        let moved = try daemon.ctl("update", far, "--start", startIn(4 * 86_400))
        #expect(moved.status == 0, "\(moved)")
        #expect(try daemon.notices("--event", far, "--state", "pending").map(\.recipient) == ["hieu@moj.gov.vn"], "and so does a move")
        // The reminder due in seconds reaches the kept address, in the envelope and in To:.
        let sent = try daemon.waitForNotices { $0.contains { $0.eventId == Int64(near) && $0.state == "sent" } }
        let reminder = try #require(sent.first { $0.eventId == Int64(near) })
        let attempts = try String(contentsOfFile: daemon.directory + "/attempts.log", encoding: .utf8)
        #expect(attempts.contains(" \(reminder.id) reminder hieu@moj.gov.vn"), "\(attempts)")
        #expect(!attempts.contains("hieu.pc@gmail.example"))
        #expect(try daemon.mail().map(\.toAddress) == ["hieu@moj.gov.vn"])
    }

    @Test func aKnownNameWithANewEmailAsksAsSeveralMatchesDo() throws {
        let daemon = try TestDaemon()
        let conference = try daemon.ctl(Seed.conference).out
        let before = try daemon.snapshot()
        for arguments in [
            ["add", "Họp", "--kind", "meeting", "--start", "4/3/2017 8h00", "--witness", "Phan Chí Hiếu <hieu.pc@gmail.example>"],
            ["update", conference, "--attendee", "PHAN CHI HIEU <hieu.pc@gmail.example>"],
            ["session", "add", conference, "Phiên", "--start", "3/3/2017 9h00", "--end", "3/3/2017 9h30", "--speaker", "Phan Chí Hiếu <hieu.pc@gmail.example>"],
        ] {
            let asked = try daemon.ctl(arguments)
            #expect(asked.status == 1, "\(arguments): \(asked)")
            #expect(asked.stderr.contains("no person has the email hieu.pc@gmail.example"), "\(asked.stderr)")
            #expect(asked.stderr.contains("matches 1 person: 4 Phan Chí Hiếu <hieu@moj.gov.vn>"), "\(asked.stderr)")
            #expect(asked.stderr.contains("--new-person"), "\(asked.stderr)")
        }
        #expect(try daemon.snapshot() == before, "nothing was stored")
        let api = try daemon.curl(
            "-X", "POST", "-H", "Content-Type: application/json", "--data",
            #"{"title":"Họp","kind":"meeting","start":"4/3/2017 8h00","participants":[{"person":"Phan Chí Hiếu <hieu.pc@gmail.example>","role":"witness"}]}"#,
            "http://localhost/v1/events")
        #expect(api.status == 409, "\(api)")
        // Asked for, a second person; their own name then is one of two, as it should be.
        let forced = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "4/3/2017 8h00", "--witness", "Phan Chí Hiếu <hieu.pc@gmail.example>", "--new-person")
        #expect(forced.status == 0, "\(forced)")
        #expect(try daemon.ctl("person", "list", "--json").json([PersonView].self).filter { $0.name == "Phan Chí Hiếu" }.count == 2)
        // The known address, whatever name it is typed with, is the person it belongs to.
        let known = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "5/3/2017 8h00", "--witness", "Thứ trưởng <hieu@moj.gov.vn>")
        #expect(known.status == 0, "\(known)")
        #expect(try daemon.ctl("show", known.out, "--json").json(EventView.self).participants.map(\.personId) == [4])
    }

    @Test func oneAddressIsOnePersonAndEachFileNameStaysWhereTheFileGaveIt() throws {
        let daemon = try TestDaemon()
        func vevent(_ uid: String, _ day: Int, _ cn: String) -> String {
            """
            BEGIN:VEVENT\r
            UID:\(uid)\r
            DTSTAMP:20260101T000000Z\r
            DTSTART:202603\(day)T010000Z\r
            DTEND:202603\(day)T020000Z\r
            SUMMARY:Họp \(day)\r
            ORGANIZER;CN=Văn phòng:mailto:vanphong@moj.gov.vn\r
            ATTENDEE;CN=\(cn);ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:hieu@moj.gov.vn\r
            END:VEVENT\r

            """
        }
        // Google writes an address under whatever name each event was given it by.
        let file = daemon.directory + "/google.ics"
        try ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
            + vevent("a@google.com", 10, "Phan Chí Hiếu") + vevent("b@google.com", 11, "Hiếu PC") + vevent("c@google.com", 12, "Thứ trưởng Phan Chí Hiếu")
            + "END:VCALENDAR\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try daemon.ctl("import", file).out == "created 3, updated 0, unchanged 0, skipped 0")
        let people = try daemon.ctl("person", "list", "--json").json([PersonView].self).filter { $0.email == "hieu@moj.gov.vn" }
        #expect(people.map(\.name) == ["Phan Chí Hiếu"], "one person, named as the first event named them")
        let events = try daemon.ctl("list", "--json").json([EventView].self)
        #expect(events.count == 3)
        var names: [String] = []
        for event in events {
            let shown = try daemon.ctl("show", String(event.id), "--json").json(EventView.self)
            #expect(shown.participants.first { $0.email == "hieu@moj.gov.vn" }?.name == "Phan Chí Hiếu")
            names.append(shown.participants.first { $0.email == "hieu@moj.gov.vn" }?.nameInFile ?? "-")
            // Written back as the file wrote it: no attendee name changes on the way through.
            let ics = try daemon.ctl("ics", String(event.id)).stdout
            let line = try #require(attendee("hieu@moj.gov.vn", in: ics))
            #expect(line.contains("CN=\(["Họp 10": "Phan Chí Hiếu", "Họp 11": "Hiếu PC", "Họp 12": "Thứ trưởng Phan Chí Hiếu"][event.title]!);"), "\(line)")
        }
        #expect(names == ["-", "Hiếu PC", "Thứ trưởng Phan Chí Hiếu"])
        #expect(try daemon.ctl("show", String(events[1].id)).stdout.contains("Phan Chí Hiếu <hieu@moj.gov.vn> (in the file: Hiếu PC)"))
        #expect(try daemon.ctl("agenda", "phan chi hieu", "--from", "1/3/2026", "--to", "31/3/2026", "--format", "json").status == 0)
        // The same file again is the same register.
        #expect(try daemon.ctl("import", file).out == "created 0, updated 0, unchanged 3, skipped 0")
    }

    @Test func anUnchangedReimportWritesNothing() throws {
        let source = try TestDaemon()
        let id = try source.ctl(Seed.conference + ["--room", "Hội trường A", "--prepare", "Sở Tư pháp tỉnh Thái Nguyên"]).out
        try source.ctl("session", "add", id, "Trình bày dự thảo", "--start", "3/3/2017 9h00", "--end", "3/3/2017 9h30", "--speaker", "vu duy hien", "--room", "Phòng 2")
        try source.ctl("rsvp", id, "nhu van tam", "accepted")
        let file = try source.exportICS(id)
        let target = try TestDaemon()
        #expect(try target.ctl("import", file).out == "created 1, updated 0, unchanged 0, skipped 0")
        let before = try target.snapshot()
        let again = try target.ctl("import", file)
        #expect(again.out == "created 0, updated 0, unchanged 1, skipped 0", "\(again)")
        let json = try target.ctl("import", file, "--json").json(ImportResult.self)
        #expect(json.unchanged.count == 1 && json.updated.isEmpty)
        #expect(try target.snapshot() == before, "no audit row, no feed, no sequence")
        // Its own export, read back, is unchanged too; a real change is an update.
        #expect(try target.ctl("import", target.exportICS("1", name: "own")).out == "created 0, updated 0, unchanged 1, skipped 0")
        try source.ctl("update", id, "--title", "Hội nghị ký giao ước thi đua (sửa tên)")
        #expect(try target.ctl("import", source.exportICS(id, name: "renamed")).out == "created 0, updated 1, unchanged 0, skipped 0")
    }

    @Test func roomAndPreparerTravelThroughExportAndImport() throws {
        let source = try TestDaemon()
        let first = try source.ctl(
            "add", "Họp giao ban", "--kind", "meeting", "--start", "sáng 4/7/2022", "--location", "Bộ Tư pháp", "--room", "Phòng họp số 1",
            "--prepare", "Văn phòng Bộ").out
        let second = try source.ctl("add", "Tiếp khách", "--kind", "meeting", "--start", "10h00 4/7/2022", "--location", "Bộ Tư pháp", "--room", "Phòng họp số 1")
        #expect(second.stderr.contains("room clash"), "\(second.stderr)")
        let ics = try source.ctl("ics", first).stdout.replacingOccurrences(of: "\r\n ", with: "")
        #expect(ics.contains("\r\nLOCATION:Phòng họp số 1\\, Bộ Tư pháp\r\n"), "\(ics)")
        #expect(ics.contains("\r\nX-EVENTD-ROOM:Phòng họp số 1\r\n"))
        #expect(ics.contains("\r\nX-EVENTD-PREPARE:Văn phòng Bộ\r\n"))
        #expect(ics.contains("Chuẩn bị: Văn phòng Bộ"), "calendar clients show the preparing unit in the description")
        // The feed says the same.
        let feed = waitForFile(source.dataDirectory + "/feeds/events/\(first).ics") { $0.contains("X-EVENTD-ROOM") }
        #expect(feed.replacingOccurrences(of: "\r\n ", with: "").contains("LOCATION:Phòng họp số 1\\, Bộ Tư pháp"))

        let month = try source.ctl("export", "--from", "1/7/2022", "--to", "31/7/2022")
        let file = source.directory + "/month.ics"
        try month.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let target = try TestDaemon()
        #expect(try target.ctl("import", file).out == "created 2, updated 0, unchanged 0, skipped 0")
        let shown = try target.ctl("show", "1", "--json").json(EventView.self)
        #expect(shown.location == "Bộ Tư pháp")
        #expect(shown.room == "Phòng họp số 1")
        #expect(shown.prepare == "Văn phòng Bộ")
        #expect(shown.description == nil, "the preparer's line is not read back as description")
        let text = try target.ctl("show", "1").stdout
        #expect(text.contains("Room:       Phòng họp số 1"), "\(text)")
        #expect(text.contains("Prepared:   Văn phòng Bộ"), "\(text)")
        // The room clash moved with the events.
        let clashes = try target.ctl("conflicts", "--from", "4/7/2022", "--to", "4/7/2022", "--json").json([ConflictView].self)
        #expect(clashes.map(\.kind) == ["room"], "\(clashes)")
        // And the register's own export reads back as it was.
        #expect(try target.ctl("import", target.exportICS("1")).out == "created 0, updated 0, unchanged 1, skipped 0")
    }

    @Test func answersByHandAndByMailReachTheFeeds() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl(
            "add", "Lễ ký kết giao ước thi đua năm 2030", "--kind", "signing", "--start", "3/3/2030 8h00", "--duration", "2h",
            "--location", "Thái Nguyên", "--remind", "none", "--speaker", Seed.tam, "--speaker", Seed.hien).out
        let token = try daemon.ctl("feed", "url", "nhu van tam", "--json").json(FeedURLView.self).token
        _ = try daemon.feedFiles()
        let eventFeed = daemon.dataDirectory + "/feeds/events/\(id).ics"
        let personal = daemon.dataDirectory + "/feeds/people/\(token).ics"
        #expect(attendee("tam@thainguyen.gov.vn", in: try String(contentsOfFile: eventFeed, encoding: .utf8))?.contains("PARTSTAT=NEEDS-ACTION") == true)

        // By hand: nothing else changes the event, and still the feeds follow.
        #expect(try daemon.ctl("rsvp", id, "nhu van tam", "accepted").status == 0)
        for path in [eventFeed, personal, daemon.dataDirectory + "/feeds/all.ics"] {
            let text = waitForFile(path) { attendee("tam@thainguyen.gov.vn", in: $0)?.contains("PARTSTAT=ACCEPTED") == true }
            #expect(attendee("tam@thainguyen.gov.vn", in: text)?.contains("PARTSTAT=ACCEPTED") == true, "\(path)")
        }

        // By mail, as a client answers the invitation.
        try daemon.ctl("invite", id)
        let mail = try #require(try daemon.waitForNotices { $0.count == 2 && $0.allSatisfy { $0.state == "sent" } }.first)
        let uid = mail.eventUid
        let sequence = try daemon.ctl("show", id, "--json").json(EventView.self).sequence
        let answers = AnswerTests()
        let declined = answers.reply(uid: uid, sequence: sequence, attendee: "hien@stp.thainguyen.gov.vn", partstat: "DECLINED")
        let taken = try daemon.ctl(["mail-in"], input: answers.message(from: "hien@stp.thainguyen.gov.vn", calendar: declined))
        #expect(taken.status == 0, "\(taken)")
        let text = waitForFile(eventFeed) { attendee("hien@stp.thainguyen.gov.vn", in: $0)?.contains("PARTSTAT=DECLINED") == true }
        #expect(attendee("hien@stp.thainguyen.gov.vn", in: text)?.contains("PARTSTAT=DECLINED") == true)
        #expect(attendee("tam@thainguyen.gov.vn", in: text)?.contains("PARTSTAT=ACCEPTED") == true)
    }

    @Test func aRescheduleAsksEveryoneAgainAndAMovedOccurrenceIsNamedByItsOwnDate() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl(
            "add", "Lễ ký kết giao ước thi đua năm 2030", "--kind", "signing", "--start", "3/3/2030 8h00", "--duration", "2h",
            "--location", "Thái Nguyên", "--room", "Hội trường A", "--prepare", "Sở Tư pháp tỉnh Thái Nguyên", "--remind", "none",
            "--speaker", Seed.tam, "--speaker", Seed.hien).out
        try daemon.ctl("invite", id)
        _ = try daemon.waitForNotices { $0.count == 2 && $0.allSatisfy { $0.state == "sent" } }
        let invitation = try #require(try daemon.mail().first { $0.toAddress == "tam@thainguyen.gov.vn" })
        #expect(invitation.text?.contains("Địa điểm: Hội trường A, Thái Nguyên") == true, "\(invitation.text ?? "")")
        #expect(invitation.text?.contains("Chuẩn bị: Sở Tư pháp tỉnh Thái Nguyên") == true)
        #expect(try daemon.ctl("rsvp", id, "nhu van tam", "declined").status == 0)
        #expect(try daemon.ctl("rsvp", id, "vu duy hien", "accepted").status == 0)
        // A title is no reason to ask again.
        try daemon.ctl("update", id, "--title", "Lễ ký kết giao ước thi đua 2030")
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).participants.map(\.rsvp) == ["declined", "accepted"])
        let moved = try daemon.ctl("update", id, "--start", "4/3/2030 14h00")
        #expect(moved.status == 0, "\(moved)")
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).participants.map(\.rsvp) == ["needs-action", "needs-action"])
        _ = try daemon.waitForNotices { $0.count == 4 && $0.allSatisfy { $0.state == "sent" } }
        let update = try #require(try daemon.mail().last { $0.toAddress == "tam@thainguyen.gov.vn" })
        #expect(update.method == "REQUEST")
        let calendar = try #require(update.calendar)
        let line = try #require(attendee("tam@thainguyen.gov.vn", in: calendar))
        #expect(line.contains("PARTSTAT=NEEDS-ACTION") && line.contains("RSVP=TRUE"), "\(line)")
        #expect(!line.contains("DECLINED"))

        // One occurrence of a series moved: the update names that occurrence's day, not the first.
        let weekly = try daemon.ctl(
            "add", "Giao ban thứ Hai", "--kind", "meeting", "--start", "4/3/2030 8h00", "--rrule", "FREQ=WEEKLY;COUNT=5", "--location", "Hà Nội",
            "--remind", "none", "--attendee", Seed.hieu).out
        try daemon.ctl("invite", weekly)
        _ = try daemon.waitForNotices { $0.count == 5 && $0.allSatisfy { $0.state == "sent" } }
        let shifted = try daemon.ctl("update", weekly, "--occurrence", "18/3/2030 8h00", "--start", "19/3/2030 9h00")
        #expect(shifted.status == 0, "\(shifted)")
        _ = try daemon.waitForNotices { $0.count == 6 && $0.allSatisfy { $0.state == "sent" } }
        let occurrence = try #require(try daemon.mail().last { $0.toAddress == "hieu@moj.gov.vn" })
        #expect(occurrence.subject == "Cập nhật: Giao ban thứ Hai (19/03/2030 09:00)", "\(occurrence.subject)")
        #expect(occurrence.text?.contains("Thời gian: 19/03/2030 09:00 – 19/03/2030 10:00") == true, "\(occurrence.text ?? "")")
    }
}
