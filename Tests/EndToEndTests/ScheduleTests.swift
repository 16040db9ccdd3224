import EventAPI
import Foundation
import Testing

/// The weekly work schedule (lịch công tác tuần) of the seed article's events: by day, by
/// sáng/chiều, with people, places and preparing units, as text, HTML and JSON; an amended week.
@Suite struct ScheduleTests {
    /// The article's events, with the units that prepare them (made up: the article names none)
    /// and the conference's timetable (clock times made up).
    func seed(_ daemon: TestDaemon) throws -> (conference: String, visit: String, ceremony: String, workshop: String, online: String) {
        try daemon.ctl("person", "add", "Phan Chí Hiếu", "--email", "hieu@moj.gov.vn", "--position", "Thứ trưởng Bộ Tư pháp", "--org", "Bộ Tư pháp")
        let conference = try daemon.ctl(Seed.conference + ["--prepare", "Sở Tư pháp tỉnh Thái Nguyên", "--room", "Hội trường A"]).out
        try daemon.ctl("session", "add", conference, "Trình bày dự thảo Kế hoạch năm 2017", "--start", "3/3/2017 9h00", "--end", "3/3/2017 9h30", "--speaker", "vu duy hien")
        let visit = try daemon.ctl(Seed.visit + ["--prepare", "Văn phòng UBND tỉnh Tuyên Quang"]).out
        let ceremony = try daemon.ctl(Seed.ceremony + ["--prepare", "Phòng Công tác Đảng và công tác chính trị"]).out
        let workshop = try daemon.ctl(Seed.workshop + ["--prepare", "IUCN Việt Nam"]).out
        let online = try daemon.ctl(Seed.online).out
        for id in [conference, visit, ceremony, workshop, online] { #expect(Int(id) != nil, "\(id)") }
        return (conference, visit, ceremony, workshop, online)
    }

    func schedule(_ daemon: TestDaemon, _ arguments: String...) throws -> ScheduleView {
        let result = try daemon.ctl(["schedule"] + arguments + ["--format", "json"])
        #expect(result.status == 0, "\(result)")
        return try result.json(ScheduleView.self)
    }

    func text(_ daemon: TestDaemon, _ arguments: String...) throws -> String {
        let result = try daemon.ctl(["schedule"] + arguments)
        #expect(result.status == 0, "\(result)")
        return result.stdout
    }

    @Test func theWeekOf3March2017() throws {
        let daemon = try TestDaemon()
        _ = try seed(daemon)
        let week = try schedule(daemon, "--week", "2017-W09")
        #expect(week.title == "LỊCH CÔNG TÁC TUẦN 09/2017")
        #expect(week.subtitle == "Từ ngày 27/02/2017 đến ngày 05/03/2017")
        #expect(week.days.map(\.weekday) == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"])
        #expect(week.days.map(\.dayFirst).first == "27/02/2017")
        #expect(week.days.filter { !$0.parts.isEmpty }.map(\.date) == ["2017-03-03"])
        let friday = week.days[4]
        #expect(friday.parts.map(\.label) == ["Sáng"])
        let entry = try #require(friday.parts.first?.entries.first)
        #expect(entry.title == Seed.conferenceTitle)
        #expect(entry.time == "08:00–11:30")
        #expect(entry.chairs == ["Hoàng Văn Chủ Trì"])
        #expect(entry.attendees == ["Nhữ Văn Tâm", "Vũ Duy Hiển", "Phan Chí Hiếu (Thứ trưởng Bộ Tư pháp)"])
        #expect(entry.location == "Thái Nguyên")
        #expect(entry.room == "Hội trường A")
        #expect(entry.prepare == "Sở Tư pháp tỉnh Thái Nguyên")
        #expect(entry.sessions.map(\.title) == ["Trình bày dự thảo Kế hoạch năm 2017"])
        #expect(entry.sessions.first?.time == "09:00–09:30")
        #expect(entry.sessions.first?.speakers == ["Vũ Duy Hiển"])
        #expect(entry.change == nil)
        #expect(week.published == nil)

        let text = try text(daemon, "--week", "2017-W09")
        #expect(text.contains("LỊCH CÔNG TÁC TUẦN 09/2017\nTừ ngày 27/02/2017 đến ngày 05/03/2017\n"))
        #expect(text.contains("Thứ Hai, 27/02/2017\n  Không có lịch\n"))
        #expect(text.contains("Thứ Sáu, 03/03/2017\n  Sáng\n    08:00–11:30  \(Seed.conferenceTitle)\n"))
        #expect(text.contains("                 Chủ trì: Hoàng Văn Chủ Trì\n"))
        #expect(text.contains("                 Thành phần: Nhữ Văn Tâm; Vũ Duy Hiển; Phan Chí Hiếu (Thứ trưởng Bộ Tư pháp)\n"))
        #expect(text.contains("                 Địa điểm: Hội trường A, Thái Nguyên\n"))
        #expect(text.contains("                 Chuẩn bị: Sở Tư pháp tỉnh Thái Nguyên\n"))
        #expect(text.contains("                 · 09:00–09:30 Trình bày dự thảo Kế hoạch năm 2017 (Vũ Duy Hiển)\n"))
        // An empty weekend is left out of the page; an empty working day says so.
        #expect(!text.contains("Thứ Bảy"))

        let html = try daemon.ctl("schedule", "--week", "2017-W09", "--format", "html").stdout
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"vi\">"))
        #expect(html.contains("<h1>LỊCH CÔNG TÁC TUẦN 09/2017</h1>"))
        #expect(html.contains("<th scope=\"rowgroup\" class=\"day\" rowspan=\"1\">Thứ Sáu<br><span>03/03/2017</span></th><td class=\"part\" rowspan=\"1\">Sáng</td>"))
        #expect(html.contains("<td class=\"time\" data-label=\"Thời gian\">08:00–11:30</td>"))
        #expect(html.contains("<b>Chủ trì:</b> Hoàng Văn Chủ Trì"))
        #expect(html.contains("Phan Chí Hiếu (Thứ trưởng Bộ Tư pháp)"))
        #expect(html.contains("<td class=\"where\" data-label=\"Địa điểm\">Hội trường A, Thái Nguyên</td>"))
        #expect(html.contains("<td class=\"prep\" data-label=\"Chuẩn bị\">Sở Tư pháp tỉnh Thái Nguyên</td>"))
        #expect(html.contains("<td class=\"none\" colspan=\"6\">Không có lịch</td>"))
        #expect(html.contains("@page { size: A4 landscape"))
        #expect(html.contains("@media screen and (max-width: 40rem)"))
        // Every row of a day is counted in its rowspan: the table does not come apart.
        #expect(html.components(separatedBy: "<tr").count - 1 == 1 + 5)

        // The witness's own schedule, named without diacritics, is the same conference.
        let hieu = try schedule(daemon, "--week", "2017-W09", "--person", "phan chi hieu")
        #expect(hieu.scope == "Phan Chí Hiếu (Thứ trưởng Bộ Tư pháp)")
        #expect(hieu.days[4].parts.first?.entries.map(\.title) == [Seed.conferenceTitle])
    }

    @Test func theWeekOf4July2022() throws {
        let daemon = try TestDaemon()
        let ids = try seed(daemon)
        // "4/7/2022" is any day of the week, read as a WHEN.
        let week = try schedule(daemon, "--week", "4/7/2022")
        #expect(week.week == "2022-W27")
        #expect(week.title == "LỊCH CÔNG TÁC TUẦN 27/2022")
        let monday = week.days[0], tuesday = week.days[1]
        #expect(monday.dayFirst == "04/07/2022")
        #expect(monday.parts.map(\.label) == ["Chiều"])
        let ceremony = try #require(monday.parts.first?.entries.first)
        #expect(ceremony.eventId == Int64(ids.ceremony))
        #expect(ceremony.time == "14:00–15:30")
        #expect(ceremony.chairs == ["Lê Thanh Hùng"])
        #expect(ceremony.location == "Công an tỉnh Bạc Liêu")
        #expect(ceremony.prepare == "Phòng Công tác Đảng và công tác chính trị")
        #expect(tuesday.parts.map(\.part) == ["allday"])
        #expect(tuesday.parts.first?.label == "Cả ngày")
        #expect(tuesday.parts.first?.entries.first?.time == "Cả ngày")
        #expect(tuesday.parts.first?.entries.first?.location == "Vườn Quốc gia Cúc Phương, Ninh Bình")
        // The visit (Sunday 3 July) and the online conference (1 July) belong to the week before.
        let all = week.days.flatMap(\.parts).flatMap(\.entries).map(\.eventId)
        #expect(Set(all) == [Int64(ids.ceremony)!, Int64(ids.workshop)!])
        let before = try schedule(daemon, "--week", "2022-W26")
        #expect(before.days[6].weekday == "Chủ nhật")
        let visit = try #require(before.days[6].parts.first?.entries.first)
        #expect(before.days[6].parts.first?.label == "Chiều")
        #expect(visit.time == "14:00–17:00")
        #expect(visit.chairs == ["Chẩu Văn Lâm"])
        #expect(visit.attendees.contains("Đoàn: Tỉnh Bắc Kạn; Đơn vị đón: Tỉnh Tuyên Quang"))
        #expect(before.days[4].parts.first?.entries.first?.link == "https://hop.chinhphu.example.vn/phien-6-2022")

        let text = try text(daemon, "--week", "2022-W27")
        #expect(text.contains("Thứ Hai, 04/07/2022\n  Chiều\n    14:00–15:30  Lễ công bố Quyết định khen thưởng"))
        #expect(text.contains("Chủ trì: Lê Thanh Hùng"))
        // "Cả ngày" once: the part says it, the entry's time is left blank (issue 20).
        #expect(text.contains("Thứ Ba, 05/07/2022\n  Cả ngày\n                 Hội thảo Báo cáo kết quả tham vấn"), "\(text)")
        #expect(text.contains("Địa điểm: Vườn Quốc gia Cúc Phương, Ninh Bình"))

        // One language per output: English labels throughout with --lang en.
        let english = try daemon.ctl("schedule", "--week", "2022-W27", "--lang", "en").stdout
        #expect(english.contains("WEEKLY SCHEDULE, WEEK 27/2022"))
        #expect(english.contains("Monday, 04/07/2022\n  Afternoon\n"))
        #expect(english.contains("Tuesday, 05/07/2022\n  All day\n                 Workshop") || english.contains("Tuesday, 05/07/2022\n  All day\n                 Hội thảo"), "\(english)")
        #expect(english.components(separatedBy: "All day").count - 1 == 1, "\(english)")
        #expect(english.contains("Chair: Lê Thanh Hùng"))
        for word in ["Thứ", "Chiều", "Chủ trì", "Địa điểm", "Cả ngày", "Không có lịch"] { #expect(!english.contains(word), "\(word)") }

        let html = try daemon.ctl("schedule", "--week", "2022-W27", "--format", "html").stdout
        #expect(html.contains("<th scope=\"rowgroup\" class=\"day\" rowspan=\"1\">Thứ Hai<br><span>04/07/2022</span></th><td class=\"part\" rowspan=\"1\">Chiều</td>"))
        // Issue 20: "Cả ngày" once, in the part's cell; the time cell is empty (and hidden on a phone).
        #expect(html.contains("<td class=\"part\" rowspan=\"1\">Cả ngày</td><td class=\"time\" data-label=\"Thời gian\"></td>"))
        #expect(html.contains("Công an tỉnh Bạc Liêu"))

        // A leader's week, and an organisation's: only their events.
        let hung = try schedule(daemon, "--week", "2022-W27", "--person", "le thanh hung")
        #expect(hung.days.flatMap(\.parts).flatMap(\.entries).map(\.eventId) == [Int64(ids.ceremony)!])
        let iucn = try schedule(daemon, "--week", "2022-W27", "--org", "iucn viet nam")
        #expect(iucn.org == "IUCN Việt Nam")
        #expect(iucn.days.flatMap(\.parts).flatMap(\.entries).map(\.eventId) == [Int64(ids.workshop)!])
    }

    @Test func anAmendedWeekMarksWhatIsNewMovedAndCancelled() throws {
        let daemon = try TestDaemon()
        let ids = try seed(daemon)
        let meeting = try daemon.ctl("add", "Họp giao ban Công an tỉnh", "--kind", "meeting", "--start", "sáng 6/7/2022", "--location", "Công an tỉnh Bạc Liêu").out
        let later = try daemon.ctl("add", "Kiểm tra công tác PCCC", "--kind", "meeting", "--start", "8h00 7/7/2022", "--location", "Cần Thơ").out
        let published = try daemon.ctl("schedule", "publish", "--week", "2022-W27")
        #expect(published.status == 0, "\(published)")
        #expect(published.stdout.contains("published: everyone, 2022-W27, 4 entries"))
        #expect(try schedule(daemon, "--week", "2022-W27").changes == 0)

        // The ceremony moves to the next afternoon; the workshop is cancelled; the meeting is
        // deleted; the inspection moves to the next week; a new event comes in.
        try daemon.ctl("update", ids.ceremony, "--start", "14h00 chiều 5/7/2022")
        try daemon.ctl("cancel", ids.workshop)
        try daemon.ctl("delete", meeting)
        try daemon.ctl("update", later, "--start", "8h00 thứ Hai 11/7/2022")
        try daemon.ctl("add", "Tiếp đoàn công tác tỉnh Cà Mau", "--kind", "meeting", "--start", "8h30 sáng 8/7/2022", "--location", "Bạc Liêu")

        let week = try schedule(daemon, "--week", "2022-W27")
        #expect(week.published?.revision == 1)
        #expect(week.changes == 5)
        let entries = week.days.flatMap(\.parts).flatMap(\.entries)
        func entry(_ title: String) throws -> ScheduleEntry { try #require(entries.first { $0.title.hasPrefix(title) }, "\(title)") }
        let ceremony = try entry("Lễ công bố")
        #expect(ceremony.change == "moved")
        #expect(ceremony.date == "2022-07-05")
        #expect(ceremony.was == "14:00–15:30 04/07/2022")
        #expect(try entry("Hội thảo").change == "cancelled")
        #expect(try entry("Hội thảo").status == "cancelled")
        let deleted = try entry("Họp giao ban")
        #expect(deleted.change == "cancelled")
        #expect(deleted.date == "2022-07-06")
        let moved = try entry("Kiểm tra công tác PCCC")
        #expect(moved.change == "moved")
        #expect(moved.date == "2022-07-07")
        #expect(moved.movedTo == "11/07/2022 08:00, Cần Thơ")
        #expect(try entry("Tiếp đoàn").change == "new")

        let text = try text(daemon, "--week", "2022-W27")
        #expect(text.contains("[THAY ĐỔI] Lễ công bố"))
        #expect(text.contains("Trước đây: 14:00–15:30 04/07/2022"))
        #expect(text.contains("[HỦY] Hội thảo"))
        #expect(text.contains("[HỦY] Họp giao ban Công an tỉnh"))
        #expect(text.contains("Chuyển sang: 11/07/2022 08:00, Cần Thơ"))
        #expect(text.contains("[MỚI] Tiếp đoàn công tác tỉnh Cà Mau"))
        #expect(text.contains("Điều chỉnh lần 1: 5 thay đổi"))
        let html = try daemon.ctl("schedule", "--week", "2022-W27", "--format", "html").stdout
        #expect(html.contains("<tr class=\"entry moved\">"))
        #expect(html.components(separatedBy: "<tr class=\"entry cancelled\">").count - 1 == 2)
        #expect(html.contains("<span class=\"mark new\">Mới</span>"))
        #expect(html.contains("<span class=\"was\">Trước đây: 14:00–15:30 04/07/2022</span>"))

        // Publishing the amendment makes it the version later changes are marked against.
        let amended = try daemon.ctl("schedule", "publish", "--week", "2022-W27")
        #expect(amended.stdout.contains("published amendment 1 (5 change(s))"))
        let now = try schedule(daemon, "--week", "2022-W27")
        #expect(now.published?.revision == 2)
        #expect(now.changes == 0)
        #expect(now.days.flatMap(\.parts).flatMap(\.entries).allSatisfy { $0.change == nil })
        // Publications are recorded in the audit log with the caller.
        #expect(try daemon.ctl("log").stdout.contains("publish-schedule all 2022-W27 revision 2"))
    }

    @Test func theListenerServesAnOrganisationsPageWithAnETag() throws {
        let port = 40_000 + Int(getpid() % 5_000) * 4
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\n")
        _ = try seed(daemon)
        let url = "http://127.0.0.1:\(port)/schedule/cong-an-tinh-bac-lieu.html?week=2022-W27"
        // The ceremony's chair belongs to the Bạc Liêu police.
        try daemon.ctl("person", "update", "le thanh hung", "--org", "Công an tỉnh Bạc Liêu", "--position", "Phó Giám đốc Công an tỉnh")
        let first = try run("/usr/bin/curl", ["-s", "-D", "-", url])
        #expect(first.stdout.contains("200 OK"), "\(first)")
        #expect(first.stdout.lowercased().contains("content-type: text/html; charset=utf-8"))
        #expect(first.stdout.contains("<p class=\"org\">Công an tỉnh Bạc Liêu</p>"))
        #expect(first.stdout.contains("Lê Thanh Hùng (Phó Giám đốc Công an tỉnh)"))
        #expect(!first.stdout.contains("Cúc Phương"))
        let etag = try #require(first.stdout.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("etag:") }.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) })
        let again = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: \(etag)", url])
        #expect(again.stdout == "304")
        try daemon.ctl("add", "Họp Đảng ủy Công an tỉnh", "--kind", "meeting", "--start", "sáng 6/7/2022", "--chair", "Lê Thanh Hùng")
        let changed = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: \(etag)", url])
        #expect(changed.stdout == "200")
        #expect(try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/schedule/no-such-org.html"]).stdout == "404")
        #expect(try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/schedule/all.html?week=2017-W09"]).stdout == "200")
        #expect(try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url]).stdout == "405")
        // publish names the address.
        let published = try daemon.ctl("schedule", "publish", "--week", "2022-W27", "--org", "cong an tinh bac lieu")
        #expect(published.stdout.contains(url), "\(published)")
    }

    @Test func thePDFIsMadeWithWeasyprintAndReadsBack() throws {
        let daemon = try TestDaemon()
        _ = try seed(daemon)
        let file = daemon.directory + "/w27.pdf"
        let result = try daemon.ctl("schedule", "--week", "2022-W27", "--format", "pdf", "-o", file)
        #expect(result.status == 0, "\(result)")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(data.prefix(5) == Data("%PDF-".utf8))
        // The text of the page, as poppler reads it: the days, the parts and the people survive.
        let text = try run("/usr/bin/pdftotext", ["-layout", file, "-"]).stdout
        for expected in ["LỊCH CÔNG TÁC TUẦN 27/2022", "Thứ Hai", "04/07/2022", "Chiều", "Lê Thanh Hùng", "Công an tỉnh Bạc", "Cả ngày", "Không có lịch"] {
            #expect(text.contains(expected), "\(expected)")
        }
        // Issue 20: the day column broke its date in two, and a whole-day entry said "Cả ngày"
        // in the part and again as its time. Each weekday's date (only the day column holds
        // these) reads whole, and the one whole-day entry says it once.
        for day in ["05/07/2022", "06/07/2022", "07/07/2022", "08/07/2022"] {
            #expect(text.contains(day), "\(day) is broken in the day column:\n\(text)")
        }
        #expect(text.components(separatedBy: "Cả ngày").count - 1 == 1, "\(text)")
        let info = try run("/usr/bin/pdfinfo", [file]).stdout
        // A4 landscape: 842 x 595 points.
        #expect(info.contains("841.89 x 595.276 pts (A4)"), "\(info)")
        // No weasyprint: a clear refusal, not a broken file.
        let missing = try daemon.ctl(["schedule", "--week", "2022-W27", "--format", "pdf"], environment: ["EVENTCTL_WEASYPRINT": "/nonexistent/weasyprint"])
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("apt-get install weasyprint"))
    }

    /// Issue 20: an organisation with nothing that week got a PDF without a word. Every format
    /// says the schedule is empty; eventctl notes it on stderr and exits 0 (an empty week is a
    /// schedule too, and a script making each week's PDF must not fail on a quiet one).
    @Test func anEmptyScheduleSaysSo() throws {
        let daemon = try TestDaemon()
        _ = try seed(daemon)
        let note = "eventctl: note: the schedule has no entries"
        let file = daemon.directory + "/empty.pdf"
        let pdf = try daemon.ctl("schedule", "--week", "2022-W27", "--org", "Sở Văn hóa tỉnh Bạc Liêu", "--format", "pdf", "-o", file)
        #expect(pdf.status == 0, "\(pdf)")
        #expect(pdf.stderr.contains(note), "\(pdf.stderr)")
        let text = try run("/usr/bin/pdftotext", ["-layout", file, "-"]).stdout
        #expect(text.contains("Không có lịch công tác trong thời gian này"), "\(text)")
        let plain = try daemon.ctl("schedule", "--week", "2022-W27", "--org", "Sở Văn hóa tỉnh Bạc Liêu", "--lang", "en")
        #expect(plain.status == 0 && plain.stderr.contains(note), "\(plain)")
        #expect(plain.stdout.contains("Nothing is scheduled in this period"), "\(plain.stdout)")
        // A week with entries has no such note.
        let full = try daemon.ctl("schedule", "--week", "2022-W27")
        #expect(!full.stderr.contains(note) && !full.stdout.contains("Không có lịch công tác trong thời gian này"), "\(full)")
    }

    /// Issue 20: an unreadable stored publication was read as empty, marking every entry new.
    @Test func anUnreadablePublicationIsRefusedNotReadAsEmpty() throws {
        let daemon = try TestDaemon()
        _ = try seed(daemon)
        #expect(try daemon.ctl("schedule", "publish", "--week", "2022-W27").status == 0)
        let register = daemon.dataDirectory + "/register.sqlite"
        #expect(try run("/usr/bin/sqlite3", [register, "UPDATE schedule_publication SET entries = '[{\"broken\"'"]).status == 0)
        let refused = try daemon.ctl("schedule", "--week", "2022-W27")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("the published version of this schedule (revision 1,"), "\(refused.stderr)")
        #expect(refused.stderr.contains("publish the schedule again"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("[MỚI]"))
        // Publishing again replaces it as the reference: nothing is marked.
        #expect(try daemon.ctl("schedule", "publish", "--week", "2022-W27").status == 0)
        #expect(try schedule(daemon, "--week", "2022-W27").changes == 0)
    }
}
