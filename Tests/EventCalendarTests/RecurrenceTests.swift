import EventCalendar
import EventModel
import Testing

@Suite struct RecurrenceTests {
    let hcm = Seed.hcm
    let berlin = try! Zone("Europe/Berlin")
    let far = Instant(seconds: 4_000_000_000)

    func expand(_ rule: String, start: Instant, zone: String = "Asia/Ho_Chi_Minh", exdates: [Instant] = [],
                from: Instant = Instant(seconds: 0), to: Instant? = nil, limit: Int = 100, duration: Int64 = 3600) throws -> [Instant] {
        try RecurrenceRule.occurrences(rrule: rule, exdates: exdates, start: start, duration: duration, zone: zone,
                                   from: from, to: to ?? far, limit: limit)
    }

    @Test func weeklyKeepsTheWallClockAcrossDST() throws {
        let start = Seed.at(13, 8, zone: berlin)  // Monday 13 March 2017, CET
        let got = try expand("FREQ=WEEKLY;COUNT=4", start: start, zone: "Europe/Berlin")
        #expect(got.map { berlin.display($0) } == ["13/03/2017 08:00", "20/03/2017 08:00", "27/03/2017 08:00", "03/04/2017 08:00"])
        #expect(got[2].seconds - got[1].seconds == 7 * 86_400 - 3600)  // the week of 26 March is an hour short
    }

    @Test func monthlyByWeekday() throws {
        let first = try expand("FREQ=MONTHLY;BYDAY=1FR;COUNT=4", start: Seed.at(3, 8))
        #expect(first.map { hcm.display($0) } == ["03/03/2017 08:00", "07/04/2017 08:00", "05/05/2017 08:00", "02/06/2017 08:00"])
        let last = try expand("RRULE:FREQ=MONTHLY;BYDAY=-1MO;COUNT=3", start: Seed.at(27, 14))
        #expect(last.map { hcm.display($0) } == ["27/03/2017 14:00", "24/04/2017 14:00", "29/05/2017 14:00"])
    }

    @Test func untilInUTCIsAnInstantAndIncluded() throws {
        // 24 March 08:00 in Hồ Chí Minh City is 01:00Z: the last occurrence.
        let got = try expand("FREQ=WEEKLY;UNTIL=20170324T010000Z", start: Seed.at(3, 8))
        #expect(got.map { hcm.display($0, dateOnly: true) } == ["03/03/2017", "10/03/2017", "17/03/2017", "24/03/2017"])
        let before = try expand("FREQ=WEEKLY;UNTIL=20170324T005959Z", start: Seed.at(3, 8))
        #expect(before.count == 3)
        let byDate = try expand("FREQ=DAILY;UNTIL=20170305", start: Seed.at(3, 8))
        #expect(byDate.count == 3)
    }

    @Test func exdatesAndCount() throws {
        // COUNT counts the excluded occurrence too (RFC 5545 3.8.5.1).
        let got = try expand("FREQ=WEEKLY;COUNT=4", start: Seed.at(3, 8), exdates: [Seed.at(10, 8)])
        #expect(got == [Seed.at(3, 8), Seed.at(17, 8), Seed.at(24, 8)])
    }

    @Test func windowAndLimit() throws {
        let weekly = "FREQ=WEEKLY;BYDAY=FR"
        let window = try expand(weekly, start: Seed.at(3, 8), from: Seed.at(10, 8, month: 4), to: Seed.at(1, 0, month: 5))
        #expect(window.map { hcm.display($0, dateOnly: true) } == ["14/04/2017", "21/04/2017", "28/04/2017"])
        // An occurrence still running at `from` is included.
        let running = try expand(weekly, start: Seed.at(3, 8), from: Seed.at(14, 8, 30, month: 4), to: Seed.at(15, 0, month: 4))
        #expect(running == [Seed.at(14, 8, month: 4)])
        #expect(try expand(weekly, start: Seed.at(3, 8), limit: 5).count == 5)
        #expect(try expand("FREQ=DAILY", start: Seed.at(3, 8), limit: 1_000_000).count == RecurrenceRule.maxOccurrences)
        #expect(try expand(weekly, start: Seed.at(3, 8), limit: 0).isEmpty)
    }

    @Test func runawayRulesAreStopped() {
        #expect(throws: CalendarError.self) {
            try expand("FREQ=SECONDLY", start: Seed.at(3, 8), from: Seed.at(3, 8, year: 2018))
        }
    }

    @Test(arguments: ["FREQ=FOO", "FREQ=WEEKLY;BYDAY=XX", "", "BYDAY=MO", "FREQ=WEEKLY;COUNT=abc",
                      "FREQ=WEEKLY;COUNT=2;UNTIL=20170401T000000Z", "FREQ=WEEKLY\r\nX:1"])
    func malformedRulesAreRefused(rule: String) {
        #expect(throws: CalendarError.self) { try RecurrenceRule.validate(rrule: rule) }
        #expect(throws: CalendarError.self) { try expand(rule, start: Seed.at(3, 8)) }
    }

    @Test func validRulesPass() throws {
        try RecurrenceRule.validate(rrule: "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2;UNTIL=20171231T000000Z")
        try RecurrenceRule.validate(rrule: "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=12")
        try RecurrenceRule.validate(rrule: "RSCALE=GREGORIAN;FREQ=YEARLY;BYMONTH=3;COUNT=2")
        #expect(try expand("RSCALE=GREGORIAN;FREQ=YEARLY;COUNT=2", start: Seed.at(3, 8)).count == 2)
        #expect(throws: CalendarError.unknownTimeZone("Nowhere")) { try expand("FREQ=DAILY", start: Seed.at(3, 8), zone: "Nowhere") }
    }

    @Test func errorsReadWell() {
        // Fails, rather than passes, when the rule is let through.
        let error = #expect(throws: CalendarError.self) { try RecurrenceRule.validate(rrule: "FREQ=WEEKLY;BYDAY=XX") }
        #expect(error?.description.hasPrefix("RRULE \"FREQ=WEEKLY;BYDAY=XX\": libical cannot read it") == true, "\(String(describing: error))")
    }
}
