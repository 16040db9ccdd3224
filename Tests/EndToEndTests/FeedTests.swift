import EventAPI
import Foundation
import Testing

/// Feeds on disk and over the read-only HTTP listener.
@Suite struct FeedTests {
    struct BurstStats: Decodable {
        var reads: Int
        var failures: [String]
        var seconds: Double
    }

    /// A port of this test process's own: tests running at once pass different offsets.
    /// Ports of this test process: ten from a base its pid picks. FeedTests take 0 and 1,
    /// ServiceTests 3, ListenerLimitTests 4 to 8, so no two tests running at once share one.
    static func port(_ offset: Int) -> Int { 10_000 + Int(getpid() % 5_000) * 10 + offset }

    func curl(_ arguments: [String]) throws -> (status: Int, headers: String, body: String) {
        let result = try run("/usr/bin/curl", ["-s", "-D", "-", "-w", "\n%{http_code}"] + arguments)
        var lines = result.stdout.components(separatedBy: "\n")
        let status = Int(lines.removeLast()) ?? 0
        let text = lines.joined(separator: "\n")
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (status, parts.first ?? "", parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    func header(_ name: String, in headers: String) -> String? {
        headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces) }
    }

    /// Waits until `path` in the feeds directory contains `text`.
    func waitForFeed(_ daemon: TestDaemon, _ path: String, toContain text: String, seconds: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let content = try? String(contentsOfFile: daemon.dataDirectory + "/feeds/" + path, encoding: .utf8), content.contains(text) { return content }
            usleep(50_000)
        }
        Issue.record("\(path) did not come to contain \(text) within \(seconds) s")
        return ""
    }

    @Test func aSubscriberSeesTheChangeWithANewETagAnd304Before() throws {
        let port = Self.port(0)
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\nfeeds_delay = 0.2\nrefresh_interval = 30m\n")
        let id = try daemon.ctl(Seed.conference).out
        _ = try waitForFeed(daemon, "all.ics", toContain: "Thái Nguyên")
        let url = "http://127.0.0.1:\(port)/feeds/all.ics"
        let first = try curl([url])
        #expect(first.status == 200)
        #expect(header("Content-Type", in: first.headers) == "text/calendar; charset=utf-8")
        #expect(first.body.contains("X-WR-CALNAME:Lịch công tác"))
        #expect(first.body.contains("REFRESH-INTERVAL;VALUE=DURATION:PT30M"))
        #expect(first.body.contains("X-PUBLISHED-TTL:PT30M"))
        #expect(first.body.contains("BEGIN:VTIMEZONE"))
        #expect(first.body.contains("BEGIN:VALARM"))
        let etag = try #require(header("ETag", in: first.headers))
        let modified = try #require(header("Last-Modified", in: first.headers))
        #expect(try curl(["-H", "If-None-Match: \(etag)", url]).status == 304)
        #expect(try curl(["-H", "If-Modified-Since: \(modified)", url]).status == 304)
        let head = try curl(["-I", url])
        #expect(head.status == 200)
        #expect(header("ETag", in: head.headers) == etag)

        try daemon.ctl("update", id, "--location", "Hội trường UBND tỉnh Thái Nguyên")
        _ = try waitForFeed(daemon, "all.ics", toContain: "Hội trường UBND tỉnh Thái Nguyên")
        let after = try curl(["-H", "If-None-Match: \(etag)", url])
        #expect(after.status == 200)
        #expect(header("ETag", in: after.headers) != etag)
        #expect(after.body.contains("LOCATION:Hội trường UBND tỉnh Thái Nguyên"))
        #expect(after.body.contains("SEQUENCE:1"))
        // The per-event and per-kind feeds follow too.
        #expect(try curl(["http://127.0.0.1:\(port)/feeds/events/\(id).ics"]).body.contains("Hội trường UBND"))
        #expect(try curl(["http://127.0.0.1:\(port)/feeds/kind/conference.ics"]).body.contains("Hội trường UBND"))
    }

    @Test func personalFeedsNeedTheirTokenAndTCPIsReadOnly() throws {
        let port = Self.port(1)
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\nfeeds_delay = 0.2\nfeeds_base_url = https://lich.example.gov.vn\n")
        try daemon.ctl(Seed.conference)
        let urls = try daemon.ctl("feed", "url", "phan chi hieu", "--json").json(FeedURLView.self)
        #expect(urls.https == "https://lich.example.gov.vn/feeds/people/\(urls.token).ics")
        #expect(urls.webcal == "webcal://lich.example.gov.vn/feeds/people/\(urls.token).ics")
        #expect(urls.token.count >= 32)
        let personal = "http://127.0.0.1:\(port)/feeds/people/\(urls.token).ics"
        _ = try waitForFeed(daemon, "people/\(urls.token).ics", toContain: "Phan Chí Hiếu")
        let feed = try curl([personal])
        #expect(feed.status == 200)
        #expect(feed.body.contains("X-WR-CALNAME:Lịch công tác — Phan Chí Hiếu"))
        #expect(try curl(["http://127.0.0.1:\(port)/feeds/people/not-a-token.ics"]).status == 404)
        #expect(try curl(["http://127.0.0.1:\(port)/feeds/../register.sqlite"]).status == 404)

        let rotated = try daemon.ctl("feed", "rotate", "hieu@moj.gov.vn", "--json").json(FeedURLView.self)
        #expect(rotated.token != urls.token)
        _ = try waitForFeed(daemon, "people/\(rotated.token).ics", toContain: "Phan Chí Hiếu")
        #expect(try curl([personal]).status == 404, "the old token is revoked")
        #expect(try curl(["http://127.0.0.1:\(port)/feeds/people/\(rotated.token).ics"]).status == 200)

        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            #expect(try curl(["-X", method, "http://127.0.0.1:\(port)/feeds/all.ics"]).status == 405, "\(method)")
        }
        #expect(try curl(["-X", "POST", "http://127.0.0.1:\(port)/v1/events"]).status == 405, "no API on TCP")
        #expect(try curl(["http://127.0.0.1:\(port)/v1/events"]).status == 404)
    }

    @Test func aBurstOfAThousandAddsRewritesAllICSAFewTimesAndReadersNeverSeeHalfAFile() throws {
        let daemon = try TestDaemon(config: "feeds_delay = 1s\n")
        try daemon.ctl(Seed.conference)
        let feed = daemon.dataDirectory + "/feeds/all.ics"
        _ = try waitForFeed(daemon, "all.ics", toContain: "Thái Nguyên")
        let before = try daemon.curl("http://localhost/v1/feeds").body
        let writesBefore = try JSONDecoder().decode([FeedView].self, from: Data(before.utf8)).first { $0.path == "all.ics" }?.writes ?? 0

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/feed_burst.py").path
        let result = try run("/usr/bin/env", ["python3", script, daemon.socket, feed, "1000"])
        #expect(result.status == 0, "\(result)")
        let stats = try result.json(BurstStats.self)
        #expect(stats.failures.isEmpty, "partial or unparsable reads: \(stats.failures.prefix(3))")
        #expect(stats.reads > 10, "the reader polled during the burst")

        // Every event reaches all.ics, none is dropped. How soon is a figure for `make bench`, not a
        // test on a shared machine: the bound here only catches a writer that stopped.
        let burstEnded = Date()
        var content = ""
        while Date() < burstEnded.addingTimeInterval(30) {
            content = (try? String(contentsOfFile: feed, encoding: .utf8)) ?? ""
            if content.components(separatedBy: "BEGIN:VEVENT").count - 1 == 1001 { break }
            usleep(50_000)
        }
        #expect(content.components(separatedBy: "BEGIN:VEVENT").count - 1 == 1001, "all.ics holds every event within 30 s of the burst")
        let views = try JSONDecoder().decode([FeedView].self, from: Data(try daemon.curl("http://localhost/v1/feeds").body.utf8))
        let writes = (views.first { $0.path == "all.ics" }?.writes ?? 0) - writesBefore
        // Coalesced: at most one write per ten delays during the burst, plus the last one.
        #expect(writes >= 1 && writes <= Int(stats.seconds / 10) + 3, "all.ics was written \(writes) times for 1000 adds in \(stats.seconds) s")
        #expect((views.first { $0.path == "kind/meeting.ics" }?.writes ?? 0) <= Int(stats.seconds / 10) + 3)
    }

    @Test func publicFeedsCanBeSwitchedOff() throws {
        let daemon = try TestDaemon(config: "public_feeds = false\nfeeds_delay = 0.2\n")
        try daemon.ctl(Seed.conference)
        let token = try daemon.ctl("feed", "url", "hieu@moj.gov.vn", "--json").json(FeedURLView.self).token
        _ = try waitForFeed(daemon, "people/\(token).ics", toContain: "Phan Chí Hiếu")
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory + "/feeds/all.ics"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory + "/feeds/events"))?.isEmpty ?? true)
    }
}
