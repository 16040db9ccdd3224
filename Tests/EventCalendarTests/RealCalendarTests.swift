import EventCalendar
import EventModel
import Foundation
import Testing

/// The findings of issue 11 ("Real calendars in and out"), one test or more each.
@Suite struct RealCalendarTests {
    let reader = ICalendarReader(defaultZone: Seed.hcm)
    let planner = ImportPlanner(defaultZone: Seed.hcm, maxOccurrences: 1000)
    static let head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]

    /// A calendar of one VEVENT with `lines` (UID given), CRLF-terminated.
    func event(_ lines: String..., calendarLines: [String] = []) -> String {
        calendar(Self.head + calendarLines + ["BEGIN:VEVENT", "UID:u@test", "DTSTAMP:20170101T000000Z"] + lines + ["END:VEVENT", "END:VCALENDAR"])
    }

    func calendar(_ lines: [String]) -> String { lines.joined(separator: "\r\n") + "\r\n" }

    func refusal(_ text: String) -> (line: Int?, component: String?, message: String)? {
        do {
            let parsed = try reader.parse(text)
            _ = try planner.plan(parsed)
            return nil
        } catch let error as CalendarError {
            if case .malformed(let line, let component, let message) = error { return (line, component, message) }
            return (nil, nil, error.description)
        } catch {
            return (nil, nil, "\(error)")
        }
    }

    /// The events eventd would store from `text`.
    func imported(_ text: String) throws -> [Event] {
        try planner.plan(try reader.parse(text)).imports.map(\.event)
    }

    // MARK: 1. Never crash: month 00 and 13, impossible days, rules that cannot expand

    @Test(arguments: [
        ("DTSTART:20171303T080000Z", "DTSTART", 5),
        ("DTSTART:20170003T080000Z", "DTSTART", 5),
        ("DTSTART;VALUE=DATE:20171303", "DTSTART", 5),
        ("DTSTART;TZID=Europe/Berlin:20171303T080000", "DTSTART", 5),
        ("DTSTART:20170230T080000Z", "DTSTART", 5),
        ("DTSTART:20170303T250000Z", "DTSTART", 5),
    ])
    func impossibleStartsAreRefusedNamingLineAndProperty(line: String, property: String, number: Int) throws {
        let text = calendar(Self.head + ["BEGIN:VEVENT", line, "UID:bad@test", "END:VEVENT", "END:VCALENDAR"])
        let r = try #require(refusal(text))
        #expect(r.line == number && r.component == "VEVENT \"bad@test\"" && r.message.contains(property), "\(r)")
    }

    @Test(arguments: [
        ("DTEND:20171303T090000Z", "DTEND"), ("DTEND:20170003T090000Z", "DTEND"),
        ("EXDATE:20171310T080000Z", "EXDATE"), ("EXDATE;VALUE=DATE:20170013", "EXDATE"),
        ("RECURRENCE-ID:20171303T080000Z", "RECURRENCE-ID"), ("RDATE:20171303T080000Z", "RDATE"),
    ])
    func impossibleDatesElsewhereAreRefusedNamingTheirLine(line: String, property: String) throws {
        let text = event("DTSTART:20170303T080000Z", "RRULE:FREQ=WEEKLY;COUNT=3", line)
        let r = try #require(refusal(text))
        #expect(r.line == 9 && r.component == "VEVENT \"u@test\"" && r.message.hasPrefix(property), "\(r)")
    }

    @Test(arguments: [
        ("FREQ=MONTHLY;BYDAY=6MO", "a month has at most 5 of each weekday"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO must be ±1 to ±53"),
        ("FREQ=YEARLY;BYYEARDAY=400", "BYYEARDAY must be ±1 to ±366"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH must be 1 to 12"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "February has no 30th or 31st"),
        ("FREQ=WEEKLY;UNTIL=20171332T000000Z", "RRULE"),
    ])
    func rulesThatCannotBeExpandedAreRefusedNamingTheRRULELine(rule: String, reason: String) throws {
        let text = event("SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:" + rule)
        let r = try #require(refusal(text))
        #expect(r.line == 9 && r.component == "VEVENT \"u@test\"" && r.message.contains("RRULE") && r.message.contains(reason), "\(r)")
    }

    @Test func aMonthWithFiveMondaysIsNoError() throws {
        let e = try imported(event("SUMMARY:Họp", "DTSTART:20170303T080000Z", "RRULE:FREQ=MONTHLY;BYDAY=5MO;COUNT=3"))[0]
        let starts = try RecurrenceRule.occurrences(of: e, from: e.start, to: e.start.adding(seconds: 400 * 86_400), limit: 10).map(\.start)
        // DTSTART (a Friday) is the first occurrence and one of COUNT; then the fifth Mondays of May and July.
        #expect(starts.map { Seed.hcm.display($0, dateOnly: true) } == ["03/03/2017", "29/05/2017", "31/07/2017"])
    }

    // MARK: 2. Valid files accepted

    @Test func emptyTextValuesAreAbsentValues() throws {
        let text = event("SUMMARY:Họp", "DESCRIPTION:", "LOCATION:", "CATEGORIES:", "COMMENT:", "DTSTART:20170303T080000Z",
                         calendarLines: ["X-WR-CALDESC:", "X-WR-CALNAME:Lịch"])
        let e = try imported(text)[0]
        #expect(e.description == nil && e.location == nil && e.kind == .meeting)
    }

    @Test func aVEventWithoutSummaryIsImportedUntitledAndWrittenWithAnEmptySummary() throws {
        let e = try imported(event("DTSTART:20170303T080000Z", "DTEND:20170303T090000Z"))[0]
        #expect(e.title.isEmpty)
        let written = try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp)
        // An empty SUMMARY (RFC 5545 3.3.11): calcurse 4.7 crashes on a VEVENT without one.
        #expect(unfolded(written).filter { $0.hasPrefix("SUMMARY") } == ["SUMMARY:"])
    }

    @Test func lineBreaksInLocationAndSummaryBecomeOneLine() throws {
        let e = try imported(event("SUMMARY:Họp\\nX-INJECTED:1", "LOCATION:Sở Tư pháp\\n12 Hoàng Văn Thụ\\nThái Nguyên", "DTSTART:20170303T080000Z"))[0]
        #expect(e.location == "Sở Tư pháp, 12 Hoàng Văn Thụ, Thái Nguyên")
        #expect(e.title == "Họp X-INJECTED:1")
        let written = unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp))
        #expect(!written.contains { $0.hasPrefix("X-INJECTED") })
    }

    @Test func aDateTimeStartAloneEndsWhenItStartsAndADateStartAloneLastsTheDay() throws {
        let timed = try imported(event("SUMMARY:Hạn nộp", "DTSTART:20170303T080000Z"))[0]
        #expect(timed.end == timed.start)
        let written = unfolded(try ICalendarWriter().write(timed, method: .publish, stamp: Seed.stamp))
        #expect(written.contains("DTSTART:20170303T080000Z") && !written.contains { $0.hasPrefix("DTEND") })
        let day = try imported(event("SUMMARY:Ngày lễ", "DTSTART;VALUE=DATE:20170303"))[0]
        #expect(day.allDay && day.end.seconds - day.start.seconds == 86_400)
    }

    @Test func aFloatingEndBesideAZonedStartIsOnTheStartsClock() throws {
        let e = try imported(event("SUMMARY:Họp", "DTSTART;TZID=Europe/Berlin:20170703T080000", "DTEND:20170703T100000"))[0]
        #expect(e.end.seconds - e.start.seconds == 7200 && e.timeZone == "Europe/Berlin")
    }

    @Test func errorsNameTheirOwnComponentNotTheFirstEvent() throws {
        let text = calendar(Self.head + ["REFRESH-INTERVAL;VALUE=DURATION:soon", "BEGIN:VEVENT", "UID:first@test", "DTSTART:20170303T080000Z",
                                         "END:VEVENT", "END:VCALENDAR"])
        let r = try #require(refusal(text))
        #expect(r.line == 4 && r.component == "VCALENDAR", "\(r)")
    }

    // MARK: 3. Time zones

    @Test(arguments: [
        ("W. Europe Standard Time", "Europe/Berlin"), ("SE Asia Standard Time", "Asia/Bangkok"), ("Eastern Standard Time", "America/New_York"),
        ("US/Eastern", "America/New_York"), ("Asia/Saigon", "Asia/Ho_Chi_Minh"), ("/mozilla.org/20070129_1/Europe/Berlin", "Europe/Berlin"),
        ("/freeassociation.sourceforge.net/Tzfile/Asia/Ho_Chi_Minh", "Asia/Ho_Chi_Minh"), ("Asia/Kolkata", "Asia/Kolkata"),
    ])
    func zoneNamesAreResolvedToIANAZones(tzid: String, iana: String) throws {
        let e = try imported(event("SUMMARY:Họp", "DTSTART;TZID=\"\(tzid)\":20170703T080000", "DTEND;TZID=\"\(tzid)\":20170703T090000"))[0]
        let zone = try Zone(iana)
        #expect(e.timeZone == iana && e.start == zone.instant(CivilDateTime(year: 2017, month: 7, day: 3, hour: 8)))
    }

    @Test func aVTimezoneNoNameTellsIsMatchedByItsOffsets() throws {
        let text = calendar(Self.head + [
            "BEGIN:VTIMEZONE", "TZID:Giờ Hà Nội", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0700", "TZOFFSETTO:+0700",
            "END:STANDARD", "END:VTIMEZONE",
            "BEGIN:VEVENT", "UID:hn@test", "SUMMARY:Họp", "DTSTART;TZID=Giờ Hà Nội:20170303T080000", "END:VEVENT", "END:VCALENDAR",
        ])
        let e = try imported(text)[0]
        #expect(e.timeZone == "Etc/GMT-7" && e.start == Seed.at(3, 8))
    }

    @Test func floatingTimesAreReadInXWRTimezoneAndWrittenFloatingAgain() throws {
        let e = try imported(event("SUMMARY:Họp", "DTSTART:20170703T080000", "DTEND:20170703T090000", calendarLines: ["X-WR-TIMEZONE:Europe/Berlin"]))[0]
        let berlin = try Zone("Europe/Berlin")
        #expect(e.floating && e.timeZone == "Europe/Berlin" && e.start == berlin.instant(CivilDateTime(year: 2017, month: 7, day: 3, hour: 8)))
        let written = unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp))
        #expect(written.contains("DTSTART:20170703T080000") && !written.contains { $0.hasPrefix("BEGIN:VTIMEZONE") })
        // Without X-WR-TIMEZONE a floating time is read in the default zone (Asia/Ho_Chi_Minh here).
        let plain = try imported(event("SUMMARY:Họp", "DTSTART:20170303T080000"))[0]
        #expect(plain.floating && plain.timeZone == "Asia/Ho_Chi_Minh" && plain.start == Seed.at(3, 8))
    }

    /// RFC 5545 3.3.5: a local time in a spring-forward gap moves forward by the gap, one in a
    /// fall-back overlap is its first instant; the same in four zones, both sides of UTC, both
    /// hemispheres. Expected instants are Python zoneinfo's (fold=0) for the same wall clocks.
    static let dstCases: [(zone: String, gap: CivilDateTime, gapInstant: Int64, overlap: CivilDateTime, overlapInstant: Int64)] = [
        ("America/New_York", .init(year: 2017, month: 3, day: 12, hour: 2, minute: 30), 1_489_303_800,
         .init(year: 2017, month: 11, day: 5, hour: 1, minute: 30), 1_509_859_800),
        ("America/Santiago", .init(year: 2017, month: 8, day: 13, hour: 0, minute: 30), 1_502_598_600,
         .init(year: 2017, month: 5, day: 13, hour: 23, minute: 30), 1_494_729_000),
        ("Europe/Paris", .init(year: 2017, month: 3, day: 26, hour: 2, minute: 30), 1_490_491_800,
         .init(year: 2017, month: 10, day: 29, hour: 2, minute: 30), 1_509_237_000),
        ("Australia/Sydney", .init(year: 2017, month: 10, day: 1, hour: 2, minute: 30), 1_506_789_000,
         .init(year: 2017, month: 4, day: 2, hour: 2, minute: 30), 1_491_060_600),
    ]

    static func stamp(_ c: CivilDateTime) -> String {
        func pad(_ n: Int, _ w: Int = 2) -> String { String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
        return "\(pad(c.year, 4))\(pad(c.month))\(pad(c.day))T\(pad(c.hour))\(pad(c.minute))00"
    }

    @Test(arguments: 0..<4)
    func gapsMoveForwardAndOverlapsTakeTheFirstInstantInFourZones(index: Int) throws {
        let c = Self.dstCases[index]
        let zone = try Zone(c.zone)
        // The register's own reading (WHEN typed on the CLI, occurrences).
        #expect(zone.instant(c.gap).seconds == c.gapInstant)
        #expect(zone.instant(c.overlap).seconds == c.overlapInstant)
        let when = try WhenParser.parse("\(c.gap.day)/\(c.gap.month)/\(c.gap.year) \(c.gap.hour)h\(c.gap.minute)", zone: zone, field: "start")
        #expect(when.instant.seconds == c.gapInstant)
        // A file naming the zone by its IANA name.
        let named = try imported(calendar(Self.head + [
            "BEGIN:VEVENT", "UID:gap@test", "DTSTART;TZID=\(c.zone):\(Self.stamp(c.gap))", "END:VEVENT",
            "BEGIN:VEVENT", "UID:overlap@test", "DTSTART;TZID=\(c.zone):\(Self.stamp(c.overlap))", "END:VEVENT", "END:VCALENDAR",
        ]))
        #expect(named.map(\.start.seconds) == [c.gapInstant, c.overlapInstant])
        // A file with its own VTIMEZONE under a name that says nothing: read by that VTIMEZONE (libical alone
        // takes the other instant), here eventd's own VTIMEZONE for the zone, renamed.
        var holder = Seed.event
        (holder.timeZone, holder.start, holder.end, holder.sessions) = (c.zone, Instant(seconds: c.gapInstant), Instant(seconds: c.overlapInstant + 3600), [])
        let vtimezone = unfolded(try ICalendarWriter().write(holder, method: .publish, stamp: Seed.stamp))
            .drop { $0 != "BEGIN:VTIMEZONE" }.prefix { $0 != "BEGIN:VEVENT" }.map { $0 == "TZID:\(c.zone)" ? "TZID:Zone of the sender" : $0 }
        let custom = try reader.parse(calendar(Self.head + vtimezone + [
            "BEGIN:VEVENT", "UID:gap@test", "DTSTART;TZID=Zone of the sender:\(Self.stamp(c.gap))", "END:VEVENT",
            "BEGIN:VEVENT", "UID:overlap@test", "DTSTART;TZID=Zone of the sender:\(Self.stamp(c.overlap))", "END:VEVENT", "END:VCALENDAR",
        ]))
        #expect(custom.map(\.start.seconds) == [c.gapInstant, c.overlapInstant])
        // A daily series at the gap's wall clock: the gap day's occurrence is an hour later on the clock.
        var daily = holder
        daily.start = zone.instant(CivilDateTime(year: c.gap.year, month: c.gap.month, day: c.gap.day - 1, hour: c.gap.hour, minute: c.gap.minute))
        daily.end = daily.start.adding(seconds: 1800)
        daily.recurrence = Recurrence(rule: "FREQ=DAILY;COUNT=3")
        let starts = try RecurrenceRule.occurrences(of: daily, from: daily.start, to: daily.start.adding(seconds: 5 * 86_400), limit: 10).map(\.start)
        #expect(starts.count == 3 && starts[1].seconds == c.gapInstant)
    }

    @Test func theVTimezoneIsRightForEveryInstantTheCalendarHolds() throws {
        let ny = try Zone("America/New_York")
        var early = Seed.event, late = Seed.event
        (early.uid, early.timeZone, early.sessions) = ("2005@test", "America/New_York", [])
        (late.uid, late.timeZone, late.sessions) = ("2030@test", "America/New_York", [])
        // 30 March 2005 was summer time under the old rule (from the first Sunday of April: no), and
        // 15 March 2030 is summer time under today's (from the second Sunday of March).
        (early.start, early.end) = (ny.instant(CivilDateTime(year: 2005, month: 4, day: 20, hour: 9)), ny.instant(CivilDateTime(year: 2005, month: 4, day: 20, hour: 10)))
        (late.start, late.end) = (ny.instant(CivilDateTime(year: 2030, month: 3, day: 15, hour: 9)), ny.instant(CivilDateTime(year: 2030, month: 3, day: 15, hour: 10)))
        let text = try ICalendarWriter().write([early, late], method: .publish, stamp: Seed.stamp)
        let lines = unfolded(text)
        #expect(lines.contains { $0.hasPrefix("RRULE:FREQ=YEARLY;UNTIL=2006") && $0.contains("BYDAY=1SU;BYMONTH=4") })
        #expect(lines.contains("RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"))
        // Read back through the VTIMEZONE alone (renamed, so no IANA name helps), every instant is the same.
        let renamed = text.replacingOccurrences(of: "America/New_York", with: "Sender Eastern")
        #expect(try reader.parse(renamed).map(\.start) == [early.start, late.start])
    }

    // MARK: 4. Recurrence

    @Test func changedAndCancelledOccurrencesAreKeptAppliedAndWrittenBack() throws {
        let text = calendar(Self.head + [
            "BEGIN:VEVENT", "UID:weekly@test", "SUMMARY:Giao ban", "DTSTART;TZID=Asia/Ho_Chi_Minh:20170306T080000",
            "DTEND;TZID=Asia/Ho_Chi_Minh:20170306T090000", "RRULE:FREQ=WEEKLY;COUNT=4", "END:VEVENT",
            "BEGIN:VEVENT", "UID:weekly@test", "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20170313T080000", "SUMMARY:Giao ban (dời)",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20170314T140000", "DTEND;TZID=Asia/Ho_Chi_Minh:20170314T160000", "END:VEVENT",
            "BEGIN:VEVENT", "UID:weekly@test", "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20170320T080000", "STATUS:CANCELLED",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20170320T080000", "END:VEVENT",
            "BEGIN:VEVENT", "UID:weekly@test", "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20170321T080000", "SUMMARY:no such occurrence",
            "DTSTART;TZID=Asia/Ho_Chi_Minh:20170322T080000", "END:VEVENT", "END:VCALENDAR",
        ])
        let e = try #require(try imported(text).first)
        let occurrences = try RecurrenceRule.occurrences(of: e, from: Seed.at(1, 0), to: Seed.at(1, 0, month: 5), limit: 100)
        #expect(occurrences.map { Seed.hcm.display($0.start) } == ["06/03/2017 08:00", "14/03/2017 14:00", "20/03/2017 08:00", "27/03/2017 08:00"])
        #expect(occurrences[1].override?.title == "Giao ban (dời)" && occurrences[1].end.seconds - occurrences[1].start.seconds == 7200)
        #expect(occurrences[2].override?.status == .cancelled)
        let written = unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp))
        // The override naming no occurrence is kept in the register but not applied, and not written:
        // a reader that showed it would show an occurrence eventd does not list.
        #expect(written.filter { $0.hasPrefix("RECURRENCE-ID") }.count == 2)
        #expect(e.recurrence?.overrides.count == 3)
        #expect(written.contains("RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20170313T080000"))
        #expect(written.contains("STATUS:CANCELLED"))
    }

    @Test func aChangeForThisAndFutureOccurrencesHoldsUntilTheNextOne() throws {
        let text = calendar(Self.head + [
            "BEGIN:VEVENT", "UID:range@test", "SUMMARY:Giao ban", "DTSTART:20170306T010000Z", "DTEND:20170306T020000Z", "RRULE:FREQ=WEEKLY;COUNT=5", "END:VEVENT",
            "BEGIN:VEVENT", "UID:range@test", "RECURRENCE-ID;RANGE=THISANDFUTURE:20170313T010000Z", "SUMMARY:Giao ban chiều",
            "DTSTART:20170313T070000Z", "DTEND:20170313T090000Z", "END:VEVENT",
            "BEGIN:VEVENT", "UID:range@test", "RECURRENCE-ID:20170327T010000Z", "SUMMARY:Giao ban", "DTSTART:20170328T010000Z", "DTEND:20170328T020000Z", "END:VEVENT",
            "END:VCALENDAR",
        ])
        let e = try imported(text)[0]
        let found = try RecurrenceRule.occurrences(of: e, from: Seed.at(1, 0), to: Seed.at(1, 0, month: 5), limit: 10)
        #expect(found.map { Seed.hcm.display($0.start) } == ["06/03/2017 08:00", "13/03/2017 14:00", "20/03/2017 14:00", "28/03/2017 08:00", "03/04/2017 14:00"])
        #expect(found.map { $0.end.seconds - $0.start.seconds } == [3600, 7200, 7200, 3600, 7200])
        #expect(found[2].override?.title == "Giao ban chiều")
        #expect(unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp)).contains("RECURRENCE-ID;RANGE=THISANDFUTURE:20170313T010000Z"))
    }

    @Test func aFileOfOnlyChangedOccurrencesIsASeriesOfThem() throws {
        let text = calendar(Self.head + [
            "BEGIN:VEVENT", "UID:only@test", "RECURRENCE-ID:20170313T010000Z", "SUMMARY:Họp", "DTSTART:20170314T070000Z", "DTEND:20170314T080000Z", "END:VEVENT",
            "BEGIN:VEVENT", "UID:only@test", "RECURRENCE-ID:20170320T010000Z", "SUMMARY:Họp", "DTSTART:20170320T010000Z", "DTEND:20170320T020000Z", "END:VEVENT",
            "END:VCALENDAR",
        ])
        let plan = try planner.plan(try reader.parse(text))
        #expect(plan.imports.count == 1 && plan.imports[0].overridesOnly)
        let e = plan.imports[0].event
        let starts = try RecurrenceRule.occurrences(of: e, from: Seed.at(1, 0), to: Seed.at(1, 0, month: 4), limit: 10).map(\.start)
        #expect(starts == [Instant(seconds: 1_489_474_800), Instant(seconds: 1_489_971_600)])
    }

    @Test func rdatesExtraRulesAndTheStartOffTheRuleAreOccurrences() throws {
        let e = try imported(event(
            "SUMMARY:Họp", "DTSTART:20170303T010000Z", "DTEND:20170303T020000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            "RDATE:20170401T010000Z", "RDATE;VALUE=PERIOD:20170402T010000Z/PT3H"))[0]
        let occurrences = try RecurrenceRule.occurrences(of: e, from: Seed.at(1, 0), to: Seed.at(1, 0, month: 5), limit: 10)
        // DTSTART (a Friday) counts as the first of COUNT=3 (RFC 5545 3.8.5.3).
        #expect(occurrences.map { Seed.hcm.display($0.start, dateOnly: true) } == ["03/03/2017", "06/03/2017", "13/03/2017", "01/04/2017", "02/04/2017"])
        #expect(occurrences.last.map { $0.end.seconds - $0.start.seconds } == 10_800)
        let written = unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp))
        #expect(written.contains("RDATE:20170401T010000Z") && written.contains("RDATE;VALUE=PERIOD:20170402T010000Z/20170402T040000Z"))
    }

    @Test func aDateExdateOnATimedSeriesTakesOutThatDay() throws {
        let e = try imported(event(
            "SUMMARY:Họp", "DTSTART;TZID=Asia/Ho_Chi_Minh:20261130T080000", "DTEND;TZID=Asia/Ho_Chi_Minh:20261130T090000",
            "RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE;VALUE=DATE:20261207"))[0]
        #expect(e.recurrence?.exceptionDates == ["2026-12-07"])
        let starts = try RecurrenceRule.occurrences(of: e, from: e.start, to: e.start.adding(seconds: 30 * 86_400), limit: 10).map(\.start)
        #expect(starts.map { Seed.hcm.display($0) } == ["30/11/2026 08:00", "14/12/2026 08:00"])
        // Written as that day's occurrence: khal's import fails on a DATE EXDATE beside a DATE-TIME DTSTART.
        let written = unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp))
        #expect(written.contains("EXDATE;TZID=Asia/Ho_Chi_Minh:20261207T080000") && !written.contains("EXDATE;VALUE=DATE:20261207"))
    }

    // MARK: 5. Properties kept through a round trip

    @Test func propertiesEventdDoesNotModelComeBackAsTheFileWroteThem() throws {
        let text = event(
            "SUMMARY:Họp", "DTSTART:20170303T010000Z", "DTEND:20170303T020000Z", "TRANSP:TRANSPARENT", "CLASS:CONFIDENTIAL", "PRIORITY:1",
            "GEO:37.5232475;-122.261296", "ATTACH;FMTTYPE=application/pdf:https://example.vn/giay-moi.pdf", "CATEGORIES:Họp,Nội bộ",
            "X-MICROSOFT-CDO-BUSYSTATUS:FREE", "REQUEST-STATUS:2.0;Success.;Store successful",
            "ORGANIZER;CN=Văn phòng:mailto:vp@example.vn",
            "ATTENDEE;CN=Văn phòng;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:vp@example.vn",
            "ATTENDEE;CN=Phòng họp A;CUTYPE=ROOM;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;X-NUM-GUESTS=0:mailto:room-a@example.vn",
            "ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:b@example.vn\":mailto:a@example.vn",
            "BEGIN:VALARM", "ACTION:AUDIO", "TRIGGER:-PT5M", "X-WR-ALARMUID:1", "END:VALARM")
        var e = try imported(text)[0]
        e.participants = try planner.plan(try reader.parse(text)).imports[0].participants.enumerated().map { index, draft in
            guard case .named(let name, let email) = draft.reference else { fatalError() }
            return Participation(person: Person(id: Int64(index + 1), name: name, email: email), role: draft.role, required: draft.required, rsvp: draft.rsvp)
        }
        let written = unfolded(try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp, reminders: [86_400]))
        for line in ["TRANSP:TRANSPARENT", "CLASS:CONFIDENTIAL", "PRIORITY:1", "GEO:37.5232475;-122.261296",
                     "ATTACH;FMTTYPE=application/pdf:https://example.vn/giay-moi.pdf", "CATEGORIES:Họp,Nội bộ", "X-EVENTD-KIND:meeting",
                     "X-MICROSOFT-CDO-BUSYSTATUS:FREE", "REQUEST-STATUS:2.0;Success.;Store successful", "X-WR-ALARMUID:1", "ACTION:AUDIO"] {
            #expect(written.contains(line), "\(line) missing from \(written)")
        }
        #expect(written.filter { $0 == "BEGIN:VALARM" }.count == 1, "the file's alarm replaces the default ones")
        #expect(written.contains { $0.hasPrefix("ORGANIZER") && $0.hasSuffix("mailto:vp@example.vn") })
        #expect(written.contains { $0.hasPrefix("ATTENDEE") && $0.hasSuffix("mailto:vp@example.vn") }, "the organizer's own ATTENDEE line")
        let room = try #require(written.first { $0.hasSuffix("mailto:room-a@example.vn") })
        #expect(room.contains("CUTYPE=ROOM") && room.contains("X-NUM-GUESTS=0"))
        let delegated = try #require(written.first { $0.hasSuffix("mailto:a@example.vn") })
        #expect(delegated.contains("PARTSTAT=DELEGATED") && delegated.contains("DELEGATED-TO="))
        // Read again, the kept properties are kept again, not doubled.
        let again = try imported(written.joined(separator: "\r\n") + "\r\n")[0]
        #expect(again.keptProperties?.components(separatedBy: "TRANSP:").count == 2)
    }

    // MARK: 6. Output

    @Test(arguments: [60, 73, 74, 75, 147, 148, 300])
    func linesAreFoldedAt75OctetsAndTheLineBreakIsNeverSplit(length: Int) throws {
        var e = Seed.event
        e.sessions = []
        e.title = String(repeating: "a", count: length - "SUMMARY:".count)
        e.description = String(repeating: "ạ", count: length / 3)
        let text = try ICalendarWriter().write(e, method: .publish, stamp: Seed.stamp)
        #expect(!text.contains("\r\r") && !text.contains("\n\n"))
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast() {
            #expect(line.utf8.count <= 75 && !line.contains("\r") && !line.contains("\n"), "\(line.utf8.count): \(line)")
        }
        #expect(unfolded(text).contains("SUMMARY:" + e.title))
        let feed = try FeedRenderer(reminders: []).calendar([e], subscription: .init(name: "Lịch", refreshInterval: 3600), stamp: Seed.stamp)
        #expect(!feed.contains("\r\r"))
    }

    @Test func anEmptyCalendarHoldsOneComponent() throws {
        let text = try ICalendarWriter(emptyCalendarZone: "Asia/Ho_Chi_Minh").write([], method: .publish, stamp: Seed.stamp)
        #expect(unfolded(text).contains("TZID:Asia/Ho_Chi_Minh"))
        let feed = try FeedRenderer(reminders: [], emptyZone: "Asia/Ho_Chi_Minh").calendar([], subscription: .init(name: "Lịch", refreshInterval: 3600), stamp: Seed.stamp)
        #expect(unfolded(feed).contains("BEGIN:VTIMEZONE") && unfolded(feed).contains("NAME:Lịch"))
        #expect(try reader.parse(feed).isEmpty)
    }
}
