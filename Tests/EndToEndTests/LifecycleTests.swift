import EventAPI
import Foundation
import Testing

/// eventd as a daemon: durable across restarts and SIGKILL, its socket guarded, its config checked.
@Suite struct LifecycleTests {
    @Test func dataSurvivesARestart() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        try daemon.ctl("session", "add", id, "Ký giao ước thi đua", "--start", "3/3/2017 10h00", "--end", "3/3/2017 10h30", "--speaker", Seed.hieu)
        let before = try daemon.snapshot()
        try daemon.restart()
        #expect(try daemon.snapshot() == before)
        // Ids continue after a restart; they are never reused.
        #expect(try daemon.ctl(Seed.visit).out == "2")
    }

    @Test func anAcknowledgedAddSurvivesSIGKILL() throws {
        let daemon = try TestDaemon()
        for round in 1...5 {
            let add = try daemon.ctl("add", "Họp giao ban lần \(round)", "--kind", "meeting", "--start", "\(round)/3/2017 8h00", "--witness", Seed.hieu)
            #expect(add.status == 0)
            // Killed right after the acknowledgement: no chance to flush or checkpoint.
            try daemon.restart(signal: SIGKILL)
            let event = try daemon.ctl("show", add.out, "--json").json(EventView.self)
            #expect(event.title == "Họp giao ban lần \(round)")
            #expect(event.participants.first?.name == "Phan Chí Hiếu")
        }
        #expect(try daemon.ctl("list", "--json").json([EventView].self).count == 5)
    }

    @Test func curlSeesTheSameEventAsEventctl() throws {
        let daemon = try TestDaemon()
        let id = try daemon.ctl(Seed.conference).out
        try daemon.ctl("session", "add", id, "Phát biểu", "--start", "3/3/2017 8h00", "--end", "3/3/2017 8h30", "--speaker", Seed.tam)
        let viaCurl = try daemon.curl("http://localhost/v1/events/\(id)")
        #expect(viaCurl.status == 200)
        let fromCurl = try JSONDecoder().decode(EventView.self, from: Data(viaCurl.body.utf8))
        let fromCtl = try daemon.ctl("show", id, "--json").json(EventView.self)
        #expect(fromCurl == fromCtl)
        #expect(viaCurl.body.trimmingCharacters(in: .whitespacesAndNewlines) == (try daemon.ctl("show", id, "--json").out))

        // And an event put in with curl reads back through eventctl.
        let posted = try daemon.curl(
            "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
            #"{"kind":"workshop","title":"Hội thảo tham vấn mô hình 3D","start":"5/7/2022 8h00","duration":"3h","location":"Cúc Phương","participants":[{"person":"Phan Chí Hiếu <hieu@moj.gov.vn>","role":"attendee","required":false}]}"#,
            "http://localhost/v1/events")
        #expect(posted.status == 201, "\(posted)")
        var created = try JSONDecoder().decode(EventView.self, from: Data(posted.body.utf8))
        #expect(created.conflicts == [], "an add answers with the clashes it made")
        created.conflicts = nil
        let shown = try daemon.ctl("show", String(created.id), "--json").json(EventView.self)
        #expect(shown == created)
        #expect(shown.participants.first?.required == false)
        #expect(shown.participants.first?.personId == fromCtl.participants.first { $0.name == "Phan Chí Hiếu" }?.personId)
    }

    @Test func socketIsGroupOnlyAndRemovedOnStop() throws {
        let daemon = try TestDaemon()
        var info = stat()
        #expect(stat(daemon.socket, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o660)
        // Without socket_group, the group is eventd's own.
        #expect(info.st_gid == (DaemonUser.isRoot ? DaemonUser.ids(DaemonUser.name).gid : getegid()))
        if DaemonUser.isRoot {
            // With socket_group, a group eventd is in besides its own: the socket is given to it.
            let group = DaemonUser.reader
            let grouped = try TestDaemon(config: "socket_group = \(group)\n", groups: [DaemonUser.name, group])
            var groupedInfo = stat()
            #expect(stat(grouped.socket, &groupedInfo) == 0)
            #expect(groupedInfo.st_gid == getgrnam(group)!.pointee.gr_gid, "the socket's group is socket_group")
            #expect(groupedInfo.st_mode & 0o7777 == 0o660)
        }
        daemon.stop(signal: SIGTERM)
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        #expect(log.contains("eventd stopped"))
    }

    @Test func configFileSetsModeAndZone() throws {
        let daemon = try TestDaemon(config: """
            # a test config
            socket_mode = 0600
            default_tz = "Europe/Paris"
            log_level = debug
            """)
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let id = try daemon.ctl("add", "Réunion", "--kind", "meeting", "--start", "3/3/2017 8h00").out
        #expect(try daemon.ctl("show", id, "--json").json(EventView.self).start == "2017-03-03T08:00:00+01:00")
    }

    @Test func aSecondDaemonOnTheSameSocketIsRefused() throws {
        let daemon = try TestDaemon()
        let second = try run(eventdPath, ["--socket", daemon.socket, "--data-dir", daemon.directory + "/other"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another eventd is already listening on \(daemon.socket)"))
        #expect(try daemon.ctl("status").status == 0, "the first daemon keeps its socket")
    }

    @Test func badConfigFilesAreRefusedWithTheLine() throws {
        let directory = "/tmp/evt-conf-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases = [
            ("socket_mode = 0660\ncolour = blue\n", "eventd.conf:2: colour: unknown setting"),
            ("default_tz = Asia/Saigon_Old\n", "unknown time zone"),
            ("max_body_bytes = lots\n", "eventd.conf:1: max_body_bytes: must be a whole number"),
            ("just words\n", "expected `key = value`"),
        ]
        for (text, message) in cases {
            try text.write(toFile: directory + "/eventd.conf", atomically: true, encoding: .utf8)
            let result = try run(eventdPath, ["--config", directory + "/eventd.conf", "--socket", directory + "/s"])
            #expect(result.status == 78, "\(text): \(result)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        let missing = try run(eventdPath, ["--config", directory + "/missing.conf"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("cannot read the config file"))
    }

    @Test func defaultsNeedNoConfiguration() throws {
        // With only XDG_RUNTIME_DIR and XDG_DATA_HOME, eventd and eventctl agree on the socket.
        let home = "/tmp/evt-home-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = ["XDG_RUNTIME_DIR": home + "/run", "XDG_DATA_HOME": home + "/data"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: eventdPath)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "EVENTD_SOCKET")
        process.environment = environment.merging(env) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var status = try run(eventctlPath, ["status", "--json"], environment: env)
        for _ in 0..<200 where status.status != 0 {
            usleep(50_000)
            status = try run(eventctlPath, ["status", "--json"], environment: env)
        }
        #expect(status.status == 0, "\(status)")
        let view = try status.json(StatusView.self)
        #expect(view.socket == home + "/run/eventd/eventd.sock")
        #expect(view.database == home + "/data/eventd/register.sqlite")
    }
}
