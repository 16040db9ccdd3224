import EventAPI
import Foundation
import Testing

/// Facts of a real client's answer (Python/reply_facts.py, Python's email and icalendar).
struct ReplyFacts: Decodable {
    var sender: String?
    var method: String
    var uid: String
    var sequence: Int
    var attendee: String
    var partstat: String
    var start: String
}

let iMIPFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("iMIP").path
let replyFacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/reply_facts.py").path

/// Answers to invitations: iTIP REPLY and COUNTER through `eventctl mail-in` and `import`,
/// answers by hand, and the invitations themselves as clients need them.
@Suite struct AnswerTests {
    static let organizer = "vanphong@moj.gov.vn"

    /// A calendar that puts an event with this UID, SEQUENCE and attendee in the register.
    func seed(uid: String, sequence: Int, attendee: String, start: String, extra: [String] = []) -> String {
        let lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//eventd tests//EN", "METHOD:PUBLISH", "BEGIN:VEVENT", "UID:\(uid)",
            "SEQUENCE:\(sequence)", "DTSTAMP:20260101T000000Z", "DTSTART:\(start)", "DURATION:PT1H", "SUMMARY:Họp với đối tác",
            "LOCATION:Hà Nội", "ORGANIZER;CN=Văn phòng Bộ Tư pháp:mailto:\(Self.organizer)",
            "ATTENDEE;CN=Đối tác;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:\(attendee)",
        ] + extra + ["END:VEVENT", "END:VCALENDAR"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A whole message, as an MTA hands it to a program, around a bare calendar.
    func message(from: String, calendar: String, encoding: String = "8bit") -> Data {
        let body = encoding == "base64" ? Data(calendar.utf8).base64EncodedString(options: .lineLength76Characters) : calendar
        let text = """
            From: Đối tác <\(from)>\r
            To: Văn phòng Bộ Tư pháp <\(Self.organizer)>\r
            Subject: =?UTF-8?B?\(Data("Trả lời: Họp".utf8).base64EncodedString())?=\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=UTF-8\r
            \r
            Đã trả lời.\r
            --b1\r
            Content-Type: text/calendar; method=REPLY; charset=UTF-8\r
            Content-Transfer-Encoding: \(encoding)\r
            \r
            \(body)\r
            --b1--\r

            """
        return Data(text.utf8)
    }

    /// An answer to the event `uid` as a client writes it.
    func reply(uid: String, sequence: Int, attendee: String, partstat: String, method: String = "REPLY", extra: [String] = []) -> String {
        [
            "BEGIN:VCALENDAR", "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN", "VERSION:2.0", "METHOD:\(method)", "BEGIN:VEVENT",
            "UID:\(uid)", "SEQUENCE:\(sequence)", "DTSTAMP:20260101T000000Z", "DTSTART:20300303T010000Z", "DTEND:20300303T020000Z",
            "SUMMARY:Accepted: something else", "ORGANIZER:mailto:\(Self.organizer)",
            "ATTENDEE;CN=Someone;PARTSTAT=\(partstat);ROLE=REQ-PARTICIPANT:MAILTO:\(attendee.uppercased())",
        ].joined(separator: "\r\n") + "\r\n" + (extra.isEmpty ? "" : extra.joined(separator: "\r\n") + "\r\n") + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    }

    /// The event as `show --json` prints it, with one person's answer fields taken out.
    func withoutAnswer(_ json: String, of email: String) throws -> NSDictionary {
        var object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        object["participants"] = (object["participants"] as? [[String: Any]] ?? []).map { p in
            guard (p["email"] as? String) == email else { return p }
            return p.filter { !["rsvp", "answeredAt", "comment", "answeredVia"].contains($0.key) }
        }
        return object as NSDictionary
    }

    static let samples = ((try? FileManager.default.contentsOfDirectory(atPath: iMIPFolder)) ?? []).filter { $0.hasSuffix(".eml") || $0.hasSuffix(".ics") }.sorted()

    @Test(arguments: samples)
    func aRealClientsAnswerIsTakenAsItIs(_ file: String) throws {
        let path = iMIPFolder + "/" + file
        let facts = try python(ReplyFacts.self, [path], script: replyFacts)
        let daemon = try TestDaemon()
        let start = Date(timeIntervalSince1970: 1_900_000_000)  // 2030: ahead, so nothing is late
        let seeded = seed(uid: facts.uid, sequence: facts.sequence, attendee: facts.attendee, start: ISO8601DateFormatter().string(from: start).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: ""))
        let seedFile = daemon.directory + "/seed.ics"
        try seeded.write(toFile: seedFile, atomically: true, encoding: .utf8)
        #expect(try daemon.ctl("import", seedFile).status == 0)
        let id = try #require(try daemon.ctl("list", "--json").json([EventView].self).first?.id)
        let before = try daemon.ctl("show", String(id), "--json").out

        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // A bare .ics arrives as an MTA would deliver it: inside a message from the attendee.
        let mail = file.hasSuffix(".eml") ? bytes : message(from: facts.attendee, calendar: String(decoding: bytes, as: UTF8.self))
        let taken = try daemon.ctl(["mail-in"], input: mail)
        #expect(taken.status == 0, "\(file): \(taken)")

        let after = try daemon.ctl("show", String(id), "--json")
        let view = try after.json(EventView.self)
        let answered = try #require(view.participants.first { $0.email == facts.attendee })
        #expect(answered.rsvp == facts.partstat, "\(file)")
        #expect(answered.answeredVia == "mail from \(facts.attendee)")
        #expect(answered.answeredAt != nil)
        #expect(try withoutAnswer(after.out, of: facts.attendee) == withoutAnswer(before, of: facts.attendee), "\(file): nothing but the answer changed")
    }

    /// An invitation goes out through the hook; the answers come back through mail-in.
    @Test func invitationOutAnswersBackAndRefusalsChangeNothing() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl(
            "add", "Lễ ký kết giao ước thi đua năm 2030", "--kind", "signing", "--start", "3/3/2030 8h00", "--duration", "2h",
            "--location", "Thái Nguyên", "--remind", "none", "--witness", Seed.hieu, "--speaker", Seed.tam, "--speaker", Seed.hien,
            "--attendee", "Lê Thị Thu <thu@moj.gov.vn>", "--attendee", "Ông Không Email").out
        let invited = try daemon.ctl("invite", id, "--json").json(InviteView.self)
        #expect(invited.queued.count == 4)
        #expect(invited.notInvited == ["Ông Không Email"], "invite says who has no email")
        _ = try daemon.waitForNotices { $0.count == 4 && $0.allSatisfy { $0.state == "sent" } }
        let mail = try daemon.mail()
        let request = try #require(mail.first { $0.toAddress == "hieu@moj.gov.vn" })
        #expect(request.method == "REQUEST")
        #expect(request.organizer == Self.organizer, "the config's organizer, never eventd@localhost")
        #expect(!mail.contains { $0.toAddress == Self.organizer }, "the organizer is not invited")
        let uid = try #require(request.uid)
        let sequence = try #require(request.sequence)

        // Accepted, as Thunderbird answers: the calendar it received, with a PARTSTAT and a COMMENT.
        let accepted = reply(uid: uid, sequence: sequence, attendee: "hieu@moj.gov.vn", partstat: "ACCEPTED", extra: ["COMMENT:Tôi sẽ đến đúng giờ"])
        #expect(try daemon.ctl(["mail-in"], input: message(from: "hieu@moj.gov.vn", calendar: accepted, encoding: "base64")).status == 0)
        let declined = reply(uid: uid, sequence: sequence, attendee: "tam@thainguyen.gov.vn", partstat: "DECLINED")
        #expect(try daemon.ctl(["mail-in"], input: message(from: "tam@thainguyen.gov.vn", calendar: declined)).status == 0)
        let tentative = reply(uid: uid, sequence: sequence, attendee: "hien@stp.thainguyen.gov.vn", partstat: "TENTATIVE")
        #expect(try daemon.ctl(["mail-in"], input: message(from: "hien@stp.thainguyen.gov.vn", calendar: tentative)).status == 0)
        let counter = reply(uid: uid, sequence: sequence, attendee: "thu@moj.gov.vn", partstat: "NEEDS-ACTION", method: "COUNTER", extra: ["COMMENT:Xin lùi sang 9h00"])
        #expect(try daemon.ctl(["mail-in"], input: message(from: "thu@moj.gov.vn", calendar: counter)).status == 0)

        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        let answers = Dictionary(uniqueKeysWithValues: event.participants.compactMap { p in p.email.map { ($0, p) } })
        #expect(answers["hieu@moj.gov.vn"]?.rsvp == "accepted")
        #expect(answers["hieu@moj.gov.vn"]?.comment == "Tôi sẽ đến đúng giờ")
        #expect(answers["tam@thainguyen.gov.vn"]?.rsvp == "declined")
        #expect(answers["hien@stp.thainguyen.gov.vn"]?.rsvp == "tentative")
        #expect(answers["thu@moj.gov.vn"]?.rsvp == "needs-action", "a COUNTER is not an answer")
        #expect(event.start == "2030-03-03T08:00:00+07:00", "a COUNTER is never applied")
        let all = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self)
        #expect(all.proposals.map(\.name) == ["Lê Thị Thu"])
        #expect(all.proposals.first?.start == "2030-03-03T08:00:00+07:00")
        #expect(all.proposals.first?.comment == "Xin lùi sang 9h00")
        let shown = try daemon.ctl("show", id).out
        #expect(shown.contains("Phan Chí Hiếu <hieu@moj.gov.vn>") && shown.contains("[accepted "))

        // Refused, each changing nothing: a forged sender, an unknown UID, an older SEQUENCE, no calendar.
        let snapshot = try daemon.snapshot() + (try daemon.ctl("rsvp", id, "--json").out)
        let forged = try daemon.ctl(["mail-in"], input: message(from: "mao.danh@example.com", calendar: reply(uid: uid, sequence: sequence, attendee: "thu@moj.gov.vn", partstat: "DECLINED")))
        #expect(forged.status == 77, "\(forged)")
        #expect(forged.stderr.contains("came from mao.danh@example.com"))
        let unknown = try daemon.ctl(["mail-in"], input: message(from: "thu@moj.gov.vn", calendar: reply(uid: "khong-co@example.com", sequence: 0, attendee: "thu@moj.gov.vn", partstat: "DECLINED")))
        #expect(unknown.status == 67, "\(unknown)")
        let stranger = try daemon.ctl(["mail-in"], input: message(from: "la@example.com", calendar: reply(uid: uid, sequence: sequence, attendee: "la@example.com", partstat: "ACCEPTED")))
        #expect(stranger.status == 67, "an attendee not on the event: \(stranger)")
        let notCalendar = try daemon.ctl(["mail-in"], input: Data("From: thu@moj.gov.vn\r\nSubject: hi\r\n\r\nXin chào\r\n".utf8))
        #expect(notCalendar.status == 65)
        #expect(try daemon.snapshot() + (try daemon.ctl("rsvp", id, "--json").out) == snapshot)

        // After a change raises SEQUENCE, an answer to the old invitation is refused, and changes nothing.
        try daemon.ctl("update", id, "--location", "Hội trường UBND tỉnh Thái Nguyên")
        let newer = try daemon.snapshot() + (try daemon.ctl("rsvp", id, "--json").out)
        let old = try daemon.ctl(["mail-in"], input: message(from: "thu@moj.gov.vn", calendar: reply(uid: uid, sequence: sequence, attendee: "thu@moj.gov.vn", partstat: "ACCEPTED")))
        #expect(old.status == 65, "\(old)")
        #expect(old.stderr.contains("SEQUENCE"))
        #expect(try daemon.snapshot() + (try daemon.ctl("rsvp", id, "--json").out) == newer)

        // With eventd down, the MTA is told to try later.
        daemon.stop()
        let down = try daemon.ctl(["mail-in"], input: message(from: "thu@moj.gov.vn", calendar: accepted))
        #expect(down.status == 75)
    }

    @Test func anAnswerForOneOccurrenceAndADelegation() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(
            "add", "Giao ban thứ Hai", "--kind", "meeting", "--start", "4/3/2030 8h00", "--rrule", "FREQ=WEEKLY;COUNT=4", "--remind", "none",
            "--attendee", Seed.hieu, "--attendee", Seed.tam).out
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        // Declines the second Monday only (11 March 2030, 08:00 in Hà Nội = 01:00 UTC), as a client writes RECURRENCE-ID.
        let one = reply(uid: event.uid, sequence: event.sequence, attendee: "hieu@moj.gov.vn", partstat: "DECLINED", extra: ["RECURRENCE-ID:20300311T010000Z", "COMMENT:Đi công tác"])
        #expect(try daemon.ctl(["mail-in"], input: message(from: "hieu@moj.gov.vn", calendar: one)).status == 0)
        let delegated = reply(uid: event.uid, sequence: event.sequence, attendee: "tam@thainguyen.gov.vn", partstat: "DELEGATED")
            .replacingOccurrences(of: "PARTSTAT=DELEGATED;", with: "PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:pho@thainguyen.gov.vn\";")
        #expect(try daemon.ctl(["mail-in"], input: message(from: "tam@thainguyen.gov.vn", calendar: delegated)).status == 0)
        try daemon.ctl("rsvp", id, "Nhữ Văn Tâm", "tentative", "--occurrence", "18/3/2030 8h00")
        let answers = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self)
        #expect(answers.participants.first { $0.email == "hieu@moj.gov.vn" }?.rsvp == "needs-action", "the series is still unanswered")
        #expect(answers.participants.first { $0.email == "tam@thainguyen.gov.vn" }?.rsvp == "delegated")
        #expect(answers.participants.first { $0.email == "tam@thainguyen.gov.vn" }?.comment == "delegated to pho@thainguyen.gov.vn")
        #expect(answers.occurrences.map { "\($0.name) \($0.occurrence) \($0.answer)" } == [
            "Phan Chí Hiếu 2030-03-11T08:00:00+07:00 declined", "Nhữ Văn Tâm 2030-03-18T08:00:00+07:00 tentative",
        ])
        #expect(answers.occurrences.first?.comment == "Đi công tác")
    }

    @Test func importingAReplyChangesOnlyThatAnswer() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        let before = try daemon.ctl("show", id, "--json").out
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        let file = daemon.directory + "/reply.ics"
        try reply(uid: event.uid, sequence: event.sequence, attendee: "tam@thainguyen.gov.vn", partstat: "ACCEPTED").write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try daemon.ctl("import", file, "--json")
        #expect(imported.status == 0, "\(imported)")
        let after = try daemon.ctl("show", id, "--json").out
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).participants.first { $0.email == "tam@thainguyen.gov.vn" }?.rsvp == "accepted")
        #expect(try withoutAnswer(after, of: "tam@thainguyen.gov.vn") == withoutAnswer(before, of: "tam@thainguyen.gov.vn"))
        #expect(try daemon.ctl("list", "--json").json([EventView].self).count == 1, "no event was added")
        #expect(try daemon.notices().isEmpty, "nobody was sent anything")
    }

    @Test func outgoingRequestUpdateAndCancelAsPythonReadsThem() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl(
            "add", "Giao ban công tác tư pháp", "--kind", "meeting", "--start", "6/3/2030 8h00", "--duration", "1h", "--location", "Phòng họp số 1",
            "--rrule", "FREQ=WEEKLY;BYDAY=MO;COUNT=10", "--remind", "none",
            "--organizer", "Văn phòng Sở Tư pháp <vanphong@stp.thainguyen.gov.vn>", "--attendee", Seed.hieu, "--attendee", Seed.tam).out
        try daemon.ctl("invite", id)
        _ = try daemon.waitForNotices { $0.count == 2 && $0.allSatisfy { $0.state == "sent" } }
        try daemon.ctl("update", id, "--location", "Hội trường A", "--start", "6/3/2030 9h00", "--attendee", Seed.hien)
        _ = try daemon.waitForNotices { $0.count == 5 && $0.allSatisfy { $0.state == "sent" } }
        try daemon.ctl("cancel", id)
        _ = try daemon.waitForNotices { $0.count == 8 && $0.allSatisfy { $0.state == "sent" } }
        let mail = try daemon.mail()
        #expect(mail.count == 8)
        for message in mail {
            #expect(message.organizer == "vanphong@stp.thainguyen.gov.vn", "the event's own organizer")
            #expect(message.attendees?.contains(message.toAddress) == true)
            #expect(message.attendees?.contains("vanphong@stp.thainguyen.gov.vn") != true, "the organizer is not an attendee")
            #expect(message.calendarParam == message.method)
        }
        let first = try #require(mail.first { $0.toAddress == "hieu@moj.gov.vn" && $0.subject.hasPrefix("Mời") })
        #expect(first.text?.contains("Lặp lại: Hằng tuần vào Thứ Hai, 10 lần") == true, "\(first.text ?? "")")
        let update = try #require(mail.first { $0.toAddress == "hieu@moj.gov.vn" && $0.subject.hasPrefix("Cập nhật") })
        #expect(update.method == "REQUEST")
        #expect(update.text?.contains("Những thay đổi:") == true)
        #expect(update.text?.contains("Địa điểm: Hội trường A (trước đây: Phòng họp số 1)") == true, "\(update.text ?? "")")
        #expect(update.text?.contains("Thời gian: 06/03/2030 09:00") == true)
        #expect(update.text?.contains("+ Vũ Duy Hiển") == true)
        let newcomer = mail.filter { $0.toAddress == "hien@stp.thainguyen.gov.vn" }
        #expect(newcomer.map { $0.subject.prefix(8) } == ["Mời tham", "Hủy: Gia"], "someone added later is invited, not updated")
        #expect(mail.filter { $0.method == "CANCEL" }.count == 3)
    }

    @Test func answersByHandAndWhoHasNotAnswered() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        let answered = try daemon.ctl("rsvp", id, "Phan Chi Hieu", "accepted", "--comment", "gọi điện báo")
        #expect(answered.status == 0, "\(answered)")
        #expect(answered.out.hasPrefix("Phan Chí Hiếu: accepted"))
        let hieu = try daemon.ctl("show", id, "--json").json(EventView.self).participants.first { $0.name == "Phan Chí Hiếu" }
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        #expect(hieu?.rsvp == "accepted" && hieu?.comment == "gọi điện báo" && hieu?.answeredVia == "by hand (\(me))")
        let missing = try daemon.ctl("rsvp", id, "--missing", "--json").json(AnswersView.self)
        #expect(Set(missing.participants.map(\.name)) == ["Nhữ Văn Tâm", "Vũ Duy Hiển", "Hoàng Văn Chủ Trì"])
        #expect(try daemon.ctl("rsvp", id, "--missing").out.contains("Nhữ Văn Tâm"))
        let wrong = try daemon.ctl("rsvp", id, "Phan Chí Hiếu", "maybe")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("one of accepted, declined, tentative"))
        let stranger = try daemon.ctl("rsvp", id, "Người Lạ", "accepted")
        #expect(stranger.status == 1)
        #expect(try daemon.ctl("log", "--event", id, "--json").json([AuditView].self).last?.action.hasPrefix("answer accepted") == true)
    }

    @Test func anUnansweredReminderSendsTheInvitationAgainOnlyToThoseWhoHaveNotAnswered() throws {
        let daemon = try TestDaemon()
        try daemon.restart(extra: ["--mail-hook", try writeHook(daemon)])
        let id = try daemon.ctl(
            "add", "Họp chuẩn bị lễ ký kết", "--kind", "meeting", "--start", startIn(8), "--remind", "4s:unanswered",
            "--attendee", Seed.hieu, "--attendee", Seed.tam).out
        #expect(try daemon.notices("--event", id).count == 2)
        try daemon.ctl("rsvp", id, "hieu@moj.gov.vn", "accepted")
        let done = try daemon.waitForNotices { $0.count == 2 && $0.allSatisfy { $0.state == "sent" || $0.state == "skipped" } }
        #expect(done.first { $0.recipient == "hieu@moj.gov.vn" }?.lastError == "Phan Chí Hiếu has answered since")
        let mail = try daemon.mail()
        #expect(mail.map(\.toAddress) == ["tam@thainguyen.gov.vn"])
        #expect(mail.first?.method == "REQUEST", "the invitation again, so the client shows Accept and Decline")
        #expect(mail.first?.text?.contains("chưa nhận được trả lời") == true)
    }

    @Test func aVisitKeepsBothSidesAndAWitnessTakesPartThroughICalendar() throws {
        let daemon = try TestDaemon()
        let visit = try daemon.ctl(Seed.visit + ["--witness", Seed.hieu]).out
        let ics = try daemon.ctl("ics", visit).stdout
        #expect(ics.contains("X-EVENTD-VISITING:Tỉnh Bắc Kạn"))
        #expect(!ics.contains("NON-PARTICIPANT"))
        let other = try TestDaemon()
        let file = other.directory + "/visit.ics"
        try ics.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try other.ctl("import", file).status == 0)
        let imported = try #require(try other.ctl("list", "--json").json([EventView].self).first)
        #expect(imported.visiting == "Tỉnh Bắc Kạn" && imported.host == "Tỉnh Tuyên Quang")
        #expect(imported.participants.first { $0.name == "Phan Chí Hiếu" }?.role == "witness")
    }
}

/// A real MTA: Postfix delivers a reply sent with sendmail to an alias that pipes it into
/// `eventctl mail-in`, as an agency would set it up. It adds its alias map to the machine's
/// Postfix for the test and puts the setting back (and stops Postfix if it started it); it
/// needs root and the Postfix that scripts/setup.sh installs. Its tests change one Postfix, so
/// they run one at a time (AnswerTrustTests.swift adds the one with OpenDKIM).
@Suite(.serialized) struct PostfixTests {
    /// Points the machine's Postfix at `aliases` (beside its own), loopback only, with `settings`
    /// more, and starts or reloads it; returns what puts every setting back and stops Postfix
    /// if it was not running.
    static func usePostfix(aliases: String, settings: [String: String] = [:]) throws -> () -> Void {
        let keys = ["alias_maps", "inet_interfaces"] + settings.keys.sorted()
        let saved = try keys.map { "\($0) = " + (try run("/usr/sbin/postconf", ["-h", $0]).out) }
        let maps = try run("/usr/sbin/postconf", ["-h", "alias_maps"]).out
        let set = try run(
            "/usr/sbin/postconf",
            ["-e", "alias_maps = \(maps), hash:\(aliases)", "inet_interfaces = loopback-only"] + settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" })
        #expect(set.status == 0, "\(set)")
        let wasRunning = try run("/usr/sbin/postfix", ["status"]).status == 0
        if wasRunning {
            _ = try run("/usr/sbin/postfix", ["reload"])
        } else {
            #expect(try run("/usr/sbin/postfix", ["start"]).status == 0)
        }
        return {
            _ = try? run("/usr/sbin/postconf", ["-e"] + saved)
            _ = try? run("/usr/sbin/postfix", [wasRunning ? "reload" : "stop"])
        }
    }

    @Test(.enabled(if: DaemonUser.isRoot, "configuring Postfix needs root"))
    func aReplySentThroughPostfixReachesMailIn() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/postfix"), "Postfix is missing: run scripts/setup.sh")
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        // The alias file belongs to the daemon user, so Postfix runs the pipe as that user.
        let local = "lich-\(UUID().uuidString.prefix(6).lowercased())"
        let aliases = daemon.directory + "/aliases"
        try "\(local): \"|/usr/bin/env EVENTD_SOCKET=\(daemon.socket) \(DaemonUser.eventctl) mail-in\"\n".write(toFile: aliases, atomically: true, encoding: .utf8)
        DaemonUser.own(aliases)
        #expect(try run("/usr/sbin/postalias", [aliases]).status == 0)
        DaemonUser.own(aliases + ".db")
        let restore = try Self.usePostfix(aliases: aliases)
        defer { restore() }

        let reply = AnswerTests().reply(uid: event.uid, sequence: event.sequence, attendee: "tam@thainguyen.gov.vn", partstat: "ACCEPTED")
        var message = String(decoding: AnswerTests().message(from: "tam@thainguyen.gov.vn", calendar: reply, encoding: "base64"), as: UTF8.self)
        message = message.replacingOccurrences(of: "To: Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>", with: "To: \(local)@localhost")
        let sent = try run("/usr/sbin/sendmail", ["-t", "-i"], stdin: message)
        #expect(sent.status == 0, "\(sent)")
        var answer = ""
        for _ in 0..<150 {
            answer = try daemon.ctl("show", id, "--json").json(EventView.self).participants.first { $0.email == "tam@thainguyen.gov.vn" }?.rsvp ?? ""
            if answer == "accepted" { break }
            usleep(200_000)
        }
        #expect(answer == "accepted", "Postfix delivered the reply to eventctl mail-in")
    }
}
