import EventAPI
import Foundation
import Testing

/// Times in the reader's zone (`--in ZONE`, else `$EVENTD_TZ`, else eventd's), with the event's
/// own time and zone marked beside where they differ; whole-day events stay their own days.
@Suite struct ReaderZoneTests {
    /// 08:00–11:30 in Paris on 3 March 2017 (CET, +01:00) is 14:00–17:30 in Hồ Chí Minh City (+07:00).
    static let paris = [
        "add", "Hội thảo hợp tác pháp luật Việt – Pháp", "--kind", "workshop", "--start", "3/3/2017 8h00", "--end", "3/3/2017 11h30",
        "--tz", "Europe/Paris", "--location", "Paris", "--remind", "none",
    ]

    /// The cells (ID, START, END, KIND, …) of the row of `list`'s plain output whose title holds `title`.
    func row(_ output: String, _ title: String) -> [String] {
        let line = output.split(separator: "\n").first { $0.contains(title) }.map(String.init) ?? ""
        return line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test func aParisEventReadInVietnamAndInParis() throws {
        let daemon = try TestDaemon()
        let conference = try daemon.ctl(Seed.conference).out
        let paris = try daemon.ctl(Self.paris).out
        #expect(Int(paris) != nil && Int(conference) != nil)
        let range = ["list", "--from", "1/3/2017", "--to", "31/3/2017"]

        // At the agency (eventd's zone), or in Asia/Ho_Chi_Minh: the Paris event in Vietnamese time, Paris marked.
        for extra in [[], ["--in", "Asia/Ho_Chi_Minh"]] {
            let list = try daemon.ctl(range + extra)
            #expect(list.status == 0, "\(list)")
            #expect(row(list.stdout, "Việt – Pháp").prefix(3) == [paris, "03/03/2017 14:00 (08:00 Europe/Paris)", "03/03/2017 17:30 (11:30 Europe/Paris)"], "\(list.stdout)")
            #expect(row(list.stdout, "Thái Nguyên").prefix(4) == [conference, "03/03/2017 08:00", "03/03/2017 11:30", "conference"], "no mark where the zones agree: \(list.stdout)")
        }

        // In Paris, by --in or by EVENTD_TZ: the other way round.
        let byOption = try daemon.ctl(range + ["--in", "Europe/Paris"])
        let byEnvironment = try daemon.ctl(range, environment: ["EVENTD_TZ": "Europe/Paris"])
        for list in [byOption, byEnvironment] {
            #expect(list.status == 0, "\(list)")
            #expect(row(list.stdout, "Việt – Pháp").prefix(4) == [paris, "03/03/2017 08:00", "03/03/2017 11:30", "workshop"], "\(list.stdout)")
            #expect(row(list.stdout, "Thái Nguyên").prefix(3) == [conference, "03/03/2017 02:00 (08:00 Asia/Ho_Chi_Minh)", "03/03/2017 05:30 (11:30 Asia/Ho_Chi_Minh)"], "\(list.stdout)")
        }
        #expect(byOption.stdout == byEnvironment.stdout)
        // --in wins over EVENTD_TZ.
        let both = try daemon.ctl(range + ["--in", "Asia/Ho_Chi_Minh"], environment: ["EVENTD_TZ": "Europe/Paris"])
        #expect(row(both.stdout, "Việt – Pháp").dropFirst().first == "03/03/2017 14:00 (08:00 Europe/Paris)", "\(both)")

        // JSON keeps each event's own times; the reader's are added only where the zones differ.
        let json = try daemon.ctl(range + ["--in", "Europe/Paris", "--json"]).json([EventView].self)
        let thaiNguyen = try #require(json.first { String($0.id) == conference })
        #expect(thaiNguyen.start == "2017-03-03T08:00:00+07:00" && thaiNguyen.tz == "Asia/Ho_Chi_Minh")
        #expect(thaiNguyen.readerTz == "Europe/Paris")
        #expect(thaiNguyen.readerStart == "2017-03-03T02:00:00+01:00" && thaiNguyen.readerEnd == "2017-03-03T05:30:00+01:00")
        let inParis = try #require(json.first { String($0.id) == paris })
        #expect(inParis.start == "2017-03-03T08:00:00+01:00")
        #expect(inParis.readerTz == nil && inParis.readerStart == nil && inParis.readerEnd == nil)

        // On a terminal, one WHEN column: the reader's span, the event's own beside it.
        let shell = "COLUMNS=120 EVENTD_SOCKET=\(daemon.socket) \(eventctlPath) list --from 1/3/2017 --to 31/3/2017 --in Europe/Paris"
        let tty = try run("/usr/bin/script", ["-q", "-e", "-c", shell, "/dev/null"])
        #expect(tty.stdout.contains("03/03/2017 02:00–05:30 (08:00–11:30 Asia/Ho_Chi_Minh)"), "\(tty)")
        #expect(tty.stdout.contains("03/03/2017 08:00–11:30 "), "\(tty)")

        // search reads the same way.
        let search = try daemon.ctl("search", "viet phap", "--in", "Asia/Ho_Chi_Minh")
        #expect(search.status == 0, "\(search)")
        #expect(search.stdout.contains("03/03/2017 14:00 (08:00 Europe/Paris)"), "\(search)")
    }

    @Test func aWholeDayEventIsTheSameDayEverywhere() throws {
        let daemon = try TestDaemon()
        let workshop = try daemon.ctl(Seed.workshop).out
        for zone in ["Europe/Paris", "America/Los_Angeles", "Pacific/Kiritimati"] {
            let list = try daemon.ctl("list", "--from", "1/7/2022", "--to", "31/7/2022", "--in", zone)
            #expect(list.status == 0, "\(list)")
            #expect(list.stdout.contains("05/07/2022  05/07/2022  workshop"), "\(zone): \(list.stdout)")
            #expect(!list.stdout.contains(zone), "\(zone): \(list.stdout)")
            let event = try daemon.ctl("show", workshop, "--in", zone, "--json").json(EventView.self)
            #expect(event.allDay && event.readerTz == nil && event.readerStart == nil)
            let show = try daemon.ctl("show", workshop, "--in", zone)
            #expect(show.stdout.contains("When:       05/07/2022 (Asia/Ho_Chi_Minh, whole days)"), "\(show)")
        }
    }

    @Test func anUnknownZoneIsRefusedAndSaysWhereItCameFrom() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Self.paris).out
        for arguments in [["list"], ["search", "paris"], ["show", id], ["notices"], ["schedule", "--week", "2017-W09"]] {
            let given = try daemon.ctl(arguments + ["--in", "Mars/Olympus_Mons"])
            #expect(given.status == 1, "\(arguments): \(given)")
            #expect(given.stdout.isEmpty)
            #expect(given.stderr.contains("unknown time zone \"Mars/Olympus_Mons\"; use an IANA name such as Asia/Ho_Chi_Minh"), "\(given)")
            #expect(given.stderr.contains("(given by --in)"), "\(given)")
        }
        let inherited = try daemon.ctl(["list"], environment: ["EVENTD_TZ": "ICT"])
        #expect(inherited.status == 1, "\(inherited)")
        #expect(inherited.stderr.contains("unknown time zone \"ICT\"") && inherited.stderr.contains("(given by $EVENTD_TZ)"), "\(inherited)")
        // The API names the field.
        let reply = try daemon.curl("http://localhost/v1/events?tz=Mars%2FOlympus_Mons")
        #expect(reply.status == 400, "\(reply)")
        let error = try JSONDecoder().decode(ErrorBody.self, from: Data(reply.body.utf8))
        #expect(error.error.field == "tz" && error.error.code == "invalid", "\(reply)")
    }

    @Test func showAndNoticesInTheReadersZone() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Self.paris).out
        let session = try daemon.ctl("session", "add", id, "Phiên khai mạc", "--start", "3/3/2017 9h00", "--end", "3/3/2017 9h30")
        #expect(session.status == 0, "\(session)")

        let here = try daemon.ctl("show", id)
        #expect(here.stdout.contains("When:       03/03/2017 14:00 – 03/03/2017 17:30 (Asia/Ho_Chi_Minh; 08:00 – 11:30 Europe/Paris)"), "\(here)")
        #expect(here.stdout.contains("] 03/03/2017 15:00 – 15:30 (09:00 – 09:30 Europe/Paris)  Phiên khai mạc"), "\(here)")
        let there = try daemon.ctl("show", id, "--in", "Europe/Paris")
        #expect(there.stdout.contains("When:       03/03/2017 08:00 – 03/03/2017 11:30 (Europe/Paris)\n"), "\(there)")
        #expect(there.stdout.contains("] 03/03/2017 09:00 – 09:30  Phiên khai mạc"), "\(there)")
        let json = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(json.start == "2017-03-03T08:00:00+01:00" && json.readerStart == "2017-03-03T14:00:00+07:00" && json.readerTz == "Asia/Ho_Chi_Minh")
        #expect(json.sessions.first?.start == "2017-03-03T09:00:00+01:00" && json.sessions.first?.readerStart == "2017-03-03T15:00:00+07:00")

        // A reminder a day before a meeting in Paris (within the 7 days reminders are planned ahead).
        var paris = Calendar(identifier: .gregorian)
        paris.timeZone = TimeZone(identifier: "Europe/Paris")!
        let day = paris.dateComponents([.year, .month, .day], from: Date().addingTimeInterval(5 * 86_400))
        let meeting = try daemon.ctl(
            "add", "Họp nhóm công tác tại Paris", "--kind", "meeting", "--start", "\(day.day!)/\(day.month!)/\(day.year!) 9h00", "--tz", "Europe/Paris",
            "--attendee", "Lê Minh <minh@moj.gov.vn>", "--remind", "1d")
        #expect(meeting.status == 0, "\(meeting)")
        let notices = try daemon.ctl("notices", "--event", meeting.out, "--in", "Europe/Paris", "--json").json([NoticeView].self)
        let notice = try #require(notices.first, "the reminder is queued")
        let due = Date(timeIntervalSince1970: TimeInterval(notice.dueEpoch))
        func clock(_ zone: String, _ format: String) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: zone)
            formatter.dateFormat = format
            return formatter.string(from: due)
        }
        #expect(notice.due.hasPrefix(clock("Asia/Ho_Chi_Minh", "yyyy-MM-dd'T'HH:mm:ss'+07:00'")) && notice.tz == "Asia/Ho_Chi_Minh", "\(notice)")
        #expect(notice.readerDue == clock("Europe/Paris", "yyyy-MM-dd'T'HH:mm:ssxxx") && notice.readerTz == "Europe/Paris", "\(notice)")
        let atAgency = try daemon.ctl("notices", "--event", meeting.out)
        #expect(atAgency.stdout.contains("reminder  \(clock("Asia/Ho_Chi_Minh", "dd/MM/yyyy HH:mm:ss"))  pending"), "\(atAgency)")
        #expect(!atAgency.stdout.contains("("), "\(atAgency)")
        let inParis = try daemon.ctl("notices", "--event", meeting.out, "--in", "Europe/Paris")
        let mark = "\(clock("Europe/Paris", "dd/MM/yyyy HH:mm:ss")) (\(clock("Asia/Ho_Chi_Minh", "HH:mm")) Asia/Ho_Chi_Minh)"
        #expect(inParis.stdout.contains("reminder  \(mark)  pending"), "\(inParis)")
    }

    @Test func theScheduleInTheReadersZone() throws {
        let daemon = try TestDaemon()
        _ = try daemon.ctl(Self.paris).out
        let here = try daemon.ctl("schedule", "--week", "2017-W09")
        #expect(here.stdout.contains("14:00–17:30 (08:00–11:30 Europe/Paris)"), "\(here)")
        let there = try daemon.ctl("schedule", "--week", "2017-W09", "--in", "Europe/Paris")
        #expect(there.stdout.contains("08:00–11:30"), "\(there)")
        #expect(!there.stdout.contains("(08:00"), "\(there)")
    }
}
