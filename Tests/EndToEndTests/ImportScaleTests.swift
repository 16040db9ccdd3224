import EventAPI
import Foundation
import Testing

/// An agency's exported calendar: thousands of events in one file, on the default config.
@Suite struct ImportScaleTests {
    static let people = [
        "Lê Thành Long <long@moj.gov.vn>", "Phan Chí Hiếu <hieu@moj.gov.vn>", "Nguyễn Thanh Tịnh <tinh@moj.gov.vn>",
        "Đặng Hoàng Oanh <oanh@moj.gov.vn>", "Trần Tiến Dũng <dung@moj.gov.vn>", "Nguyễn Thị Hiền <hien@stp.thainguyen.gov.vn>",
    ]
    static let titles = [
        "Hội nghị triển khai công tác tư pháp", "Lễ ký kết chương trình phối hợp", "Hội thảo góp ý dự thảo Luật",
        "Lễ trao tặng Kỷ niệm chương", "Hội nghị trực tuyến toàn quốc", "Đoàn công tác làm việc tại Sở Tư pháp",
    ]

    /// One VCALENDAR of `count` VEVENTs, a few hours apart from 2031 on, two attendees each.
    static func export(count: Int, prefix: String, daysFromNow: Int? = nil) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bộ Tư pháp//Lịch công tác//VI", "X-WR-TIMEZONE:Asia/Ho_Chi_Minh"]
        let first = daysFromNow.map { Int(Date().timeIntervalSince1970) + $0 * 86_400 } ?? 1_924_992_000  // 2031-01-01
        let stamp = "20301201T000000Z"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        for n in 0..<count {
            let start = Date(timeIntervalSince1970: TimeInterval(first + n * 3 * 3600))
            let a = people[n % people.count], b = people[(n + 1) % people.count]
            func attendee(_ p: String) -> String {
                let name = p.prefix { $0 != "<" }.trimmingCharacters(in: .whitespaces), email = p.split(separator: "<")[1].dropLast()
                return "ATTENDEE;CN=\"\(name)\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:\(email)"
            }
            lines += [
                "BEGIN:VEVENT", "UID:\(prefix)-\(n)@moj.gov.vn", "DTSTAMP:\(stamp)",
                "DTSTART;TZID=Asia/Ho_Chi_Minh:\(formatter.string(from: start))",
                "DTEND;TZID=Asia/Ho_Chi_Minh:\(formatter.string(from: start.addingTimeInterval(5400)))",
                "SUMMARY:\(titles[n % titles.count]) (\(n))", "LOCATION:Trụ sở Bộ Tư pháp\\, 60 Trần Phú\\, Hà Nội",
                attendee(a), attendee(b), "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// More than 1 MiB (the JSON limit) and more than 5,000 components: all imported in one
    /// transaction, and every event in all.ics once the feed writer has caught up.
    @Test func anExportOfThousandsOfEventsIsImportedWholeAndPublished() throws {
        let daemon = try TestDaemon()
        let count = 5_200
        let text = Self.export(count: count, prefix: "xuat-khau")
        #expect(text.utf8.count > 1 << 20 && count > 5_000)
        let file = daemon.directory + "/export.ics"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try daemon.ctl("import", file, "--json")
        #expect(result.status == 0, "\(result)")
        let outcome = try result.json(ImportResult.self)
        #expect(outcome.created.count == count && outcome.skipped.isEmpty)
        print("imported \(count) events (\(text.utf8.count) bytes) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(try daemon.ctl("notices", "--json").json([NoticeView].self).isEmpty, "an import without --remind mails nobody")

        let feed = daemon.dataDirectory + "/feeds/all.ics"
        let wanted = Set((0..<count).map { "xuat-khau-\($0)@moj.gov.vn" })
        let deadline = Date().addingTimeInterval(60)
        var found = Set<String>()
        while Date() < deadline {
            let content = (try? String(contentsOfFile: feed, encoding: .utf8)) ?? ""
            found = Set(content.split(separator: "\r\n").filter { $0.hasPrefix("UID:") }.map { String($0.dropFirst(4)) })
            if wanted.isSubset(of: found) { break }
            usleep(200_000)
        }
        #expect(wanted.subtracting(found).isEmpty, "\(wanted.subtracting(found).count) imported events missing from all.ics")

        // A listing of thousands is paged in a table, whole in JSON unless a limit is asked for.
        let table = try daemon.ctl("list")
        #expect(table.status == 0 && table.stdout.split(separator: "\n").count == 101, "a header and 100 rows")
        #expect(table.stderr.contains("showing the first 100 events by start; --all shows every one"), "\(table.stderr)")
        #expect(try daemon.ctl("list", "--all").stdout.split(separator: "\n").count == count + 1)
        #expect(try daemon.ctl("list", "--json").json([EventView].self).count == count)
        #expect(try daemon.ctl("list", "--json", "--limit", "3").json([EventView].self).map(\.uid) == (0..<3).map { "xuat-khau-\($0)@moj.gov.vn" })
        let zero = try daemon.ctl("list", "--limit", "0")
        #expect(zero.status != 0 && zero.stderr.contains("--limit must be at least 1"), "\(zero)")
        let raw = try daemon.curl("http://eventd/v1/notices?limit=-1")
        #expect(raw.status == 400 && raw.body.contains("\"field\":\"limit\""), "\(raw)")
    }

    /// Reminder emails for imported events only when asked for; a re-import keeps what is set.
    @Test func anImportRemindsOnlyWithRemind() throws {
        let daemon = try TestDaemon()
        let quiet = daemon.directory + "/quiet.ics", loud = daemon.directory + "/loud.ics"
        try Self.export(count: 3, prefix: "im-lang", daysFromNow: 3).write(toFile: quiet, atomically: true, encoding: .utf8)
        try Self.export(count: 3, prefix: "nhac-nho", daysFromNow: 3).write(toFile: loud, atomically: true, encoding: .utf8)
        #expect(try daemon.ctl("import", quiet).status == 0)
        #expect(try daemon.ctl("notices", "--json").json([NoticeView].self).isEmpty)
        #expect(try daemon.ctl("import", loud, "--remind").status == 0)
        // Default reminders (1 day, 1 hour) for each of two attendees of three events.
        let reminders = try daemon.ctl("notices", "--json").json([NoticeView].self)
        #expect(reminders.count == 12 && reminders.allSatisfy { $0.eventUid.hasPrefix("nhac-nho-") }, "\(reminders.map(\.eventUid))")
        // A value that is neither true nor false is refused, not taken as "no".
        let yes = try daemon.curl(["-X", "POST", "--data-binary", "@" + loud, "-H", "Content-Type: text/calendar", "http://eventd/v1/import?remind=yes"])
        #expect(yes.status == 400 && yes.body.contains("\"field\":\"remind\""), "\(yes)")
        // Imported again without --remind: the events keep the reminders they have.
        #expect(try daemon.ctl("import", loud).status == 0)
        #expect(try daemon.ctl("notices", "--json").json([NoticeView].self).count == 12)
    }
}
