import EventAPI
import Foundation
import Testing

/// The repository's top, where README.md and scripts/ are.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// What README.md and scripts/run.sh show a newcomer, run for real, so they cannot drift from
/// what eventd prints (issue 20: the walk-through showed output eventd no longer printed).
@Suite struct WalkThroughTests {
    /// The text of the first fenced block after `marker` in README.md, without its fences.
    func block(after marker: String, in readme: String) throws -> String {
        let rest = try #require(readme.range(of: marker).map { readme[$0.upperBound...] }, "README has no \(marker.debugDescription)")
        let open = try #require(rest.range(of: "```"))
        let body = rest[open.upperBound...].drop { $0 != "\n" }.dropFirst()
        let close = try #require(body.range(of: "\n```"))
        return String(body[..<close.lowerBound])
    }

    /// Shell commands of a block: continuation lines joined, comments and blank lines left out.
    func commands(_ block: String) -> [String] {
        var out: [String] = []
        var current = ""
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = String(line)
            if text.hasSuffix("\\") {
                current += text.dropLast() + " "
                continue
            }
            current += text
            if !current.trimmingCharacters(in: .whitespaces).isEmpty { out.append(current) }
            current = ""
        }
        return out
    }

    @Test func theWalkThroughPrintsWhatTheREADMEShows() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let script = try block(after: "## A walk-through", in: readme)
        let listed = try block(after: "`eventctl list` prints:", in: readme)
        let shown = try block(after: "and `eventctl show 1`:", in: readme)
        let lines = commands(script)
        #expect(lines.first?.hasPrefix("export PATH=") == true, "the walk-through starts by putting the binaries on PATH: \(lines)")
        let daemon = try TestDaemon()
        // Each command as README writes it (eventctl found on PATH, as after its first line), its status noted.
        let statuses = daemon.directory + "/statuses"
        let body = lines.dropFirst().map { "\($0)\necho $? >> \(statuses)" }.joined(separator: "\n")
        let ran = try run(
            "/bin/bash", ["-c", body],
            environment: ["PATH": binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "EVENTD_SOCKET": daemon.socket])
        let codes = try String(contentsOfFile: statuses, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(codes.count == lines.count - 1, "\(ran)")
        for (command, code) in zip(lines.dropFirst(), codes) {
            // README says which one is refused.
            let refused = command.contains("# refused")
            #expect((code == "0") != refused, "\(command): exit \(code)\n\(ran)")
        }
        #expect(try daemon.ctl("list", "--from", "1/3/2017", "--to", "31/3/2017").stdout == listed + "\n")
        // The UID is made at random: README shows its start and end.
        let show = try daemon.ctl("show", "1").stdout
        let uid = try #require(show.split(separator: "\n").first { $0.hasPrefix("UID:") })
        let placeholder = try #require(shown.split(separator: "\n").first { $0.hasPrefix("UID:") })
        #expect(uid.hasSuffix("@eventd") && placeholder.hasSuffix("…@eventd"), "\(uid) beside \(placeholder)")
        #expect(show.replacingOccurrences(of: String(uid), with: String(placeholder)) == shown + "\n")
    }

    /// Issue 20: scripts/run.sh run twice added the first event twice.
    @Test func runShRunTwiceAddsTheFirstEventOnce() throws {
        let directory = "/tmp/evt-run-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let environment = [
            "EVENTD_BIN_DIR": binDirectory, "EVENTD_SOCKET": directory + "/s", "XDG_DATA_HOME": directory + "/data", "TMPDIR": directory,
        ]
        let ctl = { (arguments: [String]) throws -> Run in try run(eventctlPath, arguments, environment: environment) }
        defer {
            if let pid = try? ctl(["status", "--json"]).json(StatusView.self).pid {
                kill(pid, SIGTERM)
                for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
        // Through Python with every inherited descriptor closed: eventd, left running by run.sh,
        // would otherwise hold the one Foundation's Process watches, and `run` would never return.
        let runSh = { () throws -> Run in
            try run(
                "/usr/bin/python3", ["-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)", repositoryRoot + "/scripts/run.sh"],
                environment: environment)
        }
        let first = try runSh()
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("Event 1: Hội nghị phát động phong trào thi đua năm 2017"), "\(first)")
        let second = try runSh()
        #expect(second.status == 0, "\(second)")
        #expect(second.stdout.contains("the first event is already in the register (event 1); nothing added"), "\(second)")
        #expect(second.stdout.contains("Event 1: Hội nghị phát động phong trào thi đua năm 2017"), "\(second)")
        let events = try ctl(["list", "--json"]).json([EventView].self)
        #expect(events.map(\.id) == [1], "one event after two runs: \(events.map(\.title))")
    }
}
