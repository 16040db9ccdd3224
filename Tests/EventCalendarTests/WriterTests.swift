import EventCalendar
import EventModel
import Foundation
import Testing

@Suite struct WriterTests {
    let reader = ICalendarReader(defaultZone: Seed.hcm)

    @Test func roundTripKeepsInstantsPeopleAndRoles() throws {
        let text = try ICalendarWriter().write(Seed.event, method: .request, stamp: Seed.stamp)
        let events = try reader.parse(text)
        #expect(events.count == 3)
        let main = try #require(events.first { $0.uid == Seed.uid })
        #expect(main.start == Instant(seconds: 1_488_502_800))  // 2017-03-03T01:00:00Z
        #expect(main.end == Instant(seconds: 1_488_515_400))  // 04:30Z
        #expect(main.timeZone == "Asia/Ho_Chi_Minh")
        #expect(main.summary == Seed.title)
        #expect(main.sequence == 2)
        #expect(main.status == .confirmed)
        #expect(main.categories == ["conference"])
        #expect(main.url == "https://meet.example/giao-uoc-2017")
        #expect(main.location == "Hội trường UBND tỉnh Thái Nguyên, TP. Thái Nguyên")
        #expect(main.organizer?.email == "vanphong.stp@thainguyen.example")
        #expect(main.organizer?.roles == [.organizer])

        let byName = Dictionary(uniqueKeysWithValues: main.attendees.map { ($0.name ?? "", $0) })
        #expect(byName.count == 6)
        #expect(byName["Trần Thị Minh Hằng"]?.icalRole == "CHAIR")
        #expect(byName["Trần Thị Minh Hằng"]?.roles == [.chair])
        #expect(byName["Nhữ Văn Tâm"]?.icalRole == "REQ-PARTICIPANT")
        #expect(byName["Nhữ Văn Tâm"]?.roles == [.speaker])
        #expect(byName["Nhữ Văn Tâm"]?.rsvp == .accepted)
        #expect(byName["Vũ Duy Hiển"]?.rsvp == .tentative)
        #expect(byName["Phan Chí Hiếu"]?.icalRole == "REQ-PARTICIPANT", "a witness takes part")
        #expect(byName["Phan Chí Hiếu"]?.roles == [.witness])
        #expect(byName["Phan Chí Hiếu"]?.email == "hieu.pc@moj.example")
        #expect(byName["Lê Thị Thu"]?.icalRole == "OPT-PARTICIPANT")
        #expect(byName["Lê Thị Thu"]?.required == false)
        #expect(byName["Lê Thị Thu"]?.rsvp == .declined)
        let noEmail = try #require(byName["Đại diện Sở Tư pháp tỉnh Lạng Sơn"])
        #expect(noEmail.email == nil && noEmail.address == "urn:x-eventd:person:6" && noEmail.roles == [.attendee])

        let description = try #require(main.description)
        #expect(description.hasPrefix("Phát động phong trào thi đua năm 2017.\nKý giao ước"))
        #expect(description.contains("\n\n08:00–09:30 Khai mạc; phát động phong trào thi đua (Hội trường tầng 3)\n09:45–11:30 Ký kết giao ước thi đua, bế mạc (Hội trường tầng 3)"))

        let first = try #require(events.first { $0.uid == "11.\(Seed.uid)" })
        #expect(first.relatedTo == [Seed.uid])
        #expect(first.start == Seed.at(3, 8) && first.end == Seed.at(3, 9, 30))
        #expect(first.location == "Hội trường tầng 3, Hội trường UBND tỉnh Thái Nguyên, TP. Thái Nguyên")
        #expect(Set(first.attendees.compactMap(\.name)) == ["Trần Thị Minh Hằng", "Nhữ Văn Tâm"])
        #expect(first.organizer?.name == "Văn phòng Sở Tư pháp tỉnh Thái Nguyên")
        let second = try #require(events.first { $0.uid == "12.\(Seed.uid)" })
        #expect(second.start == Seed.at(3, 9, 45))
        #expect(Set(second.attendees.flatMap(\.roles)) == [.chair, .speaker])
    }

    @Test func headerAndAttendeeLines() throws {
        let text = try ICalendarWriter().write(Seed.event, method: .request, stamp: Seed.stamp)
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let lines = unfolded(text)
        #expect(lines.first == "BEGIN:VCALENDAR")
        #expect(lines.contains("PRODID:-//eventd//eventd 0.1//EN"))
        #expect(lines.contains("VERSION:2.0"))
        #expect(lines.contains("METHOD:REQUEST"))
        #expect(lines.contains("DTSTAMP:20170225T052000Z"))
        #expect(lines.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20170303T080000"))
        #expect(lines.contains("DTEND;TZID=Asia/Ho_Chi_Minh:20170303T113000"))
        #expect(lines.contains("SUMMARY:Khai mạc\\; phát động phong trào thi đua"))
        #expect(lines.contains("STATUS:CONFIRMED"))
        #expect(lines.contains("CATEGORIES:conference"))
        #expect(lines.contains { $0.hasPrefix("ORGANIZER;CN=Văn phòng Sở Tư pháp tỉnh Thái Nguyên") && $0.hasSuffix(":mailto:vanphong.stp@thainguyen.example") })
        let tam = try #require(lines.first { $0.hasPrefix("ATTENDEE;CN=Nhữ Văn Tâm;") })
        #expect(tam.contains(";ROLE=REQ-PARTICIPANT") && tam.contains(";PARTSTAT=ACCEPTED") && tam.contains(";RSVP=TRUE"))
        #expect(tam.hasSuffix(":mailto:tam.nv@thainguyen.example"))
        let noEmail = try #require(lines.first { $0.contains("Lạng Sơn") && $0.hasPrefix("ATTENDEE") })
        #expect(!noEmail.contains("RSVP"))
        // PUBLISH asks for no replies.
        let published = unfolded(try ICalendarWriter().write(Seed.event, method: .publish, stamp: Seed.stamp))
        #expect(published.contains("METHOD:PUBLISH") && !published.contains { $0.contains("RSVP=") })
        let skipped = try reader.parse(try ICalendarWriter(peopleWithoutEmail: .skip).write(Seed.event, method: .request, stamp: Seed.stamp))
        #expect(skipped[0].attendees.count == 5)
    }

    @Test func zonedTimesNeverCarryZAndUseOneMinimalTimezone() throws {
        let text = try ICalendarWriter().write(Seed.event, method: .request, stamp: Seed.stamp)
        #expect(!text.contains("freeassociation"))
        #expect(text.range(of: #"TZID=[^:\r\n]*:[0-9]{8}T[0-9]{6}Z"#, options: .regularExpression) == nil)
        let lines = unfolded(text)
        #expect(lines.filter { $0 == "BEGIN:VTIMEZONE" }.count == 1)
        let tz = Array(lines.drop { $0 != "BEGIN:VTIMEZONE" }.prefix { $0 != "END:VTIMEZONE" })
        #expect(tz == [
            "BEGIN:VTIMEZONE", "TZID:Asia/Ho_Chi_Minh", "BEGIN:STANDARD", "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD",
        ])
        #expect(!text.contains("1906") && !text.contains("2038"))
    }

    @Test(arguments: [
        ("Europe/Berlin", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("America/New_York", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
    ])
    func daylightSavingZonesGetYearlyRules(zoneName: String, daylightRule: String, standardRule: String) throws {
        let zone = try Zone(zoneName)
        var event = Seed.event
        event.timeZone = zoneName
        event.start = Seed.at(3, 8, zone: zone, month: 7)  // summer time
        event.end = Seed.at(3, 10, zone: zone, month: 7)
        event.sessions = [Session(id: 1, uid: "winter@eventd", title: "Winter", start: Seed.at(4, 9, zone: zone, month: 12), end: Seed.at(4, 10, zone: zone, month: 12))]
        let text = try ICalendarWriter().write(event, method: .publish, stamp: Seed.stamp)
        let lines = unfolded(text)
        #expect(lines.filter { $0 == "BEGIN:DAYLIGHT" }.count == 1)
        #expect(lines.filter { $0 == "BEGIN:STANDARD" }.count == 1)
        #expect(lines.contains("RRULE:\(daylightRule)"))
        #expect(lines.contains("RRULE:\(standardRule)"))
        #expect(lines.contains("DTSTART;TZID=\(zoneName):20170703T080000"))
        let parsed = try reader.parse(text)
        #expect(parsed[0].start == event.start && parsed[0].end == event.end)
        #expect(parsed[1].start == event.sessions[0].start)
    }

    @Test func irregularZoneListsTransitions() throws {
        var event = Seed.event
        event.timeZone = "Africa/Casablanca"
        let zone = try Zone("Africa/Casablanca")
        event.start = Seed.at(3, 8, zone: zone, month: 6, year: 2016)
        event.end = Seed.at(3, 9, zone: zone, month: 6, year: 2016)
        event.sessions = []
        let text = try ICalendarWriter().write(event, method: .publish, stamp: Seed.stamp)
        #expect(!text.contains("RRULE"))
        let parsed = try reader.parse(text)
        #expect(parsed[0].start == event.start)
    }

    @Test func utcEventsUseZAndNoTimezone() throws {
        var event = Seed.event
        event.timeZone = "UTC"
        let lines = unfolded(try ICalendarWriter().write(event, method: .publish, stamp: Seed.stamp))
        #expect(lines.contains("DTSTART:20170303T010000Z"))
        #expect(!lines.contains("BEGIN:VTIMEZONE"))
        #expect(try reader.parse(lines.joined(separator: "\r\n") + "\r\n")[0].start == Seed.event.start)
    }

    @Test func allDayEventsUseExclusiveDates() throws {
        var event = Seed.event
        event.allDay = true
        event.start = Seed.at(3, 0)
        event.end = Seed.at(6, 0)  // 3, 4 and 5 March
        let text = try ICalendarWriter(includeSessions: false).write(event, method: .publish, stamp: Seed.stamp)
        let lines = unfolded(text)
        #expect(lines.contains("DTSTART;VALUE=DATE:20170303"))
        #expect(lines.contains("DTEND;VALUE=DATE:20170306"))
        let parsed = try reader.parse(text)
        #expect(parsed.count == 1)
        #expect(parsed[0].allDay && parsed[0].start == event.start && parsed[0].end == event.end && parsed[0].timeZone == nil)
    }

    @Test func cancelForcesCancelledAndDropsAlarms() throws {
        let text = try ICalendarWriter().write(Seed.event, method: .cancel, stamp: Seed.stamp, reminders: [900])
        let lines = unfolded(text)
        #expect(lines.contains("METHOD:CANCEL"))
        #expect(!lines.contains("STATUS:CONFIRMED") && lines.contains("STATUS:CANCELLED"))
        #expect(!lines.contains("BEGIN:VALARM"))
        #expect(try reader.parse(text).allSatisfy { $0.status == .cancelled })
    }

    @Test func remindersBecomeDisplayAlarms() throws {
        let lines = unfolded(try ICalendarWriter().write(Seed.event, method: .request, stamp: Seed.stamp, reminders: [900, 86_400]))
        #expect(lines.filter { $0 == "BEGIN:VALARM" }.count == 2)
        #expect(lines.contains("ACTION:DISPLAY"))
        #expect(lines.contains("TRIGGER:-PT15M"))
        #expect(lines.contains("TRIGGER:-P1D"))
        #expect(throws: CalendarError.self) { try ICalendarWriter().write(Seed.event, method: .request, stamp: Seed.stamp, reminders: [-5]) }
    }

    @Test(arguments: [false, true])
    func longVietnameseSummaryFoldsOnCharacterBoundaries(withoutSpaces: Bool) throws {
        var event = Seed.event
        // No trailing space: libical's parser strips trailing whitespace from the last line (the domain trims titles anyway).
        event.title = Array(repeating: Seed.title, count: 3).joined(separator: " — ")
        if withoutSpaces { event.title = String(repeating: "Hộiđồngởữẫ", count: 30) }  // every fold falls inside a word
        event.sessions = []
        let text = try ICalendarWriter().write(event, method: .publish, stamp: Seed.stamp)
        let physical = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(physical.count > 10)
        for line in physical {
            #expect(line.utf8.count <= 75, "line over 75 octets: \(line)")
            // Each physical line must be valid UTF-8 on its own: no character split across a fold.
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
        }
        #expect(physical.filter { $0.hasPrefix(" ") }.count >= 5)
        let summary = try reader.parse(text)[0].summary ?? ""
        #expect(summary == event.title)
    }

    @Test func hostileTextCannotStartAProperty() throws {
        var event = Seed.event
        event.title = "Họp\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\nEND:VALARM\nATTENDEE:mailto:evil@example.com\rX:1"
        event.location = "Phòng 1\nORGANIZER:mailto:evil@example.com"
        event.participants[2].person.name = "Nhữ \"Văn\" Tâm; x:y,z\r\nBEGIN:VEVENT"
        event.description = "a, b; c \\ d\r\nline 2\rline 3"
        event.sessions = []
        let text = try ICalendarWriter().write(event, method: .request, stamp: Seed.stamp)
        for line in text.components(separatedBy: "\r\n") {
            #expect(!line.hasPrefix("BEGIN:VALARM") && !line.hasPrefix("ACTION:AUDIO") && !line.hasPrefix("X:1"))
            #expect(!line.hasPrefix("ATTENDEE:mailto:evil") && !line.hasPrefix("ORGANIZER:mailto:evil"))
            #expect(!line.contains("\r") && !line.contains("\n"))
        }
        #expect(text.components(separatedBy: "\r\n").filter { $0 == "BEGIN:VEVENT" }.count == 1)
        let parsed = try reader.parse(text)
        #expect(parsed.count == 1)
        #expect(parsed[0].summary == "Họp  BEGIN:VALARM  ACTION:AUDIO  END:VALARM ATTENDEE:mailto:evil@example.com X:1")
        #expect(parsed[0].attendees.count == 6 && parsed[0].organizer?.email == "vanphong.stp@thainguyen.example")
        #expect(parsed[0].attendees.contains { $0.name == "Nhữ \"Văn\" Tâm; x:y,z  BEGIN:VEVENT" })
        #expect(parsed[0].description == "a, b; c \\ d\nline 2\nline 3")
    }

    @Test func unknownZoneIsRefused() {
        var event = Seed.event
        event.timeZone = "Mars/Olympus"
        #expect(throws: CalendarError.unknownTimeZone("Mars/Olympus")) {
            try ICalendarWriter().write(event, method: .publish, stamp: Seed.stamp)
        }
    }

    @Test func concurrentUseIsSerialised() async throws {
        let reader = self.reader
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let text = try ICalendarWriter().write(Seed.event, method: i % 2 == 0 ? .request : .publish, stamp: Seed.stamp)
                    let occurrences = try RecurrenceRule.occurrences(
                        rrule: "FREQ=WEEKLY;COUNT=10", exdates: [], start: Seed.event.start, duration: 3600,
                        zone: "Asia/Ho_Chi_Minh", from: Seed.event.start, to: Instant(seconds: 2_000_000_000), limit: 100)
                    return try reader.parse(text).count + occurrences.count
                }
            }
            for try await n in group { #expect(n == 13) }
        }
    }
}

@Suite struct MultipleRoleTests {
    @Test func aPersonWithSeveralRolesIsOneAttendeeCarryingAllOfThem() throws {
        var event = Seed.event
        let hieu = try #require(event.participants.first { $0.person.name == "Phan Chí Hiếu" })
        var speaking = hieu
        speaking.role = Role.speaker
        event.participants.append(speaking)
        let text = try ICalendarWriter().write(event, method: .publish, stamp: Seed.stamp)
        #expect(text.components(separatedBy: "hieu.pc@moj.example").count == 2, "one ATTENDEE line for the address")
        let parsed = try ICalendarReader(defaultZone: Seed.hcm).parse(text)
        let main = try #require(parsed.first { $0.uid == Seed.uid })
        let attendee = try #require(main.attendees.first { $0.email == "hieu.pc@moj.example" })
        #expect(attendee.roles == [Role.witness, Role.speaker])
        #expect(attendee.icalRole == "REQ-PARTICIPANT", "the most active role decides ROLE")
    }
}
