import EventAPI
import Foundation
import Testing

/// Issue 11 end to end: what real calendars do to the running eventd, and the CLI for single
/// occurrences and exception dates.
@Suite struct RealCalendarImportTests {
    static let head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"

    static func vevent(_ uid: String, _ lines: String...) -> String {
        "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20260101T000000Z\r\n" + lines.map { $0 + "\r\n" }.joined() + "END:VEVENT\r\n"
    }

    /// POST /v1/import with curl: the status and the body.
    func post(_ daemon: TestDaemon, _ text: String, name: String) throws -> (status: Int, body: String) {
        let file = daemon.directory + "/\(name).ics"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return try daemon.curl("-X", "POST", "-H", "Content-Type: text/calendar", "--data-binary", "@" + file, "http://localhost/v1/import")
    }

    @Test func impossibleDatesAndRulesAre400sNamingTheLineAndEventdLivesOn() throws {
        let daemon = try TestDaemon()
        let cases: [(String, String, String)] = [
            ("month13", Self.vevent("m13@test", "SUMMARY:Họp", "DTSTART:20171303T080000Z"), "line 8, VEVENT \\\"m13@test\\\": DTSTART \\\"20171303T080000\\\""),
            ("month00-date", Self.vevent("m00@test", "SUMMARY:Họp", "DTSTART;VALUE=DATE:20170003"), "line 8, VEVENT \\\"m00@test\\\": DTSTART"),
            ("month13-dtend", Self.vevent("e13@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "DTEND:20171303T090000Z"), "line 9, VEVENT \\\"e13@test\\\": DTEND"),
            ("month13-exdate", Self.vevent("x13@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20171304T080000Z"),
             "line 10, VEVENT \\\"x13@test\\\": EXDATE"),
            ("month13-rid", Self.vevent("r13@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RECURRENCE-ID:20171303T080000Z"),
             "line 9, VEVENT \\\"r13@test\\\": RECURRENCE-ID"),
            ("byday6", Self.vevent("d6@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=MONTHLY;BYDAY=6MO"), "a month has at most 5 of each weekday"),
            ("byweekno54", Self.vevent("w54@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=YEARLY;BYWEEKNO=54"), "BYWEEKNO must be"),
            ("byyearday", Self.vevent("y400@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=YEARLY;BYYEARDAY=400"), "BYYEARDAY must be"),
            ("bymonth13", Self.vevent("b13@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=YEARLY;BYMONTH=13"), "BYMONTH must be 1 to 12"),
            ("feb30", Self.vevent("f30@test", "SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), "February has no 30th"),
        ]
        for (name, body, message) in cases {
            let (status, text) = try post(daemon, Self.head + body + "END:VCALENDAR\r\n", name: name)
            #expect(status == 400, "\(name): \(status) \(text)")
            #expect(text.contains(message), "\(name): \(text)")
        }
        #expect(try daemon.ctl("status").status == 0, "eventd still answers")
        #expect(try daemon.ctl("list", "--json").json([EventView].self).isEmpty)
    }

    @Test func filesRFC5545AllowsAreImported() throws {
        let daemon = try TestDaemon()
        let text = Self.head + "X-WR-CALDESC:\r\n"
            + Self.vevent("nosummary@test", "DTSTART:20260303T010000Z", "DTEND:20260303T020000Z")
            + Self.vevent("empty@test", "SUMMARY:Trống", "DESCRIPTION:", "LOCATION:", "CATEGORIES:", "DTSTART:20260304T010000Z")
            + Self.vevent("address@test", "SUMMARY:Địa chỉ", "LOCATION:Sở Tư pháp\\n12 Hoàng Văn Thụ", "DTSTART:20260305T010000Z", "DTEND:20260305T020000Z")
            + Self.vevent("floating-end@test", "SUMMARY:Berlin", "DTSTART;TZID=Europe/Berlin:20260306T080000", "DTEND:20260306T100000")
            + Self.vevent("windows@test", "SUMMARY:Outlook", "DTSTART;TZID=SE Asia Standard Time:20260307T080000", "DTEND;TZID=SE Asia Standard Time:20260307T090000")
            + "END:VCALENDAR\r\n"
        let (status, body) = try post(daemon, text, name: "valid")
        #expect(status == 200, "\(body)")
        let result = try JSONDecoder().decode(ImportResult.self, from: Data(body.utf8))
        #expect(result.created.count == 5 && result.skipped.isEmpty, "\(result)")
        let events = try daemon.ctl("list", "--json").json([EventView].self)
        let byUID = Dictionary(uniqueKeysWithValues: events.map { ($0.uid, $0) })
        #expect(byUID["nosummary@test"]?.title == "")
        #expect(byUID["empty@test"]?.start == byUID["empty@test"]?.end, "a DTSTART alone ends as it starts")
        #expect(byUID["address@test"]?.location == "Sở Tư pháp, 12 Hoàng Văn Thụ")
        #expect(byUID["floating-end@test"]?.end == "2026-03-06T10:00:00+01:00")
        #expect(byUID["windows@test"]?.tz == "Asia/Bangkok")
    }

    @Test func aFileOfChangedOccurrencesAloneImportsThemAndJoinsAKnownSeries() throws {
        let daemon = try TestDaemon()
        let only = Self.head
            + Self.vevent("series@test", "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20260309T080000", "SUMMARY:Giao ban (dời)",
                          "DTSTART;TZID=Asia/Ho_Chi_Minh:20260310T140000", "DTEND;TZID=Asia/Ho_Chi_Minh:20260310T150000")
            + "END:VCALENDAR\r\n"
        let (status, body) = try post(daemon, only, name: "only")
        #expect(status == 200 && body.contains("series@test"), "\(body)")
        var listed = try daemon.ctl("list", "--from", "1/3/2026", "--to", "31/3/2026", "--json").json([EventView].self)
        #expect(listed.map(\.start) == ["2026-03-10T14:00:00+07:00"], "\(listed)")

        // The series itself, then a change of one of its occurrences: the series stays, the occurrence moves.
        try daemon.ctl("delete", String(listed[0].id))
        let series = Self.head
            + Self.vevent("series@test", "SUMMARY:Giao ban", "DTSTART;TZID=Asia/Ho_Chi_Minh:20260302T080000", "DTEND;TZID=Asia/Ho_Chi_Minh:20260302T090000",
                          "RRULE:FREQ=WEEKLY;COUNT=4")
            + "END:VCALENDAR\r\n"
        #expect(try post(daemon, series, name: "series").status == 200)
        #expect(try post(daemon, only, name: "only-again").status == 200)
        listed = try daemon.ctl("list", "--from", "1/3/2026", "--to", "31/3/2026", "--json").json([EventView].self)
        #expect(listed.map(\.start) == ["2026-03-02T08:00:00+07:00", "2026-03-10T14:00:00+07:00", "2026-03-16T08:00:00+07:00", "2026-03-23T08:00:00+07:00"])
        #expect(listed[1].title == "Giao ban (dời)" && listed[0].title == "Giao ban")
        let ics = try daemon.ctl("ics", String(listed[0].id)).stdout
        #expect(unfoldedLines(ics).contains("RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20260309T080000"))
    }

    @Test func exceptionDatesAreAddedAndRemovedOneAtATimeAndOneOccurrenceChanges() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(
            "add", "Giao ban thứ Hai", "--kind", "meeting", "--start", "30/11/2026 8h00", "--duration", "1h", "--rrule", "FREQ=WEEKLY;COUNT=6",
            "--location", "Phòng họp 1", "--remind", "none").out
        func starts() throws -> [String] {
            try daemon.ctl("list", "--from", "1/11/2026", "--to", "31/1/2027", "--json").json([EventView].self).map(\.start)
        }
        #expect(try starts().count == 6)
        // A date alone takes out that day's occurrence (not midnight); a second one adds to the first.
        #expect(try daemon.ctl("update", id, "--exdate", "7/12/2026").status == 0)
        #expect(try daemon.ctl("update", id, "--exdate", "14/12/2026 8h00").status == 0)
        #expect(try starts() == ["2026-11-30T08:00:00+07:00", "2026-12-21T08:00:00+07:00", "2026-12-28T08:00:00+07:00", "2027-01-04T08:00:00+07:00"])
        let wrong = try daemon.ctl("update", id, "--exdate", "21/12/2026 9h00")
        #expect(wrong.status == 1 && wrong.stderr.contains("on 21/12/2026 they start at 08:00"), "\(wrong)")
        #expect(try daemon.ctl("update", id, "--remove-exdate", "7/12/2026").status == 0)
        #expect(try starts().contains("2026-12-07T08:00:00+07:00") && !(try starts()).contains("2026-12-14T08:00:00+07:00"))
        let ics = unfoldedLines(try daemon.ctl("ics", id).stdout)
        #expect(ics.contains("EXDATE;TZID=Asia/Ho_Chi_Minh:20261214T080000") && !ics.contains { $0.hasPrefix("EXDATE;VALUE=DATE") })

        // One occurrence moved, another cancelled: the rest of the series stays.
        let moved = try daemon.ctl("update", id, "--occurrence", "21/12/2026 8h00", "--start", "22/12/2026 14h00", "--location", "Hội trường")
        #expect(moved.status == 0, "\(moved)")
        #expect(try daemon.ctl("cancel", id, "--occurrence", "28/12/2026").status == 0)
        let listed = try daemon.ctl("list", "--from", "1/11/2026", "--to", "31/1/2027", "--json").json([EventView].self)
        #expect(listed.map(\.start) == ["2026-11-30T08:00:00+07:00", "2026-12-07T08:00:00+07:00", "2026-12-22T14:00:00+07:00",
                                        "2026-12-28T08:00:00+07:00", "2027-01-04T08:00:00+07:00"])
        #expect(listed[2].location == "Hội trường" && listed[2].end == "2026-12-22T15:00:00+07:00")
        #expect(listed[3].status == "cancelled" && listed[4].status == "confirmed")
        let written = unfoldedLines(try daemon.ctl("ics", id).stdout)
        #expect(written.contains("RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20261221T080000") && written.contains("RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20261228T080000"))
        let notThere = try daemon.ctl("update", id, "--occurrence", "23/12/2026 8h00", "--title", "x")
        #expect(notThere.status == 1 && notThere.stderr.contains("is not the start of one occurrence"), "\(notThere)")
    }

    @Test func aCancelOfOneOccurrenceCancelsThatOccurrenceOnly() throws {
        let daemon = try TestDaemon()
        let series = Self.head + "METHOD:REQUEST\r\n"
            + Self.vevent("weekly@test", "SUMMARY:Giao ban", "DTSTART;TZID=Asia/Ho_Chi_Minh:20260302T080000", "DTEND;TZID=Asia/Ho_Chi_Minh:20260302T090000",
                          "RRULE:FREQ=WEEKLY;COUNT=3", "SEQUENCE:0")
            + "END:VCALENDAR\r\n"
        #expect(try post(daemon, series, name: "series").status == 200)
        let cancel = Self.head + "METHOD:CANCEL\r\n"
            + Self.vevent("weekly@test", "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20260309T080000", "DTSTART;TZID=Asia/Ho_Chi_Minh:20260309T080000",
                          "SEQUENCE:1", "STATUS:CANCELLED")
            + "END:VCALENDAR\r\n"
        let (status, body) = try post(daemon, cancel, name: "cancel")
        #expect(status == 200 && body.contains("weekly@test"), "\(body)")
        let listed = try daemon.ctl("list", "--from", "1/3/2026", "--to", "31/3/2026", "--json").json([EventView].self)
        #expect(listed.map(\.status) == ["confirmed", "cancelled", "confirmed"], "\(listed.map(\.status))")
    }

    /// The inputs the fuzzer found crashes with, and the corpus, through the replay build of eventd-fuzz.
    @Test func fuzzFindingsAndTheCorpusRunThroughTheFuzzTarget() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let files = [tests.appendingPathComponent("Fuzz/crashes"), tests.appendingPathComponent("Corpus")].flatMap { dir in
            (FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".ics") }.map { dir.appendingPathComponent($0).path }
        }
        #expect(files.count > 100)
        let result = try run(binDirectory + "/eventd-fuzz", files, environment: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(result.status == 0 && result.out == "ran \(files.count) inputs", "\(result)")
        // The mail target: real answers (iMIP), the seeds, and its findings.
        let mails = ["EndToEndTests/iMIP", "Fuzz/mail", "Fuzz/crashes"].map { tests.appendingPathComponent($0) }.flatMap { dir in
            (FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".eml") }.map { dir.appendingPathComponent($0).path }
        }
        #expect(mails.count >= 10)
        let mail = try run(binDirectory + "/eventd-fuzz", mails, environment: ["SWIFT_BACKTRACE": "enable=no", "EVENTD_FUZZ_TARGET": "mail"])
        #expect(mail.status == 0 && mail.out == "ran \(mails.count) inputs", "\(mail)")
    }
}

/// Content lines with folds undone.
func unfoldedLines(_ text: String) -> [String] {
    text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
}
