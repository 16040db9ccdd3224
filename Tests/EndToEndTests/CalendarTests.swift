import EventAPI
import Foundation
import Testing

/// What Python's `icalendar` and `recurring-ical-events` see in eventd's .ics files.
struct PythonEvent: Decodable, Equatable {
    struct Person: Decodable, Equatable, Hashable {
        var address: String
        var cn: String
        var role: String
        var eventdRoles: [String]
    }
    enum Value: Decodable, Equatable, Hashable {
        case instant(Int64), date(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int64.self) { self = .instant(n) } else { self = .date(try c.decode(String.self)) }
        }
    }
    var method: String
    var uid: String
    var summary: String
    var status: String
    var sequence: Int
    var tzid: String
    var start: Value
    var end: Value?
    var organizer: Person?
    var attendees: [Person]
    var rrule: String?
    var exdates: [Value]
    var relatedTo: [String]
    var alarms: Int
}

struct Occurrence: Decodable, Hashable {
    var uid: String
    var start: PythonEvent.Value
}

let icsCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/ics_check.py").path

/// Runs one of the Python checkers (ics_check.py by default) and decodes the JSON it prints.
func python<T: Decodable>(_ type: T.Type, _ arguments: [String], script: String = icsCheck) throws -> T {
    let result = try run("/usr/bin/env", ["python3", script] + arguments)
    guard result.status == 0 else { throw PythonFailed(output: result.description) }
    return try result.json(T.self)
}

struct PythonFailed: Error, CustomStringConvertible {
    var output: String
    var description: String { "ics_check.py failed (scripts/setup.sh installs icalendar and recurring-ical-events):\n\(output)" }
}

/// Seconds since 1970 of an ISO 8601 time with offset, as eventd prints it.
func epoch(_ iso: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    return Int64(formatter.date(from: iso)!.timeIntervalSince1970)
}

extension TestDaemon {
    /// Writes `eventctl ics ID` to a file in the daemon's directory and returns its path.
    func exportICS(_ id: String, method: String = "publish", name: String? = nil) throws -> String {
        let result = try ctl("ics", id, "--method", method)
        #expect(result.status == 0, "\(result)")
        let path = directory + "/" + (name ?? "event-\(id)-\(method)") + ".ics"
        try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite struct CalendarTests {
    @Test func everySeedEventParsesWithPythonAtTheStoredInstant() throws {
        let daemon = try TestDaemon()
        var ids: [String] = []
        for args in [Seed.conference, Seed.visit, Seed.workshop, Seed.ceremony, Seed.online] { ids.append(try daemon.ctl(args).out) }
        ids.append(try daemon.ctl("add", "Lễ ký kết giao ước thi đua năm 2017", "--kind", "signing", "--start", "3/3/2017 10h00", "--duration", "30m",
                                  "--location", "Thái Nguyên", "--witness", Seed.hieu, "--speaker", Seed.hieu).out)
        try daemon.ctl("session", "add", ids[0], "Phát biểu của lãnh đạo tỉnh", "--start", "3/3/2017 8h00", "--end", "3/3/2017 8h30", "--speaker", Seed.tam)
        for id in ids {
            let stored = try daemon.ctl("show", id, "--json").json(EventView.self)
            for method in ["publish", "request", "cancel"] {
                let parsed = try python([PythonEvent].self, ["parse", try daemon.exportICS(id, method: method)])
                let main = try #require(parsed.first { $0.uid == stored.uid })
                #expect(main.method == method.uppercased())
                #expect(main.summary == stored.title)
                #expect(main.sequence == stored.sequence)
                if stored.allDay {
                    #expect(main.start == .date(String(stored.start.prefix(10))))
                } else {
                    #expect(main.start == .instant(epoch(stored.start)), "DTSTART of \(stored.kind) as Python reads it")
                    #expect(main.end == .instant(epoch(stored.end)))
                    #expect(main.tzid == "Asia/Ho_Chi_Minh")
                }
                #expect(main.status == (method == "cancel" ? "CANCELLED" : "CONFIRMED"))
                #expect(main.alarms == (method == "cancel" ? 0 : 2), "the config's default reminders")
                let people = Set(main.attendees.map(\.cn) + [main.organizer?.cn].compactMap { $0 })
                #expect(people == Set(stored.participants.map(\.name)))
                #expect(parsed.count == 1 + stored.sessions.count, "one VEVENT per session")
            }
        }
        let signing = try python([PythonEvent].self, ["parse", try daemon.exportICS(ids[5])])[0]
        #expect(signing.attendees.first?.eventdRoles == ["speaker", "witness"])
        #expect(signing.attendees.first?.cn == "Phan Chí Hiếu")
    }

    @Test func pythonExpandsExactlyTheOccurrencesEventctlLists() throws {
        let daemon = try TestDaemon()
        let rules: [[String]] = [
            ["Giao ban thứ Hai", "--start", "6/3/2017 8h00", "--rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=10"],
            ["Họp thứ Sáu đầu tháng", "--start", "3/3/2017 14h00", "--rrule", "FREQ=MONTHLY;BYDAY=1FR;COUNT=8"],
            ["Họp thứ Ba và thứ Năm", "--start", "7/3/2017 9h30", "--rrule", "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20170430T170000Z"],
            ["Giao ban có ngày nghỉ", "--start", "6/3/2017 16h00", "--rrule", "FREQ=WEEKLY;COUNT=6", "--exdate", "13/3/2017 16h00", "--exdate", "27/3/2017 16h00"],
            ["Họp cuối tháng", "--start", "31/3/2017 8h00", "--rrule", "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20171231"],
            ["Réunion à Paris", "--start", "20/3/2017 9h00", "--tz", "Europe/Paris", "--rrule", "FREQ=WEEKLY;COUNT=4"],
            ["Hội thảo hằng năm", "--start", "5/7/2017", "--rrule", "FREQ=YEARLY;COUNT=3", "--exdate", "5/7/2018"],
        ]
        var files: [String] = []
        for rule in rules {
            let add = try daemon.ctl(["add", rule[0], "--kind", "meeting"] + rule.dropFirst())
            #expect(add.status == 0, "\(add)")
            files.append(try daemon.exportICS(add.out))
        }
        let from = "1/3/2017", to = "1/1/2020"
        let listed = try daemon.ctl("list", "--from", from, "--to", to, "--json").json([EventView].self)
        let ours = Set(listed.map { Occurrence(uid: $0.uid, start: $0.allDay ? .date(String($0.start.prefix(10))) : .instant(epoch($0.start))) })
        let window = [String(epoch("2017-03-01T00:00:00+07:00")), String(epoch("2020-01-02T00:00:00+07:00"))]
        let theirs = Set(try python([Occurrence].self, ["expand"] + window + files))
        #expect(ours == theirs)
        #expect(listed.filter { $0.title == "Giao ban thứ Hai" }.count == 10)
        #expect(listed.filter { $0.title == "Giao ban có ngày nghỉ" }.count == 4)
        #expect(!listed.contains { $0.recurrenceId == "2017-03-13T16:00:00+07:00" })
        let paris = listed.filter { $0.tz == "Europe/Paris" }.map(\.start)
        #expect(paris == ["2017-03-20T09:00:00+01:00", "2017-03-27T09:00:00+02:00", "2017-04-03T09:00:00+02:00", "2017-04-10T09:00:00+02:00"],
                "weekly keeps 09:00 across the change to summer time")
        #expect(listed.filter { $0.title == "Hội thảo hằng năm" }.map(\.start) == ["2017-07-05T00:00:00+07:00", "2019-07-05T00:00:00+07:00"])
    }

    @Test func exportImportExportKeepsTheSubstance() throws {
        let source = try TestDaemon()
        let conference = try source.ctl(Seed.conference + ["--organizer", "Sở Tư pháp tỉnh Thái Nguyên <stp@thainguyen.gov.vn>", "--speaker", Seed.hieu]).out
        try source.ctl("session", "add", conference, "Phát biểu của lãnh đạo tỉnh", "--start", "3/3/2017 8h00", "--end", "3/3/2017 8h30",
                       "--speaker", Seed.tam, "--chair", Seed.chair, "--room", "Hội trường A")
        try source.ctl("session", "add", conference, "Trình bày dự thảo kế hoạch", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h00", "--speaker", Seed.hien)
        let weekly = try source.ctl("add", "Giao ban thứ Hai", "--kind", "meeting", "--start", "6/3/2017 8h00", "--rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                                    "--exdate", "20/3/2017 8h00", "--attendee", "Trần Văn Dự <du@example.vn>", "--optional", "Lê Thị Tùy <tuy@example.vn>").out
        let workshop = try source.ctl(Seed.workshop).out
        let online = try source.ctl(Seed.online).out
        let visit = try source.ctl(Seed.visit).out
        let ids = [conference, weekly, workshop, online, visit]

        let target = try TestDaemon()
        var first: [String] = []
        for id in ids {
            let file = try source.exportICS(id)
            first.append(file)
            let imported = try target.ctl("import", file)
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.out == "created 1, updated 0, unchanged 0, skipped 0")
        }
        var second: [String] = []
        for event in try target.ctl("list", "--json").json([EventView].self) {
            second.append(try target.exportICS(String(event.id), name: "again-\(event.id)"))
        }
        func substance(_ files: [String]) throws -> [String: [String]] {
            var out: [String: [String]] = [:]
            for e in try python([PythonEvent].self, ["parse"] + files) {
                let people = (e.attendees + [e.organizer].compactMap { $0 }).map { "\($0.address) \($0.cn) \($0.role) \($0.eventdRoles)" }.sorted()
                out[e.uid] = ["\(e.start)", "\(String(describing: e.end))", e.tzid, e.summary, "\(e.rrule ?? "-")", "\(e.exdates)", "\(e.relatedTo)"] + people
            }
            return out
        }
        let before = try substance(first), after = try substance(second)
        #expect(before.count == 7, "five events and two sessions")
        #expect(before == after)
        let shown = try target.ctl("show", "1", "--json").json(EventView.self)
        #expect(shown.sessions.map(\.room) == ["Hội trường A", nil])
        #expect(shown.description == (try source.ctl("show", conference, "--json").json(EventView.self).description), "the timetable is not read back as description")
    }

    @Test func reimportUpdatesByUIDAndNeverGoesBackInSequence() throws {
        let daemon = try TestDaemon()
        let file = daemon.directory + "/giao-uoc.ics"
        func write(sequence: Int, summary: String, location: String) throws {
            try """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                PRODID:-//Sở Tư pháp Thái Nguyên//lịch//VI\r
                BEGIN:VEVENT\r
                UID:giao-uoc-2017@stp.thainguyen.gov.vn\r
                DTSTAMP:20170301T000000Z\r
                SEQUENCE:\(sequence)\r
                SUMMARY:\(summary)\r
                LOCATION:\(location)\r
                DTSTART;TZID=Asia/Ho_Chi_Minh:20170303T080000\r
                DTEND;TZID=Asia/Ho_Chi_Minh:20170303T113000\r
                ORGANIZER;CN=Sở Tư pháp tỉnh Thái Nguyên:mailto:stp@thainguyen.gov.vn\r
                ATTENDEE;CN=Phan Chí Hiếu;ROLE=NON-PARTICIPANT:mailto:hieu@moj.gov.vn\r
                ATTENDEE;CN=Nhữ Văn Tâm;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:tam@thainguyen.gov.vn\r
                END:VEVENT\r
                END:VCALENDAR\r

                """.write(toFile: file, atomically: true, encoding: .utf8)
        }
        try write(sequence: 2, summary: "Hội nghị ký giao ước thi đua năm 2017", location: "Thái Nguyên")
        #expect(try daemon.ctl("import", file).out == "created 1, updated 0, unchanged 0, skipped 0")
        var event = try daemon.ctl("show", "1", "--json").json(EventView.self)
        #expect(event.uid == "giao-uoc-2017@stp.thainguyen.gov.vn")
        #expect(event.sequence == 2)
        #expect(event.start == "2017-03-03T08:00:00+07:00")
        #expect(Set(event.participants.map { "\($0.name) \($0.role)" }) == ["Sở Tư pháp tỉnh Thái Nguyên organizer", "Phan Chí Hiếu witness", "Nhữ Văn Tâm attendee"])
        #expect(event.participants.first { $0.name == "Nhữ Văn Tâm" }?.rsvp == "accepted")

        try write(sequence: 3, summary: "Hội nghị ký giao ước thi đua năm 2017 (dời địa điểm)", location: "Hà Nội")
        #expect(try daemon.ctl("import", file).out == "created 0, updated 1, unchanged 0, skipped 0")
        event = try daemon.ctl("show", "1", "--json").json(EventView.self)
        #expect(event.location == "Hà Nội")
        #expect(event.sequence == 3)

        try write(sequence: 1, summary: "Bản cũ", location: "Nơi cũ")
        let stale = try daemon.ctl("import", file)
        #expect(stale.stdout.contains("skipped giao-uoc-2017@stp.thainguyen.gov.vn: the register holds SEQUENCE 3, newer than the file's 1"))
        #expect(try daemon.ctl("show", "1", "--json").json(EventView.self).location == "Hà Nội")
        #expect(try daemon.ctl("list", "--json").json([EventView].self).count == 1, "no duplicates")
        #expect(try daemon.ctl("person", "list", "--json").json([PersonView].self).count == 3)
        let json = try daemon.ctl("import", file, "--json").json(ImportResult.self)
        #expect(json.skipped.map(\.uid) == ["giao-uoc-2017@stp.thainguyen.gov.vn"])
    }

    @Test func malformedAndHostileFilesAreRefusedAndChangeNothing() throws {
        let daemon = try TestDaemon(config: "max_import_bytes = 2097152\n")
        try daemon.ctl(Seed.conference)
        let before = try daemon.snapshot()
        let head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        func vevent(_ uid: String, _ lines: String) -> String {
            "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20170301T000000Z\r\n\(lines)END:VEVENT\r\n"
        }
        let good = vevent("ok@test", "SUMMARY:Họp\r\nDTSTART:20170303T010000Z\r\nDTEND:20170303T020000Z\r\n")
        let cases: [(String, String, String)] = [
            ("unterminated", head + good + "BEGIN:VEVENT\r\nUID:open@test\r\nSUMMARY:Không kết thúc\r\n", "line 11, VEVENT: BEGIN:VEVENT is never closed"),
            ("bad date", head + good + vevent("bad-date@test", "SUMMARY:Ngày sai\r\nDTSTART:20170231T080000Z\r\n") + "END:VCALENDAR\r\n", "bad-date@test"),
            ("garbage date", head + vevent("garbage@test", "SUMMARY:Họp\r\nDTSTART:mai nhé\r\n") + "END:VCALENDAR\r\n", "garbage@test"),
            // A VEVENT without SUMMARY and a SUMMARY with an escaped line break are valid (RealCalendarTests).
            ("end before start", head + vevent("backwards@test", "SUMMARY:Ngược\r\nDTSTART:20170303T020000Z\r\nDTEND:20170303T010000Z\r\n") + "END:VCALENDAR\r\n",
             "line 9, VEVENT \"backwards@test\": the event ends before it starts"),
            ("million occurrences", head + vevent("million@test", "SUMMARY:Họp\r\nDTSTART:20170303T010000Z\r\nRRULE:FREQ=DAILY;COUNT=1000000\r\n") + "END:VCALENDAR\r\n", "COUNT=1000000 is more occurrences"),
            ("every second", head + vevent("secondly@test", "SUMMARY:Họp\r\nDTSTART:20170303T010000Z\r\nRRULE:FREQ=SECONDLY\r\n") + "END:VCALENDAR\r\n", "at most hourly"),
            ("bad rule", head + vevent("badrule@test", "SUMMARY:Họp\r\nDTSTART:20170303T010000Z\r\nRRULE:FREQ=SOMETIMES\r\n") + "END:VCALENDAR\r\n", "badrule@test"),
            ("unknown zone", head + vevent("zone@test", "SUMMARY:Họp\r\nDTSTART;TZID=Mars/Olympus:20170303T080000\r\n") + "END:VCALENDAR\r\n", "Mars/Olympus"),
            ("not a calendar", "Xin chào, đây không phải lịch.\r\n", "VCALENDAR"),
        ]
        for (name, text, message) in cases {
            let file = daemon.directory + "/\(name.replacingOccurrences(of: " ", with: "-")).ics"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try daemon.ctl("import", file)
            #expect(result.status == 65, "\(name): \(result)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stderr.contains("nothing was changed"), "\(name)")
        }
        // 10 MB in one SUMMARY: over the import limit, refused before it is parsed.
        let huge = daemon.directory + "/huge.ics"
        try (head + vevent("huge@test", "SUMMARY:" + String(repeating: "Hội nghị ", count: 900_000) + "\r\nDTSTART:20170303T010000Z\r\n") + "END:VCALENDAR\r\n")
            .write(toFile: huge, atomically: true, encoding: .utf8)
        let tooBig = try daemon.ctl("import", huge)
        #expect(tooBig.status == 65)
        #expect(tooBig.stderr.contains("larger than the limit of 2097152 bytes (max_import_bytes)"), "\(tooBig.stderr)")
        #expect(try daemon.snapshot() == before)
        #expect(try daemon.ctl("import", daemon.directory + "/missing.ics").status == 66)
    }

    @Test func icsOverTheAPIAndBadRules() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        let reply = try daemon.curl("-i", "http://localhost/v1/events/\(id).ics?method=request")
        #expect(reply.status == 200)
        #expect(reply.body.lowercased().contains("content-type: text/calendar; charset=utf-8; method=request"))
        #expect(reply.body.contains("METHOD:REQUEST\r\n"))
        #expect(reply.body.contains("RSVP=TRUE"))
        #expect(try daemon.curl("http://localhost/v1/events/\(id).ics?method=reply").status == 400)
        #expect(try daemon.curl("http://localhost/v1/events/999.ics").status == 404)

        let before = try daemon.snapshot()
        for (rule, message) in [("FREQ=WEEKLY;BYDAY=XX", "libical cannot read it"), ("FREQ=MINUTELY", "at most hourly"), ("COUNT=3", "FREQ"),
                                ("FREQ=DAILY;COUNT=5;UNTIL=20170401T000000Z", "cannot read it")] {
            let result = try daemon.ctl("update", id, "--rrule", rule)
            #expect(result.status == 1, "\(rule)")
            #expect(result.stderr.contains(message), "\(rule): \(result.stderr)")
        }
        let exdateAlone = try daemon.ctl("update", id, "--exdate", "10/3/2017 8h00")
        #expect(exdateAlone.stderr.contains("only a recurring event"))
        #expect(try daemon.snapshot() == before)

        // A rule can be set, shown, and taken off again; each raises the sequence.
        var event = try daemon.ctl("update", id, "--rrule", "FREQ=WEEKLY;COUNT=3", "--json").json(EventView.self)
        #expect(event.rrule == "FREQ=WEEKLY;COUNT=3")
        #expect(event.sequence == 1)
        #expect(try daemon.ctl("show", id).stdout.contains("Repeats:    FREQ=WEEKLY;COUNT=3"))
        event = try daemon.ctl("update", id, "--rrule", "", "--json").json(EventView.self)
        #expect(event.rrule == nil)
        #expect(event.sequence == 2)
    }
}
