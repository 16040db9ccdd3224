import EventAPI
import Foundation
import Testing

/// The built executables: beside the test bundle in `.build/<config>/`, or in `$EVENTD_BIN_DIR`.
let binDirectory: String = {
    if let dir = ProcessInfo.processInfo.environment["EVENTD_BIN_DIR"] { return dir }
    var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("eventctl").path), dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.path
}()

let eventdPath = binDirectory + "/eventd"
let eventctlPath = binDirectory + "/eventctl"

/// The unprivileged user eventd runs as when the tests run as root (as CI does), like the unit's
/// `User=eventd`; scripts/setup.sh creates it. Run as anyone else, eventd runs as that user.
enum DaemonUser {
    static let name = "eventd-test"
    /// A second user, in eventd-test's group: may connect to the socket, not listed as a writer.
    static let reader = "eventd-reader"

    static var isRoot: Bool { getuid() == 0 }

    /// uid and gid of `name`; the tests stop with a clear message if setup.sh was not run.
    static func ids(_ name: String) -> (uid: uid_t, gid: gid_t) {
        guard let entry = getpwnam(name) else {
            fatalError("user \(name) does not exist: run scripts/setup.sh as root first (it creates the tests' users)")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// `setpriv` arguments that run a program as `user` with its groups, or with `groups` as its
    /// supplementary groups instead.
    static func prefix(_ user: String, groups: [String] = []) -> [String] {
        ["--reuid=\(user)", "--regid=\(user)", groups.isEmpty ? "--init-groups" : "--groups=" + groups.joined(separator: ","), "--"]
    }

    /// eventd as the daemon user can run: the build folder may sit where that user cannot reach
    /// (a clone under /root), so then the binary is copied once to a folder it can.
    static let eventd = reachable(eventdPath)
    /// eventctl as the daemon user (or an MTA delivering as it) can run.
    static let eventctl = reachable(eventctlPath)

    private static func reachable(_ path: String) -> String {
        guard isRoot else { return path }
        // test -x asks as that user; setpriv itself would exec the file before it is that user.
        let probe = try? run("/usr/bin/setpriv", prefix(name) + ["/usr/bin/test", "-x", path])
        if probe?.status == 0 { return path }
        let folder = "/tmp/evt-bin-\(getpid())"
        let copy = folder + "/" + (path as NSString).lastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try? FileManager.default.removeItem(atPath: copy)
        try! FileManager.default.copyItem(atPath: path, toPath: copy)
        chmod(copy, 0o755)
        return copy
    }

    /// Makes `path` (a folder) the daemon user's, so eventd and its hooks can write there.
    static func own(_ path: String) {
        guard isRoot else { return }
        let (uid, gid) = ids(name)
        chown(path, uid, gid)
    }

    /// A folder of the test's that eventd (and its mail hook) may write into.
    static func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        own(path)
    }
}

/// What a finished program left: its exit status and its output.
struct Run: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    /// stdout without surrounding white space: what a script would capture.
    var out: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }

    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(stdout.utf8))
    }
}

/// Runs a program to its end. Output goes through files, so neither stream can fill a pipe and block.
@discardableResult
func run(
    _ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, input: Data? = nil, directory: String? = nil
) throws -> Run {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err"), inURL = scratch.appendingPathComponent("in")
    for url in [outURL, errURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data((stdin ?? "").utf8))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "EVENTD_SOCKET")
    env.merge(environment) { $1 }
    process.environment = env
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = try FileHandle(forReadingFrom: inURL)
    try process.run()
    process.waitUntilExit()
    return Run(
        status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
        stderr: try String(contentsOf: errURL, encoding: .utf8))
}

/// A real eventd on a private socket and data directory, and the real eventctl and curl to drive it.
final class TestDaemon: @unchecked Sendable {  // used from one test at a time
    let directory: String
    var socket: String { directory + "/s" }
    var dataDirectory: String { directory + "/data" }
    var log: String { directory + "/eventd.log" }
    private(set) var process: Process?

    /// Extra environment of eventd (NOTIFY_SOCKET, say).
    var environment: [String: String] = [:]
    /// prlimit options eventd starts under (`--nofile=64:64`).
    var limits: [String] = []
    /// Supplementary groups of eventd's user in place of its own (as root only).
    let groups: [String]

    /// `config` is written to a config file and passed with --config when given.
    init(config: String? = nil, environment: [String: String] = [:], groups: [String] = []) throws {
        self.environment = environment
        self.groups = groups
        // Socket paths are limited to 108 bytes, so stay short and unique under /tmp.
        directory = "/tmp/evt-" + String(UUID().uuidString.prefix(8))
        try DaemonUser.makeFolder(directory)
        try writeConfig(config ?? "")
        try start()
    }

    /// The organizer of invitations to events that name none: every test daemon has one.
    static let organizer = "Văn phòng Bộ Tư pháp <vanphong@moj.gov.vn>"

    /// Writes eventd.conf (read on the next start or SIGHUP), with the test organizer unless `text` sets one.
    func writeConfig(_ text: String) throws {
        let organizer = text.contains("organizer =") ? "" : "organizer = \"\(Self.organizer)\"\n"
        try (organizer + text).write(toFile: directory + "/eventd.conf", atomically: true, encoding: .utf8)
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts eventd; `extra` arguments (such as --mail-hook) are kept for later restarts.
    func start(extra: [String]? = nil) throws {
        if let extra { self.extra = extra }
        let process = Process()
        var arguments = ["--socket", socket, "--data-dir", dataDirectory] + self.extra
        if FileManager.default.fileExists(atPath: directory + "/eventd.conf") { arguments += ["--config", directory + "/eventd.conf"] }
        var command = DaemonUser.isRoot ? ["/usr/bin/setpriv"] + DaemonUser.prefix(DaemonUser.name, groups: groups) + [DaemonUser.eventd] : [eventdPath]
        if !limits.isEmpty { command = ["/usr/bin/prlimit"] + limits + ["--"] + command }
        // prlimit and setpriv exec what follows them: the pid stays eventd's, so signals reach it.
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        logHandle.seekToEndOfFile()
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !process.isRunning { throw DaemonFailed(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "") }
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.components(separatedBy: "eventd ready").count > readyCount + 1 {
                readyCount += 1
                return
            }
            usleep(20_000)
        }
        throw DaemonFailed(log: "eventd did not become ready within 20 s")
    }

    private var readyCount = 0
    private var extra: [String] = []

    struct FeedsUnsettled: Error, CustomStringConvertible {
        var description: String { "the feed writer did not settle within 30 s" }
    }

    struct DaemonFailed: Error, CustomStringConvertible {
        var log: String
        var description: String { "eventd failed to start:\n\(log)" }
    }

    /// Stops eventd with `signal` and waits for it to exit.
    func stop(signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
    }

    func restart(signal: Int32 = SIGTERM, extra: [String]? = nil) throws {
        stop(signal: signal)
        try start(extra: extra)
    }

    /// Runs eventctl against this daemon.
    @discardableResult
    func ctl(_ arguments: String...) throws -> Run {
        try ctl(arguments)
    }

    @discardableResult
    func ctl(_ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> Run {
        try run(eventctlPath, arguments, environment: ["EVENTD_SOCKET": socket].merging(environment) { $1 }, input: input)
    }

    /// Runs eventctl as another user (root only): `eventd-reader` is in the socket's group.
    @discardableResult
    func ctl(as user: String, _ arguments: String...) throws -> Run {
        try run("/usr/bin/setpriv", DaemonUser.prefix(user) + [eventctlPath] + arguments, environment: ["EVENTD_SOCKET": socket])
    }

    /// curl over the Unix socket: prints the body, then the status code on a line of its own.
    func curl(_ arguments: String...) throws -> (status: Int, body: String) {
        try curl(arguments)
    }

    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let result = try run("/usr/bin/curl", ["-s", "--unix-socket", socket, "-w", "\n%{http_code}"] + arguments)
        var lines = result.stdout.components(separatedBy: "\n")
        let status = Int(lines.removeLast()) ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// The whole register as the API shows it, the outbox and the audit log, to check that a
    /// refused request changed nothing.
    func snapshot() throws -> String {
        let register = try ["list", "person list", "notices", "log"].map { try ctl($0.split(separator: " ").map(String.init) + ["--json"]).stdout }
        return register.joined() + (try feedFiles())
    }

    /// Every feed file with its text, once the feed writer has written every change so far.
    func feedFiles() throws -> String {
        let deadline = Date().addingTimeInterval(30)
        while try ctl("status", "--json").json(StatusView.self).feeds?.settled != true {
            guard Date() < deadline else { throw FeedsUnsettled() }
            usleep(50_000)
        }
        let root = dataDirectory + "/feeds"
        let paths = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".ics") }.sorted()
        // DTSTAMP is when the text was made, not part of what a change changes.
        return try paths.map { path in
            let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            return "== \(path)\n" + text.split(separator: "\r\n").filter { !$0.hasPrefix("DTSTAMP:") }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
