import EventAPI
import EventMail
import EventModel
import Foundation
import Logging
import Synchronization

/// eventd's settings: defaults, then the config file, then command-line flags.
public struct DaemonConfig: Sendable, Equatable {
    public var socketPath = DefaultPaths.socket()
    /// Group that may use the socket; nil keeps the daemon's own group.
    public var socketGroup: String?
    public var socketMode: UInt16 = 0o660
    public var dataDirectory = DefaultPaths.dataDirectory()
    public var defaultTimeZone = "Asia/Ho_Chi_Minh"
    /// Largest request body accepted, in bytes; larger ones get 413.
    public var maxBodyBytes = 1 << 20
    /// Largest .ics file `eventctl import` may send, in bytes: an agency's export of several
    /// years is tens of MB, far more than any JSON request needs.
    public var maxImportBytes = 64 << 20
    public var logLevel: Logger.Level = .info
    /// Reminder offsets before an event's start, in seconds, written as VALARMs.
    public var defaultReminders: [Int64] = [86_400, 3600]
    /// Most occurrences of one recurring event a listing expands.
    public var maxOccurrences = 1000
    /// How far past `--from` a listing without `--to` expands recurring events, in days.
    public var recurrenceHorizonDays = 366
    /// Least time between a person's events in different places, in seconds.
    public var travelBuffer: Int64 = 3600
    /// Audience of the default reminders.
    public var defaultReminderAudience: Audience = .everyone
    /// From: of every notice.
    public var mailFrom = "eventd <eventd@localhost>"
    /// ORGANIZER of invitations to events that name no organizer with an email: `Name <address>`.
    public var organizer: String?
    /// The mail hook: a program and its arguments, run without a shell, the message on stdin.
    public var mailHook = ["/usr/sbin/sendmail", "-t", "-i"]
    /// Seconds a hook may run before it is killed and the attempt counts as failed.
    public var hookTimeout: Int64 = 30
    /// Most hooks running at once.
    public var hookConcurrency = 4
    /// Attempts before a notice is marked failed.
    public var maxAttempts = 5
    /// Wait before the first retry, in seconds; it doubles with each attempt (at most an hour).
    public var retryBase: Int64 = 30
    /// A notice that fell due while eventd was down is still sent this long after its
    /// occurrence began; later, it is skipped with the reason.
    public var lateGrace: Int64 = 0
    /// Send an updated REQUEST automatically after a change that raises SEQUENCE (to events already invited).
    public var autoUpdates = true
    /// Where feeds are written; nil: `feeds/` in the data directory.
    public var feedsDirectory: String?
    /// Seconds of quiet after a change before feeds are written.
    public var feedsDelay: Double = 1
    /// REFRESH-INTERVAL and X-PUBLISHED-TTL of every feed, in seconds.
    public var refreshInterval: Int64 = 3600
    /// Write all.ics, kind/*.ics and events/*.ics; personal feeds are written either way.
    public var publicFeeds = true
    /// The read-only feeds listener, `host:port`; nil: off.
    public var httpAddress: String?
    /// Base of the URLs `eventctl feed url` prints.
    public var feedsBaseURL = "https://localhost"
    /// Whether `feeds_base_url` was given; without it, feed addresses point at the `http` listener.
    public var feedsBaseURLGiven = false

    /// Where subscribers fetch feeds: `feeds_base_url`, else the listener eventd runs (`http`),
    /// else https://localhost.
    public var feedsBase: String {
        if !feedsBaseURLGiven, let httpAddress { return "http://" + httpAddress }
        return feedsBaseURL
    }
    /// Mode of register.sqlite and its -wal and -shm files: 0600, or 0640 for a backup group.
    public var registerMode: UInt16 = 0o600
    /// Group that may read the feed files (a web server's); nil: only eventd reads them.
    public var feedsGroup: String?
    /// Users and groups (`@name`) that may change the register; root and eventd's own user always may.
    /// Nil (and `readers` nil): everyone who can open the socket may.
    public var writers: [String]?
    /// Users and groups (`@name`) that may only read.
    public var readers: [String]?
    /// Most connections open on the socket at once; at the cap the oldest idle one is dropped.
    public var maxConnections = 64
    /// Seconds a client has to send a request's headers, its body, and to send the next request.
    public var headerTimeout: Double = 10
    public var bodyTimeout: Double = 60
    public var idleTimeout: Double = 60
    /// Seconds of work one request may drive (reading a calendar or a mail, an import); past it
    /// the request is refused and changes nothing.
    public var maxRequestSeconds: Double = 60
    /// Seconds after SIGTERM or SIGINT before eventd ends whatever is still running.
    public var stopTimeout: Double = 5
    /// The receiving mail servers (authserv-ids) whose Authentication-Results headers eventd reads.
    public var mailAuthservIDs: [String] = []
    /// Whether an answer by mail needs those headers to vouch for its From: domain.
    public var mailRequirePass: SenderCheck = .off
    /// Most connections open on the feed listener (`http`) at once; fewer when the descriptor
    /// limit cannot hold them beside the socket's (see `ConnectionLimits.feeds`).
    public var feedsMaxConnections = 512
    /// The feed listener's timeouts: its clients only GET, so a body gets little time.
    public var feedsHeaderTimeout: Double = 10
    public var feedsBodyTimeout: Double = 10
    public var feedsIdleTimeout: Double = 30

    public init() {}

    /// Every problem found in a config file, each as `file:line: key: what is wrong`.
    public struct ParseError: Error, CustomStringConvertible {
        public var problems: [String]
        public init(_ problems: [String]) { self.problems = problems }
        public var description: String { problems.joined(separator: "\n") }
    }

    /// Reads a config file of `key = value` lines; `#` starts a comment. See config/eventd.conf.
    public static func load(path: String) throws(ParseError) -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ParseError(["\(path): cannot read the config file (\(error.localizedDescription))"])
        }
        return try parse(text, source: path)
    }

    static let knownKeyList = [
        "socket", "socket_group", "socket_mode", "data_dir", "default_tz", "max_body_bytes", "max_import_bytes", "log_level", "default_reminders",
        "max_occurrences", "recurrence_horizon_days", "travel_buffer", "default_reminder_audience", "mail_from", "mail_hook",
        "hook_timeout", "hook_concurrency", "max_attempts", "retry_base", "late_grace", "auto_updates", "feeds_dir", "feeds_delay",
        "refresh_interval", "public_feeds", "http", "feeds_base_url", "register_mode", "feeds_group", "writers", "readers",
        "max_connections", "header_timeout", "body_timeout", "idle_timeout", "feeds_max_connections", "feeds_header_timeout",
        "feeds_body_timeout", "feeds_idle_timeout", "organizer", "max_request_seconds", "stop_timeout", "mail_authserv_id", "mail_require_pass",
    ]
    static let knownKeys = knownKeyList.joined(separator: ", ")

    /// A line's problem, before the file name and line number are put in front.
    struct LineError: Error {
        var why: String
    }

    /// Reads every line and reports every problem at once (`eventd --check-config`), not just the first.
    public static func parse(_ text: String, source: String) throws(ParseError) -> DaemonConfig {
        let read = read(text, source: source)
        guard read.problems.isEmpty else { throw ParseError(read.problems) }
        return read.config
    }

    /// What one reading of a file found: the settings of every good line (a bad line leaves its
    /// key at the default), every problem, and where each key was set, so that the checks that
    /// need the machine (`systemProblems`) can name the line too.
    struct Reading {
        var config = DaemonConfig()
        var problems: [String] = []
        /// Each key's line, for keys whose value was taken.
        var lines: [String: Int] = [:]
        /// Keys whose value was refused: the machine is not asked about their defaults.
        var refused: Set<String> = []
    }

    static func read(_ text: String, source: String) -> Reading {
        var reading = Reading()
        var seen: [String: Int] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else {
                reading.problems.append("\(source):\(number + 1): expected `key = value`, found \(line.debugDescription)")
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if let earlier = seen[key] {
                reading.problems.append("\(source):\(number + 1): \(key): set again (first set on line \(earlier)); keep one")
            }
            seen[key] = number + 1
            do {
                try reading.config.set(key: key, value: value)
                reading.lines[key] = number + 1
                reading.refused.remove(key)
            } catch {
                reading.problems.append("\(source):\(number + 1): \(key): \(error.why)")
                reading.refused.insert(key)
            }
        }
        let config = reading.config
        if config.mailRequirePass != .off, config.mailAuthservIDs.isEmpty, !reading.refused.contains("mail_authserv_id") {
            let line = reading.lines["mail_require_pass"].map { ":\($0)" } ?? ""
            reading.problems.append("\(source)\(line): mail_require_pass: \(config.mailRequirePass.rawValue) needs mail_authserv_id, the receiving server whose Authentication-Results eventd trusts")
        }
        return reading
    }

    /// The known key nearest `key` by edit distance, when it is near enough to be a slip
    /// (`hook_concurency`, `log-level`, `Writers`), else nil.
    static func nearestKey(to key: String) -> String? {
        let typed = Array(key.lowercased().replacingOccurrences(of: "-", with: "_"))
        let scored = knownKeyList.map { ($0, editDistance(typed, Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, typed.count / 4) ? best.0 : nil
    }

    /// Levenshtein distance: insertions, deletions and substitutions each count one.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var row = [i + 1]
            for (j, y) in b.enumerated() {
                row.append(min(previous[j + 1] + 1, row[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = row
        }
        return previous[b.count]
    }

    /// Sets one key from its text.
    mutating func set(key: String, value: String) throws(LineError) {
        func fail(_ why: String) -> LineError { LineError(why: why) }
        func duration(_ text: String) throws(LineError) -> Int64 {
            do { return try DurationParser.seconds(text, field: key) } catch { throw fail(error.message) }
        }
        func seconds(_ text: String, in range: ClosedRange<Double>) throws(LineError) -> Double {
            // `10s`, `0.5`, or a duration as the other keys take it (`1m`, `1h`).
            let n = Double(text.hasSuffix("s") ? String(text.dropLast()) : text)
                ?? (try? DurationParser.seconds(text, field: key)).map(Double.init)
            guard let n, range.contains(n) else {
                let text = { (n: Double) in n == n.rounded() ? String(Int(n)) : String(n) }
                throw fail("must be seconds from \(text(range.lowerBound)) to \(text(range.upperBound)), such as 10s")
            }
            return n
        }
        func names(_ text: String) throws(LineError) -> [String] {
            let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for name in list where !name.allSatisfy({ $0.isLetter || $0.isNumber || "@_.-".contains($0) }) {
                throw fail("\(name.debugDescription) is not a user name or @group")
            }
            return list
        }
        switch key {
            case "socket": self.socketPath = value
            case "socket_group": self.socketGroup = value.isEmpty ? nil : value
            case "socket_mode":
                guard let mode = UInt16(value, radix: 8), mode <= 0o777 else { throw fail("must be octal, such as 0660") }
                // Writing to the socket is changing the register: "other" must never have it.
                guard mode & 0o002 == 0 else {
                    throw fail("\(value) lets every local user write to the socket; use 0660 and put eventctl's users in socket_group")
                }
                self.socketMode = mode
            case "data_dir": self.dataDirectory = value
            case "default_tz":
                do { _ = try Zone(value) } catch { throw fail(error.message) }
                self.defaultTimeZone = value
            case "max_body_bytes":
                guard let n = Int(value), n >= 1024 else { throw fail("must be a whole number of bytes, at least 1024") }
                self.maxBodyBytes = n
            case "max_import_bytes":
                guard let n = Int(value), n >= 1024 else { throw fail("must be a whole number of bytes, at least 1024") }
                self.maxImportBytes = n
            case "default_reminders":
                do {
                    self.defaultReminders = try value.split(separator: ",").map { text throws(RegisterError) in
                        try DurationParser.seconds(text.trimmingCharacters(in: .whitespaces), field: "default_reminders")
                    }
                } catch { throw fail(error.message) }
            case "max_occurrences":
                guard let n = Int(value), (1...100_000).contains(n) else { throw fail("must be a whole number from 1 to 100000") }
                self.maxOccurrences = n
            case "recurrence_horizon_days":
                guard let n = Int(value), (1...3660).contains(n) else { throw fail("must be a whole number from 1 to 3660") }
                self.recurrenceHorizonDays = n
            case "travel_buffer":
                self.travelBuffer = try duration(value)
            case "default_reminder_audience":
                guard let audience = Audience(rawValue: value) else { throw fail("must be everyone, speakers or organizers") }
                self.defaultReminderAudience = audience
            case "mail_from":
                do { self.mailFrom = try TextRules.oneLine(value, field: "mail_from") } catch { throw fail(error.message) }
            case "mail_hook":
                let argv = value.split(separator: " ").map(String.init)
                guard let program = argv.first, program.hasPrefix("/") else { throw fail("must start with an absolute program path, such as /usr/sbin/sendmail -t -i") }
                self.mailHook = argv
            case "hook_timeout":
                self.hookTimeout = try duration(value)
            case "hook_concurrency":
                guard let n = Int(value), (1...64).contains(n) else { throw fail("must be a whole number from 1 to 64") }
                self.hookConcurrency = n
            case "max_attempts":
                guard let n = Int(value), (1...100).contains(n) else { throw fail("must be a whole number from 1 to 100") }
                self.maxAttempts = n
            case "retry_base":
                self.retryBase = try duration(value)
            case "late_grace":
                if value == "0" { self.lateGrace = 0 } else {
                    self.lateGrace = try duration(value)
                }
            case "auto_updates":
                guard let flag = Bool(value) else { throw fail("must be true or false") }
                self.autoUpdates = flag
            case "feeds_dir": self.feedsDirectory = value
            case "feeds_delay":
                self.feedsDelay = try seconds(value, in: 0.05...60)
            case "refresh_interval":
                self.refreshInterval = try duration(value)
            case "public_feeds":
                guard let flag = Bool(value) else { throw fail("must be true or false") }
                self.publicFeeds = flag
            case "http":
                guard parseAddress(value) != nil else { throw fail("must be host:port, such as 127.0.0.1:8080") }
                self.httpAddress = value
            case "feeds_base_url":
                guard value.hasPrefix("https://") || value.hasPrefix("http://") else { throw fail("must start with https:// or http://") }
                self.feedsBaseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
                self.feedsBaseURLGiven = true
            case "log_level":
                guard let level = Logger.Level(rawValue: value) else {
                    throw fail("must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                self.logLevel = level
            case "organizer":
                let text: String
                do { text = try TextRules.oneLine(value, field: "organizer") } catch { throw fail(error.message) }
                guard let open = text.lastIndex(of: "<"), text.hasSuffix(">") else { throw fail("must be Name <address>, such as Văn phòng Bộ <vanphong@moj.gov.vn>") }
                let address = String(text[text.index(after: open)...].dropLast())
                do { _ = try TextRules.email(address, field: "organizer") } catch { throw fail(error.message) }
                guard !address.lowercased().hasSuffix("@localhost") else { throw fail("must be an address replies can reach, not \(address)") }
                self.organizer = text
            case "register_mode":
                guard let mode = UInt16(value, radix: 8), mode == 0o600 || mode == 0o640 else { throw fail("must be 0600 or 0640") }
                self.registerMode = mode
            case "feeds_group": self.feedsGroup = value.isEmpty ? nil : value
            case "writers": self.writers = try names(value)
            case "readers": self.readers = try names(value)
            case "max_connections":
                guard let n = Int(value), (4...10_000).contains(n) else { throw fail("must be a whole number from 4 to 10000") }
                self.maxConnections = n
            case "header_timeout": self.headerTimeout = try seconds(value, in: 0.1...3600)
            case "body_timeout": self.bodyTimeout = try seconds(value, in: 0.1...3600)
            case "idle_timeout": self.idleTimeout = try seconds(value, in: 0.1...3600)
            case "max_request_seconds": self.maxRequestSeconds = try seconds(value, in: 1...3600)
            case "stop_timeout": self.stopTimeout = try seconds(value, in: 1...30)
            case "mail_authserv_id":
                let ids = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
                for id in ids where !id.allSatisfy({ $0.isLetter || $0.isNumber || ".-_".contains($0) }) {
                    throw fail("\(id.debugDescription) is not a server name such as mail.moj.gov.vn")
                }
                self.mailAuthservIDs = ids
            case "mail_require_pass":
                guard let check = SenderCheck(rawValue: value.lowercased()) else {
                    throw fail("must be one of \(SenderCheck.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                self.mailRequirePass = check
            case "feeds_max_connections":
                guard let n = Int(value), (1...100_000).contains(n) else { throw fail("must be a whole number from 1 to 100000") }
                self.feedsMaxConnections = n
            case "feeds_header_timeout": self.feedsHeaderTimeout = try seconds(value, in: 0.1...3600)
            case "feeds_body_timeout": self.feedsBodyTimeout = try seconds(value, in: 0.1...3600)
            case "feeds_idle_timeout": self.feedsIdleTimeout = try seconds(value, in: 0.1...3600)
            default:
                if let near = Self.nearestKey(to: key) { throw fail("unknown setting; did you mean \(near)?") }
                throw fail("unknown setting; known: \(Self.knownKeys)")
            }
    }
}

extension DaemonConfig {
    /// What the file cannot say wrong by itself but this machine can: groups and users that do
    /// not exist, and (with `hook`) a mail hook that is not there. `--check-config` and SIGHUP
    /// refuse them all; start refuses the first kind and only warns of the hook, which may be
    /// installed later.
    public func systemProblems(hook: Bool = true) -> [String] {
        systemProblems(hook: hook, skipping: [], place: { _ in "" })
    }

    /// The same, each problem put after `place(key)`: the file and line that set the key, or the flag.
    /// Keys in `skipping` (their value was refused) are not checked.
    func systemProblems(hook: Bool, skipping: Set<String>, place: (String) -> String) -> [String] {
        var problems: [String] = []
        for (key, group) in [("socket_group", socketGroup), ("feeds_group", feedsGroup)] where !skipping.contains(key) {
            if let group, getgrnam(group) == nil { problems.append("\(place(key))\(key): \(group.debugDescription) is not a group on this system (getent group)") }
        }
        for (key, names) in [("writers", writers ?? []), ("readers", readers ?? [])] where !skipping.contains(key) {
            for name in names {
                if name.hasPrefix("@") {
                    if getgrnam(String(name.dropFirst())) == nil { problems.append("\(place(key))\(key): \(name.dropFirst().debugDescription) is not a group on this system") }
                } else if UInt32(name) == nil, getpwnam(name) == nil {
                    problems.append("\(place(key))\(key): \(name.debugDescription) is not a user on this system (getent passwd); write @name for a group")
                }
            }
        }
        if hook, !skipping.contains("mail_hook"), access(mailHook[0], X_OK) != 0 {
            problems.append("\(place("mail_hook"))mail_hook: \(mailHook[0]) is not a program eventd can run (\(String(cString: strerror(errno))))")
        }
        return problems
    }
}

/// `127.0.0.1:8080` as host and port.
public func parseAddress(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
    let host = String(text[..<colon])
    return host.isEmpty ? nil : (host, port)
}

/// What eventd's command line sets: each flag replaces one key of the file (or of the defaults),
/// and is applied again on every reload, so SIGHUP never undoes a flag.
public struct ConfigOverrides: Sendable, Equatable {
    public var socketPath: String?
    public var dataDirectory: String?
    public var mailHook: String?
    public var feedsDirectory: String?
    public var httpAddress: String?
    public var logLevel: String?

    public init() {}

    /// The settings of `file` (nil: the defaults) with these flags on top; throws every problem
    /// of the file and the flags (not those of the machine: see `check`).
    public func settings(file: String?) throws(DaemonConfig.ParseError) -> DaemonConfig {
        let checked = check(file: file, machine: false)
        guard checked.problems.isEmpty, let config = checked.config else { throw DaemonConfig.ParseError(checked.problems) }
        return config
    }

    /// What `eventd --check-config` and SIGHUP check, in one pass: every line of the file, every
    /// flag, and (with `machine`) what this machine lacks (groups, users, the mail hook), each
    /// problem with the line or the flag that set the key. `config` is nil when the file cannot be read.
    public func check(file: String?, machine: Bool = true) -> (config: DaemonConfig?, problems: [String]) {
        var reading = DaemonConfig.Reading()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                return (nil, ["\(file): cannot read the config file (\(error.localizedDescription))"])
            }
            reading = DaemonConfig.read(text, source: file)
        }
        var places: [String: String] = [:]
        for (key, line) in reading.lines { places[key] = "\(file ?? ""):\(line): " }
        func set(_ key: String, _ value: String?, flag: String) {
            guard let value else { return }
            do {
                try reading.config.set(key: key, value: value)
                places[key] = "\(flag): "
                reading.refused.remove(key)
            } catch {
                reading.problems.append("\(flag): \(error.why)")
                reading.refused.insert(key)
            }
        }
        set("socket", socketPath, flag: "--socket")
        set("data_dir", dataDirectory, flag: "--data-dir")
        set("feeds_dir", feedsDirectory, flag: "--feeds-dir")
        set("http", httpAddress, flag: "--http")
        set("log_level", logLevel, flag: "--log-level")
        if let mailHook {
            // One program path, not split on spaces: the flag names a program, not a command line.
            if mailHook.hasPrefix("/") {
                reading.config.mailHook = [mailHook]
                places["mail_hook"] = "--mail-hook: "
                reading.refused.remove("mail_hook")
            } else {
                reading.problems.append("--mail-hook: must be an absolute program path")
                reading.refused.insert("mail_hook")
            }
        }
        if machine {
            reading.problems += reading.config.systemProblems(hook: true, skipping: reading.refused, place: { places[$0] ?? "" })
        }
        return (reading.config, reading.problems)
    }
}

/// The settings in force. SIGHUP swaps in a reloaded copy, so every reader asks for
/// `current` when it needs a value instead of keeping one from the start.
final class LiveConfig: Sendable {
    private let value: Mutex<(config: DaemonConfig, generation: Int)>
    /// Stamps each reload.
    private let clock: any DaemonClock

    init(_ config: DaemonConfig, clock: any DaemonClock) {
        value = Mutex((config, 0))
        self.clock = clock
    }

    var current: DaemonConfig { value.withLock { $0.config } }
    /// Raised by each reload, so a service can tell that it must rebuild what it derived.
    var generation: Int { value.withLock { $0.generation } }

    /// The last SIGHUP: when, and why it was refused (nil: taken), for `eventctl status`.
    private let lastReload = Mutex<(at: Instant, error: String?)?>(nil)
    var reloadState: (at: Instant, error: String?)? { lastReload.withLock { $0 } }

    func noteReload(error: String?) {
        let now = clock.instant
        lastReload.withLock { $0 = (now, error) }
    }

    /// Keys that a running eventd cannot change (what was opened or bound at start), each with
    /// how to keep its old value.
    static let restartOnly: [(key: String, keep: @Sendable (inout DaemonConfig, DaemonConfig) -> Void)] = [
        ("socket", { $0.socketPath = $1.socketPath }), ("socket_group", { $0.socketGroup = $1.socketGroup }),
        ("socket_mode", { $0.socketMode = $1.socketMode }), ("data_dir", { $0.dataDirectory = $1.dataDirectory }),
        ("register_mode", { $0.registerMode = $1.registerMode }), ("feeds_dir", { $0.feedsDirectory = $1.feedsDirectory }),
        ("feeds_group", { $0.feedsGroup = $1.feedsGroup }), ("http", { $0.httpAddress = $1.httpAddress }),
        ("default_tz", { $0.defaultTimeZone = $1.defaultTimeZone }), ("max_occurrences", { $0.maxOccurrences = $1.maxOccurrences }),
        ("max_connections", { $0.maxConnections = $1.maxConnections }), ("header_timeout", { $0.headerTimeout = $1.headerTimeout }),
        ("body_timeout", { $0.bodyTimeout = $1.bodyTimeout }), ("idle_timeout", { $0.idleTimeout = $1.idleTimeout }),
        ("feeds_max_connections", { $0.feedsMaxConnections = $1.feedsMaxConnections }),
        ("feeds_header_timeout", { $0.feedsHeaderTimeout = $1.feedsHeaderTimeout }),
        ("feeds_body_timeout", { $0.feedsBodyTimeout = $1.feedsBodyTimeout }),
        ("feeds_idle_timeout", { $0.feedsIdleTimeout = $1.feedsIdleTimeout }),
    ]

    /// Takes `new` for every key that can change at run time; returns the keys that changed but
    /// need a restart (their old values stay in force).
    func reload(_ new: DaemonConfig) -> [String] {
        value.withLock { state in
            var merged = new
            var ignored: [String] = []
            for (key, keep) in Self.restartOnly {
                let before = merged
                keep(&merged, state.config)
                if merged != before { ignored.append(key) }
            }
            state = (merged, state.generation + 1)
            return ignored
        }
    }
}
