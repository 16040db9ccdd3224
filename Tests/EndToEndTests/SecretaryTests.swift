import EventAPI
import Foundation
import Testing

/// What a secretary does besides the schedule: find things without typing diacritics, keep
/// one person per person, change sessions, export a month, book rooms.
@Suite struct SecretaryTests {
    func ids(_ result: Run) throws -> [Int64] {
        #expect(result.status == 0, "\(result)")
        return try result.json([EventView].self).map(\.id)
    }

    @Test func searchIgnoresCaseAndDiacritics() throws {
        let daemon = try TestDaemon()
        let conference = try Int64(#require(Int64(daemon.ctl(Seed.conference).out)))
        let visit = try #require(Int64(daemon.ctl(Seed.visit).out))
        let workshop = try #require(Int64(daemon.ctl(Seed.workshop).out))
        let ceremony = try #require(Int64(daemon.ctl(Seed.ceremony + ["--room", "Hội trường Công an tỉnh"]).out))
        try daemon.ctl("session", "add", String(conference), "Ký giao ước thi đua", "--start", "3/3/2017 9h15", "--end", "3/3/2017 10h00", "--room", "Phòng Hoa Sen")
        #expect(try ids(daemon.ctl("search", "cuc phuong", "--json")) == [workshop])
        #expect(try ids(daemon.ctl("search", "CÚC PHƯƠNG", "--json")) == [workshop])
        #expect(try ids(daemon.ctl("search", "vqg", "cuc", "phuong", "--json")) == [workshop])
        // From any client, a + in the query is a space, as a form sends it; %2B is a plus.
        let form = try daemon.curl("http://localhost/v1/search?q=cuc+phuong")
        let found = try JSONDecoder().decode([EventView].self, from: Data(form.body.utf8)).map(\.id)
        #expect(form.status == 200 && found == [workshop], "\(form)")
        #expect(try JSONDecoder().decode([EventView].self, from: Data(daemon.curl("http://localhost/v1/search?q=cuc%2Bphuong").body.utf8)).isEmpty)
        // People, places, rooms, descriptions, sessions and delegations are searched too; đ is d.
        #expect(try ids(daemon.ctl("search", "phan chi hieu", "--json")) == [conference])
        #expect(try ids(daemon.ctl("search", "thai nguyen", "--json")) == [conference])
        #expect(try ids(daemon.ctl("search", "cuc thads", "--json")) == [conference])
        #expect(try ids(daemon.ctl("search", "hoa sen", "--json")) == [conference])
        #expect(try ids(daemon.ctl("search", "bac kan", "--json")) == [visit])
        #expect(try ids(daemon.ctl("search", "hoi truong cong an", "--json")) == [ceremony])
        #expect(try ids(daemon.ctl("search", "dot xuat", "--json")) == [ceremony])
        // The range options of list.
        #expect(try ids(daemon.ctl("search", "hoi", "--from", "1/7/2022", "--to", "31/7/2022", "--json")) == [ceremony, workshop])
        #expect(try ids(daemon.ctl("search", "hoi", "--to", "31/12/2017", "--json")) == [conference])
        #expect(try ids(daemon.ctl("search", "hoi", "--kind", "workshop", "--json")) == [workshop])
        let none = try daemon.ctl("search", "Hà Giang")
        #expect(none.status == 0)
        #expect(none.stderr.contains("nothing found"))
        let table = try daemon.ctl("search", "cuc phuong")
        #expect(table.stdout.contains("Hội thảo Báo cáo kết quả tham vấn"))
        // A whole-day event shows its day, not the midnight after it.
        #expect(table.stdout.contains("05/07/2022  05/07/2022  workshop"))
        // One language per output: headings, kinds and states in Vietnamese with --lang vi.
        let vi = try daemon.ctl("search", "cuc phuong", "--lang", "vi").stdout
        #expect(vi.hasPrefix("ID  BẮT ĐẦU     KẾT THÚC    LOẠI      TÌNH TRẠNG  NỘI DUNG"), "\(vi)")
        #expect(vi.contains("05/07/2022  05/07/2022  hội thảo  chính thức  Hội thảo Báo cáo"))
    }

    @Test func listFiltersByPersonOrganisationAndPlace() throws {
        let daemon = try TestDaemon()
        try daemon.ctl("person", "add", "Lê Thanh Hùng", "--email", "hung@congan.baclieu.gov.vn", "--org", "Công an tỉnh Bạc Liêu")
        let conference = try #require(Int64(daemon.ctl(Seed.conference).out))
        let ceremony = try #require(Int64(daemon.ctl(Seed.ceremony).out))
        let workshop = try #require(Int64(daemon.ctl(Seed.workshop + ["--prepare", "IUCN"]).out))
        #expect(try ids(daemon.ctl("list", "--person", "le thanh hung", "--json")) == [ceremony])
        #expect(try ids(daemon.ctl("list", "--person", "hieu@moj.gov.vn", "--person", "Lê Thanh Hùng", "--json")) == [conference, ceremony])
        #expect(try ids(daemon.ctl("list", "--org", "cong an tinh bac lieu", "--json")) == [ceremony])
        #expect(try ids(daemon.ctl("list", "--org", "IUCN", "--json")) == [workshop])
        #expect(try ids(daemon.ctl("list", "--location", "ninh binh", "--json")) == [workshop])
        #expect(try ids(daemon.ctl("list", "--location", "thai nguyen", "--from", "1/3/2017", "--to", "31/3/2017", "--json")) == [conference])
        let nobody = try daemon.ctl("list", "--person", "Ai Đó")
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("no person matching Ai Đó"))
    }

    @Test func exportWritesAMonthAsOneCalendar() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        try daemon.ctl(Seed.visit)
        try daemon.ctl(Seed.ceremony)
        try daemon.ctl(Seed.workshop)
        try daemon.ctl(Seed.online)
        let month = try daemon.ctl("export", "--from", "1/7/2022", "--to", "31/7/2022")
        #expect(month.status == 0, "\(month)")
        #expect(month.stdout.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(month.stdout.components(separatedBy: "BEGIN:VEVENT").count - 1 == 4)
        #expect(!month.stdout.contains("Thái Nguyên"))
        #expect(month.stdout.contains("METHOD:PUBLISH"))
        // Python's icalendar reads it back: four events, all in July 2022.
        let file = daemon.directory + "/month.ics"
        try month.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try run(
            "/usr/bin/env",
            ["python3", "-c", "import icalendar,sys; c=icalendar.Calendar.from_ical(open(sys.argv[1],'rb').read()); print(sorted(str(e.decoded('dtstart'))[:7] for e in c.walk('VEVENT')))", file])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "['2022-07', '2022-07', '2022-07', '2022-07']", "\(check)")
        let hung = try daemon.ctl("export", "--from", "1/7/2022", "--to", "31/7/2022", "--person", "le thanh hung")
        #expect(hung.stdout.components(separatedBy: "BEGIN:VEVENT").count - 1 == 1)
        #expect(hung.stdout.contains("Bạc Liêu"))
        #expect(try daemon.ctl("export", "--from", "1/7/2022").status == 64)
    }

    @Test func aBareNameReusesOneMatchRefusesSeveralAndCreatesForNone() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        // One match, typed without diacritics, in another case: the same person.
        let reused = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "4/3/2017 8h00", "--chair", "PHAN CHI HIEU", "--attendee", "nhu van tam")
        #expect(reused.status == 0, "\(reused)")
        let people = try daemon.ctl("person", "list", "--json").json([PersonView].self)
        #expect(people.count == 4)
        let shown = try daemon.ctl("show", reused.out, "--json").json(EventView.self)
        #expect(shown.participants.map(\.email) == ["hieu@moj.gov.vn", "tam@thainguyen.gov.vn"])
        // None: a new person.
        try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "5/3/2017 8h00", "--attendee", "Nguyễn Văn An")
        #expect(try daemon.ctl("person", "list", "--json").json([PersonView].self).count == 5)
        // A second Nguyễn Văn An, asked for.
        let forced = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "6/3/2017 8h00", "--attendee", "Nguyễn Văn An", "--new-person")
        #expect(forced.status == 0, "\(forced)")
        #expect(try daemon.ctl("person", "list", "--json").json([PersonView].self).filter { $0.name == "Nguyễn Văn An" }.count == 2)
        // Several: refused, listing them, nothing changed; on update and session add too.
        let before = try daemon.snapshot()
        for arguments in [
            ["add", "Họp", "--kind", "meeting", "--start", "7/3/2017 8h00", "--attendee", "nguyen van an"],
            ["update", reused.out, "--attendee", "Nguyễn Văn An"],
            ["session", "add", reused.out, "Phiên", "--start", "4/3/2017 8h00", "--end", "4/3/2017 8h30", "--speaker", "NGUYEN VAN AN"],
        ] {
            let ambiguous = try daemon.ctl(arguments)
            #expect(ambiguous.status == 1, "\(arguments)")
            #expect(ambiguous.stderr.contains("matches 2 people: 5 Nguyễn Văn An; 6 Nguyễn Văn An"), "\(ambiguous.stderr)")
            #expect(ambiguous.stderr.contains("--new-person"))
        }
        #expect(try daemon.snapshot() == before)
        // person show takes what agenda takes.
        #expect(try daemon.ctl("person", "show", "nhu van tam", "--json").json(PersonView.self).email == "tam@thainguyen.gov.vn")
        let several = try daemon.ctl("person", "show", "nguyen van an")
        #expect(several.status == 1)
        #expect(several.stderr.contains("matches 2 people"))
    }

    @Test func mergeUpdateAndDeletePeople() throws {
        let daemon = try TestDaemon()
        let conference = try daemon.ctl(Seed.conference).out
        // A duplicate typed with a different name, answered and subscribed.
        let meeting = try daemon.ctl("add", "Họp Bộ", "--kind", "meeting", "--start", "6/3/2017 8h00", "--witness", "Thứ trưởng Hiếu <hieu.pc@gmail.example>").out
        let feed = try daemon.ctl("feed", "url", "hieu.pc@gmail.example", "--json").json(FeedURLView.self)
        try daemon.ctl("rsvp", meeting, "hieu.pc@gmail.example", "accepted")
        let merged = try daemon.ctl("person", "merge", "hieu.pc@gmail.example", "phan chi hieu", "--json")
        #expect(merged.status == 0, "\(merged)")
        #expect(try merged.json(PersonView.self).email == "hieu@moj.gov.vn")
        let shown = try daemon.ctl("show", meeting, "--json").json(EventView.self)
        #expect(shown.participants.map(\.name) == ["Phan Chí Hiếu"])
        #expect(shown.participants.first?.rsvp == "accepted")
        #expect(try daemon.ctl("person", "show", "hieu.pc@gmail.example").status == 1)
        // The duplicate's feed token now serves the kept person.
        #expect(try daemon.ctl("feed", "url", "Phan Chí Hiếu", "--json").json(FeedURLView.self).token == feed.token)
        #expect(try daemon.ctl("agenda", "phan chi hieu", "--from", "1/3/2017", "--to", "31/3/2017", "--format", "json").json(AgendaView.self).days.count == 2)
        #expect(try daemon.ctl("log").stdout.contains("merge-person"))

        let updated = try daemon.ctl("person", "update", "phan chi hieu", "--position", "Thứ trưởng Bộ Tư pháp", "--org", "Bộ Tư pháp", "--tz", "Asia/Bangkok")
        #expect(updated.status == 0, "\(updated)")
        let hieu = try daemon.ctl("person", "show", "hieu@moj.gov.vn", "--json").json(PersonView.self)
        #expect(hieu.position == "Thứ trưởng Bộ Tư pháp")
        #expect(hieu.organisation == "Bộ Tư pháp")
        #expect(hieu.tz == "Asia/Bangkok")
        try daemon.ctl("person", "update", "hieu@moj.gov.vn", "--tz", "")
        #expect(try daemon.ctl("person", "show", "hieu@moj.gov.vn", "--json").json(PersonView.self).tz == nil)
        let taken = try daemon.ctl("person", "update", "hieu@moj.gov.vn", "--email", "tam@thainguyen.gov.vn")
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("already has the email"))

        let refused = try daemon.ctl("person", "delete", "nhu van tam")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("takes part in 1 event(s) (\(conference) "))
        let forced = try daemon.ctl("person", "delete", "nhu van tam", "--force")
        #expect(forced.status == 0, "\(forced)")
        #expect(try daemon.ctl("show", conference, "--json").json(EventView.self).participants.allSatisfy { $0.name != "Nhữ Văn Tâm" })
    }

    @Test func sessionsAreUpdatedAndDeleted() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        let session = try daemon.ctl("session", "add", id, "Trình bày dự thảo", "--start", "3/3/2017 9h00", "--end", "3/3/2017 9h30", "--speaker", "vu duy hien").out
        let sequence = try daemon.ctl("show", id, "--json").json(EventView.self).sequence
        let moved = try daemon.ctl("session", "update", id, session, "--start", "3/3/2017 10h00", "--room", "Hội trường B", "--speaker", "nhu van tam", "--remove", "Vũ Duy Hiển", "--json")
        #expect(moved.status == 0, "\(moved)")
        let view = try moved.json(SessionView.self)
        #expect(view.start == "2017-03-03T10:00:00+07:00")
        #expect(view.end == "2017-03-03T10:30:00+07:00")
        #expect(view.room == "Hội trường B")
        #expect(view.participants.map(\.name) == ["Nhữ Văn Tâm"])
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).sequence == sequence + 1)
        let outside = try daemon.ctl("session", "update", id, session, "--end", "3/3/2017 12h00")
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("must lie inside its event"))
        #expect(try daemon.ctl("session", "update", id, "999", "--title", "x").stderr.contains("no session with id 999 in event \(id)"))
        #expect(try daemon.ctl("session", "delete", id, session).status == 0)
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).sessions.isEmpty)
        #expect(try daemon.ctl("session", "delete", id, session).status == 1)
        #expect(try daemon.ctl("log", "--event", id).stdout.contains("delete-session \(session)"))
    }

    @Test func eventsBookRoomsAndClashInThem() throws {
        let daemon = try TestDaemon()
        let first = try daemon.ctl("add", "Họp giao ban", "--kind", "meeting", "--start", "sáng 4/7/2022", "--location", "Bộ Tư pháp", "--room", "Phòng họp số 1").out
        #expect(try daemon.ctl("show", first, "--json").json(EventView.self).room == "Phòng họp số 1")
        let second = try daemon.ctl("add", "Tiếp khách", "--kind", "meeting", "--start", "10h00 4/7/2022", "--location", "Bộ Tư pháp", "--room", "phong hop so 1")
        #expect(second.status == 0)
        #expect(second.stderr.contains("room clash: Phòng họp số 1, Bộ Tư pháp is booked twice: event \(first) \"Họp giao ban\" 04/07/2022 08:00–12:00 and event \(second.out) \"Tiếp khách\" 04/07/2022 10:00–11:00"), "\(second.stderr)")
        // The room once, even where the place repeats it.
        let hall = try daemon.ctl("add", "Hội nghị", "--kind", "meeting", "--start", "chiều 4/7/2022", "--location", "Hội trường A", "--room", "Hội trường A").out
        let again = try daemon.ctl("add", "Hội thảo", "--kind", "meeting", "--start", "14h00 4/7/2022", "--location", "Hội trường A", "--room", "Hội trường A", "--strict")
        #expect(again.status == 1)
        #expect(again.stderr.contains("Hội trường A is booked twice: event \(hall)"), "\(again.stderr)")
        #expect(again.stderr.components(separatedBy: "Hội trường A").count - 1 == 1, "\(again.stderr)")
        // A session in its own event's room is no clash; another room is none either.
        let session = try daemon.ctl("session", "add", hall, "Phiên 1", "--start", "4/7/2022 13h00", "--end", "4/7/2022 14h00", "--room", "Hội trường A")
        #expect(session.status == 0)
        #expect(!session.stderr.contains("clash"), "\(session.stderr)")
        let elsewhere = try daemon.ctl("add", "Tiếp dân", "--kind", "meeting", "--start", "10h00 4/7/2022", "--location", "Bộ Tư pháp", "--room", "Phòng tiếp dân")
        #expect(!elsewhere.stderr.contains("clash"))
        let list = try daemon.ctl("conflicts", "--from", "4/7/2022", "--to", "4/7/2022", "--json").json([ConflictView].self)
        #expect(list.map(\.kind) == ["room"])
        // A moved event frees its room.
        try daemon.ctl("update", first, "--room", "Phòng họp số 2")
        #expect(try daemon.ctl("conflicts", "--from", "4/7/2022", "--to", "4/7/2022", "--json").json([ConflictView].self).isEmpty)
    }

    @Test func errorsAreJSONOnStderrWithJSON() throws {
        let daemon = try TestDaemon()
        let missing = try daemon.ctl("show", "999", "--json")
        #expect(missing.status == 1)
        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(missing.stderr.utf8))
        #expect(body.error.code == "not_found")
        #expect(body.error.message == "no event with id 999")
        let invalid = try daemon.ctl("--json", "list", "--from", "thứ Tám")
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(invalid.stderr.utf8)).error.field == "from")
        let away = try run(eventctlPath, ["--json", "--socket", daemon.directory + "/nothing", "status"])
        #expect(away.status == 69)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(away.stderr.utf8)).error.code == "unavailable")
        // Without --json, a sentence.
        #expect(try daemon.ctl("show", "999").stderr.hasPrefix("eventctl: no event with id 999"))
    }

    @Test func tablesAndAgendasFitTheTerminal() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        try daemon.ctl(Seed.ceremony)
        try daemon.ctl(Seed.workshop)
        // Piped, a row is one line however long (198 columns here).
        let piped = try daemon.ctl("list")
        #expect(piped.stdout.split(separator: "\n").contains { $0.count > 150 })
        // On an 80-column terminal (script(1) gives eventctl one), nothing is wider than 80.
        for command in ["list", "agenda phan\\ chi\\ hieu --from 1/3/2017 --to 31/3/2017", "search hoi"] {
            let shell = "COLUMNS=80 EVENTD_SOCKET=\(daemon.socket) \(eventctlPath) \(command)"
            let tty = try run("/usr/bin/script", ["-q", "-e", "-c", shell, "/dev/null"])
            let lines = tty.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
            #expect(lines.count >= 2, "\(command): \(tty)")
            #expect(lines.allSatisfy { $0.count <= 80 }, "\(command): \(lines.map { "\($0.count) \($0)" }.joined(separator: "\n"))")
            // Titles wrap within their column rather than run off the screen.
            if command == "list" { #expect(lines.count > 4 && tty.stdout.contains("03/03/2017 08:00–11:30"), "\(tty.stdout)") }
            if command.hasPrefix("agenda") { #expect(tty.stdout.contains("khối cơ quan tư pháp") || tty.stdout.contains("Khối cơ quan")) }
        }
        // Issue 20: show, conflicts, person list and rsvp ran to 160–229 columns, and tables split
        // emails mid-word. On 80 columns each fits, and every email is whole on one line.
        try daemon.ctl("add", "Họp trùng giờ với hội nghị ở Thái Nguyên của Thứ trưởng", "--kind", "meeting", "--start", "3/3/2017 9h00",
            "--location", "Hà Nội", "--attendee", Seed.hieu)
        let emails = ["chutri@stp.thainguyen.gov.vn", "tam@thainguyen.gov.vn", "hien@stp.thainguyen.gov.vn", "hieu@moj.gov.vn"]
        for command in ["show 1", "conflicts --from 1/3/2017 --to 31/3/2017", "person list", "rsvp 1"] {
            let shell = "COLUMNS=80 EVENTD_SOCKET=\(daemon.socket) \(eventctlPath) \(command)"
            let tty = try run("/usr/bin/script", ["-q", "-e", "-c", shell, "/dev/null"])
            let lines = tty.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
            #expect(lines.count >= 2, "\(command): \(tty)")
            #expect(lines.allSatisfy { $0.count <= 80 }, "\(command): \(lines.map { "\($0.count) \($0)" }.joined(separator: "\n"))")
            for email in emails where !command.hasPrefix("conflicts") {
                #expect(lines.contains { $0.contains(email) }, "\(command): \(email) is split:\n\(lines.joined(separator: "\n"))")
            }
        }
        // Piped, show is as before: one line a field.
        #expect(try daemon.ctl("show", "1").stdout.contains("  chair     Hoàng Văn Chủ Trì <chutri@stp.thainguyen.gov.vn>  [no answer yet]\n"))
        // A whole-day event is a day in the agenda, not 00:00–00:00.
        let agenda = try daemon.ctl("agenda", "Lê Thanh Hùng", "--from", "1/7/2022", "--to", "31/7/2022")
        #expect(agenda.stdout.contains("14:00–15:30"))
        try daemon.ctl("update", "3", "--attendee", "Lê Thanh Hùng")
        let whole = try daemon.ctl("agenda", "Lê Thanh Hùng", "--from", "1/7/2022", "--to", "31/7/2022")
        #expect(whole.stdout.contains("cả ngày"), "\(whole)")
        #expect(!whole.stdout.contains("00:00–00:00"))
    }

    @Test func feedAddressesUseTheListenerWithoutABaseURL() throws {
        let port = 40_000 + Int(getpid() % 5_000) * 4 + 1
        // feeds_delay as by default: the first write of a new token's feed comes a second later.
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\nfeeds_delay = 1\n")
        try daemon.ctl(Seed.conference)
        let urls = try daemon.ctl("feed", "url", "phan chi hieu", "--json").json(FeedURLView.self)
        #expect(urls.https == "http://127.0.0.1:\(port)/feeds/people/\(urls.token).ics")
        #expect(urls.webcal == "webcal://127.0.0.1:\(port)/feeds/people/\(urls.token).ics")
        #expect(urls.pending == nil)
        func status(_ url: String) throws -> String { try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", url]).stdout }
        // Issue 20: the address answers as soon as eventctl prints it, not a second later.
        #expect(try status(urls.https) == "200")
        let rotated = try daemon.ctl("feed", "rotate", "phan chi hieu")
        #expect(rotated.status == 0 && rotated.stderr.isEmpty, "\(rotated)")
        let https = try #require(rotated.stdout.split(separator: "\n").last.map(String.init))
        #expect(https != urls.https)
        #expect(try status(https) == "200", "the new address at once")
    }

    @Test func aRoundTripThroughICalendarKeepsTheRoomAndThePreparingUnit() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference + ["--room", "Hội trường A", "--prepare", "Sở Tư pháp tỉnh Thái Nguyên"]).out
        let file = daemon.directory + "/one.ics"
        try daemon.ctl("ics", id).stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try daemon.ctl("import", file)
        #expect(imported.stdout.contains("updated 1"), "\(imported)")
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(event.room == "Hội trường A")
        #expect(event.prepare == "Sở Tư pháp tỉnh Thái Nguyên")
    }

    @Test func aWeeklyMeetingIsInEveryWeeksSchedule() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(
            "add", "Giao ban Ban Giám đốc", "--kind", "meeting", "--start", "7h30 4/7/2022", "--duration", "1h", "--rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
            "--location", "Công an tỉnh Bạc Liêu", "--chair", "Lê Thanh Hùng", "--prepare", "Văn phòng")
        for week in ["2022-W27", "2022-W30", "2022-W36"] {
            let view = try daemon.ctl("schedule", "--week", week, "--format", "json").json(ScheduleView.self)
            let monday = view.days[0]
            #expect(monday.parts.map(\.label) == ["Sáng"], "\(week)")
            #expect(monday.parts.first?.entries.first?.time == "07:30–08:30", "\(week)")
            #expect(monday.parts.first?.entries.first?.chairs == ["Lê Thanh Hùng"], "\(week)")
        }
        // COUNT=10: the tenth Monday is 5 September; the week after has none.
        #expect(try daemon.ctl("schedule", "--week", "2022-W37", "--format", "json").json(ScheduleView.self).days.allSatisfy { $0.parts.isEmpty })
        // Each occurrence is a line of the publication, named by its day: moving the series an
        // hour later marks this week's occurrence moved, not cancelled and new.
        try daemon.ctl("schedule", "publish", "--week", "2022-W28")
        #expect(try daemon.ctl("schedule", "--week", "2022-W28", "--format", "json").json(ScheduleView.self).changes == 0)
        try daemon.ctl("update", "1", "--start", "8h30 4/7/2022")
        let moved = try daemon.ctl("schedule", "--week", "2022-W28", "--format", "json").json(ScheduleView.self)
        #expect(moved.changes == 1)
        let entry = try #require(moved.days[0].parts.first?.entries.first)
        #expect(entry.change == "moved")
        #expect(entry.time == "08:30–09:30")
        #expect(entry.was == "07:30–08:30")
    }
}

