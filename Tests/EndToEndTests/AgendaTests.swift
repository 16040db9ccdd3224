import EventAPI
import Foundation
import Testing

/// Agendas and clashes on the seed article's people.
@Suite struct AgendaTests {
    /// The 3 March 2017 conference with its timetable; the times of the slots are made up.
    func conference(_ daemon: TestDaemon) throws -> String {
        let id = try daemon.ctl(Seed.conference).out
        try daemon.ctl("session", "add", id, "Phát biểu phát động phong trào", "--start", "3/3/2017 8h00", "--end", "3/3/2017 8h30", "--speaker", "Nhữ Văn Tâm", "--room", "Hội trường A")
        try daemon.ctl("session", "add", id, "Trình bày dự thảo Kế hoạch năm 2017", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h15", "--speaker", "Vũ Duy Hiển", "--speaker", "Nhữ Văn Tâm", "--room", "Hội trường A")
        try daemon.ctl("session", "add", id, "Ký giao ước thi đua", "--start", "3/3/2017 9h15", "--end", "3/3/2017 10h00", "--chair", "Phan Chí Hiếu", "--room", "Hội trường A")
        return id
    }

    func agenda(_ daemon: TestDaemon, _ person: String, _ extra: String...) throws -> AgendaView {
        let result = try daemon.ctl(["agenda", person, "--from", "1/3/2017", "--to", "31/3/2017", "--format", "json"] + extra)
        #expect(result.status == 0, "\(result)")
        return try result.json(AgendaView.self)
    }

    @Test func theWitnessAndTheSpeakersFindTheirParts() throws {
        let daemon = try TestDaemon()
        let id = try conference(daemon)
        let hieu = try agenda(daemon, "Phan Chí Hiếu")
        #expect(hieu.days.map(\.label) == ["Thứ Sáu, 03/03/2017"])
        let entries = hieu.days[0].entries
        #expect(entries.first?.title == Seed.conferenceTitle)
        #expect(entries.first?.roles == ["witness"])
        #expect(entries.first?.start == "2017-03-03T08:00:00+07:00")
        #expect(entries.first?.location == "Thái Nguyên")
        #expect(entries.first?.eventId == Int64(id))
        #expect(entries.dropFirst().map { $0.session?.title } == ["Ký giao ước thi đua"])
        #expect(entries.dropFirst().first?.roles == ["chair"])

        let tam = try agenda(daemon, "Nhữ Văn Tâm", "--role", "speaker")
        let slots = tam.days.flatMap(\.entries).compactMap(\.session)
        #expect(slots.map(\.title) == ["Phát biểu phát động phong trào", "Trình bày dự thảo Kế hoạch năm 2017"])
        let second = try #require(tam.days.flatMap(\.entries).first { $0.session?.title == "Trình bày dự thảo Kế hoạch năm 2017" })
        #expect(second.previous?.title == "Phát biểu phát động phong trào")
        #expect(second.next?.title == "Ký giao ước thi đua")
        #expect(second.coSpeakers == ["Vũ Duy Hiển"])
        #expect(second.start == "2017-03-03T08:30:00+07:00")

        let hien = try agenda(daemon, "Vũ Duy Hiển", "--role", "speaker")
        #expect(hien.days.flatMap(\.entries).compactMap(\.session).map(\.title) == ["Trình bày dự thảo Kế hoạch năm 2017"])
        #expect(hien.days.flatMap(\.entries).first { $0.session != nil }?.coSpeakers == ["Nhữ Văn Tâm"])
        // The witness does not speak: the speaker agenda is empty.
        #expect(try agenda(daemon, "hieu@moj.gov.vn", "--role", "speaker").days.isEmpty)

        // The text is in one language: the person's (Vietnamese), or the one asked for.
        let text = try daemon.ctl("agenda", "nhu van tam", "--from", "1/3/2017", "--role", "speaker")
        #expect(text.stdout.contains("Thứ Sáu, 03/03/2017"))
        #expect(text.stdout.contains("08:30–09:15  phát biểu   Trình bày dự thảo Kế hoạch năm 2017 — \(Seed.conferenceTitle)"))
        #expect(text.stdout.contains("trước:  08:00 Phát biểu phát động phong trào (Nhữ Văn Tâm)"))
        #expect(text.stdout.contains("cùng:   Vũ Duy Hiển"))
        #expect(!text.stdout.contains("speaker") && !text.stdout.contains("before"))
        let english = try daemon.ctl("agenda", "nhu van tam", "--from", "1/3/2017", "--role", "speaker", "--lang", "en")
        #expect(english.stdout.contains("Friday, 03/03/2017"))
        #expect(english.stdout.contains("08:30–09:15  speaker    Trình bày dự thảo Kế hoạch năm 2017 — \(Seed.conferenceTitle)"))
        #expect(english.stdout.contains("before: 08:00 Phát biểu phát động phong trào (Nhữ Văn Tâm)"))
        #expect(english.stdout.contains("with:   Vũ Duy Hiển"))
        #expect(!english.stdout.contains("Thứ"))

        let timetable = try daemon.ctl("show", id, "--agenda")
        #expect(timetable.stdout.contains("08:30–09:15  Trình bày dự thảo Kế hoạch năm 2017  (Hội trường A)"))
        #expect(timetable.stdout.contains("speakers: Vũ Duy Hiển, Nhữ Văn Tâm"))
        #expect(timetable.stdout.contains("chair:    Phan Chí Hiếu"))
    }

    @Test(arguments: ["phan chi hieu", "PHAN CHÍ HIẾU", "Phan Chi Hieu", "hieu", "HIEU@MOJ.GOV.VN", "4"])
    func namesAreFoundWithoutRegardToCaseOrDiacritics(_ key: String) throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        #expect(try agenda(daemon, key).person.name == "Phan Chí Hiếu", "\(key)")
    }

    @Test func dFoldsToDAndAmbiguousNamesFail() throws {
        let daemon = try TestDaemon()
        try daemon.ctl("person", "add", "Đặng Đình Đức", "--email", "duc@example.vn")
        try daemon.ctl("person", "add", "Nguyễn Văn An", "--email", "an.nv@tuphap.example.vn")
        try daemon.ctl("person", "add", "Nguyễn Văn Ân", "--email", "an.nv@congan.example.vn")
        #expect(try agenda(daemon, "dang dinh duc").person.email == "duc@example.vn")
        let ambiguous = try daemon.ctl("agenda", "nguyen van an")
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("\"nguyen van an\" matches 2 people"))
        #expect(ambiguous.stderr.contains("an.nv@tuphap.example.vn"))
        #expect(ambiguous.stderr.contains("an.nv@congan.example.vn"))
        #expect(try agenda(daemon, "Nguyễn Văn Ân").person.email == "an.nv@congan.example.vn", "the exact spelling is one person")
        let nobody = try daemon.ctl("agenda", "Không Ai Cả")
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("no person matching Không Ai Cả"))
    }

    @Test func recurringEventsAppearOncePerOccurrenceAndTheDefaultRangeIsFourWeeks() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        try daemon.ctl("add", "Giao ban Bộ Tư pháp", "--kind", "meeting", "--start", "6/3/2017 8h00", "--duration", "1h",
                       "--rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=10", "--exdate", "20/3/2017 8h00", "--chair", Seed.hieu, "--location", "Hà Nội")
        let march = try agenda(daemon, "phan chi hieu")
        let weekly = march.days.flatMap(\.entries).filter { $0.title == "Giao ban Bộ Tư pháp" }
        #expect(weekly.map(\.start) == ["2017-03-06T08:00:00+07:00", "2017-03-13T08:00:00+07:00", "2017-03-27T08:00:00+07:00"])
        #expect(weekly.map(\.recurrenceId) == weekly.map(\.start))
        #expect(march.days.map(\.label).first == "Thứ Sáu, 03/03/2017")
        #expect(march.days.map(\.label).dropFirst().allSatisfy { $0.hasPrefix("Thứ Hai") })

        // Without --from: from now, four weeks; the 2017 events are long past.
        var now = try agendaWithoutRange(daemon, "phan chi hieu")
        #expect(now.days.isEmpty)
        let soon = Date().addingTimeInterval(7 * 86_400)
        let day = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Ho_Chi_Minh")!, from: soon)
        try daemon.ctl("add", "Họp tuần tới", "--kind", "meeting", "--start", "\(day.day!)/\(day.month!)/\(day.year!) 9h00", "--attendee", "hieu@moj.gov.vn")
        now = try agendaWithoutRange(daemon, "phan chi hieu")
        #expect(now.days.flatMap(\.entries).map(\.title) == ["Họp tuần tới"])
    }

    func agendaWithoutRange(_ daemon: TestDaemon, _ person: String) throws -> AgendaView {
        try daemon.ctl("agenda", person, "--format", "json").json(AgendaView.self)
    }

    @Test func agendaInThePersonsZoneAndAsICalendar() throws {
        let daemon = try TestDaemon()
        try daemon.ctl("person", "add", "Grethel Aguilar", "--email", "grethel@iucn.example.org", "--lang", "en", "--tz", "Europe/Paris")
        try daemon.ctl(Seed.workshop + ["--attendee", "grethel@iucn.example.org"])
        try daemon.ctl("add", "Họp trực tuyến với IUCN", "--kind", "online", "--start", "5/7/2022 6h00", "--duration", "1h",
                       "--link", "https://meet.example.org/iucn", "--speaker", "grethel@iucn.example.org")
        let view = try daemon.ctl("agenda", "grethel aguilar", "--from", "1/7/2022", "--to", "10/7/2022", "--format", "json").json(AgendaView.self)
        #expect(view.tz == "Europe/Paris")
        // 06:00 in Hà Nội is 01:00 in Paris; both fall on Tuesday 5 July there.
        #expect(view.days.map(\.label) == ["Tuesday, 05/07/2022"], "a whole-day event keeps its own date; 06:00 in Hà Nội is 01:00 on the 5th in Paris")
        #expect(view.days.first?.entries.map(\.start) == ["2022-07-05T00:00:00+07:00", "2022-07-05T01:00:00+02:00"])
        #expect(view.days.first?.entries.last?.link == "https://meet.example.org/iucn")

        let ics = try daemon.ctl("agenda", "grethel@iucn.example.org", "--from", "1/7/2022", "--format", "ics")
        #expect(ics.stdout.contains("X-WR-CALNAME:Lịch công tác — Grethel Aguilar"))
        let file = daemon.directory + "/agenda.ics"
        try ics.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let parsed = try python([PythonEvent].self, ["parse", file])
        #expect(Set(parsed.map(\.summary)) == ["Họp trực tuyến với IUCN", "Hội thảo Báo cáo kết quả tham vấn \"Xây dựng mô hình 3D có sự tham gia của cộng đồng tại VQG Cúc Phương\""])

        let viaCurl = try daemon.curl("http://localhost/v1/people/grethel%40iucn.example.org/agenda?from=1/7/2022&to=10/7/2022")
        #expect(try JSONDecoder().decode(AgendaView.self, from: Data(viaCurl.body.utf8)) == view)
    }
}

/// Clashes: warnings by default, refusals with --strict, and the full list.
@Suite struct ConflictTests {
    @Test func aPersonInTwoPlacesAtOnceIsWarnedAbout() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        let add = try daemon.ctl("add", "Tiếp đoàn công tác Bộ Tư pháp", "--kind", "meeting", "--start", "3/3/2017 10h00", "--duration", "1h",
                                 "--location", "Thái Nguyên", "--attendee", "hieu@moj.gov.vn")
        #expect(add.status == 0)
        #expect(add.out == "2")
        #expect(add.stderr.contains("warning: overlap clash: Phan Chí Hiếu is in two places at once"))
        #expect(add.stderr.contains("event 2 \"Tiếp đoàn công tác Bộ Tư pháp\" in Thái Nguyên 03/03/2017 10:00–11:00"))
        let clashes = try daemon.ctl("conflicts", "--from", "1/3/2017", "--to", "31/3/2017", "--json").json([ConflictView].self)
        #expect(clashes.map(\.kind) == ["overlap"])
        #expect(clashes.first?.eventIds == [1, 2])
    }

    @Test func theTravelBufferSeparatesPlacesButNotOnePlace() throws {
        let daemon = try TestDaemon(config: "travel_buffer = 2h\n")
        try daemon.ctl(Seed.visit)  // Chẩu Văn Lâm chairs in Tuyên Quang, 14:00–17:00 on 3 July 2022
        let samePlace = try daemon.ctl("add", "Họp báo", "--kind", "meeting", "--start", "3/7/2022 17h00", "--duration", "30m", "--location", "Tuyên Quang", "--chair", "lam@tuyenquang.gov.vn")
        #expect(samePlace.status == 0)
        #expect(!samePlace.stderr.contains("clash"), "\(samePlace.stderr)")
        let elsewhere = try daemon.ctl("add", "Làm việc tại Bắc Kạn", "--kind", "visit", "--start", "3/7/2022 18h00", "--location", "Bắc Kạn",
                                       "--visiting", "Tỉnh Tuyên Quang", "--host", "Tỉnh Bắc Kạn", "--chair", "lam@tuyenquang.gov.vn")
        #expect(elsewhere.stderr.contains("travel clash: Chẩu Văn Lâm has 30 min to get from Tuyên Quang to Bắc Kạn"), "\(elsewhere.stderr)")
        #expect(elsewhere.stderr.contains("the travel buffer is 120 min"))
        // Exactly the buffer after the press briefing in Tuyên Quang ends (17:30): no clash.
        let later = try daemon.ctl("add", "Làm việc tại Bắc Kạn (buổi tối)", "--kind", "meeting", "--start", "3/7/2022 19h30", "--location", "Bắc Kạn", "--chair", "lam@tuyenquang.gov.vn")
        #expect(later.status == 0)
        #expect(!later.stderr.contains("get from Tuyên Quang to Bắc Kạn"), "2 h after the last event in Tuyên Quang: \(later.stderr)")
    }

    @Test func aRoomBookedTwiceIsAClash() throws {
        let daemon = try TestDaemon()
        let a = try daemon.ctl(Seed.conference).out
        let b = try daemon.ctl("add", "Hội nghị tập huấn nghiệp vụ", "--kind", "conference", "--start", "3/3/2017 8h00", "--duration", "2h", "--location", "Thái Nguyên").out
        try daemon.ctl("session", "add", a, "Khai mạc", "--start", "3/3/2017 8h00", "--end", "3/3/2017 9h00", "--room", "Hội trường A")
        let second = try daemon.ctl("session", "add", b, "Tập huấn", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h30", "--room", "hội trường a")
        #expect(second.status == 0)
        #expect(second.stderr.contains("room clash: Hội trường A, Thái Nguyên is booked twice"), "\(second.stderr)")
        let otherRoom = try daemon.ctl("session", "add", b, "Tập huấn nhóm 2", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h30", "--room", "Phòng họp số 2")
        #expect(otherRoom.status == 0)
        #expect(!otherRoom.stderr.contains("clash"))
    }

    @Test func strictRefusesAndChangesNothing() throws {
        let daemon = try TestDaemon()
        let conference = try daemon.ctl(Seed.conference).out
        try daemon.ctl("session", "add", conference, "Khai mạc", "--start", "3/3/2017 8h00", "--end", "3/3/2017 9h00", "--room", "Hội trường A")
        let free = try daemon.ctl("add", "Họp chiều", "--kind", "meeting", "--start", "3/3/2017 15h00", "--location", "Thái Nguyên", "--attendee", "hieu@moj.gov.vn").out
        let before = try daemon.snapshot()
        let attempts: [[String]] = [
            ["add", "Họp trùng giờ", "--kind", "meeting", "--start", "3/3/2017 9h00", "--location", "Thái Nguyên", "--attendee", "hieu@moj.gov.vn", "--strict"],
            ["add", "Họp ở Hà Nội", "--kind", "meeting", "--start", "3/3/2017 12h00", "--location", "Hà Nội", "--attendee", "Người Mới <moi@example.vn>", "--attendee", "hieu@moj.gov.vn", "--strict"],
            ["update", free, "--start", "3/3/2017 10h00", "--strict"],
            ["update", free, "--speaker", "tam@thainguyen.gov.vn", "--start", "3/3/2017 11h00", "--strict"],
            ["session", "add", conference, "Phiên trùng phòng", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h30", "--room", "Hội trường A", "--strict"],
            ["add", "Giao ban hằng ngày", "--kind", "meeting", "--start", "1/3/2017 9h00", "--rrule", "FREQ=DAILY;COUNT=5", "--location", "Thái Nguyên", "--attendee", "hieu@moj.gov.vn", "--strict"],
        ]
        for arguments in attempts {
            let result = try daemon.ctl(arguments)
            #expect(result.status == 1, "\(arguments): \(result)")
            #expect(result.stderr.contains("refused because of"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("nothing was changed"))
        }
        #expect(try daemon.snapshot() == before)
        #expect(try daemon.ctl("person", "show", "moi@example.vn").status == 1, "no person left behind by a refused add")
        // Without a clash, --strict is no obstacle.
        #expect(try daemon.ctl("update", free, "--start", "3/3/2017 16h00", "--strict").status == 0)
        // A clash the event already had is not a new one, whatever a change does to its title:
        // clashes are told apart by who and what clash, not by their wording.
        let clashing = try daemon.ctl("add", "Họp trùng giờ", "--kind", "meeting", "--start", "3/3/2017 9h00", "--location", "Thái Nguyên", "--attendee", "hieu@moj.gov.vn")
        #expect(clashing.stderr.contains("overlap clash"), "\(clashing)")
        let renamed = try daemon.ctl("update", clashing.out, "--title", "Họp trùng giờ (đổi tên)", "--strict")
        #expect(renamed.status == 0, "\(renamed)")
        let more = try daemon.ctl("update", clashing.out, "--attendee", "tam@thainguyen.gov.vn", "--strict")
        #expect(more.status == 1 && more.stderr.contains("refused because of 1 clash"), "a second person's clash is new: \(more)")
    }

    @Test func recurringMeetingsClashOnTheirOccurrences() throws {
        let daemon = try TestDaemon()
        try daemon.ctl("add", "Giao ban thứ Hai", "--kind", "meeting", "--start", "6/3/2017 8h00", "--duration", "2h", "--rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=8",
                       "--location", "Hà Nội", "--chair", Seed.hieu)
        let add = try daemon.ctl("add", "Làm việc với Sở Tư pháp Hà Nội", "--kind", "meeting", "--start", "27/3/2017 9h00", "--location", "Hà Nội", "--attendee", "hieu@moj.gov.vn")
        #expect(add.stderr.contains("overlap clash"), "\(add.stderr)")
        #expect(add.stderr.contains("27/03/2017 08:00–10:00"))
        let tuesday = try daemon.ctl("add", "Họp thứ Ba", "--kind", "meeting", "--start", "28/3/2017 9h00", "--location", "Hà Nội", "--attendee", "hieu@moj.gov.vn")
        #expect(tuesday.status == 0)
        #expect(!tuesday.stderr.contains("clash"))
        let all = try daemon.ctl("conflicts", "--from", "1/3/2017", "--to", "1/6/2017")
        #expect(all.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("overlap:") }.count == 1)
        let cancelled = try daemon.ctl("cancel", "2")
        #expect(cancelled.status == 0)
        #expect(try daemon.ctl("conflicts", "--from", "1/3/2017", "--to", "1/6/2017", "--json").json([ConflictView].self).isEmpty, "a cancelled event clashes with nothing")
    }
}
