import EventAPI
import Foundation
import Testing

/// Each refused request names the field and what is accepted, exits non-zero (or answers 4xx
/// with a JSON error), and leaves the register exactly as it was.
@Suite struct BadInputTests {
    static let refusedAdds: [(String, [String], String)] = [
        ("end before start", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 10h00", "--end", "3/3/2017 9h00"], "end: the end must come after the start"),
        ("end equal to start", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 10h00", "--end", "3/3/2017 10h00"], "end must come after"),
        ("unknown zone", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 10h00", "--tz", "Asia/Hanoi_Moon"], "unknown time zone"),
        ("zone abbreviation", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 10h00", "--tz", "ICT"], "unknown time zone"),
        ("31 February", ["add", "Họp", "--kind", "meeting", "--start", "31/2/2017 8h00"], "start: \"31/2/2017 8h00\": February 2017 has 28 days"),
        ("hour 25", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 25h00"], "start: cannot read"),
        ("month first", ["add", "Họp", "--kind", "meeting", "--start", "3/13/2017"], "there is no month 13"),
        ("weekday of another date", ["add", "Họp", "--kind", "meeting", "--start", "thứ Ba 1/1/2027"], "01/01/2027 is a Friday (thứ Sáu), not a Tuesday (thứ Ba)"),
        ("words", ["add", "Họp", "--kind", "meeting", "--start", "chiều thứ Tám"], "accepted: ISO 8601"),
        ("bad end", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--end", "3/3/2017 8h61"], "end: cannot read"),
        ("bad duration", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--duration", "2 giờ"], "duration: cannot read"),
        ("end and duration", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--end", "3/3/2017 9h00", "--duration", "1h"], "not both"),
        ("date end, timed start", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--end", "4/3/2017"], "both be dates"),
        ("LF in title", ["add", "Họp\nBCC: x@example.com", "--kind", "meeting", "--start", "3/3/2017 8h00"], "title: contains a line break"),
        ("CR in title", ["add", "Họp\rSUMMARY:giả", "--kind", "meeting", "--start", "3/3/2017 8h00"], "title: contains a line break"),
        ("LF in location", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--location", "Thái Nguyên\nX-Injected: 1"], "location: contains a line break"),
        ("CR LF in a name", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--speaker", "Nhữ Văn Tâm\r\nBcc: a@b.c"], "speaker: contains a line break"),
        ("bad email", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--speaker", "Tâm <tam at example>"], "not an email address"),
        ("unknown person id", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--witness", "4242"], "no person with id 4242"),
        ("unknown person email", ["add", "Họp", "--kind", "meeting", "--start", "3/3/2017 8h00", "--witness", "ai@example.vn"], "no person has the email"),
        ("visit without sides", ["add", "Đoàn công tác", "--kind", "visit", "--start", "3/7/2022 8h00"], "visiting delegation and the host"),
        ("host outside a visit", ["add", "Họp", "--kind", "meeting", "--start", "3/7/2022 8h00", "--visiting", "A", "--host", "B"], "are for events of kind visit"),
        ("bad link", ["add", "Họp", "--kind", "online", "--start", "3/7/2022 8h00", "--link", "javascript:alert(1)"], "not an http"),
        ("empty title", ["add", "  ", "--kind", "meeting", "--start", "3/7/2022 8h00"], "title: must not be empty"),
        ("year 10000", ["add", "Họp", "--kind", "meeting", "--start", "3/3/10000"], "cannot read"),
    ]

    @Test func refusedAddsChangeNothing() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        let before = try daemon.snapshot()
        for (name, arguments, message) in Self.refusedAdds {
            let result = try daemon.ctl(arguments)
            #expect(result.status == 1, "\(name): \(result)")
            #expect(result.stdout.isEmpty, "\(name)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stderr.contains("nothing was changed"), "\(name)")
        }
        #expect(try daemon.snapshot() == before)
    }

    @Test func refusedUpdatesAndSessionsChangeNothing() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        try daemon.ctl("person", "add", "Người Ngoài", "--email", "ngoai@example.vn")
        let before = try daemon.snapshot()
        let attempts: [([String], String)] = [
            (["update", id, "--end", "3/3/2017 7h00"], "end must come after"),
            (["update", id, "--tz", "Nowhere/Land"], "unknown time zone"),
            (["update", id, "--title", "A\nB"], "line break"),
            (["update", id, "--location", "Hà Nội", "--speaker", "999"], "no person with id 999"),
            (["update", id, "--remove", "ai@example.vn"], "no person has the email"),
            (["update", id, "--remove", "Phan Chí Hiếu <khac@example.vn>", "--location", "Hà Nội"], "no person named Phan Chí Hiếu"),
            (["update", id, "--remove", "ngoai@example.vn", "--location", "Hà Nội"], "Người Ngoài takes no part in event \(id)"),
            (["update", id, "--kind", "visit"], "visiting delegation"),
            (["update", "4040", "--location", "Hà Nội"], "no event with id 4040"),
            (["session", "add", id, "Phiên", "--start", "3/3/2017 9h00", "--end", "3/3/2017 8h00"], "end must come after"),
            (["session", "add", "4040", "Phiên", "--start", "3/3/2017 9h00", "--end", "3/3/2017 10h00"], "no event with id 4040"),
            (["session", "add", id, "Phiên", "--start", "3/3/2017 9h00", "--end", "3/3/2017 10h00", "--speaker", "x\ny"], "line break"),
            (["cancel", "4040"], "no event with id 4040"),
            (["delete", "4040"], "no event with id 4040"),
            (["person", "add", "Tên\nX-Header: 1"], "name: contains a line break"),
            (["person", "add", "Tên", "--email", "not-an-email"], "not an email address"),
        ]
        for (arguments, message) in attempts {
            let result = try daemon.ctl(arguments)
            #expect(result.status == 1, "\(arguments): \(result)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        // The person created by an earlier part of a refused update must not linger either.
        let partial = try daemon.ctl("update", id, "--attendee", "Người Mới <moi@example.vn>", "--witness", "777")
        #expect(partial.status == 1)
        #expect(try daemon.snapshot() == before)
        let missing = try daemon.ctl("person", "show", "moi@example.vn")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no person matching moi@example.vn"))
    }

    @Test func invalidUTF8InArgumentsIsRefused() throws {
        let daemon = try TestDaemon()
        let before = try daemon.snapshot()
        // The shell passes the raw bytes \377\376 through; Foundation's Process could not.
        let result = try run("/bin/sh", ["-c", "exec \"$0\" add \"$(printf 'H\\303\\273p \\377\\376')\" --kind meeting --start 3/3/2017", eventctlPath], environment: ["EVENTD_SOCKET": daemon.socket])
        #expect(result.status == 65)
        #expect(result.stderr.contains("argument 2 is not valid UTF-8"))
        #expect(try daemon.snapshot() == before)
    }

    @Test func apiRefusesBadBodiesWithJSONErrors() throws {
        let daemon = try TestDaemon(config: "max_body_bytes = 4096\n")
        let before = try daemon.snapshot()
        let invalidUTF8 = daemon.directory + "/bad.json"
        try Data([0x7B, 0x22, 0x74, 0x69, 0x74, 0x6C, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]).write(to: URL(fileURLWithPath: invalidUTF8))
        let huge = daemon.directory + "/huge.json"
        try Data(("{\"kind\":\"meeting\",\"start\":\"3/3/2017\",\"title\":\"" + String(repeating: "Hội nghị ", count: 2000) + "\"}").utf8).write(to: URL(fileURLWithPath: huge))

        let cases: [([String], Int, String)] = [
            (["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@" + invalidUTF8, "http://localhost/v1/events"], 400, "not valid UTF-8"),
            (["-X", "POST", "--data-binary", "@" + huge, "http://localhost/v1/events"], 413, "larger than the limit of 4096 bytes"),
            (["-X", "POST", "--data-binary", "{\"kind\": ", "http://localhost/v1/events"], 400, "not valid JSON"),
            // A length announced over the limit is refused at once, not after body_timeout.
            (["-X", "POST", "-H", "Content-Length: 999999999999", "--data-binary", "{}", "--max-time", "5", "http://localhost/v1/events"], 413, "larger than the limit"),
            (["-X", "POST", "--data-binary", "[1, 2]", "http://localhost/v1/events"], 400, "the request body must be a JSON object"),
            (["-X", "POST", "--data-binary", "{\"kind\":\"meeting\",\"title\":\"Họp\",\"start\":\"3/3/2017\",\"reminders\":[\"1h\", 5]}", "http://localhost/v1/events"], 400, "reminders.1: must be a string"),
            (["-X", "POST", "--data-binary", "{\"kind\":\"meeting\",\"start\":\"3/3/2017\"}", "http://localhost/v1/events"], 400, "title"),
            (["-X", "POST", "--data-binary", "{\"kind\":\"meeting\",\"title\":7,\"start\":\"3/3/2017\"}", "http://localhost/v1/events"], 400, "title: must be a string"),
            (["-X", "POST", "--data-binary", "{\"kind\":\"meeting\",\"title\":\"Họp\",\"start\":\"3/3/2017\",\"participants\":[{\"person\":\"A\",\"role\":\"king\"}]}", "http://localhost/v1/events"], 400, "unknown role"),
            // eventctl refuses these choices itself (usageErrorsExitNonZero); eventd must refuse them from any client.
            (["-X", "POST", "--data-binary", "{\"kind\":\"party\",\"title\":\"Họp\",\"start\":\"3/3/2017\"}", "http://localhost/v1/events"], 400, "unknown kind \"party\"; one of conference"),
            (["-X", "POST", "--data-binary", "{\"kind\":\"meeting\",\"title\":\"Họp\",\"start\":\"3/3/2017\",\"status\":\"done\"}", "http://localhost/v1/events"], 400, "unknown status \"done\""),
            (["-X", "POST", "--data-binary", "{\"name\":\"Tên\",\"lang\":\"fr\"}", "http://localhost/v1/people"], 400, "must be vi or en"),
            (["http://localhost/v1/events?kind=party"], 400, "unknown kind \"party\""),
            (["http://localhost/v1/events/99"], 404, "no event with id 99"),
            (["http://localhost/v1/events/abc"], 404, "no event with id abc"),
            (["http://localhost/v1/notices?event=abc"], 400, "event: must be an event id"),
            (["http://localhost/v1/log?event=0"], 400, "event: must be an event id"),
            (["http://localhost/v1/people/nobody@example.vn"], 404, "no person"),
            (["http://localhost/v1/nothing-here"], 404, "Not Found"),
            (["-X", "DELETE", "http://localhost/v1/events/99"], 404, "no event"),
        ]
        for (arguments, status, message) in cases {
            var args = arguments
            let url = args.removeLast()
            let reply = try daemon.curl(args + [url])
            #expect(reply.status == status, "\(arguments): \(reply)")
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(reply.body.utf8))
            #expect(body.error.message.contains(message), "\(arguments): \(body.error.message)")
        }
        #expect(try daemon.snapshot() == before)

        // eventctl reports the limit too, and the daemon keeps serving.
        let long = try daemon.ctl("add", String(repeating: "Hội nghị ", count: 600), "--kind", "meeting", "--start", "3/3/2017")
        #expect(long.status == 1)
        #expect(long.stderr.contains("larger than the limit") || long.stderr.contains("at most 500"), "\(long)")
        #expect(try daemon.ctl("status").status == 0)
    }

    @Test func noDaemonNamesTheSocketAndHowToStartIt() throws {
        let socket = "/tmp/evt-none-\(UUID().uuidString.prefix(6))/eventd.sock"
        let result = try run(eventctlPath, ["list"], environment: ["EVENTD_SOCKET": socket])
        #expect(result.status == 69)
        #expect(result.stderr.contains("cannot reach eventd at \(socket)"))
        #expect(result.stderr.contains("Start it with `eventd`"))
        let flag = try run(eventctlPath, ["status", "--socket", socket + ".2"])
        #expect(flag.stderr.contains(socket + ".2"))
    }

    @Test func usageErrorsExitNonZero() throws {
        let missing = try run(eventctlPath, ["add", "Họp", "--start", "3/3/2017"], environment: ["EVENTD_SOCKET": "/tmp/unused.sock"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--kind is required"))
        let unknown = try run(eventctlPath, ["frobnicate"])
        #expect(unknown.status == 64)
        // A value outside an option's fixed set is refused before eventd is asked (no daemon runs here),
        // naming the values eventd accepts.
        let choices: [([String], String)] = [
            (["add", "Họp", "--kind", "party", "--start", "3/3/2017"], "- conference"),
            (["update", "1", "--status", "done"], "'tentative', 'confirmed' or 'cancelled'"),
            (["list", "--kind", "party"], "- meeting"),
            (["search", "họp", "--lang", "fr"], "'vi' and 'en'"),
            (["agenda", "Tâm", "--role", "king"], "'organizer', 'chair', 'speaker', 'witness' or 'attendee'"),
            (["agenda", "Tâm", "--lang", "fr"], "'vi' and 'en'"),
            (["person", "add", "Tên", "--lang", "fr"], "'vi' and 'en'"),
            (["person", "update", "1", "--lang", ""], "'vi' and 'en'"),
            (["schedule", "--lang", "fr"], "'vi' and 'en'"),
        ]
        for (arguments, values) in choices {
            let refused = try run(eventctlPath, arguments, environment: ["EVENTD_SOCKET": "/tmp/unused.sock"])
            #expect(refused.status == 64, "\(arguments): \(refused)")
            #expect(refused.stderr.contains("is invalid for") && refused.stderr.contains(values), "\(arguments): \(refused.stderr)")
        }
        // With --json, a script gets the mistake as the API's error body, still with exit 64.
        let scripted = try run(eventctlPath, ["list", "--kind", "party", "--json"], environment: ["EVENTD_SOCKET": "/tmp/unused.sock"])
        #expect(scripted.status == 64, "\(scripted)")
        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(scripted.stderr.utf8))
        #expect(body.error.code == "usage" && body.error.message.contains("'party' is invalid for"), "\(scripted.stderr)")
        #expect(try run(eventctlPath, ["list", "--help", "--json"]).status == 0, "help is still help")
    }

    /// Issue 20: `--from 31/3/2017 --to 1/3/2017` printed "no events" and exited 0.
    @Test func aReversedRangeIsRefusedNamingFromAndTo() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        let message = "to: the range ends before it starts: to \"1/3/2017\" is not after from \"31/3/2017\"; give the earlier time as from"
        for command in [
            ["list"], ["search", "hoi nghi"], ["conflicts"], ["agenda", "Phan Chí Hiếu"], ["schedule"], ["export"],
        ] {
            let result = try daemon.ctl(command + ["--from", "31/3/2017", "--to", "1/3/2017"])
            #expect(result.status == 1, "\(command): \(result)")
            #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(command): \(result.stdout)")
        }
        let answer = try daemon.curl("http://localhost/v1/events?from=31/3/2017&to=1/3/2017")
        #expect(answer.status == 400)
        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(answer.body.utf8))
        #expect(body.error.field == "to" && body.error.message.contains("from \"31/3/2017\""), "\(answer.body)")
        // One day from and to: that day, not a reversed range.
        #expect(try daemon.ctl("list", "--from", "3/3/2017", "--to", "3/3/2017").stdout.contains("Thái Nguyên"))
    }
}
