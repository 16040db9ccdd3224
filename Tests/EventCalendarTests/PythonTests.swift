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

    /// Skipped where the two Python packages are not installed.
    static let available = (try? python(["-c", "import icalendar, recurring_ical_events"]))?.0 == 0

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

    @Test(.enabled(if: available)) func pythonIcalendarReadsOurOutput() throws {
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
}
