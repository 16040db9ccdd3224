import EventAPI
import Foundation
import Testing

/// Whole days stay dates whatever the zone's clock does on them, ends in a fall-back hour name one
/// instant, and what eventd exports of a series reads as `eventctl list` lists it (issue 20).
@Suite struct TimeEdgesTests {
    /// A DST day in zones on both sides of UTC, and one without DST: (zone, day, its length in hours).
    static let days: [(zone: String, day: String, hours: Int)] = [
        ("America/New_York", "10/3/2024", 23), ("America/New_York", "3/11/2024", 25),
        ("Europe/Paris", "31/3/2024", 23), ("Europe/Paris", "27/10/2024", 25),
        ("Australia/Sydney", "6/10/2024", 23), ("Australia/Sydney", "7/4/2024", 25),
        ("Asia/Ho_Chi_Minh", "10/3/2024", 24),
    ]

    func iso(_ day: String) -> String {
        let p = day.split(separator: "/").map { Int($0)! }
        return String(format: "%04d%02d%02d", p[2], p[1], p[0])
    }

    func nextDate(_ day: String, plus: Int = 1) -> String {
        let p = day.split(separator: "/").map { Int($0)! }
        var c = DateComponents()
        (c.year, c.month, c.day) = (p[2], p[1], p[0] + plus)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let d = calendar.dateComponents([.year, .month, .day], from: calendar.date(from: c)!)
        return String(format: "%04d%02d%02d", d.year!, d.month!, d.day!)
    }

    @Test func aWholeDayOnADSTDayIsOneDayInEveryCommandAndExport() throws {
        let daemon = try TestDaemon()
        for (zone, day, hours) in Self.days {
            let id = try daemon.ctl("add", "Ngày \(day) \(zone)", "--kind", "workshop", "--start", day, "--tz", zone, "--remind", "none").out
            let event = try daemon.ctl("show", id, "--json").json(EventView.self)
            let start = try #require(ISO8601DateFormatter().date(from: event.start)), end = try #require(ISO8601DateFormatter().date(from: event.end))
            #expect(Int(end.timeIntervalSince(start)) == hours * 3600, "\(zone) \(day): stored \(event.start) – \(event.end)")
            #expect(event.end.dropFirst(11).hasPrefix("00:00:00"), "\(zone) \(day): the end is the next local midnight: \(event.end)")
            let ics = try daemon.ctl("ics", id).out
            #expect(ics.contains("DTSTART;VALUE=DATE:\(iso(day))") && ics.contains("DTEND;VALUE=DATE:\(nextDate(day))"), "\(zone) \(day):\n\(ics)")
            // show, list and list's terminal table name the one day alike.
            let shown = try daemon.ctl("show", id).out
            let date = day.split(separator: "/").map { $0.count == 1 ? "0" + $0 : String($0) }.joined(separator: "/")
            #expect(shown.contains("When:       \(date) (\(zone), whole days)"), "\(shown)")
            let list = try daemon.ctl("list", "--from", day, "--to", day).out
            let row = list.split(separator: "\n").first { $0.contains(zone) && $0.contains("Ngày \(day)") }.map(String.init) ?? ""
            #expect(row.components(separatedBy: "  ").filter { !$0.isEmpty }.prefix(3).map { $0.trimmingCharacters(in: .whitespaces) } == [id, date, date], "\(list)")
            // Two days by --duration 2d, and by --end: two dates, the last one included.
            let two = try daemon.ctl("add", "Hai ngày \(zone)", "--kind", "workshop", "--start", day, "--duration", "2d", "--tz", zone, "--remind", "none").out
            let twoICS = try daemon.ctl("ics", two).out
            #expect(twoICS.contains("DTEND;VALUE=DATE:\(nextDate(day, plus: 2))"), "\(twoICS)")
            let twoShown = try daemon.ctl("show", two).out
            #expect(twoShown.contains("When:       \(date) – "), "\(twoShown)")
            #expect(!twoShown.contains("exclusive"), "\(twoShown)")
        }
        // A weekly whole-day series over New York's spring-forward day: each occurrence one day.
        let series = try daemon.ctl("add", "Giao ban tuần", "--kind", "meeting", "--start", "3/3/2024", "--tz", "America/New_York",
                                    "--rrule", "FREQ=WEEKLY;COUNT=3", "--remind", "none").out
        let occurrences = try daemon.ctl("list", "--from", "1/3/2024", "--to", "31/3/2024", "--json").json([EventView].self).filter { String($0.id) == series }
        #expect(occurrences.map { "\($0.start.prefix(10))/\($0.end.prefix(10))" } == ["2024-03-03/2024-03-04", "2024-03-10/2024-03-11", "2024-03-17/2024-03-18"])
        #expect(occurrences.allSatisfy { $0.end.dropFirst(11).hasPrefix("00:00:00") }, "\(occurrences.map(\.end))")
    }

    @Test func aFallBackDaysWholeDayEventListsItsOwnDayNotTheDayBefore() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl("add", "Hội nghị mùa thu", "--kind", "conference", "--start", "3/11/2024", "--tz", "America/New_York", "--remind", "none").out
        let list = try daemon.ctl("list", "--from", "1/11/2024", "--to", "30/11/2024").out
        let row = list.split(separator: "\n").first { $0.hasPrefix(id + " ") }.map(String.init) ?? ""
        #expect(row.contains("03/11/2024  03/11/2024"), "\(list)")
    }

    @Test func anEndInAFallBackHourIsWrittenAsTheOneInstantItIs() throws {
        let daemon = try TestDaemon()
        // 00:30 to 01:30 EDT on 3 November 2024: 01:30 is also 01:30 EST an hour later.
        let id = try daemon.ctl("add", "Trực ban đêm", "--kind", "meeting", "--start", "2024-11-03T00:30:00-04:00", "--end", "2024-11-03T01:30:00-04:00",
                                "--tz", "America/New_York", "--remind", "none").out
        let ics = try daemon.ctl("ics", id).out
        #expect(ics.contains("DTSTART;TZID=America/New_York:20241103T003000"), "\(ics)")
        #expect(ics.contains("DTEND:20241103T053000Z"), "the end in UTC: \(ics)")
        // And the second 01:30 (EST) likewise.
        let late = try daemon.ctl("add", "Trực ban đêm 2", "--kind", "meeting", "--start", "2024-11-03T00:30:00-04:00", "--end", "2024-11-03T01:30:00-05:00",
                                  "--tz", "America/New_York", "--remind", "none").out
        #expect(try daemon.ctl("ics", late).out.contains("DTEND:20241103T063000Z"))
        // An end outside the overlap stays on the zone's clock.
        let plain = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "2024-11-03T08:00:00-05:00", "--end", "2024-11-03T09:00:00-05:00",
                                   "--tz", "America/New_York", "--remind", "none").out
        #expect(try daemon.ctl("ics", plain).out.contains("DTEND;TZID=America/New_York:20241103T090000"))
    }

    /// Imports `body` and gives the export of its one series and eventd's listed starts.
    func roundTrip(_ daemon: TestDaemon, _ body: String, from: String, to: String) throws -> (ics: String, starts: [String]) {
        let path = daemon.directory + "/in-\(UUID().uuidString.prefix(6)).ics"
        try body.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        let imported = try daemon.ctl("import", path)
        try #require(imported.status == 0, "\(imported)")
        let listed = try daemon.ctl("list", "--from", from, "--to", to, "--all", "--json").json([EventView].self)
        let id = try #require(listed.first?.id)
        return (try daemon.ctl("ics", String(id)).out, listed.map(\.start))
    }

    static func calendar(_ vevent: String) -> String {
        """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//test//issue 20//EN
        BEGIN:VEVENT
        \(vevent)
        END:VEVENT
        END:VCALENDAR

        """
    }

    @Test func anOutlookDateTimeExdateOnAWholeDaySeriesIsAppliedAndWrittenAsADate() throws {
        let daemon = try TestDaemon()
        let (ics, starts) = try roundTrip(daemon, Self.calendar("""
            UID:outlook-exdate
            SUMMARY:Whole days
            DTSTART;VALUE=DATE:20240304
            DTEND;VALUE=DATE:20240305
            RRULE:FREQ=DAILY;COUNT=4
            EXDATE:20240305T000000Z
            """), from: "2024-03-01", to: "2024-03-31")
        #expect(starts.map { String($0.prefix(10)) } == ["2024-03-04", "2024-03-06", "2024-03-07"], "\(starts)")
        #expect(ics.contains("EXDATE;VALUE=DATE:20240305"), "\(ics)")
    }

    @Test func aDateExdateOnATimedSeriesIsWrittenAsThatDaysOccurrence() throws {
        let daemon = try TestDaemon()
        let (ics, starts) = try roundTrip(daemon, Self.calendar("""
            UID:date-exdate
            SUMMARY:Timed
            DTSTART;TZID=Europe/Paris:20240304T090000
            DTEND;TZID=Europe/Paris:20240304T100000
            RRULE:FREQ=DAILY;COUNT=3
            EXDATE;VALUE=DATE:20240305
            """), from: "2024-03-01", to: "2024-03-31")
        #expect(starts.count == 2, "\(starts)")
        #expect(ics.contains("EXDATE;TZID=Europe/Paris:20240305T090000"), "\(ics)")
        #expect(!ics.contains("EXDATE;VALUE=DATE"), "\(ics)")
    }

    @Test func aDateOrFloatingUntilOnAZonedSeriesIsWrittenInUTC() throws {
        let daemon = try TestDaemon()
        for until in ["20240306", "20240306T090000"] {
            let (ics, starts) = try roundTrip(daemon, Self.calendar("""
                UID:until-\(until)
                SUMMARY:Until
                DTSTART;TZID=America/New_York:20240304T090000
                DTEND;TZID=America/New_York:20240304T100000
                RRULE:FREQ=DAILY;UNTIL=\(until)
                """), from: "2024-03-01", to: "2024-03-31")
            #expect(starts.count == 3, "\(until): \(starts)")
            let expected = until.count == 8 ? "UNTIL=20240307T045959Z" : "UNTIL=20240306T140000Z"
            #expect(ics.contains(expected), "\(until): \(ics)")
            for line in try daemon.ctl("list", "--json").json([EventView].self) { _ = try daemon.ctl("delete", String(line.id)) }
        }
        // A whole-day series' UTC UNTIL is written as its date.
        let (ics, starts) = try roundTrip(daemon, Self.calendar("""
            UID:until-days
            SUMMARY:Days
            DTSTART;VALUE=DATE:20240304
            RRULE:FREQ=DAILY;UNTIL=20240306T000000Z
            """), from: "2024-03-01", to: "2024-03-31")
        #expect(starts.count == 3, "\(starts)")
        #expect(ics.contains("UNTIL=20240306;") || ics.contains("UNTIL=20240306\r"), "\(ics)")
    }

    @Test func anOverrideOfNoOccurrenceIsNotPublished() throws {
        let daemon = try TestDaemon()
        let body = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//test//issue 20//EN
            BEGIN:VEVENT
            UID:stray-override
            SUMMARY:Weekly
            DTSTART;TZID=Asia/Ho_Chi_Minh:20240304T090000
            DTEND;TZID=Asia/Ho_Chi_Minh:20240304T100000
            RRULE:FREQ=WEEKLY;COUNT=3
            END:VEVENT
            BEGIN:VEVENT
            UID:stray-override
            RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20240305T090000
            SUMMARY:Moved (no such occurrence)
            DTSTART;TZID=Asia/Ho_Chi_Minh:20240306T090000
            DTEND;TZID=Asia/Ho_Chi_Minh:20240306T100000
            END:VEVENT
            END:VCALENDAR

            """
        let (ics, starts) = try roundTrip(daemon, body, from: "2024-03-01", to: "2024-03-31")
        #expect(starts.count == 3)
        #expect(!ics.contains("RECURRENCE-ID"), "\(ics)")
    }

    @Test func aStartOffItsRuleWithCountIsWrittenAsAnRdateAndTheRuleFromItsFirstMatch() throws {
        let daemon = try TestDaemon()
        // Wednesday 6 March, then Mondays: eventd counts the Wednesday as one of COUNT=3.
        let (ics, starts) = try roundTrip(daemon, Self.calendar("""
            UID:off-rule
            SUMMARY:Off rule
            DTSTART;TZID=Asia/Ho_Chi_Minh:20240306T090000
            DTEND;TZID=Asia/Ho_Chi_Minh:20240306T100000
            RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3
            """), from: "2024-03-01", to: "2024-04-30")
        #expect(starts == ["2024-03-06T09:00:00+07:00", "2024-03-11T09:00:00+07:00", "2024-03-18T09:00:00+07:00"], "\(starts)")
        #expect(ics.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20240311T090000"), "\(ics)")
        #expect(ics.contains("COUNT=2"), "\(ics)")
        #expect(ics.contains("RDATE;TZID=Asia/Ho_Chi_Minh:20240306T090000"), "\(ics)")
        // Read back, the register lists the same three.
        let again = daemon.directory + "/again.ics"
        try ics.write(toFile: again, atomically: true, encoding: .utf8)
        for e in try daemon.ctl("list", "--json").json([EventView].self) { _ = try daemon.ctl("delete", String(e.id)) }
        #expect(try daemon.ctl("import", again).status == 0)
        let listed = try daemon.ctl("list", "--from", "2024-03-01", "--to", "2024-04-30", "--all", "--json").json([EventView].self)
        #expect(listed.map(\.start) == starts)
    }
}
