import EventMail
import EventModel
import Foundation
import Testing

/// Mail as it comes in: bounds on the work a message drives, the From: list, charsets, and
/// what the receiving server vouches for.
@Suite struct IncomingMailTests {
    static let calendar = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x@eventd\r\nSUMMARY:Hội thảo Cúc Phương\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

    /// A message whose calendar part sits `depth` multiparts deep, each level with `siblings` text parts before it.
    static func nested(depth: Int, siblings: Int = 0, calendar: String = calendar) -> [UInt8] {
        var body = "Content-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n\(calendar)"
        for level in 0..<depth {
            let b = "b\(level)-\(UUID().uuidString)"
            let others = String(repeating: "--\(b)\r\nContent-Type: text/plain\r\n\r\nXin chào\r\n", count: siblings)
            body = "Content-Type: multipart/mixed; boundary=\"\(b)\"\r\n\r\n\(others)--\(b)\r\n\(body)\r\n--\(b)--\r\n"
        }
        return Array("From: Vũ Duy Hiển <hien@stp.thainguyen.gov.vn>\r\nSubject: Trả lời\r\nMIME-Version: 1.0\r\n\(body)".utf8)
    }

    @Test func aCalendarInsideTheBoundsIsFound() throws {
        let mail = try IncomingMail(Self.nested(depth: 8, siblings: 2))
        #expect(mail.calendar?.contains("Hội thảo Cúc Phương") == true)
        #expect(mail.from == ["hien@stp.thainguyen.gov.vn"])
    }

    @Test(arguments: [9, 25, 200, 2_000])
    func nestingBeyondTheBoundIsRefusedAtOnce(depth: Int) throws {
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            try IncomingMail(Self.nested(depth: depth))
        } throws: { error in
            let message = (error as? MailError)?.message ?? ""
            return message.contains("nested more than 8 levels") && message.contains("at part 1.1.1.1.1.1.1.1")
        }
        #expect(clock.now - started < .seconds(1))
    }

    @Test func tooManyPartsAreRefusedNamingTheBound() throws {
        #expect {
            try IncomingMail(Self.nested(depth: 3, siblings: 100))
        } throws: { error in ((error as? MailError)?.message ?? "").contains("more than 200 MIME parts") }
    }

    @Test func wideMessagesCostLinearTime() throws {
        // 50 000 empty parts would be refused; 190 parts of 50 KB each are read in one pass.
        let filler = String(repeating: "x", count: 50_000)
        var text = "From: a@example.vn\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        for _ in 0..<190 { text += "--B\r\nContent-Type: text/plain\r\n\r\n\(filler)\r\n" }
        text += "--B\r\nContent-Type: text/calendar\r\n\r\n\(Self.calendar)\r\n--B--\r\n"
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try IncomingMail(Array(text.utf8)).calendar != nil)
        #expect(clock.now - started < .seconds(2))
    }

    @Test func everyFromAddressIsRead() {
        #expect(MailAddress.list("Nhữ Văn Tâm <tam@thainguyen.gov.vn>") == ["tam@thainguyen.gov.vn"])
        #expect(MailAddress.list("\"Tâm, Nhữ Văn\" <tam@thainguyen.gov.vn>, hieu@moj.gov.vn") == ["tam@thainguyen.gov.vn", "hieu@moj.gov.vn"])
        #expect(MailAddress.list("Ban tổ chức: a@x.vn, b@y.vn;") == ["a@x.vn", "b@y.vn"])
        #expect(MailAddress.list("tam@thainguyen.gov.vn (Nhữ Văn Tâm, PCT)") == ["tam@thainguyen.gov.vn"])
    }

    @Test(arguments: [("windows-1258", "windows-1258"), ("utf-16", "utf-16"), ("cp1258", "windows-1258"), ("utf-16le", "utf-16le"), ("koi8-r", "koi8-r")])
    func calendarPartsInOtherCharsetsAreDecoded(charset: String, codec: String) throws {
        let text = codec == "koi8-r" ? "BEGIN:VCALENDAR\r\nSUMMARY:Привет\r\nEND:VCALENDAR\r\n" : "BEGIN:VCALENDAR\r\nSUMMARY:Hội nghị Thái Nguyên\r\nEND:VCALENDAR\r\n"
        // Encoded by Python's own codecs, as a sender's mail client would.
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // windows-1258 has ô and a combining dot below, not ộ: write it as Vietnamese Windows software does.
        let prepare = codec == "windows-1258" ? ".replace('ộ', 'ô\\u0323').replace('ị', 'i\\u0323')" : ""
        python.arguments = ["python3", "-c", "import sys,base64; sys.stdout.write(base64.b64encode(sys.stdin.read()\(prepare).encode('\(codec)')).decode())"]
        let input = Pipe(), output = Pipe()
        python.standardInput = input
        python.standardOutput = output
        try python.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let encoded = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        let message = "From: a@example.vn\r\nContent-Type: text/calendar; method=REPLY; charset=\"\(charset)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n"
        let mail = try IncomingMail(Array(message.utf8))
        let decoded = try #require(mail.calendar)
        // windows-1258 spells some letters with combining marks; compare as Unicode does.
        #expect(decoded.precomposedStringWithCanonicalMapping == text.precomposedStringWithCanonicalMapping)
    }

    @Test func anUnknownCharsetIsRefusedNamingIt() {
        let message = "From: a@example.vn\r\nContent-Type: text/calendar; charset=x-no-such\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
        #expect { try IncomingMail(Array(message.utf8)) } throws: { error in "\(error)".contains("x-no-such") }
    }

    @Test func authenticationResultsAreReadAsRFC8601Writes() throws {
        let header = "mx.moj.gov.vn 1; dkim=pass (2048-bit key) header.d=moj.gov.vn header.s=mail header.b=abc; spf=fail smtp.mailfrom=\"x@other.vn\"; dmarc=pass header.from=moj.gov.vn"
        let results = try #require(AuthenticationResults(parsing: header))
        #expect(results.authservID == "mx.moj.gov.vn")
        #expect(results.domains(passing: "dkim") == ["moj.gov.vn"])
        #expect(results.domains(passing: "spf") == [])
        let trusted = ["mx.moj.gov.vn"]
        #expect(SenderCheck.dkim.refusal(from: "hieu@moj.gov.vn", results: [results], trusted: trusted) == nil)
        #expect(SenderCheck.dkim.refusal(from: "hieu@sub.moj.gov.vn", results: [results], trusted: trusted) != nil, "strict alignment")
        #expect(SenderCheck.dkimOrSPF.refusal(from: "hieu@moj.gov.vn", results: [results], trusted: trusted) == nil, "dmarc=pass counts in dkim-or-spf")
        #expect(SenderCheck.spf.refusal(from: "hieu@moj.gov.vn", results: [results], trusted: trusted) != nil)
        #expect(SenderCheck.dkim.refusal(from: "hieu@evilmoj.gov.vn", results: [results], trusted: trusted) != nil, "not a subdomain")
        // A header from a server not trusted counts for nothing, whatever it says.
        #expect(SenderCheck.dkimOrSPF.refusal(from: "hieu@moj.gov.vn", results: [results], trusted: ["mx.other.vn"]) != nil)
        #expect(SenderCheck.off.refusal(from: "hieu@moj.gov.vn", results: [], trusted: []) == nil)
    }

    @Test func theBudgetEndsTheWork() throws {
        let expired = WorkBudget(what: "test", seconds: 0)
        #expect {
            try WorkBudget.$current.withValue(expired) { try IncomingMail(Self.nested(depth: 2)) }
        } throws: { error in "\(error)".contains("max_request_seconds") }
    }
}
