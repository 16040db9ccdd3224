import EventAPI
import Foundation
import Testing

/// Issue 19, read as an attacker would: outside input costs bounded time and descriptors on
/// both listeners. Every loop here is bounded, talks to loopback only and ends by itself.
@Suite struct ListenerLimitTests {
    /// Five ports of this test process's own, apart from FeedTests' and ScheduleTests'.
    static func port(_ offset: Int) -> Int { FeedTests.port(4 + offset) }

    @Test func slowlorisAndIdleFeedClientsAreClosedByTheirTimeoutsWhileStatusKeepsAnswering() throws {
        let port = Self.port(0)
        let daemon = try TestDaemon(
            config: "http = 127.0.0.1:\(port)\nfeeds_max_connections = 2000\nfeeds_header_timeout = 1s\nfeeds_idle_timeout = 2s\n")
        try daemon.ctl(Seed.visit)
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Tuyên Quang")
        // 200 clients that send half a request and hold on, and 50 that fetched a feed and keep the connection.
        var slow: [Int32] = []
        var kept: [Int32] = []
        defer { (slow + kept).forEach { close($0) } }
        let started = Date()
        for _ in 0..<200 {
            let fd = try tcpConnect(port)
            sendAll(fd, Array("GET /feeds/all.ics HTTP/1.1\r\nHost: x\r\nUser-Agent: slow".utf8))
            slow.append(fd)
        }
        for _ in 0..<50 {
            let fd = try tcpConnect(port)
            sendAll(fd, Array("GET /feeds/all.ics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            kept.append(fd)
        }
        // Meanwhile the API answers at once.
        for _ in 0..<3 {
            let asked = Date()
            let status = try daemon.ctl("status", "--json")
            #expect(status.status == 0, "\(status)")
            #expect(Date().timeIntervalSince(asked) < 1.0, "status answered in \(Date().timeIntervalSince(asked)) s")
        }
        let closedSlow = closedWithin(slow, seconds: 8)
        let slowAfter = Date().timeIntervalSince(started)
        #expect(closedSlow == slow.count, "\(closedSlow) of \(slow.count) half-sent requests were closed by feeds_header_timeout (1 s) within 8 s")
        #expect(slowAfter > 0.8, "closed after \(slowAfter) s: by the header timeout, not at once")
        let closedKept = closedWithin(kept, seconds: 8)
        let keptAfter = Date().timeIntervalSince(started)
        #expect(closedKept == kept.count, "\(closedKept) of \(kept.count) kept-alive clients were closed by feeds_idle_timeout (2 s)")
        #expect(keptAfter > 1.8, "idle clients closed after \(keptAfter) s (feeds_idle_timeout 2 s)")
        #expect(try FeedTests().curl(["http://127.0.0.1:\(port)/feeds/all.ics"]).status == 200)
        #expect(daemon.process?.isRunning == true)
    }

    @Test func nearTheDescriptorLimitIdleFeedClientsLeaveTheAPIAndFeedWritesWorking() throws {
        let port = Self.port(1)
        let daemon = try TestDaemon(
            config: "http = 127.0.0.1:\(port)\nmax_connections = 16\nfeeds_max_connections = 10000\nfeeds_header_timeout = 120s\nfeeds_delay = 0.1\n")
        daemon.stop()
        daemon.limits = ["--nofile=160:160"]
        try daemon.start()
        // 160 less the socket's 16 and the reserve of 96.
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        #expect(log.contains("the descriptor limit 160 leaves the feed listener 48 connections"), "\(log)")
        // Three times as many idle TCP clients as eventd has descriptors.
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<480 {
            guard let fd = try? tcpConnect(port) else { break }
            idle.append(fd)
        }
        #expect(idle.count == 480, "loopback took every connection")
        let pid = try #require(daemon.process?.processIdentifier)
        // The feed listener sheds what it cannot hold: wait until eventd holds at most its cap of them.
        var open = Int.max
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? Int.max
            if open <= 160 - 96 + 48 { break }
            usleep(50_000)
        }
        #expect(open <= 160 - 96 + 48, "eventd holds \(open) descriptors")
        let asked = Date()
        let status = try daemon.ctl("status", "--json")
        #expect(status.status == 0, "\(status)")
        #expect(Date().timeIntervalSince(asked) < 1.0, "status answered in \(Date().timeIntervalSince(asked)) s with 480 idle feed clients")
        // A write, and the feed rewrite it causes, still get their descriptors.
        let id = try daemon.ctl(Seed.conference)
        #expect(id.status == 0, "\(id)")
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Thái Nguyên")
        _ = try daemon.feedFiles()
        #expect(try daemon.ctl("status", "--json").json(StatusView.self).feeds?.lastError == nil)
        // A new subscriber pushes out the client that has waited longest, and gets the feed.
        #expect(try FeedTests().curl(["--max-time", "5", "http://127.0.0.1:\(port)/feeds/all.ics"]).body.contains("Thái Nguyên"))
        #expect(!(try String(contentsOfFile: daemon.log, encoding: .utf8)).contains("Too many open files"))
    }

    @Test func oversizedRequestLinesAndHeadersGet414And431WithTheJSONBodyOnBothListeners() throws {
        let port = Self.port(2)
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\n")
        let cases: [(name: String, request: [UInt8], status: Int, code: String)] = [
            ("a 20 KB URI", Array(("GET /feeds/" + String(repeating: "a", count: 20_000) + ".ics HTTP/1.1\r\nHost: x\r\n\r\n").utf8), 414, "too_large"),
            ("a 2 MB URI", Array(("GET /v1/events?q=" + String(repeating: "a", count: 2_000_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").utf8), 414, "too_large"),
            ("a 1 MB header", Array(("GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n").utf8), 431, "too_large"),
            ("20,000 headers", Array(("GET /v1/status HTTP/1.1\r\nHost: x\r\n" + (0..<20_000).map { "X-\($0): 1\r\n" }.joined() + "\r\n").utf8), 431, "too_large"),
            ("a line without a colon", Array("GET /v1/status HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n".utf8), 400, "bad_request"),
        ]
        for (listener, open) in [("TCP", { try tcpConnect(port) }), ("Unix socket", { try connect(daemon.socket) })] as [(String, () throws -> Int32)] {
            for item in cases {
                let fd = try open()
                defer { close(fd) }
                sendAll(fd, item.request)
                let answer = readToEnd(fd)
                #expect(answer.hasPrefix("HTTP/1.1 \(item.status) "), "\(listener), \(item.name): \(answer.prefix(200))")
                let body = answer.components(separatedBy: "\r\n\r\n").dropFirst().joined()
                let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8))
                #expect(error?.error.code == item.code, "\(listener), \(item.name): \(body)")
                #expect(answer.lowercased().contains("x-content-type-options: nosniff"), "\(listener), \(item.name)")
            }
        }
        // Requests within the limits still pass: a 4 KB URI and 90 headers.
        let fine = try tcpConnect(port)
        defer { close(fine) }
        sendAll(fine, Array(("GET /feeds/" + String(repeating: "a", count: 4_000) + ".ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + (0..<90).map { "X-\($0): 1\r\n" }.joined() + "\r\n").utf8))
        #expect(readToEnd(fine).hasPrefix("HTTP/1.1 404 "))
        #expect(daemon.process?.isRunning == true)
        #expect(try daemon.ctl("status").status == 0)
    }

    @Test func everyAnswerOfTheFeedListenerCarriesTheSecurityHeaders() throws {
        let port = Self.port(3)
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\nfeeds_delay = 0.2\n")
        try daemon.ctl(Seed.visit)
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Tuyên Quang")
        let base = "http://127.0.0.1:\(port)"
        let feeds = FeedTests()
        let feed = try feeds.curl([base + "/feeds/all.ics"])
        let etag = try #require(feeds.header("ETag", in: feed.headers))
        let answers: [(String, (status: Int, headers: String, body: String), Int)] = [
            ("a feed", feed, 200),
            ("a 304", try feeds.curl(["-H", "If-None-Match: \(etag)", base + "/feeds/all.ics"]), 304),
            ("HEAD", try feeds.curl(["-I", base + "/feeds/all.ics"]), 200),
            ("a missing feed", try feeds.curl([base + "/feeds/none.ics"]), 404),
            ("no route", try feeds.curl([base + "/v1/events"]), 404),
            ("a POST", try feeds.curl(["-X", "POST", base + "/feeds/all.ics"]), 405),
            ("a schedule page", try feeds.curl([base + "/schedule/all.html?week=2022-W27"]), 200),
            ("a schedule as JSON", try feeds.curl([base + "/schedule/all.json?week=2022-W27"]), 200),
            ("a bad week", try feeds.curl([base + "/schedule/all.html?week=tuan-sau-nua"]), 400),
        ]
        for (name, answer, status) in answers {
            #expect(answer.status == status, "\(name): \(answer.status)")
            #expect(feeds.header("X-Content-Type-Options", in: answer.headers) == "nosniff", "\(name)")
            #expect(feeds.header("X-Frame-Options", in: answer.headers) == "DENY", "\(name)")
            #expect(feeds.header("Referrer-Policy", in: answer.headers) == "no-referrer", "\(name)")
            let policy = try #require(feeds.header("Content-Security-Policy", in: answer.headers), "\(name)")
            #expect(policy.hasPrefix("default-src 'none'"), "\(name): \(policy)")
            #expect(policy.contains("frame-ancestors 'none'"), "\(name): \(policy)")
        }
        // The page's one need is its inline <style>: no script, image or other source is allowed.
        let page = answers[6].1
        #expect(page.body.contains("<style>") && !page.body.contains("<script"))
        #expect(
            feeds.header("Content-Security-Policy", in: page.headers)
                == "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    }

    @Test func aFaultAnswers500WithALogReferenceAndNoneOfItsDetail() throws {
        let port = Self.port(4)
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\n")
        try daemon.ctl(Seed.visit)
        // A real fault below eventd: the register's tables changed under the running daemon.
        let sqlite = try run("/usr/bin/sqlite3", [daemon.dataDirectory + "/register.sqlite", "ALTER TABLE audit RENAME TO audit_gone; ALTER TABLE person RENAME TO person_gone;"])
        #expect(sqlite.status == 0, "\(sqlite)")
        let api = try daemon.curl("http://localhost/v1/log")
        let feeds = FeedTests()
        let page = try feeds.curl(["http://127.0.0.1:\(port)/schedule/bo-tu-phap.html"])
        #expect(feeds.header("X-Content-Type-Options", in: page.headers) == "nosniff")
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        for (name, status, body) in [("the API", api.status, api.body), ("the feed listener", page.status, page.body)] {
            #expect(status == 500, "\(name): \(status) \(body)")
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8))
            #expect(error.error.code == "internal", "\(name)")
            let reference = try #require(error.error.message.firstMatch(of: /reference ([0-9a-f]{16})$/)?.1, "\(name): \(error.error.message)")
            for detail in ["SQL", "SELECT", "no such table", "audit", "person"] {
                #expect(!body.contains(detail), "\(name) tells the client \(detail): \(body)")
            }
            // The detail is in the log, under the reference the client was given.
            let entry = logEntries(log).first { $0.contains("reference=\(reference)") }
            #expect(entry?.contains("no such table") == true, "\(name): no log entry with reference \(reference) and the detail:\n\(log)")
        }
    }
}

/// eventd's log as entries: an entry's SQL may go on over several lines, the next entry starts with its time.
func logEntries(_ log: String) -> [String] {
    var entries: [String] = []
    for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.first?.isNumber == true || entries.isEmpty { entries.append(String(line)) } else { entries[entries.count - 1] += "\n" + line }
    }
    return entries
}

/// A connected TCP socket to 127.0.0.1.
func tcpConnect(_ port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        close(fd)
        throw POSIXError(.ECONNREFUSED)
    }
    return fd
}

/// Sends every byte it can; stops when the peer closes (no SIGPIPE).
func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { return }
        offset += n
    }
}

/// Everything the peer sends until it closes, or 10 s.
func readToEnd(_ fd: Int32) -> String {
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0, errno == EINTR { continue }
        if n <= 0 { break }
        answer += buffer[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
}

/// How many of `fds` the peer closed (end of file or reset) within `seconds`; data is read and dropped.
func closedWithin(_ fds: [Int32], seconds: Double) -> Int {
    var open = Set(fds)
    let deadline = Date().addingTimeInterval(seconds)
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while !open.isEmpty, Date() < deadline {
        var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
        guard poll(&polls, nfds_t(polls.count), min(left, 200)) >= 0 else { continue }
        for item in polls where item.revents != 0 {
            let n = recv(item.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { open.remove(item.fd) }
        }
    }
    return fds.count - open.count
}
