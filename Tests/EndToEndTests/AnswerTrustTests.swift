import EventAPI
import Foundation
import Testing

/// Whom an answer by mail is believed from, and which answers are taken: SENT-BY only for an
/// assistant the register names, a RECURRENCE-ID only for an occurrence the series has, one From:
/// address, the receiving server's Authentication-Results where `mail_require_pass` asks for
/// them, a delegate's answer after the delegation, and calendar parts in the charsets clients
/// write. Each runs the real eventd and feeds the real `eventctl mail-in`; each refusal is
/// checked to change nothing: the answers (`rsvp ID --json`), the register, the outbox, the feeds
/// and the audit log are as before.
@Suite struct AnswerTrustTests {
    static let organizer = AnswerTests.organizer
    /// The receiving server of the tests' agency, as `mail_authserv_id` names it.
    static let authserv = "mail.moj.gov.vn"

    /// An RFC 5322 message as a client sends it: `from` is the whole From: value, `headers` come
    /// after it at the top, and `calendar` is the one text/calendar part, already in `charset`.
    func mail(
        from: String, headers: [String] = [], partHeaders: [String] = [], calendar: Data, charset: String = "UTF-8", encoding: String = "8bit"
    ) -> Data {
        let top = ["From: \(from)", "To: Văn phòng Bộ Tư pháp <\(Self.organizer)>", "Subject: Re: invitation"] + headers + [
            "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b1\"", "", "--b1", "Content-Type: text/plain; charset=UTF-8", "",
            "Đã trả lời.", "--b1", "Content-Type: text/calendar; method=REPLY; charset=\(charset)", "Content-Transfer-Encoding: \(encoding)",
        ] + partHeaders + ["", ""]
        var data = Data(top.joined(separator: "\r\n").utf8)
        data += encoding == "base64" ? Data(calendar.base64EncodedString(options: .lineLength76Characters).utf8) : calendar
        data += Data("\r\n--b1--\r\n".utf8)
        return data
    }

    func mail(from: String, headers: [String] = [], partHeaders: [String] = [], calendar: String) -> Data {
        mail(from: from, headers: headers, partHeaders: partHeaders, calendar: Data(calendar.utf8))
    }

    /// An answer as a client writes it (AnswerTests.reply), with `attendee` as the whole ATTENDEE line when given.
    func reply(_ event: EventView, attendee email: String, partstat: String, line: String? = nil, extra: [String] = []) -> String {
        var text = AnswerTests().reply(uid: event.uid, sequence: event.sequence, attendee: email, partstat: partstat, extra: extra)
        if let line {
            text = text.replacingOccurrences(of: "ATTENDEE;CN=Someone;PARTSTAT=\(partstat);ROLE=REQ-PARTICIPANT:MAILTO:\(email.uppercased())", with: line)
        }
        return text
    }

    /// What a refused answer must leave as it was: the whole register and the answers.
    func state(_ daemon: TestDaemon, _ id: String) throws -> String {
        try daemon.snapshot() + (try daemon.ctl("rsvp", id, "--json").stdout)
    }

    func auditRows(_ daemon: TestDaemon) throws -> Int {
        try daemon.ctl("log", "--json").json([AuditView].self).count
    }

    /// Feeds `message` to mail-in and checks it was refused with `status` and a message holding
    /// each of `words`, and that it changed nothing and wrote no audit row.
    @discardableResult
    func refused(_ daemon: TestDaemon, event id: String, _ message: Data, status: Int32, saying words: [String], _ what: String) throws -> Run {
        let before = try state(daemon, id)
        let rows = try auditRows(daemon)
        let result = try daemon.ctl(["mail-in"], input: message)
        #expect(result.status == status, "\(what): \(result)")
        for word in words { #expect(result.stderr.contains(word), "\(what): \(result.stderr)") }
        #expect(try auditRows(daemon) == rows, "\(what): no audit row")
        #expect(try state(daemon, id) == before, "\(what): changed nothing")
        return result
    }

    /// Feeds `message` to mail-in and checks it was taken, and recorded in the audit log.
    @discardableResult
    func taken(_ daemon: TestDaemon, _ message: Data, saying words: [String] = [], _ what: String) throws -> Run {
        let rows = try auditRows(daemon)
        let result = try daemon.ctl(["mail-in"], input: message)
        #expect(result.status == 0, "\(what): \(result)")
        for word in words { #expect(result.stdout.contains(word), "\(what): \(result.stdout)") }
        #expect(try auditRows(daemon) > rows, "\(what): the answer is in the audit log")
        return result
    }

    func answer(_ daemon: TestDaemon, _ id: String, of email: String) throws -> ParticipantView? {
        try daemon.ctl("rsvp", id, "--json").json(AnswersView.self).participants.first { $0.email == email }
    }

    /// The conference of 3 March 2017 (its witness Phan Chí Hiếu, speakers Nhữ Văn Tâm and Vũ Duy Hiển).
    func conference(_ daemon: TestDaemon) throws -> (id: String, event: EventView) {
        let id = try daemon.ctl(Seed.conference).out
        return (id, try daemon.ctl("show", id, "--json").json(EventView.self))
    }

    // MARK: SENT-BY

    @Test func sentByIsHonouredOnlyForAnAssistantTheRegisterNames() throws {
        let daemon = try TestDaemon()
        let (id, event) = try conference(daemon)
        let bySecretary = reply(
            event, attendee: "hieu@moj.gov.vn", partstat: "ACCEPTED",
            line: "ATTENDEE;CN=Phan Chí Hiếu;PARTSTAT=ACCEPTED;SENT-BY=\"mailto:thuky@moj.gov.vn\":mailto:hieu@moj.gov.vn")
        let fromSecretary = mail(from: "Thư ký <thuky@moj.gov.vn>", calendar: bySecretary)

        try refused(
            daemon, event: id, fromSecretary, status: 77,
            saying: ["SENT-BY", "thuky@moj.gov.vn may answer for hieu@moj.gov.vn only once the register says so", "--assistant thuky@moj.gov.vn"],
            "a SENT-BY the register does not know")

        let updated = try daemon.ctl("person", "update", "hieu@moj.gov.vn", "--assistant", "thuky@moj.gov.vn", "--assistant", "vanthu@moj.gov.vn")
        #expect(updated.status == 0, "\(updated)")
        #expect(try daemon.ctl("person", "show", "hieu@moj.gov.vn").out.contains("thuky@moj.gov.vn, vanthu@moj.gov.vn"))
        #expect(try daemon.ctl("person", "show", "hieu@moj.gov.vn", "--json").json(PersonView.self).assistants == ["thuky@moj.gov.vn", "vanthu@moj.gov.vn"])

        // Another assistant of his, whom the answer does not name in SENT-BY.
        try refused(
            daemon, event: id, mail(from: "vanthu@moj.gov.vn", calendar: bySecretary), status: 77,
            saying: ["came from vanthu@moj.gov.vn, who is neither that attendee nor named by them in SENT-BY"], "an assistant the answer does not name")
        // His assistant answering for someone else who names her in SENT-BY.
        let forTam = reply(
            event, attendee: "tam@thainguyen.gov.vn", partstat: "DECLINED",
            line: "ATTENDEE;PARTSTAT=DECLINED;SENT-BY=\"mailto:thuky@moj.gov.vn\":mailto:tam@thainguyen.gov.vn")
        try refused(
            daemon, event: id, mail(from: "thuky@moj.gov.vn", calendar: forTam), status: 77,
            saying: ["thuky@moj.gov.vn may answer for tam@thainguyen.gov.vn only once the register says so"], "someone else's assistant")

        try taken(daemon, fromSecretary, saying: ["REPLY from hieu@moj.gov.vn for event \(id): accepted"], "his registered assistant")
        let hieu = try answer(daemon, id, of: "hieu@moj.gov.vn")
        #expect(hieu?.rsvp == "accepted")
        #expect(hieu?.answeredVia == "mail from thuky@moj.gov.vn for hieu@moj.gov.vn")

        // "" clears the list: the same assistant is refused again, and the answer stays.
        #expect(try daemon.ctl("person", "update", "hieu@moj.gov.vn", "--assistant", "").status == 0)
        #expect(try daemon.ctl("person", "show", "hieu@moj.gov.vn").out.contains("Assistants:    -"))
        let declined = bySecretary.replacingOccurrences(of: "PARTSTAT=ACCEPTED", with: "PARTSTAT=DECLINED")
        try refused(
            daemon, event: id, mail(from: "thuky@moj.gov.vn", calendar: declined), status: 77,
            saying: ["thuky@moj.gov.vn may answer for hieu@moj.gov.vn only once the register says so"], "an assistant taken off the register")
        #expect(try answer(daemon, id, of: "hieu@moj.gov.vn")?.rsvp == "accepted")
    }

    // MARK: RECURRENCE-ID

    /// A weekly series on Mondays 01:00 UTC (08:00 in Hà Nội) from 4 March 2030, four times, without
    /// 18 March, with an extra Wednesday 6 March 02:00 (RDATE) and 11 March moved to Tuesday 12 March
    /// 03:00. Its times are UTC, so eventd keeps it in UTC and names occurrences in UTC.
    static let series = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//eventd tests//EN", "METHOD:PUBLISH",
        "BEGIN:VEVENT", "UID:giao-ban-2030@moj.gov.vn", "SEQUENCE:0", "DTSTAMP:20300101T000000Z", "DTSTART:20300304T010000Z", "DURATION:PT1H",
        "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20300318T010000Z", "RDATE:20300306T020000Z", "SUMMARY:Giao ban thứ Hai",
        "ORGANIZER:mailto:\(organizer)", "ATTENDEE;CN=Phan Chí Hiếu;PARTSTAT=NEEDS-ACTION:mailto:hieu@moj.gov.vn", "END:VEVENT",
        "BEGIN:VEVENT", "UID:giao-ban-2030@moj.gov.vn", "SEQUENCE:0", "DTSTAMP:20300101T000000Z", "RECURRENCE-ID:20300311T010000Z",
        "DTSTART:20300312T030000Z", "DURATION:PT1H", "SUMMARY:Giao ban thứ Hai (dời sang thứ Ba)", "ORGANIZER:mailto:\(organizer)",
        "ATTENDEE;CN=Phan Chí Hiếu;PARTSTAT=NEEDS-ACTION:mailto:hieu@moj.gov.vn", "END:VEVENT", "END:VCALENDAR",
    ].joined(separator: "\r\n") + "\r\n"

    @Test func aRecurrenceIDMustNameAnOccurrenceOfTheSeries() throws {
        let daemon = try TestDaemon()
        let file = daemon.directory + "/series.ics"
        try Self.series.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try daemon.ctl("import", file)
        #expect(imported.status == 0, "\(imported)")
        let event = try #require(try daemon.ctl("list", "--json").json([EventView].self).first { $0.uid == "giao-ban-2030@moj.gov.vn" })
        let id = String(event.id)
        func one(_ recurrenceID: String, _ partstat: String = "DECLINED") -> Data {
            mail(from: "hieu@moj.gov.vn", calendar: reply(event, attendee: "hieu@moj.gov.vn", partstat: partstat, extra: ["RECURRENCE-ID:\(recurrenceID)"]))
        }
        for (recurrenceID, shown, what) in [
            ("20300305T010000Z", "05/03/2030 01:00", "another day"), ("20300304T020000Z", "04/03/2030 02:00", "another time of a day it meets"),
            ("20300225T010000Z", "25/02/2030 01:00", "the week before the first"), ("20300318T010000Z", "18/03/2030 01:00", "an excluded one (EXDATE)"),
        ] {
            try refused(daemon, event: id, one(recurrenceID), status: 67, saying: ["no occurrence of event \(id) at \(shown)"], what)
        }
        // One REPLY answering a real occurrence and one that is none: refused whole, the real one unwritten too.
        let good = reply(event, attendee: "hieu@moj.gov.vn", partstat: "ACCEPTED", extra: ["RECURRENCE-ID:20300304T010000Z"])
        let bad = reply(event, attendee: "hieu@moj.gov.vn", partstat: "ACCEPTED", extra: ["RECURRENCE-ID:20300305T010000Z"])
        let begin = try #require(bad.range(of: "BEGIN:VEVENT")), end = try #require(bad.range(of: "END:VEVENT\r\n"))
        let both = good.replacingOccurrences(of: "END:VCALENDAR", with: String(bad[begin.lowerBound..<end.upperBound]) + "END:VCALENDAR")
        try refused(daemon, event: id, mail(from: "hieu@moj.gov.vn", calendar: both), status: 67, saying: ["no occurrence of event \(id) at 05/03/2030 01:00"],
                    "a REPLY of two VEVENTs, one for no occurrence")
        try taken(daemon, one("20300306T020000Z", "TENTATIVE"), saying: ["tentative"], "an RDATE")
        try taken(daemon, one("20300311T010000Z"), "a moved occurrence, by its first start")
        try taken(daemon, one("20300325T010000Z", "ACCEPTED"), "the last of the rule")
        let answers = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self)
        #expect(answers.occurrences.map { "\($0.occurrence) \($0.answer)" } == [
            "2030-03-06T02:00:00+00:00 tentative", "2030-03-11T01:00:00+00:00 declined", "2030-03-25T01:00:00+00:00 accepted",
        ])
        #expect(answers.participants.first?.rsvp == "needs-action", "the series as a whole is still unanswered")
    }

    // MARK: From:

    @Test func anAnswerFromMoreThanOneAddressIsRefused() throws {
        let daemon = try TestDaemon()
        let (id, event) = try conference(daemon)
        let calendar = reply(event, attendee: "tam@thainguyen.gov.vn", partstat: "ACCEPTED")
        try refused(
            daemon, event: id, mail(from: "Nhữ Văn Tâm <tam@thainguyen.gov.vn>, Mạo Danh <mao.danh@example.com>", calendar: calendar), status: 77,
            saying: ["names 2 senders (tam@thainguyen.gov.vn, mao.danh@example.com)", "an answer must come from one address"], "two addresses in From:")
        try refused(
            daemon, event: id, mail(from: "tam@thainguyen.gov.vn", headers: ["From: mao.danh@example.com"], calendar: calendar), status: 77,
            saying: ["names 2 senders"], "two From: headers")
        try taken(daemon, mail(from: "Nhữ Văn Tâm <tam@thainguyen.gov.vn>", calendar: calendar), "the same answer from him alone")
        #expect(try answer(daemon, id, of: "tam@thainguyen.gov.vn")?.rsvp == "accepted")
    }

    // MARK: Authentication-Results

    func authenticated(_ results: String) -> String { "Authentication-Results: \(Self.authserv); \(results)" }

    @Test func withMailRequirePassTheReceivingServerMustVouchForTheFromDomain() throws {
        let daemon = try TestDaemon(config: "mail_authserv_id = \(Self.authserv)\nmail_require_pass = dkim\n")
        let (id, event) = try conference(daemon)
        let calendar = reply(event, attendee: "tam@thainguyen.gov.vn", partstat: "ACCEPTED")
        func from(_ headers: [String], partHeaders: [String] = []) -> Data {
            mail(from: "Nhữ Văn Tâm <tam@thainguyen.gov.vn>", headers: headers, partHeaders: partHeaders, calendar: calendar)
        }
        let dkimPass = "dkim=pass (2048-bit key) header.d=thainguyen.gov.vn header.s=eventd"
        for (headers, partHeaders, words, what) in [
            ([], [], ["no Authentication-Results header from \(Self.authserv) vouches for the sender tam@thainguyen.gov.vn (mail_require_pass = dkim)"], "no header"),
            (["Authentication-Results: mx.example.com; \(dkimPass)"], [], ["no Authentication-Results header from \(Self.authserv)"], "another server's header"),
            ([], [authenticated(dkimPass)], ["no Authentication-Results header from \(Self.authserv)"], "a header inside the calendar part, not at the top"),
            ([authenticated("dkim=fail reason=\"signature verification failed\" header.d=thainguyen.gov.vn")], [],
             ["\(Self.authserv) vouched for no dkim pass of thainguyen.gov.vn itself (dkim=fail for thainguyen.gov.vn; mail_require_pass = dkim)"], "dkim=fail"),
            ([authenticated("dkim=pass header.d=example.com")], [], ["vouched for no dkim pass of thainguyen.gov.vn itself (dkim=pass for example.com"], "a pass for another domain"),
            ([authenticated("dkim=pass header.d=gov.vn.example.com")], [], ["vouched for no dkim pass of thainguyen.gov.vn itself"], "a domain that only looks alike"),
            ([authenticated("spf=pass smtp.mailfrom=tam@thainguyen.gov.vn")], [], ["vouched for no dkim pass of thainguyen.gov.vn itself (spf=pass"], "an SPF pass where DKIM is asked"),
        ] {
            try refused(daemon, event: id, from(headers, partHeaders: partHeaders), status: 77, saying: ["From: "] + words, what)
        }
        // The server's own header among others.
        try taken(daemon, from(["Authentication-Results: mx.example.com; dkim=fail", authenticated(dkimPass)]), saying: ["accepted"], "dkim=pass aligned")
        #expect(try answer(daemon, id, of: "tam@thainguyen.gov.vn")?.answeredVia == "mail from tam@thainguyen.gov.vn, sender checked by the mail server")
        let hien = mail(
            from: "Vũ Duy Hiển <hien@stp.thainguyen.gov.vn>", headers: [authenticated("dkim=pass header.d=thainguyen.gov.vn")],
            calendar: reply(event, attendee: "hien@stp.thainguyen.gov.vn", partstat: "TENTATIVE"))
        // Strict alignment: a pass for the domain above From:'s is not one for From:'s (gov.vn would be one too).
        _ = try refused(daemon, event: id, hien, status: 77, saying: ["vouched for no dkim pass of stp.thainguyen.gov.vn itself"], "a pass for the parent domain of From:'s")

        // spf: smtp.mailfrom must pass for From:'s domain; a DKIM pass is not enough.
        try daemon.writeConfig("mail_authserv_id = \(Self.authserv)\nmail_require_pass = spf\n")
        try daemon.restart()
        let declined = reply(event, attendee: "tam@thainguyen.gov.vn", partstat: "DECLINED")
        func fromTam(_ results: String) -> Data { mail(from: "tam@thainguyen.gov.vn", headers: [authenticated(results)], calendar: declined) }
        try refused(daemon, event: id, fromTam(dkimPass), status: 77, saying: ["vouched for no spf pass of thainguyen.gov.vn itself", "mail_require_pass = spf"], "spf asked, dkim given")
        try refused(daemon, event: id, fromTam("spf=softfail smtp.mailfrom=tam@thainguyen.gov.vn"), status: 77, saying: ["spf=softfail"], "spf=softfail")
        try refused(daemon, event: id, fromTam("spf=pass smtp.mailfrom=bounce@example.com"), status: 77, saying: ["vouched for no spf pass"], "spf pass for another domain")
        try taken(daemon, fromTam("spf=pass smtp.mailfrom=tam@thainguyen.gov.vn"), saying: ["declined"], "spf=pass aligned")

        // dkim-or-spf: either, or a DMARC pass for From:'s domain.
        try daemon.writeConfig("mail_authserv_id = \(Self.authserv)\nmail_require_pass = dkim-or-spf\n")
        try daemon.restart()
        let tentative = reply(event, attendee: "tam@thainguyen.gov.vn", partstat: "TENTATIVE")
        try refused(
            daemon, event: id, mail(from: "tam@thainguyen.gov.vn", headers: [authenticated("dkim=none; spf=none; dmarc=fail header.from=thainguyen.gov.vn")], calendar: tentative),
            status: 77, saying: ["vouched for no dkim or spf pass of thainguyen.gov.vn itself (dkim=none", "mail_require_pass = dkim-or-spf)"], "nothing passed")
        try taken(
            daemon, mail(from: "tam@thainguyen.gov.vn", headers: [authenticated("dkim=none; spf=fail; dmarc=pass header.from=thainguyen.gov.vn")], calendar: tentative),
            saying: ["tentative"], "dmarc=pass")
        #expect(try answer(daemon, id, of: "tam@thainguyen.gov.vn")?.rsvp == "tentative")
    }

    // MARK: Answers taken

    @Test func aReplyWithoutDTSTARTIsTaken() throws {
        let daemon = try TestDaemon()
        let (id, event) = try conference(daemon)
        let bare = reply(event, attendee: "tam@thainguyen.gov.vn", partstat: "DECLINED", extra: ["COMMENT:Bận họp Tỉnh ủy"])
            .replacingOccurrences(of: "DTSTART:20300303T010000Z\r\n", with: "").replacingOccurrences(of: "DTEND:20300303T020000Z\r\n", with: "")
        #expect(!bare.contains("DTSTART") && !bare.contains("DTEND"))
        let before = try daemon.ctl("show", id, "--json").json(EventView.self)
        try taken(daemon, mail(from: "tam@thainguyen.gov.vn", calendar: bare), saying: ["REPLY from tam@thainguyen.gov.vn for event \(id): declined"], "no DTSTART")
        let after = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(after.participants.first { $0.email == "tam@thainguyen.gov.vn" }?.rsvp == "declined")
        #expect(after.participants.first { $0.email == "tam@thainguyen.gov.vn" }?.comment == "Bận họp Tỉnh ủy")
        #expect(after.start == before.start && after.end == before.end, "the event keeps its time")
    }

    @Test func aDelegatesAnswerIsTakenOnceTheDelegationIsRecorded() throws {
        let daemon = try TestDaemon()
        let (id, event) = try conference(daemon)
        let delegate = "pho@thainguyen.gov.vn"
        let byDelegate = reply(
            event, attendee: delegate, partstat: "ACCEPTED",
            line: "ATTENDEE;CN=Phó Chủ tịch;DELEGATED-FROM=\"mailto:tam@thainguyen.gov.vn\";PARTSTAT=ACCEPTED:mailto:\(delegate)")
        try refused(
            daemon, event: id, mail(from: "Phó Chủ tịch <\(delegate)>", calendar: byDelegate), status: 65,
            saying: ["DELEGATED-FROM: Nhữ Văn Tâm <tam@thainguyen.gov.vn> has not delegated event \(id) to \(delegate)", "must come first"],
            "the delegate before the delegation")
        try refused(
            daemon, event: id, mail(from: "Phó Chủ tịch <\(delegate)>", calendar: byDelegate.replacingOccurrences(of: "mailto:tam@", with: "mailto:khong.co@")),
            status: 67, saying: ["khong.co@thainguyen.gov.vn (named in DELEGATED-FROM by \(delegate))"], "a delegator not on the event")

        let delegation = reply(
            event, attendee: "tam@thainguyen.gov.vn", partstat: "DELEGATED",
            // As RFC 5546 4.2.5 writes it: the delegate's line beside the delegator's, not yet answering.
            line: "ATTENDEE;CN=Nhữ Văn Tâm;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:\(delegate)\":mailto:tam@thainguyen.gov.vn\r\n"
                + "ATTENDEE;DELEGATED-FROM=\"mailto:tam@thainguyen.gov.vn\";PARTSTAT=NEEDS-ACTION:mailto:\(delegate)")
        try taken(daemon, mail(from: "tam@thainguyen.gov.vn", calendar: delegation), saying: ["delegated"], "the delegation")
        let waiting = try daemon.ctl("rsvp", id)
        #expect(waiting.out.contains("Nhữ Văn Tâm delegated to <\(delegate)>: no answer yet"), "\(waiting)")

        // The delegate answers for themselves only.
        try refused(
            daemon, event: id, mail(from: "tam@thainguyen.gov.vn", calendar: byDelegate), status: 77,
            saying: ["the answer of the delegate \(delegate) came from tam@thainguyen.gov.vn; a delegate answers for themselves"], "the delegator for the delegate")
        try taken(daemon, mail(from: "Phó Chủ tịch <\(delegate)>", calendar: byDelegate), saying: ["REPLY from \(delegate) for event \(id): accepted"], "the delegate")

        let shown = try daemon.ctl("rsvp", id)
        #expect(shown.out.contains("Nhữ Văn Tâm delegated to Phó Chủ tịch <\(delegate)>: accepted"), "\(shown)")
        let answers = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self)
        #expect(answers.participants.first { $0.email == "tam@thainguyen.gov.vn" }?.rsvp == "delegated")
        let delegates = try #require(answers.delegates)
        #expect(delegates.count == 1)
        #expect(delegates.first?.name == "Nhữ Văn Tâm" && delegates.first?.delegate == delegate && delegates.first?.delegateName == "Phó Chủ tịch")
        #expect(delegates.first?.answer == "accepted" && delegates.first?.answeredAt != nil)
        #expect(delegates.first?.via == "mail from \(delegate), delegate of tam@thainguyen.gov.vn")
        let api = try daemon.curl("http://localhost/v1/events/\(id)/answers")
        #expect(api.status == 200)
        #expect(try JSONDecoder().decode(AnswersView.self, from: Data(api.body.utf8)).delegates == delegates, "the API shows the same delegates")
        #expect(!answers.participants.contains { $0.email == delegate }, "a delegate is not made a participant")
    }

    /// How the sender's client writes text in a charset: Python's codecs. windows-1258 has no
    /// precomposed ộ, ẽ, ị…: Vietnamese Windows writes the base letter it has (ô, e, i) and the tone
    /// as a combining mark (U+0323, U+0303…), as this does for each letter the codec cannot take.
    static let encoder = """
        import sys, base64, quopri, unicodedata as u
        codec, transfer = sys.argv[1], sys.argv[2]
        sys.stdin.reconfigure(newline='')
        def letter(c):
            try:
                c.encode(codec); return c
            except UnicodeEncodeError:
                pass
            d = u.normalize('NFD', c)
            for i in range(1, len(d)):
                s = u.normalize('NFC', d[:i] + d[i + 1:]) + d[i]
                try:
                    s.encode(codec); return s
                except UnicodeEncodeError:
                    pass
            raise ValueError(c)
        data = ''.join(letter(c) for c in sys.stdin.read()).encode(codec)
        if transfer == 'quoted-printable':
            data = quopri.encodestring(data.replace(b'\\r\\n', b'\\n')).replace(b'\\n', b'\\r\\n')
        sys.stdout.write(base64.b64encode(data).decode())
        """

    @Test(arguments: [
        ("cp1258", "windows-1258", "8bit"), ("cp1258", "cp1258", "quoted-printable"), ("utf-16", "UTF-16", "base64"), ("utf-16-le", "UTF-16LE", "base64"),
    ])
    func aCalendarPartInTheSendersCharsetIsTaken(codec: String, charset: String, encoding: String) throws {
        let daemon = try TestDaemon()
        let (id, event) = try conference(daemon)
        let comment = "Tôi sẽ đến dự hội nghị"
        let text = reply(
            event, attendee: "hien@stp.thainguyen.gov.vn", partstat: "ACCEPTED",
            line: "ATTENDEE;CN=Vũ Duy Hiển;PARTSTAT=ACCEPTED:mailto:hien@stp.thainguyen.gov.vn", extra: ["COMMENT:\(comment)"])
        let python = try run("/usr/bin/env", ["python3", "-c", Self.encoder, codec, encoding], stdin: text)
        #expect(python.status == 0, "\(python)")
        // The part's bytes as they travel (already quoted-printable for that encoding).
        let bytes = try #require(Data(base64Encoded: python.out), "\(python)")
        switch codec {
        case "cp1258" where encoding == "8bit":
            #expect(!bytes.contains(0xC3), "no UTF-8 in it")
            #expect(bytes.contains(0xF4) && bytes.contains(0xF2), "ô (F4) and a combining dot below (F2), as Windows writes ộ")
        case "utf-16": #expect(bytes.prefix(2) == Data([0xFF, 0xFE]), "Python's utf-16 starts with a byte order mark")
        case "utf-16-le": #expect(bytes.prefix(2) == Data([0x42, 0x00]), "no byte order mark: B of BEGIN")
        default: #expect(String(decoding: bytes, as: UTF8.self).contains("=F2"), "quoted: the combining dot below is =F2")
        }
        let message = mail(from: "Vũ Duy Hiển <hien@stp.thainguyen.gov.vn>", calendar: bytes, charset: charset, encoding: encoding)
        try taken(daemon, message, saying: ["REPLY from hien@stp.thainguyen.gov.vn for event \(id): accepted"], "\(charset), \(encoding)")
        let hien = try answer(daemon, id, of: "hien@stp.thainguyen.gov.vn")
        #expect(hien?.rsvp == "accepted")
        // Swift compares text by canonical equivalence: ô + U+0323 is ộ.
        #expect(hien?.comment == comment, "the comment as written: \(hien?.comment.map { Array($0.unicodeScalars) } ?? [])")
    }
}

/// The receiving server's verdict, made by real programs: OpenDKIM as Postfix's milter removes
/// any Authentication-Results that claims its authserv-id and adds its own, and eventd, told to
/// trust that id and to require a DKIM pass, takes the answer whose signature verifies and
/// refuses the one whose signature does not (which also carries a forged "pass"). The sender's
/// side signs as its server would, with Python's dkimpy; OpenDKIM reads the published key from a
/// file (TestPublicKeys), so no DNS is needed.
extension PostfixTests {
    static let authserv = AnswerTrustTests.authserv

    /// Signs the message in argv[3] as d=argv[1], s=argv[2] with the private key argv[4], into argv[5].
    static let signer = """
        import sys, dkim
        domain, selector, source, key, target = sys.argv[1:6]
        message = open(source, 'rb').read()
        signature = dkim.sign(message, selector.encode(), domain.encode(), open(key, 'rb').read(),
                              include_headers=[b'from', b'to', b'subject', b'mime-version', b'content-type'])
        open(target, 'wb').write(signature + message)
        """

    @Test(.enabled(if: DaemonUser.isRoot, "configuring Postfix needs root"))
    func openDKIMInPostfixVouchesForTheSenderWhoseSignatureVerifies() throws {
        for tool in ["/usr/sbin/postfix", "/usr/sbin/opendkim", "/usr/sbin/opendkim-genkey"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing: run scripts/setup.sh")
        }
        try #require(try run("/usr/bin/env", ["python3", "-c", "import dkim"]).status == 0, "dkimpy is missing: run scripts/setup.sh")
        let daemon = try TestDaemon(config: "mail_authserv_id = \(Self.authserv)\nmail_require_pass = dkim\n")
        let id = try daemon.ctl(Seed.conference).out
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)

        // The sender's domain key, published (to OpenDKIM's key file), and a key nobody published.
        let dkimFolder = daemon.directory + "/dkim"
        try FileManager.default.createDirectory(atPath: dkimFolder, withIntermediateDirectories: true)
        for selector in ["eventd", "unpublished"] {
            let made = try run("/usr/sbin/opendkim-genkey", ["-D", dkimFolder, "-d", "thainguyen.gov.vn", "-s", selector])
            #expect(made.status == 0, "\(made)")
        }
        // eventd.txt is a zone file line: the TXT record is its quoted strings joined.
        let zone = try String(contentsOfFile: dkimFolder + "/eventd.txt", encoding: .utf8)
        let record = zone.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map(\.element).joined()
        #expect(record.hasPrefix("v=DKIM1;") && record.contains("p=MII"), "\(record)")
        try "eventd._domainkey.thainguyen.gov.vn \(record)\n".write(toFile: dkimFolder + "/public-keys", atomically: true, encoding: .utf8)

        // OpenDKIM, verifying only, on a port of its own.
        let port = 20_000 + Int.random(in: 0..<20_000)
        let conf = """
            Mode v
            Socket inet:\(port)@127.0.0.1
            AuthservID \(Self.authserv)
            RemoveARAll yes
            RemoveARFrom \(Self.authserv)
            AlwaysAddARHeader yes
            TestPublicKeys \(dkimFolder)/public-keys
            Background no
            Syslog no

            """
        try conf.write(toFile: dkimFolder + "/opendkim.conf", atomically: true, encoding: .utf8)
        let milter = Process()
        milter.executableURL = URL(fileURLWithPath: "/usr/sbin/opendkim")
        milter.arguments = ["-f", "-x", dkimFolder + "/opendkim.conf"]
        let milterLog = dkimFolder + "/opendkim.log"
        _ = FileManager.default.createFile(atPath: milterLog, contents: nil)
        milter.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: milterLog))
        milter.standardError = milter.standardOutput
        try milter.run()
        defer {
            milter.terminate()
            milter.waitUntilExit()
        }
        var listening = false
        for _ in 0..<100 where milter.isRunning {
            if try run("/bin/bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]).status == 0 { listening = true; break }
            usleep(100_000)
        }
        try #require(listening, "opendkim did not listen on \(port): \((try? String(contentsOfFile: milterLog, encoding: .utf8)) ?? "")")

        // Postfix: the answers' alias pipes into mail-in; bounces come back to a file of the test's.
        let local = "lich-\(UUID().uuidString.prefix(6).lowercased())"
        let bounceBox = "bounce-\(local)"
        let bounces = daemon.directory + "/bounces"
        let aliases = daemon.directory + "/aliases"
        try """
            \(local): "|/usr/bin/env EVENTD_SOCKET=\(daemon.socket) \(DaemonUser.eventctl) mail-in"
            \(bounceBox): \(bounces)

            """.write(toFile: aliases, atomically: true, encoding: .utf8)
        DaemonUser.own(aliases)
        #expect(try run("/usr/sbin/postalias", [aliases]).status == 0)
        DaemonUser.own(aliases + ".db")
        // Mail sendmail submits passes the milter (non_smtpd_milters); without it, mail waits.
        let restore = try PostfixTests.usePostfix(
            aliases: aliases, settings: ["non_smtpd_milters": "inet:127.0.0.1:\(port)", "milter_default_action": "tempfail"])
        defer { restore() }

        /// A reply as the attendee's server sends it: signed with `key`, submitted with sendmail.
        func send(from email: String, partstat: String, key: String, headers: [String] = []) throws {
            let reply = AnswerTests().reply(uid: event.uid, sequence: event.sequence, attendee: email, partstat: partstat)
            var message = String(decoding: AnswerTests().message(from: email, calendar: reply, encoding: "base64"), as: UTF8.self)
            message = message.replacingOccurrences(of: "To: Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>", with: "To: \(local)@localhost")
            message = headers.map { $0 + "\r\n" }.joined() + message
            let source = dkimFolder + "/\(partstat).eml", signed = source + ".signed"
            try message.write(toFile: source, atomically: true, encoding: .utf8)
            let signing = try run("/usr/bin/env", ["python3", "-c", Self.signer, "thainguyen.gov.vn", "eventd", source, dkimFolder + "/\(key).private", signed])
            #expect(signing.status == 0, "\(signing)")
            let sent = try run("/usr/sbin/sendmail", ["-t", "-i", "-f", "\(bounceBox)@localhost"], input: try Data(contentsOf: URL(fileURLWithPath: signed)))
            #expect(sent.status == 0, "\(sent)")
        }
        let before = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self).participants.first { $0.email == "hien@stp.thainguyen.gov.vn" }
        let rows = try daemon.ctl("log", "--json").json([AuditView].self).count
        // Signed with a key the domain never published, and claiming the server's own "pass".
        try send(
            from: "hien@stp.thainguyen.gov.vn", partstat: "DECLINED", key: "unpublished",
            headers: ["Authentication-Results: \(Self.authserv); dkim=pass header.d=stp.thainguyen.gov.vn"])
        try send(from: "tam@thainguyen.gov.vn", partstat: "ACCEPTED", key: "eventd")

        var tam: ParticipantView?
        var bounce = ""
        for _ in 0..<300 {
            tam = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self).participants.first { $0.email == "tam@thainguyen.gov.vn" }
            bounce = (try? String(contentsOfFile: bounces, encoding: .utf8)) ?? ""
            if tam?.rsvp == "accepted", bounce.contains("Status: 5.7.0") { break }
            usleep(100_000)
        }
        #expect(tam?.rsvp == "accepted", "the answer whose signature verified was taken")
        #expect(tam?.answeredVia == "mail from tam@thainguyen.gov.vn, sender checked by the mail server")
        // mail-in's 77 (EX_NOPERM) is a permanent refusal to Postfix: 5.7.0, with mail-in's words.
        let report = bounce.replacingOccurrences(of: "\n    ", with: " ")
        #expect(report.contains("Status: 5.7.0"), "the other came back to its sender: \(bounce)")
        #expect(
            report.contains("<\(local)@localhost>: permission denied. Command output: eventctl mail-in: From: \(Self.authserv) vouched for no dkim pass of stp.thainguyen.gov.vn itself (dkim=fail"),
            "\(bounce)")
        #expect(!bounce.contains("dkim=pass header.d=stp.thainguyen.gov.vn"), "OpenDKIM removed the forged header")
        #expect(bounce.contains("dkim=fail reason=\"signature verification failed\""), "OpenDKIM's own verdict travels with the mail")
        let hien = try daemon.ctl("rsvp", id, "--json").json(AnswersView.self).participants.first { $0.email == "hien@stp.thainguyen.gov.vn" }
        #expect(hien == before, "the refused answer changed nothing")
        #expect(try daemon.ctl("log", "--json").json([AuditView].self).count == rows + 1, "one audit row: the answer taken")
    }
}
