import EventAPI
import Foundation
import Synchronization
import Testing

/// eventd as an administrator runs it: an unprivileged user, explicit file modes, access by
/// peer credentials with an audit log, limits on connections, systemd's notify protocol,
/// reloads and backups.
@Suite struct ServiceTests {
    /// Mode bits of a file, without following a last symbolic link.
    func mode(_ path: String) -> (mode: Int, uid: uid_t, gid: gid_t)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (Int(info.st_mode & 0o7777), info.st_uid, info.st_gid)
    }

    /// The real uid eventd runs under, from /proc.
    func uid(of daemon: TestDaemon) throws -> uid_t? {
        let pid = try #require(daemon.process?.processIdentifier)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        return line.flatMap { $0.split(separator: "\t").dropFirst().first.flatMap { uid_t($0) } }
    }

    @Test func aFreshUnprivilegedDaemonServesEveryCommand() throws {
        let daemon = try TestDaemon()
        if DaemonUser.isRoot {
            #expect(try uid(of: daemon) == DaemonUser.ids(DaemonUser.name).uid, "the tests run eventd as \(DaemonUser.name), not root")
        }
        var used = Set<String>()
        let ok = { (arguments: [String], input: Data?) throws -> Run in
            let result = try daemon.ctl(arguments, input: input)
            #expect(result.status == 0, "eventctl \(arguments.joined(separator: " ")): \(result)")
            used.insert(arguments[0])
            if ["session", "person", "notices", "feed", "schedule"].contains(arguments[0]), arguments.count > 1 { used.insert(arguments[0] + " " + arguments[1]) }
            return result
        }
        let ok1 = { (arguments: [String]) throws -> Run in try ok(arguments, nil) }
        let id = try ok1(Seed.conference).out
        _ = try ok1(["list"])
        _ = try ok1(["show", id, "--agenda"])
        _ = try ok1(["update", id, "--location", "Trung tâm Hội nghị tỉnh Thái Nguyên"])
        _ = try ok1(["session", "add", id, "Phát động thi đua", "--start", "3/3/2017 8h30", "--end", "3/3/2017 9h00", "--speaker", Seed.tam])
        _ = try ok1(["person", "add", "Nguyễn Văn Mới", "--email", "moi@example.vn"])
        _ = try ok1(["person", "list"])
        _ = try ok1(["person", "show", "hieu@moj.gov.vn"])
        _ = try ok1(["agenda", "Phan Chí Hiếu", "--from", "1/3/2017", "--to", "31/3/2017"])
        _ = try ok1(["conflicts", "--from", "1/3/2017", "--to", "31/3/2017"])
        let ics = try ok1(["ics", id]).stdout
        let file = daemon.directory + "/export.ics"
        try ics.replacingOccurrences(of: "UID:", with: "UID:copy-").write(toFile: file, atomically: true, encoding: .utf8)
        _ = try ok1(["import", file])
        let later = try ok1(["add", "Họp sắp tới", "--kind", "meeting", "--start", startIn(86_400), "--attendee", "Lan <lan@example.vn>"]).out
        _ = try ok1(["invite", later])
        let notices = try ok1(["notices", "list", "--json"]).json([NoticeView].self)
        let pending = try #require(notices.first { $0.state == "pending" && $0.kind == "reminder" })
        _ = try ok1(["notices", "cancel", String(pending.id)])
        _ = try ok1(["notices", "retry", String(pending.id)])
        _ = try ok1(["feed", "url", "hieu@moj.gov.vn"])
        _ = try ok1(["feed", "rotate", "hieu@moj.gov.vn"])
        _ = try ok1(["cancel", later])
        _ = try ok1(["delete", later])
        _ = try ok1(["status"])
        _ = try ok1(["log"])
        _ = try ok1(["backup", daemon.directory + "/copy.sqlite"])
        _ = try ok1(["session", "update", id, "1", "--title", "Phát động phong trào thi đua"])
        _ = try ok1(["session", "delete", id, "1"])
        _ = try ok1(["person", "update", "moi@example.vn", "--position", "Chuyên viên"])
        _ = try ok1(["person", "add", "Nguyễn Văn Mới Hai", "--email", "moi2@example.vn"])
        _ = try ok1(["person", "merge", "moi2@example.vn", "moi@example.vn"])
        _ = try ok1(["person", "delete", "moi@example.vn"])
        _ = try ok1(["search", "thai nguyen"])
        _ = try ok1(["export", "--from", "1/3/2017", "--to", "31/3/2017"])
        _ = try ok1(["schedule", "show", "--week", "3/3/2017"])
        _ = try ok1(["schedule", "publish", "--week", "3/3/2017"])
        let event = try daemon.ctl("show", id, "--json").json(EventView.self)
        _ = try ok1(["rsvp", id, "hieu@moj.gov.vn", "accepted"])
        _ = try ok1(["rsvp", id])
        let reply = AnswerTests().reply(uid: event.uid, sequence: event.sequence, attendee: "tam@thainguyen.gov.vn", partstat: "TENTATIVE")
        _ = try ok(["mail-in"], AnswerTests().message(from: "tam@thainguyen.gov.vn", calendar: reply))
        // Every command eventctl lists was used: a new command fails here until it is added above.
        /// The names in a help text's SUBCOMMANDS section (argument-parser's own `help` left out).
        func subcommands(_ help: String) -> [String] {
            let section = help.components(separatedBy: "SUBCOMMANDS:").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
            return section.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.dropFirst(2).first?.isLetter == true }
                .map { String($0.dropFirst(2).split(separator: " ")[0]) }.filter { $0 != "help" }
        }
        var listed = Set<String>()
        for name in subcommands(try daemon.ctl("--help").stdout) {
            listed.insert(name)
            listed.formUnion(subcommands(try daemon.ctl(name, "--help").stdout).map { name + " " + $0 })
        }
        #expect(listed.count > 30, "read the command list from eventctl --help: \(listed)")
        #expect(listed.subtracting(used).isEmpty, "commands never used: \(listed.subtracting(used).sorted())")
        #expect(FileManager.default.fileExists(atPath: daemon.directory + "/copy.sqlite"))
        let log = try daemon.ctl("log", "--json", "--limit", "1000").json([AuditView].self)
        #expect(log.map(\.action).contains("create") && log.map(\.action).contains("delete") && log.map(\.action).contains("import"))
    }

    @Test func theRegisterItsWALAndSHMTheSocketAndFeedsHaveExplicitModes() throws {
        let daemon = try TestDaemon()
        try daemon.ctl(Seed.conference)
        let register = daemon.dataDirectory + "/register.sqlite"
        for file in [register, register + "-wal", register + "-shm"] {
            #expect(mode(file)?.mode == 0o600, "\(file): \(String(mode(file)?.mode ?? 0, radix: 8))")
        }
        #expect(mode(daemon.dataDirectory)?.mode == 0o750)
        #expect(mode(daemon.socket)?.mode == 0o660)
        let feeds = daemon.dataDirectory + "/feeds"
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Thái Nguyên")
        #expect(mode(feeds)?.mode == 0o750)
        #expect(mode(feeds + "/kind")?.mode == 0o750)
        #expect(mode(feeds + "/all.ics")?.mode == 0o600, "no feeds_group: only eventd reads the feeds")
        let user: (uid: uid_t, gid: gid_t) = DaemonUser.isRoot ? DaemonUser.ids(DaemonUser.name) : (getuid(), getgid())
        #expect(mode(register)?.uid == user.uid)

        // With register_mode 0640, socket_group and feeds_group: the group reads, nobody else.
        let group = String(cString: getgrgid(user.gid)!.pointee.gr_name)
        let grouped = try TestDaemon(config: "register_mode = 0640\nfeeds_group = \(group)\nsocket_group = \(group)\n")
        try grouped.ctl(Seed.visit)
        _ = try FeedTests().waitForFeed(grouped, "all.ics", toContain: "Tuyên Quang")
        let groupedRegister = grouped.dataDirectory + "/register.sqlite"
        for file in [groupedRegister, groupedRegister + "-wal", groupedRegister + "-shm"] {
            #expect(mode(file)?.mode == 0o640, "\(file)")
        }
        #expect(mode(grouped.dataDirectory + "/feeds/all.ics")?.mode == 0o640)
        #expect(mode(grouped.dataDirectory + "/feeds/all.ics")?.gid == user.gid)
        #expect(mode(grouped.socket)?.gid == user.gid)
    }

    @Test(.enabled(if: DaemonUser.isRoot, "needs the test users (scripts/setup.sh, as root); CI runs as root"))
    func groupsReachWhatIsTheirsAndEventdSaysWhenItCannotGiveIt() throws {
        let (uid, gid) = DaemonUser.ids(DaemonUser.name)
        // The socket's folder as systemd's RuntimeDirectory makes it: eventd's, 0750, not in the socket's group.
        let daemon = try TestDaemon()
        daemon.stop()
        chown(daemon.directory, uid, 0)
        chmod(daemon.directory, 0o750)
        let group = String(cString: getgrgid(gid)!.pointee.gr_name)
        try daemon.writeConfig("socket_group = \(group)\n")
        try daemon.start()
        #expect(mode(daemon.directory)?.gid == gid, "the socket's folder is given to socket_group")
        let reader = try daemon.ctl(as: DaemonUser.reader, "status")
        #expect(reader.status == 0, "a member of socket_group reaches the socket: \(reader)")

        // Feeds written before feeds_group was set take its group and mode on the next start.
        try daemon.ctl(Seed.visit)
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Tuyên Quang")
        #expect(mode(daemon.dataDirectory + "/feeds/all.ics")?.mode == 0o600)
        chown(daemon.dataDirectory, uid, 0)
        daemon.stop()
        try daemon.writeConfig("socket_group = \(group)\nfeeds_group = \(group)\n")
        try daemon.start()
        usleep(500_000)
        #expect(mode(daemon.dataDirectory + "/feeds/all.ics")?.mode == 0o640)
        #expect(mode(daemon.dataDirectory + "/feeds/all.ics")?.gid == gid)
        #expect(mode(daemon.dataDirectory)?.gid == gid, "the feeds group can pass through the data folder")
        daemon.stop()

        // A group eventd's user is not in: refused at start, exit 78, saying what to run.
        try daemon.writeConfig("socket_group = \(DaemonUser.reader)\n")
        let refused = try run(
            "/usr/bin/setpriv",
            DaemonUser.prefix(DaemonUser.name) + [
                DaemonUser.eventd, "--config", daemon.directory + "/eventd.conf", "--socket", daemon.socket, "--data-dir", daemon.dataDirectory,
            ])
        #expect(refused.status == 78, "\(refused)")
        #expect(refused.stderr.contains("usermod -aG \(DaemonUser.reader) \(DaemonUser.name)"), "\(refused.stderr)")
    }

    @Test func checkConfigNamesGroupsUsersAndHooksThisMachineLacks() throws {
        let directory = "/tmp/evt-sys-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/eventd.conf"
        // Issue 20: a bad value (line 1) hid everything the machine lacks; now one pass names
        // them all, each with its line.
        try "log_level = loud\nsocket_group = khong-co-nhom\nwriters = khong-co-ai, @khong-co-nhom-2\nmail_hook = /khong/co/chuong-trinh -t\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let checked = try run(eventdPath, ["--check-config", "--config", file])
        #expect(checked.status == 78)
        for expected in [
            "eventd.conf:1: log_level: must be one of", "eventd.conf:2: socket_group: \"khong-co-nhom\" is not a group",
            "eventd.conf:3: writers: \"khong-co-ai\" is not a user", "eventd.conf:3: writers: \"khong-co-nhom-2\" is not a group",
            "eventd.conf:4: mail_hook: /khong/co/chuong-trinh",
        ] {
            #expect(checked.stderr.contains(expected), "\(expected) in \(checked.stderr)")
        }
    }

    @Test func aSocketModeThatLetsOthersWriteIsRefused() throws {
        let directory = "/tmp/evt-mode-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "socket_mode = 0666\n".write(toFile: directory + "/eventd.conf", atomically: true, encoding: .utf8)
        let result = try run(eventdPath, ["--config", directory + "/eventd.conf", "--socket", directory + "/s", "--data-dir", directory + "/d"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("eventd.conf:1: socket_mode:"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/s"))
    }

    @Test(.enabled(if: DaemonUser.isRoot, "needs a second user (scripts/setup.sh, as root); CI runs as root"))
    func aReadOnlyCallerIsRefusedEveryChangeAndTheLogNamesWhoChangedWhat() throws {
        // The lists name neither root nor eventd's own user: both may write all the same.
        let daemon = try TestDaemon(config: "writers = nobody\nreaders = @\(DaemonUser.name)\nmail_hook = /bin/true\n")
        let id = try daemon.ctl(Seed.conference).out
        let future = try daemon.ctl("add", "Họp sắp tới", "--kind", "meeting", "--start", startIn(86_400), "--attendee", "Lan <lan@example.vn>").out
        let file = daemon.directory + "/other.ics"
        try daemon.ctl("ics", id).stdout.replacingOccurrences(of: "UID:", with: "UID:other-").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        let before = try daemon.snapshot()
        let refused: [[String]] = [
            Seed.visit, ["update", id, "--title", "Đổi tên"], ["cancel", id], ["delete", id], ["import", file], ["invite", future],
            ["person", "add", "Người Mới"], ["backup", "/tmp/evt-never-\(UUID().uuidString.prefix(6)).sqlite"],
        ]
        for arguments in refused {
            let result = try run("/usr/bin/setpriv", DaemonUser.prefix(DaemonUser.reader) + [eventctlPath] + arguments, environment: ["EVENTD_SOCKET": daemon.socket])
            #expect(result.status == 77, "\(arguments.first!): \(result)")
            #expect(result.stderr.contains("\(DaemonUser.reader) (uid \(DaemonUser.ids(DaemonUser.reader).uid)) may not change the register"), "\(result.stderr)")
        }
        #expect(try daemon.snapshot() == before, "a refused change changes nothing, not even the outbox or the log")
        let curl = try run(
            "/usr/bin/setpriv",
            DaemonUser.prefix(DaemonUser.reader) + ["/usr/bin/curl", "-s", "-w", "\n%{http_code}", "--unix-socket", daemon.socket, "-X", "DELETE", "http://localhost/v1/events/\(id)"])
        #expect(curl.stdout.hasSuffix("\n403"))
        #expect(curl.stdout.contains(#""code":"forbidden""#), "a 403 has the JSON error body: \(curl.stdout)")
        // Reading is allowed.
        #expect(try daemon.ctl(as: DaemonUser.reader, "list").status == 0)
        #expect(try daemon.ctl(as: DaemonUser.reader, "status").out.contains("may read"))
        // eventd's own user writes though it is listed only among the readers' group.
        let own = try daemon.ctl(as: DaemonUser.name, "add", "Họp của eventd", "--kind", "meeting", "--start", "4/7/2022 8h00")
        #expect(own.status == 0, "\(own)")
        #expect(try daemon.ctl(as: DaemonUser.name, "status").out.contains("may write"))

        // The log names root for root's changes; after a reload makes the reader a writer, the reader's own.
        try daemon.writeConfig("writers = \(DaemonUser.name), \(DaemonUser.reader)\nmail_hook = /bin/true\n")
        kill(daemon.process!.processIdentifier, SIGHUP)
        var added = try daemon.ctl(as: DaemonUser.reader, "add", "Họp của người đọc", "--kind", "meeting", "--start", "4/7/2022 8h00")
        for _ in 0..<50 where added.status != 0 {
            usleep(100_000)
            added = try daemon.ctl(as: DaemonUser.reader, "add", "Họp của người đọc", "--kind", "meeting", "--start", "4/7/2022 8h00")
        }
        #expect(added.status == 0, "\(added)")
        let log = try daemon.ctl("log", "--json").json([AuditView].self)
        #expect(log.filter { $0.eventId == Int64(id) }.map(\.uid) == [0])
        #expect(log.last?.uid == DaemonUser.ids(DaemonUser.reader).uid)
        #expect(log.last?.user == DaemonUser.reader)
        #expect(log.last?.action == "create")
        #expect(log.last?.before == nil && log.last?.after?.title == "Họp của người đọc")
        let ofEvent = try daemon.ctl("log", "--event", id, "--json").json([AuditView].self)
        #expect(ofEvent.count == 1)
    }

    @Test func withEveryConnectionTakenStatusStillAnswers() throws {
        let daemon = try TestDaemon(config: "max_connections = 8\nheader_timeout = 30s\n")
        // Eight clients that connect and send half a request, and hold on.
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<12 {
            let fd = try connect(daemon.socket)
            _ = "GET /v1/status HTTP/1.1\r\nHost: x\r\n".withCString { send(fd, $0, strlen($0), 0) }
            sockets.append(fd)
        }
        usleep(200_000)
        let started = Date()
        let status = try daemon.ctl("status", "--json")
        #expect(status.status == 0, "\(status)")
        #expect(Date().timeIntervalSince(started) < 1.0, "status answered in \(Date().timeIntervalSince(started)) s")
        #expect(daemon.process?.isRunning == true)
    }

    @Test func silentAndIdleConnectionsAreClosedAfterTheirTimeouts() throws {
        let daemon = try TestDaemon(config: "header_timeout = 1s\nidle_timeout = 2s\n")
        /// Seconds until eventd closes `fd` (recv returns 0), at most `limit`.
        func closedAfter(_ fd: Int32, limit: Double = 8) -> Double {
            var timeout = timeval(tv_sec: Int(limit), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let started = Date()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
            return Date().timeIntervalSince(started)
        }
        // A client that connects and never sends its request: closed after header_timeout.
        let silent = try connect(daemon.socket)
        defer { close(silent) }
        let waited = closedAfter(silent)
        #expect(waited > 0.8 && waited < 4, "a silent connection was closed after \(waited) s (header_timeout 1 s)")
        // A kept-alive connection after its answer: closed after idle_timeout.
        let idle = try connect(daemon.socket)
        defer { close(idle) }
        _ = "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n".withCString { send(idle, $0, strlen($0), 0) }
        let total = closedAfter(idle)
        #expect(total > 1.8 && total < 6, "an idle keep-alive connection was closed after \(total) s (idle_timeout 2 s)")
    }

    @Test func runningOutOfDescriptorsDoesNotKillEventd() throws {
        let daemon = try TestDaemon(config: "max_connections = 5000\n")
        daemon.stop()
        daemon.limits = ["--nofile=64:64"]
        try daemon.start()
        #expect(try String(contentsOfFile: daemon.log, encoding: .utf8).contains("the descriptor limit 64 is low for max_connections 5000"))
        var sockets: [Int32] = []
        for _ in 0..<150 {
            guard let fd = try? connect(daemon.socket) else { break }
            sockets.append(fd)
        }
        usleep(300_000)
        // While the descriptors are gone, eventd waits to accept more; it does not die.
        #expect(daemon.process?.isRunning == true)
        sockets.forEach { close($0) }
        usleep(1_500_000)  // NIO backs off accepting for a second after EMFILE
        var status = try daemon.ctl("status")
        for _ in 0..<30 where status.status != 0 {
            usleep(200_000)
            status = try daemon.ctl("status")
        }
        #expect(status.status == 0, "\(status)")
        #expect(try daemon.ctl(Seed.visit).status == 0)
    }

    @Test func aRequestHTTPCannotParseGetsTheJSONErrorBody() throws {
        let daemon = try TestDaemon()
        let fd = try connect(daemon.socket)
        defer { close(fd) }
        _ = "GET /v1/status HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n".withCString { send(fd, $0, strlen($0), 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(text.components(separatedBy: "\r\n\r\n").dropFirst().joined().utf8))
        #expect(body.error.code == "bad_request")
    }

    @Test func aHookThatOverrunsIsKilledWithItsChildren() throws {
        let daemon = try TestDaemon(config: "hook_timeout = 1s\nmax_attempts = 1\n")
        let hook = daemon.directory + "/hook.sh"
        try """
            #!/bin/sh
            cat >/dev/null
            sleep 300 &
            echo $! > \(daemon.directory)/child.pid
            echo $$ > \(daemon.directory)/hook.pid
            sleep 300

            """.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        try daemon.restart(extra: ["--mail-hook", hook])
        let id = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", startIn(86_400), "--remind", "none", "--attendee", "Lan <lan@example.vn>").out
        try daemon.ctl("invite", id)
        let done = try daemon.waitForNotices { $0.allSatisfy { $0.state == "failed" } }
        #expect(done.first?.lastError?.contains("hook_timeout") == true, "\(done)")
        for file in ["child.pid", "hook.pid"] {
            let pid = try #require(pid_t(try String(contentsOfFile: daemon.directory + "/" + file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            var gone = kill(pid, 0) != 0
            for _ in 0..<20 where !gone {
                usleep(100_000)
                gone = kill(pid, 0) != 0
            }
            #expect(gone, "\(file) \(pid) outlived the hook's timeout")
        }
    }

    @Test func aHookThatExitsZeroDeliveredWhateverItWroteToStderr() throws {
        let daemon = try TestDaemon()
        let hook = daemon.directory + "/hook.sh"
        try """
            #!/bin/sh
            cat >/dev/null
            head -c 300000 /dev/zero | tr '\\0' x >&2
            echo $EVENTD_NOTICE_ID >> \(daemon.directory)/sent.log
            exit 0

            """.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        try daemon.restart(extra: ["--mail-hook", hook])
        let id = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", startIn(86_400), "--remind", "none", "--attendee", "Lan <lan@example.vn>").out
        try daemon.ctl("invite", id)
        let done = try daemon.waitForNotices { $0.allSatisfy { $0.state == "sent" || $0.state == "failed" } }
        #expect(done.map(\.state) == ["sent"])
        #expect(done.first?.attempts == 1)
        #expect(try String(contentsOfFile: daemon.directory + "/sent.log", encoding: .utf8).split(separator: "\n").count == 1, "sent once")
    }

    @Test func systemdHearsReadyWatchdogAndStopping() throws {
        let path = "/tmp/evt-ntf-\(UUID().uuidString.prefix(6))"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer {
            close(fd)
            unlink(path)
        }
        var address = unixAddress(path)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(bound == 0)
        chmod(path, 0o666)  // eventd runs as another user
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 1024)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        }
        let daemon = try TestDaemon(config: nil, environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"])
        var messages: [String] = []
        for _ in 0..<3 { messages.append(receive()) }
        #expect(messages.contains { $0.hasPrefix("READY=1") }, "\(messages)")
        #expect(messages.contains("WATCHDOG=1"), "\(messages)")
        #expect(try daemon.ctl("status").status == 0, "READY=1 comes once requests are served")
        daemon.stop(signal: SIGTERM)
        var rest = receive()
        while rest == "WATCHDOG=1" { rest = receive() }
        #expect(rest.hasPrefix("STOPPING=1"), "\(rest)")
    }

    @Test func sighupTakesAGoodConfigAndKeepsTheOldOneOnABrokenOne() throws {
        let daemon = try TestDaemon(config: "default_reminders = 1d\nlog_level = info\n")
        let pid = try #require(daemon.process?.processIdentifier)
        try daemon.writeConfig("default_reminders = 2h\nlog_level = debug\nsocket_mode = 0600\n")
        kill(pid, SIGHUP)
        let log = { try String(contentsOfFile: daemon.log, encoding: .utf8) }
        var waited = 0
        // Both lines: the one about settings that need a restart may come just after.
        while try !(log().contains("config reloaded") && log().contains("take effect only after a restart")), waited < 50 {
            usleep(100_000)
            waited += 1
        }
        #expect(try log().contains("config reloaded"))
        #expect(try log().contains("take effect only after a restart: socket_mode"))
        let id = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", startIn(3 * 86_400), "--attendee", "Lan <lan@example.vn>").out
        let offsets = try daemon.notices("--event", id).map { epoch($0.due) }
        let start = try daemon.ctl("show", id, "--json").json(EventView.self).start
        #expect(offsets == [epoch(start) - 7200], "the reloaded default reminder, 2h")

        try daemon.writeConfig("default_reminders = soon\nno such line\n")
        kill(pid, SIGHUP)
        waited = 0
        while try !log().contains("config not reloaded"), waited < 50 {
            usleep(100_000)
            waited += 1
        }
        #expect(try log().contains("config not reloaded; the old settings stay in force"))
        #expect(try log().contains("eventd.conf:2"))
        #expect(daemon.process?.isRunning == true)
        let second = try daemon.ctl("add", "Họp 2", "--kind", "meeting", "--start", startIn(3 * 86_400), "--attendee", "Lan <lan@example.vn>").out
        #expect(try daemon.notices("--event", second).count == 1, "still the 2h reminder")

        // Issue 20: a hook that is not there, which --check-config refuses, is refused by SIGHUP too.
        try daemon.writeConfig("default_reminders = 1d, 2h, 30m\nmail_hook = /khong/co/hook -t\n")
        #expect(try run(eventdPath, ["--check-config", "--config", daemon.directory + "/eventd.conf"]).status == 78)
        kill(pid, SIGHUP)
        waited = 0
        while try log().components(separatedBy: "config not reloaded").count < 3, waited < 50 {
            usleep(100_000)
            waited += 1
        }
        let reloadLog = try log()
        #expect(reloadLog.contains("eventd.conf:3: mail_hook: /khong/co/hook is not a program eventd can run"), "\(reloadLog)")
        let third = try daemon.ctl("add", "Họp 3", "--kind", "meeting", "--start", startIn(3 * 86_400), "--attendee", "Lan <lan@example.vn>").out
        #expect(try daemon.notices("--event", third).count == 1, "still the 2h reminder, not the three of the refused file")
        #expect(try daemon.ctl("status", "--json").json(StatusView.self).lastReloadError?.contains("mail_hook") == true)
    }

    @Test func aBackupTakenDuringWritesHoldsEveryAcknowledgedEvent() throws {
        let daemon = try TestDaemon()
        let acknowledged = Mutex([Int64]())
        let stop = Mutex(false)
        let writer = Thread {
            var n = 0
            while !stop.withLock({ $0 }) {
                n += 1
                if let result = try? daemon.ctl("add", "Họp số \(n)", "--kind", "meeting", "--start", "4/7/2022 8h00"), result.status == 0, let id = Int64(result.out) {
                    acknowledged.withLock { $0.append(id) }
                }
            }
        }
        writer.start()
        while acknowledged.withLock({ $0.count }) < 20 { usleep(20_000) }
        let before = acknowledged.withLock { $0 }
        let file = daemon.directory + "/backup.sqlite"
        let backup = try daemon.ctl("backup", file)
        stop.withLock { $0 = true }
        while !writer.isFinished { usleep(10_000) }
        #expect(backup.status == 0, "\(backup)")
        let ids = try run("/usr/bin/sqlite3", [file, "SELECT id FROM event ORDER BY id"]).stdout.split(separator: "\n").compactMap { Int64($0) }
        #expect(Set(before).isSubset(of: Set(ids)), "every event acknowledged before the backup began is in it")
        #expect(try run("/usr/bin/sqlite3", [file, "PRAGMA integrity_check"]).out == "ok")
        #expect(mode(file)?.mode == 0o600)
        let again = try daemon.ctl("backup", file)
        #expect(again.status == 73, "a backup never overwrites a file")
    }

    /// Issue 19: a backup, which copies every feed token, wrote no audit row. It names who took
    /// it, its size and the file eventctl wrote (from the root, though given relative).
    @Test func aBackupIsRecordedInTheAuditLogWithWhoItsSizeAndItsFile() throws {
        let daemon = try TestDaemon()
        #expect(try daemon.ctl(Seed.conference).status == 0)
        let backup = try run(eventctlPath, ["backup", "copy.sqlite"], environment: ["EVENTD_SOCKET": daemon.socket], directory: daemon.directory)
        #expect(backup.status == 0, "\(backup)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: daemon.directory + "/copy.sqlite")[.size] as? Int)
        let entry = try #require(try daemon.ctl("log", "--json").json([AuditView].self).last)
        #expect(entry.action == "backup \(size) bytes to \(daemon.directory)/copy.sqlite")
        #expect(entry.uid == getuid())
        #expect(entry.user == String(cString: getpwuid(getuid()).pointee.pw_name))
        #expect(entry.eventId == nil)
        #expect(try daemon.ctl("log").stdout.contains("backup \(size) bytes to \(daemon.directory)/copy.sqlite"))
    }

    @Test func checkConfigReportsEveryProblemWithItsLine() throws {
        let directory = "/tmp/evt-chk-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/eventd.conf"
        try "default_tz = Asia/Ho_Chi_Minh\ncolour = blue\nhook_timeout = forever\nmax_connections = 2\nsocket_mode = 0666\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try run(eventdPath, ["--check-config", "--config", file])
        #expect(bad.status == 78)
        for expected in ["eventd.conf:2: colour: unknown setting", "eventd.conf:3: hook_timeout:", "eventd.conf:4: max_connections:", "eventd.conf:5: socket_mode:"] {
            #expect(bad.stderr.contains(expected), "\(expected) in \(bad.stderr)")
        }
        try "default_tz = Europe/Paris\n".write(toFile: file, atomically: true, encoding: .utf8)
        let good = try run(eventdPath, ["--check-config", "--config", file])
        #expect(good.status == 0, "\(good)")
    }

    @Test func aCommandLineFlagOverridesOneKeyAndKeepsTheRest() throws {
        let daemon = try TestDaemon(config: "default_tz = Europe/Paris\n")
        try daemon.restart(extra: ["--log-level", "debug"])
        let id = try daemon.ctl("add", "Réunion", "--kind", "meeting", "--start", "3/3/2017 8h00").out
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).start == "2017-03-03T08:00:00+01:00", "--log-level kept default_tz")
        #expect(try String(contentsOfFile: daemon.log, encoding: .utf8).contains("debug"))
    }

    @Test func optionsEveryCommandTakesMayComeFirst() throws {
        let daemon = try TestDaemon()
        let status = try run(eventctlPath, ["--socket", daemon.socket, "--json", "status"])
        #expect(status.status == 0, "\(status)")
        #expect(try status.json(StatusView.self).socket == daemon.socket)
        try daemon.ctl(Seed.visit)
        let people = try run(eventctlPath, ["--json", "--socket=\(daemon.socket)", "person", "list"])
        #expect(people.status == 0, "\(people)")
        #expect(people.out.hasPrefix("["))
        let notices = try run(eventctlPath, ["--socket", daemon.socket, "--json", "notices"])
        #expect(notices.status == 0, "\(notices)")
    }

    @Test func statusShowsTheOutboxTheFeedsAndTheConfig() throws {
        let daemon = try TestDaemon(config: "mail_hook = /bin/false\nmax_attempts = 1\n")
        let id = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", startIn(86_400), "--remind", "none", "--attendee", "Lan <lan@example.vn>").out
        try daemon.ctl("invite", id)
        _ = try daemon.waitForNotices { $0.allSatisfy { $0.state == "failed" } }
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Họp")
        let view = try daemon.ctl("status", "--json").json(StatusView.self)
        #expect(view.configFile == daemon.directory + "/eventd.conf")
        #expect(view.notices?["failed"] == 1)
        #expect(view.feeds?.lastWrite != nil)
        #expect(view.feeds?.lastError == nil)
        let text = try daemon.ctl("status").out
        #expect(text.contains("1 failed"))
        #expect(text.contains("Config:    \(daemon.directory)/eventd.conf"))
    }

    @Test(.enabled(if: DaemonUser.isRoot, "mounting a small disk needs root; CI runs as root"))
    func aFullDiskAnswers503AndChangesNothing() throws {
        let daemon = try TestDaemon()
        daemon.stop()
        let data = daemon.dataDirectory
        try? FileManager.default.removeItem(atPath: data)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        #expect(try run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", data]).status == 0)
        defer {
            daemon.stop(signal: SIGKILL)
            _ = try? run("/usr/bin/umount", ["-l", data])
        }
        DaemonUser.own(data)
        try daemon.start()
        let description = String(repeating: "Nội dung dài. ", count: 1_200)
        var full: Run?
        for n in 0..<200 {
            let result = try daemon.ctl("add", "Họp \(n)", "--kind", "meeting", "--start", "4/7/2022 8h00", "--description", description)
            if result.status != 0 {
                full = result
                break
            }
        }
        let refused = try #require(full, "the disk never filled")
        #expect(refused.status == 75, "\(refused)")
        #expect(refused.stderr.contains("the disk that holds the register is full"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("SQLite"), "a plain message, not SQLite's")
        #expect(daemon.process?.isRunning == true)
        #expect(try daemon.ctl("status").status == 0)
    }

    @Test func theFeedListenerFollowsNoLinkAndNoDotDot() throws {
        let port = FeedTests.port(3)
        let daemon = try TestDaemon(config: "http = 127.0.0.1:\(port)\n")
        try daemon.ctl(Seed.visit)
        _ = try FeedTests().waitForFeed(daemon, "all.ics", toContain: "Tuyên Quang")
        let feeds = daemon.dataDirectory + "/feeds"
        symlink(daemon.dataDirectory + "/register.sqlite", feeds + "/stolen.ics")
        symlink(daemon.dataDirectory, feeds + "/linked")
        try "secret".write(toFile: daemon.dataDirectory + "/secret.ics", atomically: true, encoding: .utf8)
        let base = "http://127.0.0.1:\(port)"
        #expect(try FeedTests().curl([base + "/feeds/all.ics"]).status == 200)
        for path in ["/feeds/stolen.ics", "/feeds/linked/secret.ics", "/feeds/../secret.ics", "/feeds/kind/../../secret.ics", "/feeds//all.ics"] {
            // --path-as-is: curl sends the dots as they are, so eventd's own check is what answers.
            let answer = try FeedTests().curl(["--path-as-is", base + path])
            #expect(answer.status == 404, "\(path): \(answer.status)")
        }
    }
}

/// A connected Unix stream socket.
func connect(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var address = unixAddress(path)
    let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    guard result == 0 else {
        close(fd)
        throw POSIXError(.ECONNREFUSED)
    }
    return fd
}

func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
    }
    return address
}

/// The README's promise that an acknowledged write is on disk: the WAL is synced before the
/// answer is written to the socket, as `strace` sees the system calls.
@Suite struct DurabilityTests {
    @Test func anAcknowledgedAddIsSyncedBeforeItsAnswerLeaves() throws {
        let daemon = try TestDaemon()
        let pid = try #require(daemon.process?.processIdentifier)
        let trace = daemon.directory + "/strace.txt"
        let strace = Process()
        // Through Python, to clear the signal mask Foundation's Process passes on, so SIGINT stops strace.
        strace.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        strace.arguments = [
            "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv('/usr/bin/strace', sys.argv[1:])",
            "strace", "-f", "-y", "-s", "24", "-e", "trace=fsync,fdatasync,write,writev,sendmsg", "-o", trace, "-p", String(pid),
        ]
        strace.standardError = FileHandle.nullDevice
        try strace.run()
        usleep(700_000)  // strace attaches to every thread
        let added = try daemon.ctl("add", "Họp", "--kind", "meeting", "--start", "4/7/2022 8h00")
        #expect(added.status == 0)
        usleep(300_000)
        kill(strace.processIdentifier, SIGINT)
        strace.waitUntilExit()
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let answer = try #require(lines.firstIndex { $0.contains("HTTP/1.1 201") }, "the answer was not seen:\n\(lines.joined(separator: "\n"))")
        let synced = lines[..<answer].contains { ($0.contains("fdatasync(") || $0.contains("fsync(")) && $0.contains("register.sqlite") }
        #expect(synced, "no sync of the register before the answer:\n\(lines[..<answer].joined(separator: "\n"))")
    }
}
