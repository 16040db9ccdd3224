import EventCalendar
import EventModel
import Testing

/// A calendar from content lines, CRLF-terminated.
func calendar(_ lines: String...) -> String { lines.joined(separator: "\r\n") + "\r\n" }

@Suite struct ReaderTests {
    let reader = ICalendarReader(defaultZone: Seed.hcm)
    let eightAM = Instant(seconds: 1_488_502_800)  // 2017-03-03 08:00 in Hồ Chí Minh City

    func malformed(_ text: String, reader: ICalendarReader? = nil) -> (line: Int?, component: String?, message: String)? {
        do {
            _ = try (reader ?? self.reader).parse(text)
            return nil
        } catch {
            if case .malformed(let line, let component, let message) = error { return (line, component, message) }
            return (nil, nil, "\(error)")
        }
    }

    @Test func libicalBuiltinZonePrefixIsStrippedAndVTimezoneUsed() throws {
        let events = try reader.parse(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
            "BEGIN:VTIMEZONE", "TZID:/freeassociation.sourceforge.net/Asia/Ho_Chi_Minh", "X-LIC-LOCATION:Asia/Ho_Chi_Minh",
            "BEGIN:STANDARD", "TZNAME:+07", "DTSTART:19750613T000000", "TZOFFSETFROM:+0800", "TZOFFSETTO:+0700", "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT", "UID:a", "DTSTAMP:20170101T000000Z",
            "DTSTART;TZID=/freeassociation.sourceforge.net/Asia/Ho_Chi_Minh:20170303T080000",
            "DURATION:PT3H30M",
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "EXDATE;TZID=/freeassociation.sourceforge.net/Asia/Ho_Chi_Minh:20170310T080000",
            "RELATED-TO:parent-uid",
            "CATEGORIES:conference,signing",
            "END:VEVENT", "END:VCALENDAR"))
        #expect(events.count == 1)
        let e = events[0]
        #expect(e.timeZone == "Asia/Ho_Chi_Minh")
        #expect(e.start == eightAM)
        #expect(e.end == eightAM.adding(seconds: 12_600))
        #expect(e.rrule == "FREQ=WEEKLY;COUNT=3")
        #expect(e.exdates == [eightAM.adding(seconds: 7 * 86_400)])
        #expect(e.relatedTo == ["parent-uid"])
        #expect(e.categories == ["conference", "signing"])
        #expect(e.status == nil && e.sequence == 0)
    }

    @Test func outlookStyleZoneNameIsResolvedThroughItsVTimezone() throws {
        let e = try reader.parse(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
            "BEGIN:VTIMEZONE", "TZID:SE Asia Standard Time",
            "BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT", "UID:o", "DTSTAMP:20170101T000000Z",
            "DTSTART;TZID=\"SE Asia Standard Time\":20170303T080000", "DTEND;TZID=\"SE Asia Standard Time\":20170303T113000",
            "END:VEVENT", "END:VCALENDAR"))[0]
        // CLDR's windowsZones names Asia/Bangkok for "SE Asia Standard Time" (Bangkok, Hanoi, Jakarta).
        #expect(e.start == eightAM && e.timeZone == "Asia/Bangkok")
    }

    @Test func ianaNameWithoutVTimezoneUsesTheSystemDatabase() throws {
        let events = try reader.parse(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
            "BEGIN:VEVENT", "UID:berlin", "DTSTAMP:20170101T000000Z",
            "DTSTART;TZID=Europe/Berlin:20170703T080000", "DTEND;TZID=Europe/Berlin:20170703T100000", "END:VEVENT",
            "BEGIN:VEVENT", "UID:utc", "DTSTAMP:20170101T000000Z", "DTSTART:20170303T010000Z", "END:VEVENT",
            "BEGIN:VEVENT", "UID:floating", "DTSTAMP:20170101T000000Z", "DTSTART:20170303T080000", "END:VEVENT",
            "BEGIN:VEVENT", "UID:day", "DTSTAMP:20170101T000000Z", "DTSTART;VALUE=DATE:20170303", "END:VEVENT",
            "END:VCALENDAR"))
        let berlin = Instant(seconds: 1_499_061_600)  // 2017-07-03T06:00:00Z, CEST
        #expect(events[0].start == berlin && events[0].end == berlin.adding(seconds: 7200) && events[0].timeZone == "Europe/Berlin")
        #expect(events[1].start == eightAM && events[1].timeZone == "UTC" && events[1].end == eightAM)
        #expect(events[2].start == eightAM && events[2].timeZone == nil && !events[2].allDay)
        #expect(events[3].allDay && events[3].start == eightAM.adding(seconds: -8 * 3600)
                && events[3].end == eightAM.adding(seconds: 16 * 3600))
    }

    /// What `icaltime_from_timet_with_zone` makes libical 3.0.16 write: the value is UTC, the TZID is ignored.
    @Test func zoneLabelledUTCValueIsReadAsUTC() throws {
        let e = try reader.parse(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
            "BEGIN:VEVENT", "UID:z", "DTSTAMP:20170101T000000Z", "DTSTART;TZID=Asia/Ho_Chi_Minh:20170303T080000Z",
            "END:VEVENT", "END:VCALENDAR"))[0]
        #expect(e.start == eightAM.adding(seconds: 7 * 3600))
    }

    @Test func unknownPropertiesAndParametersAreTolerated() throws {
        let e = try reader.parse(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
            "BEGIN:VEVENT", "UID:x", "DTSTAMP:20170101T000000Z", "DTSTART:20170303T010000Z",
            "FOO:bar", "X-VENDOR:1", "SUMMARY;FOO=1:Họp",
            "ATTENDEE;CN=\"A, B\";ROLE=CHAIR;PARTSTAT=DELEGATED:MAILTO:a@example.com",
            "END:VEVENT", "END:VCALENDAR"))[0]
        #expect(e.summary == "Họp")
        #expect(e.attendees.first?.email == "a@example.com" && e.attendees.first?.name == "A, B")
        #expect(e.attendees.first?.roles == [.chair] && e.attendees.first?.rsvp == .delegated)
    }

    @Test func concatenatedCalendarsAreAllRead() throws {
        let one = calendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN",
                           "BEGIN:VEVENT", "UID:1", "DTSTAMP:20170101T000000Z", "DTSTART:20170303T010000Z", "END:VEVENT", "END:VCALENDAR")
        #expect(try reader.parse(one + one.replacingOccurrences(of: "UID:1", with: "UID:2")).map(\.uid) == ["1", "2"])
    }

    @Test func unterminatedComponentNamesItsLine() throws {
        let m = try #require(malformed(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:x", "DTSTART:20170303T010000Z", "END:VCALENDAR")))
        #expect(m.line == 6 && m.message.contains("END:VCALENDAR does not close BEGIN:VEVENT of line 3"))
        let n = try #require(malformed(calendar("BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:x")))
        #expect(n.line == 3 && n.component == "VEVENT" && n.message.contains("never closed"))
    }

    @Test func badDateNamesComponentAndLine() throws {
        let m = try #require(malformed(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN",
            "BEGIN:VEVENT", "UID:bad-date", "DTSTAMP:20170101T000000Z",
            "SUMMARY:ok", "DTSTART:2017030T080000", "END:VEVENT", "END:VCALENDAR")))
        #expect(m.line == 8)
        #expect(m.component == "VEVENT \"bad-date\"")
        #expect(m.message.contains("DTSTART") && m.message.contains("2017030T080000"))
        // What libical did to its own tree is no concern of whoever reads the refusal: nothing was stored.
        #expect(!m.message.contains("Removing entire property"), "\(m.message)")
    }

    @Test func impossibleDateIsRefused() throws {
        let m = try #require(malformed(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN",
            "BEGIN:VEVENT", "UID:feb30", "DTSTAMP:20170101T000000Z", "DTSTART:20170230T080000Z", "END:VEVENT", "END:VCALENDAR")))
        #expect(m.component == "VEVENT \"feb30\"")
    }

    @Test func otherMalformedInputs() throws {
        #expect(malformed("")?.message.contains("not an iCalendar") == true)
        #expect(malformed("hello\r\n")?.line == 1)
        #expect(malformed(calendar("BEGIN:VEVENT", "UID:x", "END:VEVENT"))?.message.contains("expected BEGIN:VCALENDAR") == true)
        #expect(malformed(calendar("BEGIN:VCALENDAR", "END:VEVENT"))?.line == 2)
        #expect(malformed(calendar("BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "no colon here", "END:VEVENT", "END:VCALENDAR"))?.line == 4)
        // RFC 2445 allowed a VEVENT without UID: it gets one made of what it is, the same every time.
        let noUID = calendar("BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "DTSTART:20170303T010000Z", "SUMMARY:Họp", "END:VEVENT", "END:VCALENDAR")
        let made = try reader.parse(noUID)[0].uid
        let again = try reader.parse(noUID)[0].uid
        #expect(made.hasPrefix("no-uid-") && made == again)
        let noStart = try #require(malformed(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:s", "END:VEVENT", "END:VCALENDAR")))
        #expect(noStart.component == "VEVENT \"s\"" && noStart.message.contains("DTSTART"))
        let unknownZone = try #require(malformed(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:u", "DTSTART;TZID=Mars/Olympus:20170303T080000",
            "END:VEVENT", "END:VCALENDAR")))
        #expect(unknownZone.line == 5 && unknownZone.message.contains("Mars/Olympus"))
        // An unknown PARTSTAT is an iana-token to RFC 5545: kept by libical, read as no reply.
        let maybe = try reader.parse(calendar(
            "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:r", "DTSTART:20170303T010000Z",
            "ATTENDEE;PARTSTAT=MAYBE:mailto:a@example.com", "END:VEVENT", "END:VCALENDAR"))
        #expect(maybe[0].attendees.first?.rsvp == nil)
    }

    @Test func limitsAreEnforcedBeforeParsing() throws {
        let text = try ICalendarWriter().write(Seed.event, method: .publish, stamp: Seed.stamp)
        #expect(throws: CalendarError.tooLarge(bytes: text.utf8.count, limit: 100)) {
            try ICalendarReader(defaultZone: Seed.hcm, maxBytes: 100).parse(text)
        }
    }

    /// libical is given the file a few hundred VEVENTs at a time: every chunk must still see the
    /// calendar's own VTIMEZONE, and an error deep in the file must name its line in the file.
    @Test func largeFilesAreReadInChunksWithTheirZonesAndLines() throws {
        let count = ICalendarReader.eventsPerChunk * 2 + 201
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//chunks//VI", "BEGIN:VTIMEZONE", "TZID:Giờ Hà Nội", "BEGIN:STANDARD",
            "DTSTART:19700101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD", "END:VTIMEZONE",
        ]
        for n in 0..<count {
            lines += [
                "BEGIN:VEVENT", "UID:chunk-\(n)", "DTSTAMP:20170301T000000Z", "DTSTART;TZID=Giờ Hà Nội:20170303T0830\(String(format: "%02d", n % 60))",
                "SUMMARY:Hội nghị số \(n)", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT1H", "DESCRIPTION:nhắc", "END:VALARM", "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        let events = try ICalendarReader(defaultZone: try Zone("UTC"), maxBytes: 1 << 24).parse(lines.joined(separator: "\r\n"))
        #expect(events.map(\.uid) == (0..<count).map { "chunk-\($0)" })
        // 08:30 at +07:00 is 01:30 UTC, in the last chunk as in the first.
        #expect(events.allSatisfy { $0.start.seconds % 86_400 / 60 == 90 })

        let bad = count - 3
        let badLine = lines.firstIndex(of: "UID:chunk-\(bad)")! + 2
        lines[badLine] = "DTSTART;TZID=Giờ Hà Nội:20170230T083000"
        let error = #expect(throws: CalendarError.self) {
            try ICalendarReader(defaultZone: try Zone("UTC"), maxBytes: 1 << 24).parse(lines.joined(separator: "\r\n"))
        }
        #expect(error?.description.hasPrefix("line \(badLine + 1), VEVENT \"chunk-\(bad)\"") == true, "\(String(describing: error))")
    }
}
