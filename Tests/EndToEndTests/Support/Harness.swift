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
func run(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Run {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err"), inURL = scratch.appendingPathComponent("in")
    for url in [outURL, errURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    _ = FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
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

    /// `config` is written to a config file and passed with --config when given.
    init(config: String? = nil) throws {
        // Socket paths are limited to 108 bytes, so stay short and unique under /tmp.
        directory = "/tmp/evt-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let config { try config.write(toFile: directory + "/eventd.conf", atomically: true, encoding: .utf8) }
        try start()
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts eventd; `extra` arguments (such as --mail-hook) are kept for later restarts.
    func start(extra: [String]? = nil) throws {
        if let extra { self.extra = extra }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: eventdPath)
        var arguments = ["--socket", socket, "--data-dir", dataDirectory] + self.extra
        if FileManager.default.fileExists(atPath: directory + "/eventd.conf") { arguments += ["--config", directory + "/eventd.conf"] }
        process.arguments = arguments
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
    func ctl(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try run(eventctlPath, arguments, environment: ["EVENTD_SOCKET": socket].merging(environment) { $1 })
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

    /// The whole register as the API shows it, to check that a refused request changed nothing.
    func snapshot() throws -> String {
        try ctl("list", "--json").stdout + (try ctl("person", "list", "--json").stdout)
    }
}
