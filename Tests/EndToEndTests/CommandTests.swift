import EventAPI
import Foundation
import Testing

/// Every eventctl command against a real eventd, with the seed article's people and day-first dates.
@Suite struct CommandTests {
    /// Issue 20: fish offered the subcommands `publish` and `show` for `schedule --format`, as
    /// swift-argument-parser knows nothing of a default subcommand; make completions mends it.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/fish"), "needs fish (scripts/setup.sh installs it)"))
    func fishCompletesTheFormatsOfScheduleWithoutShow() throws {
        let script = FileManager.default.temporaryDirectory.path + "/eventctl-\(UUID().uuidString.prefix(6)).fish"
        defer { unlink(script) }
        let generated = try run(eventctlPath, ["--generate-completion-script", "fish"]).stdout
        let fixed = try run(repositoryRoot + "/scripts/fix-fish-completion.py", [], stdin: generated)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        try fixed.stdout.write(toFile: script, atomically: true, encoding: .utf8)
        func complete(_ line: String) throws -> [String] {
            try run("/usr/bin/fish", ["-c", "source \(script); complete -C '\(line)'"]).stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        }
        #expect(try complete("eventctl schedule --format ") == ["text", "html", "pdf", "json"])
        #expect(try complete("eventctl schedule show --format ") == ["text", "html", "pdf", "json"])
        #expect(try complete("eventctl schedule ").contains("publish"), "the subcommands are still offered where they belong")
    }

    /// Issue 20: `eventd --version` was refused as an unknown option.
    @Test func bothBinariesSayTheirVersion() throws {
        let eventd = try run(eventdPath, ["--version"])
        #expect(eventd.status == 0, "\(eventd)")
        #expect(eventd.out == DefaultPaths.version)
        #expect(try run(eventctlPath, ["--version"]).out == eventd.out)
    }

    @Test func addPrintsOnlyTheIDAndShowReadsItBack() throws {
        let daemon = try TestDaemon()
        let add = try daemon.ctl(Seed.conference)
        #expect(add.status == 0, "\(add)")
        #expect(add.out == "1")

        let event = try daemon.ctl("show", "1", "--json").json(EventView.self)
        #expect(event.title == Seed.conferenceTitle)
        #expect(event.kind == "conference")
        #expect(event.start == "2017-03-03T08:00:00+07:00")
        #expect(event.end == "2017-03-03T11:30:00+07:00")
        #expect(event.tz == "Asia/Ho_Chi_Minh")
        #expect(event.location == "Thái Nguyên")
        #expect(event.status == "confirmed")
        #expect(event.sequence == 0)
        #expect(event.uid.hasSuffix("@eventd"))
        #expect(event.description?.contains("\nKý giao ước") == true)
        let roles = Dictionary(grouping: event.participants, by: \.role).mapValues { $0.map(\.name).sorted() }
        #expect(roles["chair"] == ["Hoàng Văn Chủ Trì"])
        #expect(roles["speaker"] == ["Nhữ Văn Tâm", "Vũ Duy Hiển"])
        #expect(roles["witness"] == ["Phan Chí Hiếu"])
        #expect(event.participants.first { $0.name == "Phan Chí Hiếu" }?.email == "hieu@moj.gov.vn")

        let text = try daemon.ctl("show", "1")
        #expect(text.status == 0)
        #expect(text.stdout.contains("03/03/2017 08:00 – 03/03/2017 11:30 (Asia/Ho_Chi_Minh)"))
        #expect(text.stdout.contains("witness   Phan Chí Hiếu <hieu@moj.gov.vn>"))
        #expect(event.reminders == nil && text.stdout.contains("Reminders:  eventd's default_reminders"), "\(text.stdout)")

        // Reminders set on the event are shown as --remind takes them, and read back the same.
        #expect(try daemon.ctl("update", "1", "--remind", "1d", "--remind", "90m:speakers").status == 0)
        #expect(try daemon.ctl("show", "1", "--json").json(EventView.self).reminders == ["1d", "90m:speakers"])
        #expect(try daemon.ctl("show", "1").stdout.contains("Reminders:  1d, 90m:speakers"))
    }

    /// Issue 19: a typed WHEN took years up to about 2200 while import took libical's, up to 3000.
    /// An event in 2999 goes all the way through: add, show, list, export; 3001 is refused by name.
    @Test func anEventInTheYear2999IsAddedShownListedAndExported() throws {
        let daemon = try TestDaemon()
        let add = try daemon.ctl("add", "Họp năm 2999", "--kind", "meeting", "--start", "3/3/2999 8h00", "--duration", "2h")
        #expect(add.status == 0, "\(add)")
        let event = try daemon.ctl("show", add.out, "--json").json(EventView.self)
        #expect(event.start == "2999-03-03T08:00:00+07:00")
        #expect(event.end == "2999-03-03T10:00:00+07:00")
        #expect(try daemon.ctl("show", add.out).stdout.contains("03/03/2999 08:00 – 03/03/2999 10:00"))
        let listed = try daemon.ctl("list", "--from", "1/3/2999", "--to", "31/3/2999", "--json").json([EventView].self)
        #expect(listed.map(\.start) == ["2999-03-03T08:00:00+07:00"])
        let exported = try daemon.ctl("export", "--from", "1/3/2999", "--to", "31/3/2999")
        #expect(exported.status == 0, "\(exported)")
        #expect(exported.stdout.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:29990303T080000"), "\(exported.stdout)")
        #expect(exported.stdout.contains("DTEND;TZID=Asia/Ho_Chi_Minh:29990303T100000"), "\(exported.stdout)")

        let beyond = try daemon.ctl("add", "Họp năm 3001", "--kind", "meeting", "--start", "3/3/3001 8h00")
        #expect(beyond.status != 0)
        #expect(beyond.stderr.contains("eventd takes the years 1 to 3000"), "\(beyond)")
    }

    /// Found on a fresh clone: moving a series' start left its excluded and moved occurrences at
    /// the old time, so the excluded one came back and the moved one was lost.
    @Test func movingASeriesMovesItsExcludedAndChangedOccurrences() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl("add", "Họp thử", "--kind", "meeting", "--start", "7/1/2027 9h00", "--rrule", "FREQ=WEEKLY;COUNT=4").out
        #expect(try daemon.ctl("update", id, "--exdate", "14/1/2027 9h00").status == 0)
        #expect(try daemon.ctl("update", id, "--occurrence", "21/1/2027 9h00", "--start", "22/1/2027 9h00").status == 0)
        let moved = try daemon.ctl("update", id, "--start", "7/1/2027 10h00")
        #expect(moved.status == 0, "\(moved)")
        let starts = try daemon.ctl("list", "--from", "1/1/2027", "--to", "28/2/2027", "--json").json([EventView].self).map(\.start)
        #expect(starts == ["2027-01-07T10:00:00+07:00", "2027-01-22T10:00:00+07:00", "2027-01-28T10:00:00+07:00"])
        // Moved again with an occurrence taken out in the same command, named at its new time:
        // the held exceptions move once, and the new one stays where it was named.
        let both = try daemon.ctl("update", id, "--start", "7/1/2027 11h00", "--exdate", "28/1/2027 11h00")
        #expect(both.status == 0, "\(both)")
        let again = try daemon.ctl("list", "--from", "1/1/2027", "--to", "28/2/2027", "--json").json([EventView].self).map(\.start)
        #expect(again == ["2027-01-07T11:00:00+07:00", "2027-01-22T11:00:00+07:00"], "\(again)")
    }

    @Test func acceptsEveryWhenFormatAgenciesWrite() throws {
        let daemon = try TestDaemon()
        let forms = ["3/3/2017 8h30", "03/03/2017 08h30", "8h30 3/3/2017", "2017-03-03 08:30", "2017-03-03T08:30:00+07:00", "2017-03-03T01:30:00Z", "3/3/2017 08:30"]
        for form in forms {
            let id = try daemon.ctl("add", "Họp \(form)", "--kind", "meeting", "--start", form).out
            let event = try daemon.ctl("show", id, "--json").json(EventView.self)
            #expect(event.start == "2017-03-03T08:30:00+07:00", "\(form)")
            #expect(event.end == "2017-03-03T09:30:00+07:00", "default duration is one hour: \(form)")
        }
        let other = try daemon.ctl("add", "Cuộc họp ở Paris", "--kind", "meeting", "--start", "14h00 3/3/2017", "--tz", "Europe/Paris", "--duration", "90m").out
        let paris = try daemon.ctl("show", other, "--json").json(EventView.self)
        #expect(paris.start == "2017-03-03T14:00:00+01:00")
        #expect(paris.end == "2017-03-03T15:30:00+01:00")
        #expect(paris.tz == "Europe/Paris")
    }

    @Test func wholeDayAndMultiDayEvents() throws {
        let daemon = try TestDaemon()
        let one = try daemon.ctl(Seed.workshop).out
        let workshop = try daemon.ctl("show", one, "--json").json(EventView.self)
        #expect(workshop.allDay)
        #expect(workshop.start == "2022-07-05T00:00:00+07:00")
        #expect(workshop.end == "2022-07-06T00:00:00+07:00")

        let three = try daemon.ctl("add", "Đoàn công tác tại Cao Bằng", "--kind", "visit", "--start", "3/7/2022", "--end", "5/7/2022",
                                   "--visiting", "Bộ Tư pháp", "--host", "UBND tỉnh Cao Bằng").out
        let visit = try daemon.ctl("show", three, "--json").json(EventView.self)
        #expect(visit.allDay)
        #expect(visit.end == "2022-07-06T00:00:00+07:00", "the end names the last day; it is stored exclusive")
        #expect(visit.visiting == "Bộ Tư pháp")
        #expect(visit.host == "UBND tỉnh Cao Bằng")
    }

    @Test func listFiltersByRangeAndKind() throws {
        let daemon = try TestDaemon()
        for args in [Seed.conference, Seed.visit, Seed.workshop, Seed.ceremony, Seed.online] {
            #expect(try daemon.ctl(args).status == 0)
        }
        let all = try daemon.ctl("list", "--json").json([EventView].self)
        #expect(all.map(\.kind) == ["conference", "online", "visit", "ceremony", "workshop"], "in order of start")

        let july = try daemon.ctl("list", "--from", "3/7/2022", "--to", "4/7/2022", "--json").json([EventView].self)
        #expect(july.map(\.kind) == ["visit", "ceremony"])
        let workshops = try daemon.ctl("list", "--kind", "workshop", "--json").json([EventView].self)
        #expect(workshops.count == 1)

        let table = try daemon.ctl("list")
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("ID  START"))
        #expect(table.stdout.contains("03/03/2017 08:00  03/03/2017 11:30  conference  confirmed"))
        #expect(table.stdout.contains("04/07/2022 14:00"))
    }

    @Test func updateChangesOnlyWhatIsGivenAndRaisesSequence() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        try daemon.ctl("session", "add", id, "Trình bày dự thảo kế hoạch năm 2017", "--start", "3/3/2017 9h00", "--end", "3/3/2017 9h30", "--speaker", "hien@stp.thainguyen.gov.vn")

        // The new session changed the timetable attendees see: sequence 1. A new title alone does not count.
        var event = try daemon.ctl("update", id, "--title", "Hội nghị ký giao ước thi đua năm 2017", "--json").json(EventView.self)
        #expect(event.title == "Hội nghị ký giao ước thi đua năm 2017")
        #expect(event.sequence == 1)
        #expect(event.location == "Thái Nguyên")

        // Moving the start keeps the duration and moves the sessions along.
        event = try daemon.ctl("update", id, "--start", "4/3/2017 14h00", "--json").json(EventView.self)
        #expect(event.start == "2017-03-04T14:00:00+07:00")
        #expect(event.end == "2017-03-04T17:30:00+07:00")
        #expect(event.sessions.first?.start == "2017-03-04T15:00:00+07:00")
        #expect(event.sequence == 2)

        event = try daemon.ctl("update", id, "--location", "Hội trường UBND tỉnh Thái Nguyên", "--attendee", "Trần Văn Dự <du@example.vn>", "--json").json(EventView.self)
        #expect(event.sequence == 3)
        #expect(event.participants.contains { $0.name == "Trần Văn Dự" && $0.role == "attendee" })

        event = try daemon.ctl("update", id, "--remove", "du@example.vn", "--duration", "2h", "--json").json(EventView.self)
        #expect(!event.participants.contains { $0.name == "Trần Văn Dự" })
        #expect(event.end == "2017-03-04T16:00:00+07:00")
        #expect(event.sequence == 4)
    }

    @Test func cancelKeepsTheEventAndDeleteRemovesIt() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.ceremony).out
        let cancel = try daemon.ctl("cancel", id)
        #expect(cancel.status == 0)
        #expect(cancel.out == "cancelled event \(id) (sequence 1)")
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(event.status == "cancelled")

        #expect(try daemon.ctl("delete", id).status == 0)
        let gone = try daemon.ctl("show", id)
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no event with id \(id)"))
        #expect(try daemon.ctl("list", "--json").json([EventView].self).isEmpty)
        // People stay in the register after their event goes.
        #expect(try daemon.ctl("person", "show", "hung@congan.baclieu.gov.vn").status == 0)
    }

    @Test func sessionsCarryTheirSpeakersAndChair() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        let first = try daemon.ctl("session", "add", id, "Phát biểu của lãnh đạo tỉnh", "--start", "3/3/2017 8h00", "--end", "3/3/2017 8h30",
                                   "--speaker", Seed.tam, "--chair", Seed.chair, "--room", "Hội trường A")
        #expect(first.status == 0, "\(first)")
        #expect(first.out == "1")
        let second = try daemon.ctl("session", "add", id, "Trình bày dự thảo kế hoạch", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h00", "--speaker", "Vũ Duy Hiển")
        #expect(second.out == "2")
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(event.sessions.map(\.title) == ["Phát biểu của lãnh đạo tỉnh", "Trình bày dự thảo kế hoạch"])
        #expect(event.sessions[0].room == "Hội trường A")
        #expect(Set(event.sessions[0].participants.map(\.role)) == ["speaker", "chair"])
        // The bare name found the person the conference created: no duplicate.
        #expect(event.sessions[1].participants.first?.email == "hien@stp.thainguyen.gov.vn")
        let people = try daemon.ctl("person", "list", "--json").json([PersonView].self)
        #expect(people.filter { $0.name == "Vũ Duy Hiển" }.count == 1)

        let outside = try daemon.ctl("session", "add", id, "Ngoài giờ", "--start", "3/3/2017 12h00", "--end", "3/3/2017 13h00")
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("inside its event"))
    }

    @Test func peopleCommands() throws {
        let daemon = try TestDaemon()
        let add = try daemon.ctl("person", "add", "Phan Chí Hiếu", "--email", "hieu@moj.gov.vn", "--position", "Thứ trưởng Bộ Tư pháp", "--org", "Bộ Tư pháp", "--lang", "vi")
        #expect(add.status == 0, "\(add)")
        #expect(add.out == "1")
        let byEmail = try daemon.ctl("person", "show", "hieu@moj.gov.vn", "--json").json(PersonView.self)
        #expect(byEmail.position == "Thứ trưởng Bộ Tư pháp")
        #expect(byEmail.organisation == "Bộ Tư pháp")
        let byID = try daemon.ctl("person", "show", "1")
        #expect(byID.stdout.contains("Position:      Thứ trưởng Bộ Tư pháp"))

        // An event naming the person by email or id reuses them.
        let id = try daemon.ctl("add", "Lễ ký kết giao ước thi đua", "--kind", "signing", "--start", "3/3/2017 10h00", "--witness", "hieu@moj.gov.vn", "--speaker", "1").out
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(Set(event.participants.map(\.personId)) == [1])

        let duplicate = try daemon.ctl("person", "add", "Người khác", "--email", "HIEU@moj.gov.vn")
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("already exists"))

        let en = try daemon.ctl("person", "add", "Grethel Aguilar", "--email", "grethel@iucn.example.org", "--lang", "en", "--org", "IUCN")
        #expect(en.status == 0)
        let table = try daemon.ctl("person", "list")
        #expect(table.stdout.contains("Grethel Aguilar"))
        #expect(table.stdout.contains("Phan Chí Hiếu"))
    }

    @Test func statusReportsCountsAndPaths() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        let status = try daemon.ctl("status", "--json").json(StatusView.self)
        #expect(status.events == 1)
        #expect(status.people == 4)
        #expect(status.database == daemon.dataDirectory + "/register.sqlite")
        #expect(status.socket == daemon.socket)
        #expect(status.version == DefaultPaths.version)
        let text = try daemon.ctl("status")
        #expect(text.stdout.contains("Events:    1"))
    }

    @Test func helpExplainsTheCommands() throws {
        let help = try run(eventctlPath, ["--help"])
        #expect(help.status == 0)
        // Each as a subcommand, the first word of its line under SUBCOMMANDS: "status" alone is
        // also in the overview's "Exit status", "list" in "listed", "cancel" in "cancelled".
        let listed = Set(
            help.stdout.components(separatedBy: "SUBCOMMANDS:").last!.split(separator: "\n")
                .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }.compactMap { $0.split(separator: " ").first.map(String.init) })
        for command in ["add", "list", "show", "update", "cancel", "delete", "session", "person", "status"] {
            #expect(listed.contains(command), "\(command) is not a subcommand: \(listed.sorted())")
        }
        let add = try run(eventctlPath, ["add", "--help"])
        #expect(add.stdout.contains("--visiting"))
        #expect(add.stdout.contains("--optional"))
        let daemonHelp = try run(eventdPath, ["--help"])
        #expect(daemonHelp.stdout.contains("--data-dir"))
    }
}
