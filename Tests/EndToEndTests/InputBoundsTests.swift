import EventAPI
import Foundation
import Synchronization
import Testing

/// Outside input costs bounded time: mail and calendars shaped to make eventd work without end
/// are refused within 2 s each, naming the bound, while other requests are answered; and a
/// SIGTERM during any of them, or during a long import or a hook, stops eventd within 10 s with
/// nothing half-written.
@Suite struct InputBoundsTests {
    static func calendar(_ body: String, zones: String = "") -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//bounds//VI\r\n\(zones)\(body)END:VCALENDAR\r\n"
    }

    static func event(_ lines: String, uid: String = "bounds@test") -> String {
        "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20220701T000000Z\r\nSUMMARY:Hội thảo tham vấn tại Cúc Phương\r\n\(lines)END:VEVENT\r\n"
    }

    static func zone(_ rule: String, start: String = "19700101T000000") -> String {
        "BEGIN:VTIMEZONE\r\nTZID:Lạ\r\nBEGIN:STANDARD\r\nDTSTART:\(start)\r\nRRULE:\(rule)\r\nTZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    }

    static let zoned = "DTSTART;TZID=Lạ:20220705T080000\r\nDTEND;TZID=Lạ:20220705T170000\r\n"

    /// Calendars whose work has no natural end, each with the words its refusal must name.
    static let calendars: [(name: String, text: String, says: String)] = [
        ("a zone rule every second", calendar(event(zoned), zones: zone("FREQ=SECONDLY")), "offset changes"),
        ("a zone rule every minute from 1601", calendar(event(zoned), zones: zone("FREQ=MINUTELY", start: "16010101T000000")), "offset changes"),
        ("a zone rule every day of every month", calendar(event(zoned), zones: zone("FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,5,9,13,17,21,25")), "offset changes"),
        ("a whole-day DURATION of 2^31 days", calendar(event("DTSTART;VALUE=DATE:20220705\r\nDURATION:P2147483648D\r\n")), "DURATION"),
        ("a DURATION of 2^40 seconds", calendar(event("DTSTART:20220705T010000Z\r\nDURATION:PT1099511627776S\r\n")), "DURATION"),
        ("weeks past the 32-bit range", calendar(event("DTSTART:20220705T010000Z\r\nDURATION:P9999999W\r\n")), "DURATION"),
        ("an RDATE period of a thousand years", calendar(event("DTSTART:20220705T010000Z\r\nRDATE;VALUE=PERIOD:20220706T010000Z/P365000D\r\n")), "longer than 100 years"),
        ("components nested 40 deep", calendar(event("DTSTART:20220705T010000Z\r\n" + String(repeating: "BEGIN:X-A\r\n", count: 40) + String(repeating: "END:X-A\r\n", count: 40))), "nested"),
        ("a property with 5,000 parameters", calendar(event("DTSTART:20220705T010000Z\r\nX-P" + String(repeating: ";X-Q=1", count: 5_000) + ":v\r\n")), "parameters"),
        ("20,000 VALARMs in one event", calendar(event("DTSTART:20220705T010000Z\r\n" + String(repeating: "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n", count: 20_000))), "components inside one VEVENT"),
        ("a zone rule every second that never matches", calendar(event(zoned), zones: zone("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", start: "20000101T000000")), "not yearly"),
        ("a zone rule every minute from 1601 that rarely matches", calendar(event(zoned), zones: zone("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0", start: "16010101T000000")), "not yearly"),
        ("a thousand daily observances", calendar(event(zoned), zones: "BEGIN:VTIMEZONE\r\nTZID:Lạ\r\n" + String(repeating: "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nRRULE:FREQ=DAILY;COUNT=4990\r\nTZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\n", count: 1_000) + "END:VTIMEZONE\r\n"), "not yearly"),
        ("yearly observances that give 26,000 changes in all", calendar(event(zoned), zones: "BEGIN:VTIMEZONE\r\nTZID:Lạ\r\n" + String(repeating: "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nRRULE:FREQ=YEARLY;BYMONTH=1,7\r\nTZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\n", count: 30) + "END:VTIMEZONE\r\n"), "in all"),
        ("a DESCRIPTION of 1.2 MB on one line", calendar(event("DTSTART:20220705T010000Z\r\nDESCRIPTION:" + String(repeating: "Hội thảo ", count: 100_000) + "\r\n")), "KiB"),
        ("500 VTIMEZONEs", calendar(event("DTSTART:20220705T010000Z\r\n"), zones: (0..<500).map { "BEGIN:VTIMEZONE\r\nTZID:Z\($0)\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" }.joined()), "VTIMEZONEs"),
    ]

    /// Messages shaped to make a MIME reader work without end, with the words of the refusal.
    static func mails() -> [(name: String, bytes: Data, says: String)] {
        func nested(_ depth: Int, each: String = "") -> Data {
            var body = "Content-Type: text/plain\r\n\r\nXin chào\r\n"
            for level in 0..<depth {
                let b = "=_\(level)"
                body = "Content-Type: multipart/mixed; boundary=\"\(b)\"\r\n\r\n\(each.replacingOccurrences(of: "B", with: b))--\(b)\r\n\(body)\r\n--\(b)--\r\n"
            }
            return Data("From: Nhữ Văn Tâm <tam@thainguyen.gov.vn>\r\nSubject: Trả lời\r\nMIME-Version: 1.0\r\n\(body)".utf8)
        }
        var wide = "From: tam@thainguyen.gov.vn\r\nContent-Type: multipart/mixed; boundary=W\r\n\r\n"
        wide += String(repeating: "--W\r\nContent-Type: text/plain\r\n\r\nx\r\n", count: 5_000) + "--W--\r\n"
        let headers = "From: tam@thainguyen.gov.vn\r\n" + String(repeating: "X-Loop: 1\r\n", count: 20_000) + "Content-Type: text/plain\r\n\r\nx\r\n"
        return [
            ("multipart nested 25 deep (1.9 KB)", nested(25), "nested more than"),
            ("multipart nested 400 deep", nested(400), "nested more than"),
            ("nested 12 deep, two siblings at each level", nested(12, each: "--B\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\r\n"), "nested more than"),
            ("5,000 parts side by side", Data(wide.utf8), "MIME parts"),
            ("20,000 header lines", Data(headers.utf8), "header lines"),
        ]
    }

    /// Runs `body` while another thread asks `eventctl status` over and over; returns the slowest answer.
    static func slowestStatus(of daemon: TestDaemon, during body: () throws -> Void) throws -> Double {
        let done = Mutex(false), slowest = Mutex(0.0)
        let watcher = Thread {
            while !done.withLock({ $0 }) {
                let started = Date()
                _ = try? daemon.ctl("status")
                let spent = Date().timeIntervalSince(started)
                slowest.withLock { $0 = max($0, spent) }
            }
        }
        watcher.start()
        defer { done.withLock { $0 = true } }
        try body()
        return slowest.withLock { $0 }
    }

    @Test func expansionHeavyCalendarsAndHugeDurationsAreRefusedWithinTwoSecondsEach() throws {
        let daemon = try TestDaemon()
        _ = try daemon.ctl(Seed.conference)
        let before = try daemon.snapshot()
        let slowest = try Self.slowestStatus(of: daemon) {
            for (name, text, says) in Self.calendars {
                let file = daemon.directory + "/bounds.ics"
                try text.write(toFile: file, atomically: true, encoding: .utf8)
                let started = Date()
                let result = try daemon.ctl("import", file)
                let spent = Date().timeIntervalSince(started)
                #expect(result.status == 65, "\(name): \(result)")
                #expect(result.stderr.contains(says) && result.stderr.contains("nothing was changed"), "\(name): \(result.stderr)")
                #expect(spent < 2, "\(name) took \(spent) s")
            }
        }
        #expect(slowest < 1, "eventctl status took \(slowest) s while the calendars were refused")
        #expect(try daemon.snapshot() == before, "a refused import changed nothing")
    }

    /// A rule that says HOURLY but gives several occurrences an hour is refused by add and
    /// skipped by import; the register then still lists every window.
    @Test func subHourlyRulesAreRefusedWhateverTheyAreWrittenAs() throws {
        let daemon = try TestDaemon()
        for rule in ["FREQ=HOURLY;BYMINUTE=0,15,30,45", "FREQ=DAILY;BYHOUR=8;BYMINUTE=0,30", "FREQ=HOURLY;BYSECOND=0,30"] {
            let result = try daemon.ctl("add", "Giao ban", "--kind", "meeting", "--start", "4/7/2022 8h00", "--rrule", rule)
            #expect(result.status == 1 && result.stderr.contains("at most hourly"), "\(rule): \(result)")
        }
        let file = daemon.directory + "/hourly.ics"
        try Self.calendar(
            Self.event("DTSTART:20220704T010000Z\r\nRRULE:FREQ=HOURLY;BYMINUTE=" + (0..<60).map(String.init).joined(separator: ",") + "\r\n")
                + Self.event("DTSTART:20220704T020000Z\r\n", uid: "fine@test")
        ).write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try daemon.ctl("import", file)
        #expect(imported.status == 0 && imported.stdout.contains("skipped 1") && imported.stdout.contains("at most hourly"), "\(imported)")
        #expect(try daemon.ctl("list", "--from", "4/7/2022", "--to", "6/7/2022").status == 0)
    }

    @Test func deepOrWideMailIsRefusedWithinTwoSecondsEach() throws {
        let daemon = try TestDaemon()
        let slowest = try Self.slowestStatus(of: daemon) {
            for (name, bytes, says) in Self.mails() {
                let started = Date()
                let result = try daemon.ctl(["mail-in"], input: bytes)
                let spent = Date().timeIntervalSince(started)
                #expect(result.status == 65, "\(name): \(result)")
                #expect(result.stderr.contains(says), "\(name): \(result.stderr)")
                #expect(spent < 2, "\(name) took \(spent) s")
            }
        }
        #expect(slowest < 1, "eventctl status took \(slowest) s while the mail was refused")
    }

    /// Several bad inputs at once, from several clients: each is refused and status still answers.
    @Test func badInputsAtOnceHoldUpNobody() throws {
        let daemon = try TestDaemon()
        let file = daemon.directory + "/secondly.ics"
        try Self.calendars[0].text.write(toFile: file, atomically: true, encoding: .utf8)
        let mail = Self.mails()[1].bytes
        let statuses = Mutex([Int32]())
        let slowest = try Self.slowestStatus(of: daemon) {
            DispatchQueue.concurrentPerform(iterations: 8) { n in
                let result = n % 2 == 0 ? try? daemon.ctl("import", file) : try? daemon.ctl(["mail-in"], input: mail)
                statuses.withLock { $0.append(result?.status ?? -1) }
            }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 65, count: 8))
        #expect(slowest < 1, "eventctl status took \(slowest) s")
    }

    /// The time from SIGTERM to eventd's exit.
    static func stopTime(_ daemon: TestDaemon) -> Double {
        let started = Date()
        daemon.stop(signal: SIGTERM)
        return Date().timeIntervalSince(started)
    }

    @Test func aSIGTERMDuringEachBadInputStopsEventdWithinTenSeconds() throws {
        let daemon = try TestDaemon()
        for (name, text, _) in Self.calendars {
            let file = daemon.directory + "/bounds.ics"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let client = Thread { _ = try? daemon.ctl("import", file) }
            client.start()
            usleep(20_000)
            let spent = Self.stopTime(daemon)
            #expect(spent < 10, "\(name): eventd took \(spent) s to stop")
            try daemon.start()
        }
        for (name, mail, _) in Self.mails() {
            let client = Thread { _ = try? daemon.ctl(["mail-in"], input: mail) }
            client.start()
            usleep(20_000)
            let spent = Self.stopTime(daemon)
            #expect(spent < 10, "\(name): eventd took \(spent) s to stop")
            try daemon.start()
        }
    }

    /// A long legitimate import cut short by SIGTERM: eventd stops within 10 s, the import is
    /// rolled back whole, and the log says what was cut short.
    @Test func aSIGTERMDuringALargeImportRollsItBackAndStops() throws {
        let daemon = try TestDaemon()
        let file = daemon.directory + "/export.ics"
        try ImportScaleTests.export(count: 20_000, prefix: "stop").write(toFile: file, atomically: true, encoding: .utf8)
        let answer = Mutex<Run?>(nil)
        let client = Thread { answer.withLock { $0 = try? daemon.ctl("import", file) } }
        client.start()
        usleep(1_500_000)
        let spent = Self.stopTime(daemon)
        #expect(spent < 10, "eventd took \(spent) s to stop during the import")
        let deadline = Date().addingTimeInterval(10)
        while answer.withLock({ $0 }) == nil, Date() < deadline { usleep(50_000) }
        let result = try #require(answer.withLock { $0 })
        print("import during SIGTERM: \(result.status), stop took \(spent) s")
        try daemon.start()
        let listed = try daemon.ctl("list", "--from", "1/1/2031", "--to", "31/12/2039", "--json").json([EventView].self)
        if result.status == 0 {
            // The import finished before the signal: then it is all there.
            #expect(listed.count == 20_000)
        } else {
            #expect([75, 74].contains(result.status), "\(result)")
            #expect(listed.isEmpty, "an import cut short left \(listed.count) events behind")
            let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
            #expect(log.contains("cut short"), "the log says what was cut short")
        }
    }

    /// A shell script as the daemon's mail hook, owned by its user; returns its path.
    static func hook(_ daemon: TestDaemon, _ body: String) throws -> String {
        let path = daemon.directory + "/hook.sh"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        DaemonUser.own(path)
        return path
    }

    /// `max_request_seconds` ends a legitimate but long import: a 400 naming the setting (exit
    /// 65), and nothing of it stored.
    @Test func anImportPastMaxRequestSecondsIsRefusedWhole() throws {
        let daemon = try TestDaemon(config: "max_request_seconds = 1\n")
        let file = daemon.directory + "/export.ics"
        try ImportScaleTests.export(count: 20_000, prefix: "budget").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try daemon.ctl("import", file)
        #expect(result.status == 65 && result.stderr.contains("max_request_seconds"), "\(result)")
        #expect(try daemon.ctl("list", "--from", "1/1/2031", "--to", "31/12/2039", "--json").json([EventView].self).isEmpty)
    }

    /// A hook past `hook_timeout` is ended with what it started, and the notice fails with the reason.
    @Test func aHookPastItsTimeoutIsEndedWithItsChildren() throws {
        let daemon = try TestDaemon(config: "hook_timeout = 1s\nmax_attempts = 1\n")
        let pidFile = daemon.directory + "/child.pid"
        try daemon.restart(extra: ["--mail-hook", try Self.hook(daemon, "cat > /dev/null\nsleep 300 &\necho $! > \(pidFile)\nexec sleep 60")])
        let id = try daemon.ctl(Seed.conference).out
        #expect(try daemon.ctl("invite", id).status == 0)
        let failed = try daemon.waitForNotices(seconds: 30) { !$0.isEmpty && $0.allSatisfy { $0.state == "failed" } }
        #expect(failed.allSatisfy { $0.lastError?.contains("longer than 1 s (hook_timeout)") == true }, "\(failed.map(\.lastError))")
        let child = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = Date().addingTimeInterval(10)
        func alive() -> Bool {
            guard kill(child, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
        }
        while alive(), Date() < deadline { usleep(20_000) }
        #expect(!alive(), "the hook's background child \(child) outlived its timeout")
    }

    /// A hook that takes its time is no reason to keep running: eventd stops within 10 s and
    /// the notice goes out after the restart.
    @Test func aSIGTERMWhileAHookRunsStopsWithinTenSeconds() throws {
        let daemon = try TestDaemon(config: "hook_timeout = 300s\n")
        let sent = daemon.directory + "/sent"
        let hook = try Self.hook(daemon, "if [ -e \(daemon.directory)/slow ]; then sleep 120; fi\ncat > /dev/null\necho sent >> \(sent)")
        _ = FileManager.default.createFile(atPath: daemon.directory + "/slow", contents: nil)
        try daemon.restart(extra: ["--mail-hook", hook])
        let id = try daemon.ctl(Seed.conference).out
        #expect(try daemon.ctl("invite", id).status == 0)
        let deadline = Date().addingTimeInterval(20)
        while !(try daemon.ctl("notices", "--json").stdout.contains("\"sending\"")), Date() < deadline { usleep(50_000) }
        let spent = Self.stopTime(daemon)
        #expect(spent < 10, "eventd took \(spent) s to stop while a hook ran")
        try FileManager.default.removeItem(atPath: daemon.directory + "/slow")
        try daemon.start()
        let sentBy = Date().addingTimeInterval(30)
        while (try? String(contentsOfFile: sent, encoding: .utf8)) == nil, Date() < sentBy { usleep(100_000) }
        #expect((try? String(contentsOfFile: sent, encoding: .utf8))?.contains("sent") == true, "the notice went out after the restart")
    }
}
