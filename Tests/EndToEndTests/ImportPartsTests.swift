import EventAPI
import Foundation
import Testing

/// One bad part does not spoil the whole (issue 20): an event the register cannot take is skipped
/// with its reason, a kept line that is no content line is not written back, a file that is not
/// UTF-8 is refused naming where.
@Suite struct ImportPartsTests {
    func write(_ daemon: TestDaemon, _ lines: [String]) throws -> String {
        let path = daemon.directory + "/in-\(UUID().uuidString.prefix(6)).ics"
        try lines.joined(separator: "\r\n").appending("\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func vevent(_ uid: String, _ extra: String...) -> [String] {
        ["BEGIN:VEVENT", "UID:\(uid)", "SUMMARY:\(uid)", "DTSTART:20240304T020000Z", "DTEND:20240304T030000Z"] + extra + ["END:VEVENT"]
    }

    @Test func aMinutelyEventIsSkippedAndTheRestStored() throws {
        let daemon = try TestDaemon()
        let path = try write(daemon, ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
            + Self.vevent("good-1") + Self.vevent("minutely", "RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=6") + Self.vevent("good-2") + ["END:VCALENDAR"])
        let imported = try daemon.ctl("import", path, "--json")
        #expect(imported.status == 0, "\(imported)")
        let result = try imported.json(ImportResult.self)
        #expect(result.created.count == 2, "\(result)")
        #expect(result.skipped.map(\.uid) == ["minutely"], "\(result)")
        #expect(result.skipped.first?.reason.contains("at most hourly") == true, "\(result)")
        // A file of that event alone is refused, with the same reason.
        let alone = try write(daemon, ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"] + Self.vevent("only", "RRULE:FREQ=MINUTELY;COUNT=3") + ["END:VCALENDAR"])
        let refused = try daemon.ctl("import", alone)
        #expect(refused.status != 0 && refused.stderr.contains("at most hourly"), "\(refused)")
    }

    @Test func aKeptLineThatIsNoContentLineIsNotWrittenBack() throws {
        let daemon = try TestDaemon()
        let path = try write(daemon, ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
            + Self.vevent("kept", "X-GOOD;X-P=\"a;b\":fine", "X-BAD;X-P=a\\;b:broken", "TRANSP:OPAQUE") + ["END:VCALENDAR"])
        #expect(try daemon.ctl("import", path).status == 0)
        let id = try #require(try daemon.ctl("list", "--json").json([EventView].self).first?.id)
        let ics = try daemon.ctl("ics", String(id)).out
        #expect(ics.contains("X-GOOD;X-P=\"a;b\":fine") && ics.contains("TRANSP:OPAQUE"), "\(ics)")
        #expect(!ics.contains("X-BAD"), "\(ics)")
    }

    @Test func aFileThatIsNotUTF8IsRefusedNamingTheLineAndByte() throws {
        let daemon = try TestDaemon()
        let path = daemon.directory + "/latin1.ics"
        var bytes = Array("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:H".utf8)
        let offset = bytes.count
        bytes.append(0xE9)  // é in ISO-8859-1
        bytes += Array("\r\nDTSTART:20240304T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let refused = try daemon.ctl("import", path)
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("not valid UTF-8: line 6, byte \(offset) (0xE9)"), "\(refused)")
    }
}
