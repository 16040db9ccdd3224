import EventAPI
import Foundation
import Testing

/// A message as Python's `email` parser reads it (Python/mail_check.py).
struct ParsedMail: Decodable {
    var file: String
    var subject: String
    var fromName: String
    var fromAddress: String
    var toName: String
    var toAddress: String
    var messageId: String
    var headers: [String]
    var contentType: String
    var text: String?
    var calendarParam: String?
    var method: String?
    var sequence: Int?
    var status: String?
    var summary: String?
    var uid: String?
    var organizer: String?
    var attendees: [String]?
    var calendar: String?
}

let mailCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/mail_check.py").path

/// A mail hook that keeps each message in `mail/` as `<arrival epoch>-<notice id>.eml` and logs
/// each attempt; it fails, defers or hangs for recipients whose address says so. `slow`: the
/// first message is held 3 s after it is kept, a window to kill eventd in.
func writeHook(_ daemon: TestDaemon, slow: Bool = false) throws -> String {
    let path = daemon.directory + "/hook.sh"
    try DaemonUser.makeFolder(daemon.directory + "/mail")
    try """
        #!/bin/sh
        now=$(date +%s.%N)
        echo "$now $EVENTD_NOTICE_ID $EVENTD_NOTICE_KIND $EVENTD_RECIPIENT" >> \(daemon.directory)/attempts.log
        case "$EVENTD_RECIPIENT" in
          fail@*) cat >/dev/null; echo "550 mailbox unavailable for $EVENTD_RECIPIENT" >&2; exit 1 ;;
          later@*) cat >/dev/null; echo "421 try again later" >&2; exit 75 ;;
          hang@*) cat >/dev/null; sleep 30; exit 0 ;;
        esac
        cat > \(daemon.directory)/mail/$now-$EVENTD_NOTICE_ID.eml
        \(slow ? "[ -e \(daemon.directory)/slow-once ] || { touch \(daemon.directory)/slow-once; sleep 3; }" : "")
        exit 0

        """.write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
}

extension TestDaemon {
    /// The messages the hook kept, oldest first, as Python reads them.
    func mail() throws -> [ParsedMail] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/mail").filter { $0.hasSuffix(".eml") }.sorted()
        guard !files.isEmpty else { return [] }
        return try python([ParsedMail].self, files.map { directory + "/mail/" + $0 }, script: mailCheck)
    }

    func notices(_ arguments: String...) throws -> [NoticeView] {
        try ctl(["notices", "--json"] + arguments).json([NoticeView].self)
    }

    /// Waits until `done` holds of the outbox, or fails after `seconds`.
    func waitForNotices(seconds: Double = 20, _ done: ([NoticeView]) -> Bool) throws -> [NoticeView] {
        let deadline = Date().addingTimeInterval(seconds)
        var notices = try self.notices()
        while !done(notices) {
            guard Date() < deadline else {
                Issue.record("the outbox did not settle: \(notices.map { "\($0.id) \($0.kind) \($0.state) \($0.lastError ?? "")" })")
                return notices
            }
            usleep(100_000)
            notices = try self.notices()
        }
        return notices
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func listening(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// `--start` for an event `seconds` from now, in UTC.
func startIn(_ seconds: Int) -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date().addingTimeInterval(TimeInterval(seconds)))
}

@Suite struct NoticeTests {
    static let title = "Hội nghị trực tuyến Chính phủ với địa phương"

    @Test func remindersArriveWithinASecondOfTheirTime() throws {
        let daemon = try TestDaemon(config: "mail_from = \"Văn phòng Chính phủ <vpcp@chinhphu.example.vn>\"\n")
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let add = try daemon.ctl(
            "add", Self.title, "--kind", "online", "--start", startIn(5), "--link", "https://hop.chinhphu.example.vn/phien",
            "--speaker", "Trần Tiến Dũng <dung@laichau.gov.vn>", "--attendee", "Phan Chí Hiếu <hieu@moj.gov.vn>",
            "--remind", "3s", "--remind", "1s:speakers")
        #expect(add.status == 0, "\(add)")
        let planned = try daemon.notices()
        #expect(planned.count == 3, "two for everyone, one more for the speaker")
        let done = try daemon.waitForNotices { $0.allSatisfy { $0.state == "sent" } }
        let attempts = try String(contentsOfFile: daemon.directory + "/attempts.log", encoding: .utf8)
        for notice in done {
            let line = try #require(attempts.split(separator: "\n").first { $0.split(separator: " ")[1] == "\(notice.id)" })
            let arrived = Double(line.split(separator: " ")[0])!
            let late = arrived - Double(notice.dueEpoch)
            #expect(late >= 0 && late < 1.0, "notice \(notice.id) arrived \(late) s after its due time")
        }
        let mail = try daemon.mail()
        #expect(mail.count == 3)
        for message in mail {
            #expect(message.subject.hasPrefix("Nhắc lịch: \(Self.title) ("), "\(message.subject)")
            #expect(message.fromName == "Văn phòng Chính phủ")
            #expect(message.fromAddress == "vpcp@chinhphu.example.vn")
            #expect(["Trần Tiến Dũng", "Phan Chí Hiếu"].contains(message.toName))
            #expect(message.contentType == "multipart/alternative")
            #expect(message.calendarParam == message.method, "the part's method= matches its METHOD")
            #expect(message.summary == Self.title)
            #expect(message.text?.contains("Tham gia trực tuyến: https://hop.chinhphu.example.vn/phien") == true)
        }
        let speaker = try #require(mail.first { $0.toName == "Trần Tiến Dũng" })
        #expect(speaker.text?.contains("Vai trò của quý vị: phát biểu") == true)
        #expect(Set(mail.map(\.messageId)).count == 3)
    }

    /// The logic (due while down: sent on start, or skipped once the event began) runs on fake
    /// time in EventDaemonTests; this is the real kill, restart and lateness.
    @Test func aReminderScheduledBeforeASIGKILLIsSentAfterTheRestart() throws {
        let daemon = try TestDaemon()
        let hook = try writeHook(daemon)
        try daemon.restart(extra: ["--mail-hook", hook])
        try daemon.ctl("add", "Giao ban trực tuyến", "--kind", "online", "--start", startIn(8), "--link", "https://hop.example.vn/gb",
                       "--attendee", "Phan Chí Hiếu <hieu@moj.gov.vn>", "--remind", "6s")
        let due = Double(try #require(try daemon.notices().first).dueEpoch)
        daemon.stop(signal: SIGKILL)
        // The reminder falls due while eventd is down.
        while Date().timeIntervalSince1970 < due + 0.5 { usleep(50_000) }
        let restarted = Date().timeIntervalSince1970
        try daemon.start(extra: ["--mail-hook", hook])
        let done = try daemon.waitForNotices { $0.allSatisfy { $0.state == "sent" } }
        #expect(done.count == 1)
        #expect(try daemon.mail().map(\.toName) == ["Phan Chí Hiếu"])
        // Sent by the restarted eventd, not before the kill, and soon after it started.
        let attempts = try String(contentsOfFile: daemon.directory + "/attempts.log", encoding: .utf8).split(separator: "\n")
        #expect(attempts.count == 1)
        let sent = try #require(attempts.first.flatMap { Double($0.split(separator: " ")[0]) })
        #expect(sent >= restarted && sent < restarted + 5, "sent \(sent - restarted) s after the restart")
    }

    @Test func aNoticeInterruptedWhileItsHookRunsIsSentAgainWithTheSameMessageID() throws {
        let daemon = try TestDaemon()
        let hook = try writeHook(daemon, slow: true)
        try daemon.restart(extra: ["--mail-hook", hook])
        let id = try daemon.ctl("add", "Lễ ký kết giao ước thi đua", "--kind", "signing", "--start", startIn(86_400), "--remind", "none",
                                "--witness", "Phan Chí Hiếu <hieu@moj.gov.vn>").out
        try daemon.ctl("invite", id)
        // Kill eventd while the (slow) hook holds the message.
        let deadline = Date().addingTimeInterval(10)
        while (try? FileManager.default.contentsOfDirectory(atPath: daemon.directory + "/mail"))?.isEmpty != false, Date() < deadline { usleep(50_000) }
        daemon.stop(signal: SIGKILL)
        try daemon.start(extra: ["--mail-hook", hook])
        let done = try daemon.waitForNotices { $0.allSatisfy { $0.state == "sent" } }
        #expect(done.first?.attempts == 2)
        let mail = try daemon.mail()
        #expect(mail.count == 2, "at least once: the repeat after the restart")
        #expect(Set(mail.map(\.messageId)).count == 1, "a repeat carries the same Message-ID")
        #expect(mail.allSatisfy { $0.method == "REQUEST" && $0.calendarParam == "REQUEST" })
    }

    /// Retries, backoff and the hook's timeout run on fake time in EventDaemonTests; this checks
    /// what a real eventd records of each way a hook fails, in one attempt.
    @Test func failingHooksAreMarkedFailedWithTheirErrors() throws {
        let daemon = try TestDaemon(config: "max_attempts = 1\nhook_timeout = 1s\n")
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl("add", "Hội thảo tham vấn", "--kind", "workshop", "--start", startIn(86_400), "--remind", "none",
                                "--attendee", "Hỏng <fail@example.vn>", "--attendee", "Bận <later@example.vn>", "--attendee", "Treo <hang@example.vn>").out
        try daemon.ctl("invite", id)
        let done = try daemon.waitForNotices(seconds: 30) { $0.allSatisfy { $0.state == "failed" } }
        #expect(done.map(\.attempts) == [1, 1, 1])
        let byRecipient = Dictionary(uniqueKeysWithValues: done.map { ($0.recipient, $0) })
        #expect(byRecipient["fail@example.vn"]?.lastError == "exit 1: 550 mailbox unavailable for fail@example.vn")
        #expect(byRecipient["later@example.vn"]?.lastError == "exit 75 (try later): 421 try again later")
        #expect(byRecipient["hang@example.vn"]?.lastError?.contains("longer than 1 s (hook_timeout)") == true)
        let table = try daemon.ctl("notices", "--state", "failed")
        #expect(table.stdout.contains("550 mailbox unavailable"))
        // Retry puts a failed notice back in the queue; cancel withdraws a pending one.
        let failID = String(byRecipient["fail@example.vn"]!.id)
        #expect(try daemon.ctl("notices", "retry", failID).out == "notice \(failID) is pending again")
        #expect(try daemon.ctl("notices", "retry", "999").stderr.contains("no notice with id 999"))
    }

    @Test func updatesAndCancellationsFollowTheInvitationWithARisingSequence() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl(Seed.conference + ["--remind", "none"]).out  // 2017: long past, so no reminders either way
        let future = try daemon.ctl("update", id, "--start", "3/3/2030 8h00", "--json").json(EventView.self)
        #expect(future.sequence == 1)
        #expect(try daemon.notices().isEmpty, "no update before anyone was invited")
        try daemon.ctl("invite", id)
        _ = try daemon.waitForNotices { $0.count == 4 && $0.allSatisfy { $0.state == "sent" } }
        try daemon.ctl("update", id, "--location", "Hội trường UBND tỉnh Thái Nguyên")
        _ = try daemon.waitForNotices { $0.count == 8 && $0.allSatisfy { $0.state == "sent" } }
        try daemon.ctl("update", id, "--remove", "hien@stp.thainguyen.gov.vn")
        _ = try daemon.waitForNotices { $0.filter { $0.state == "sent" }.count == 12 }
        try daemon.ctl("cancel", id)
        let all = try daemon.waitForNotices { $0.filter { $0.state == "sent" }.count == 15 }
        #expect(all.filter { $0.kind == "cancellation" }.count == 4)

        let mail = try daemon.mail()
        let hien = mail.filter { $0.toAddress == "hien@stp.thainguyen.gov.vn" }.map { "\($0.method!) \($0.sequence!)" }
        #expect(hien == ["REQUEST 1", "REQUEST 2", "CANCEL 3"], "\(hien)")
        let hieu = mail.filter { $0.toAddress == "hieu@moj.gov.vn" }
        #expect(hieu.map { "\($0.method!) \($0.sequence!) \($0.status!)" } == ["REQUEST 1 CONFIRMED", "REQUEST 2 CONFIRMED", "REQUEST 3 CONFIRMED", "CANCEL 4 CANCELLED"])
        #expect(hieu.map(\.subject).last == "Hủy: \(Seed.conferenceTitle) (03/03/2030 08:00)")
        #expect(mail.allSatisfy { $0.calendarParam == $0.method })
        #expect(mail.allSatisfy { Set($0.headers).isSubset(of: ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "X-Eventd-Notice", "X-Eventd-Sequence"]) })
    }

    @Test func cancellingOrDeletingWithdrawsPendingReminders() throws {
        let daemon = try TestDaemon()
        let a = try daemon.ctl("add", "Họp tuần sau", "--kind", "meeting", "--start", startIn(7 * 86_400), "--attendee", "Phan Chí Hiếu <hieu@moj.gov.vn>").out
        let b = try daemon.ctl("add", "Giao ban hằng ngày", "--kind", "meeting", "--start", startIn(86_400), "--rrule", "FREQ=DAILY;COUNT=4",
                               "--attendee", "hieu@moj.gov.vn", "--remind", "1h", "--remind", "10m").out
        #expect(try daemon.notices("--event", a).count == 2, "the config's default reminders: 1 day and 1 hour before")
        #expect(try daemon.notices("--event", b).count == 8, "two reminders for each of four occurrences")
        // Reminders are written only a week ahead of their time; the scheduler tops the window up.
        let weekly = try daemon.ctl("add", "Giao ban hằng tuần", "--kind", "meeting", "--start", startIn(86_400), "--rrule", "FREQ=WEEKLY;COUNT=4",
                                    "--attendee", "hieu@moj.gov.vn", "--remind", "1h", "--remind", "2d").out
        let planned = try daemon.notices("--event", weekly).map { ($0.dueEpoch - Int64(Date().timeIntervalSince1970) + 1800) / 3600 }
        // The first occurrence's 1-hour reminder (its 2-day one is past), and the second's 2-day
        // one, due in 6 days; its 1-hour one, due in 8 days less an hour, waits for a top-up.
        #expect(planned.sorted() == [23, 144], "hours until each planned reminder: \(planned)")
        // notices cancel withdraws a pending notice once; a second time it is refused.
        let first = try #require(try daemon.notices("--event", b).first)
        #expect(try daemon.ctl("notices", "cancel", String(first.id)).out == "notice \(first.id) is skipped")
        let again = try daemon.ctl("notices", "cancel", String(first.id))
        #expect(again.status == 1)
        #expect(again.stderr.contains("notice \(first.id) is skipped; only a notice that is pending, failed can be changed so"))
        let moved = try daemon.ctl("update", a, "--start", startIn(5 * 86_400))
        #expect(moved.status == 0)
        let dues = try daemon.notices("--event", a).map(\.dueEpoch)
        let now = Int64(Date().timeIntervalSince1970)
        #expect(dues.count == 2 && dues.allSatisfy { $0 > now + 3 * 86_400 && $0 < now + 5 * 86_400 }, "reminders move with the start: \(dues)")
        try daemon.ctl("cancel", a)
        #expect(try daemon.notices("--event", a).isEmpty, "reminders withdrawn; never invited, so no CANCEL either")
        try daemon.ctl("delete", b)
        try daemon.ctl("delete", weekly)
        #expect(try daemon.notices().filter { $0.state != "skipped" }.isEmpty)
        // Once invited, a delete sends CANCEL with a raised SEQUENCE.
        let c = try daemon.ctl("add", "Họp có mời", "--kind", "meeting", "--start", startIn(86_400), "--remind", "none", "--attendee", "hieu@moj.gov.vn").out
        try daemon.ctl("invite", c)
        try daemon.ctl("delete", c)
        #expect(try daemon.notices().filter { $0.kind == "cancellation" }.map(\.sequence) == [1])
    }

    @Test func throughMsmtpToALocalSMTPServer() throws {
        let daemon = try TestDaemon()
        let port = 20_000 + Int(getpid() % 10_000)
        let maildir = daemon.directory + "/Maildir"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir]
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGKILL: a child of the test runner may not see SIGTERM (Foundation's Process keeps the signal mask).
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        // Until aiosmtpd listens.
        for _ in 0..<100 where !listening(port) { usleep(50_000) }
        try daemon.writeConfig("mail_hook = /usr/bin/msmtp --host=127.0.0.1 --port=\(port) --auth=off --tls=off --from=eventd@localhost -t\n")
        try daemon.restart()
        let id = try daemon.ctl("add", Self.title, "--kind", "online", "--start", startIn(86_400), "--link", "https://hop.chinhphu.example.vn/phien",
                                "--remind", "none", "--speaker", "Trần Tiến Dũng <dung@laichau.gov.vn>").out
        try daemon.ctl("invite", id)
        let done = try daemon.waitForNotices { $0.allSatisfy { $0.state == "sent" || $0.state == "failed" } }
        #expect(done.map(\.state) == ["sent"], "\(done.map { $0.lastError ?? "" })")
        let new = try FileManager.default.contentsOfDirectory(atPath: maildir + "/new")
        #expect(new.count == 1)
        let parsed = try python([ParsedMail].self, new.map { maildir + "/new/" + $0 }, script: mailCheck)
        #expect(parsed.first?.subject.hasPrefix("Mời tham dự: \(Self.title)") == true)
        #expect(parsed.first?.toName == "Trần Tiến Dũng")
        #expect(parsed.first?.method == "REQUEST")
    }
}
