import EventCalendar
import EventModel
import Foundation
import Testing

/// Reads our output with another implementation: Python's icalendar and recurring-ical-events.
@Suite struct PythonTests {
    /// Runs `python3` from PATH (pyenv shims included) with `arguments`; status and output.
    static func python(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// The two Python packages must be installed (scripts/setup.sh): without them these tests fail, never skip.
    static func requirePackages() throws {
        let (status, output) = try python(["-c", "import icalendar, recurring_ical_events"])
        try #require(status == 0, "python3 cannot import icalendar and recurring_ical_events (run scripts/setup.sh): \(output)")
    }

    static let script = #"""
import sys, datetime, icalendar, recurring_ical_events
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = [c for c in cal.walk('VEVENT')]
main = events[0]
start = main.decoded('DTSTART')
assert start.utcoffset() == datetime.timedelta(hours=7), start
assert start.astimezone(datetime.timezone.utc) == datetime.datetime(2017, 3, 3, 1, 0, tzinfo=datetime.timezone.utc)
assert str(main['SUMMARY']).startswith('Hội nghị phát động'), main['SUMMARY']
names = sorted(str(a.params['CN']) for a in main.get('ATTENDEE'))
assert 'Nhữ Văn Tâm' in names and 'Phan Chí Hiếu' in names, names
roles = {str(a.params['CN']): a.params['ROLE'] for a in main.get('ATTENDEE')}
assert roles['Phan Chí Hiếu'] == 'REQ-PARTICIPANT' and roles['Trần Thị Minh Hằng'] == 'CHAIR', roles
assert len(cal.walk('VTIMEZONE')) == 1
found = recurring_ical_events.of(cal).between(datetime.date(2017, 3, 3), datetime.date(2017, 3, 4))
assert len(found) == 3, found
print('ok', len(events))
"""#

    @Test func pythonIcalendarReadsOurOutput() throws {
        try Self.requirePackages()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eventd-ical-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("seed.ics")
        try ICalendarWriter().write(Seed.event, method: .request, stamp: Seed.stamp, reminders: [900])
            .write(to: file, atomically: true, encoding: .utf8)

        let (status, output) = try Self.python(["-c", Self.script, file.path])
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("ok 3"))
    }

    /// One calendar from 2005 to 2030 in New York: Python reads every start and every occurrence
    /// through eventd's VTIMEZONE at the instant eventd holds (the rules changed in 2007).
    @Test func pythonReadsEveryInstantOfALongCalendarThroughOurVTimezone() throws {
        try Self.requirePackages()
        let ny = try Zone("America/New_York")
        var events: [Event] = []
        for (n, year) in [2005, 2006, 2007, 2017, 2027, 2030].enumerated() {
            var e = Seed.event
            (e.uid, e.timeZone, e.sessions, e.participants) = ("ny-\(year)@test", "America/New_York", [], [])
            // 20 March and 1 November: summer time under today's rule, winter time under the old one.
            e.start = ny.instant(CivilDateTime(year: year, month: n % 2 == 0 ? 3 : 11, day: n % 2 == 0 ? 20 : 1, hour: 9))
            e.end = e.start.adding(seconds: 3600)
            if year == 2027 { e.recurrence = Recurrence(rule: "FREQ=WEEKLY;COUNT=200") }
            events.append(e)
        }
        // Renamed, the zone is known to Python only by eventd's VTIMEZONE.
        let text = try ICalendarWriter().write(events, method: .publish, stamp: Seed.stamp).replacingOccurrences(of: "America/New_York", with: "Eastern (eventd)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eventd-ny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ny.ics")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let script = """
            import sys, datetime, icalendar, recurring_ical_events
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            out = [int(e.decoded('DTSTART').timestamp()) for e in cal.walk('VEVENT')]
            span = (datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc), datetime.datetime(2031, 12, 31, tzinfo=datetime.timezone.utc))
            out += [int(o['DTSTART'].dt.timestamp()) for o in recurring_ical_events.of(cal).between(*span) if str(o['UID']) == 'ny-2027@test']
            print(' '.join(map(str, out)))
            """
        let (status, output) = try Self.python(["-c", script, file.path])
        #expect(status == 0, "\(output)")
        let series = events[4]
        let ours = events.map(\.start.seconds)
            + (try RecurrenceRule.occurrences(of: series, from: series.start, to: series.start.adding(seconds: 5 * Limits.year), limit: 300)).map(\.start.seconds)
        #expect(output.split(separator: " ").compactMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } == ours)
    }
}
