import EventAPI
import EventModel
import Foundation
import Logging

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

    public init() {}

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a config file of `key = value` lines; `#` starts a comment. See config/eventd.conf.
    public static func load(path: String) throws -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ParseError(description: "\(path): cannot read the config file (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    static let knownKeys = [
        "socket", "socket_group", "socket_mode", "data_dir", "default_tz", "max_body_bytes", "log_level", "default_reminders",
        "max_occurrences", "recurrence_horizon_days", "travel_buffer", "default_reminder_audience", "mail_from", "mail_hook",
        "hook_timeout", "hook_concurrency", "max_attempts", "retry_base", "late_grace", "auto_updates", "feeds_dir", "feeds_delay",
        "refresh_interval", "public_feeds", "http", "feeds_base_url",
    ].joined(separator: ", ")

    public static func parse(_ text: String, source: String) throws -> DaemonConfig {
        var config = DaemonConfig()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fail = { (why: String) in ParseError(description: "\(source):\(number + 1): \(why)") }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected `key = value`, found \(line.debugDescription)") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            switch key {
            case "socket": config.socketPath = value
            case "socket_group": config.socketGroup = value.isEmpty ? nil : value
            case "socket_mode":
                guard let mode = UInt16(value, radix: 8), mode <= 0o777 else { throw fail("socket_mode must be octal, such as 0660") }
                config.socketMode = mode
            case "data_dir": config.dataDirectory = value
            case "default_tz":
                do { _ = try Zone(value) } catch { throw fail(error.message) }
                config.defaultTimeZone = value
            case "max_body_bytes":
                guard let n = Int(value), n >= 1024 else { throw fail("max_body_bytes must be a whole number of bytes, at least 1024") }
                config.maxBodyBytes = n
            case "default_reminders":
                do {
                    config.defaultReminders = try value.split(separator: ",").map { text throws(RegisterError) in
                        try DurationParser.seconds(text.trimmingCharacters(in: .whitespaces), field: "default_reminders")
                    }
                } catch { throw fail(error.message) }
            case "max_occurrences":
                guard let n = Int(value), (1...100_000).contains(n) else { throw fail("max_occurrences must be a whole number from 1 to 100000") }
                config.maxOccurrences = n
            case "recurrence_horizon_days":
                guard let n = Int(value), (1...3660).contains(n) else { throw fail("recurrence_horizon_days must be a whole number from 1 to 3660") }
                config.recurrenceHorizonDays = n
            case "travel_buffer":
                do { config.travelBuffer = try DurationParser.seconds(value, field: "travel_buffer") } catch { throw fail(error.message) }
            case "default_reminder_audience":
                guard let audience = Audience(rawValue: value) else { throw fail("default_reminder_audience must be everyone, speakers or organizers") }
                config.defaultReminderAudience = audience
            case "mail_from":
                do { config.mailFrom = try TextRules.oneLine(value, field: "mail_from") } catch { throw fail(error.message) }
            case "mail_hook":
                let argv = value.split(separator: " ").map(String.init)
                guard let program = argv.first, program.hasPrefix("/") else { throw fail("mail_hook must start with an absolute program path, such as /usr/sbin/sendmail -t -i") }
                config.mailHook = argv
            case "hook_timeout":
                do { config.hookTimeout = try DurationParser.seconds(value, field: "hook_timeout") } catch { throw fail(error.message) }
            case "hook_concurrency":
                guard let n = Int(value), (1...64).contains(n) else { throw fail("hook_concurrency must be a whole number from 1 to 64") }
                config.hookConcurrency = n
            case "max_attempts":
                guard let n = Int(value), (1...100).contains(n) else { throw fail("max_attempts must be a whole number from 1 to 100") }
                config.maxAttempts = n
            case "retry_base":
                do { config.retryBase = try DurationParser.seconds(value, field: "retry_base") } catch { throw fail(error.message) }
            case "late_grace":
                if value == "0" { config.lateGrace = 0 } else {
                    do { config.lateGrace = try DurationParser.seconds(value, field: "late_grace") } catch { throw fail(error.message) }
                }
            case "auto_updates":
                guard let flag = Bool(value) else { throw fail("auto_updates must be true or false") }
                config.autoUpdates = flag
            case "feeds_dir": config.feedsDirectory = value
            case "feeds_delay":
                guard let seconds = Double(value.hasSuffix("s") ? String(value.dropLast()) : value), seconds >= 0.05, seconds <= 60 else {
                    throw fail("feeds_delay must be seconds from 0.05 to 60, such as 1s")
                }
                config.feedsDelay = seconds
            case "refresh_interval":
                do { config.refreshInterval = try DurationParser.seconds(value, field: "refresh_interval") } catch { throw fail(error.message) }
            case "public_feeds":
                guard let flag = Bool(value) else { throw fail("public_feeds must be true or false") }
                config.publicFeeds = flag
            case "http":
                guard parseAddress(value) != nil else { throw fail("http must be host:port, such as 127.0.0.1:8080") }
                config.httpAddress = value
            case "feeds_base_url":
                guard value.hasPrefix("https://") || value.hasPrefix("http://") else { throw fail("feeds_base_url must start with https:// or http://") }
                config.feedsBaseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
            case "log_level":
                guard let level = Logger.Level(rawValue: value) else {
                    throw fail("log_level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                config.logLevel = level
            default:
                throw fail("unknown setting \(key.debugDescription); known: \(knownKeys)")
            }
        }
        return config
    }
}

/// `127.0.0.1:8080` as host and port.
public func parseAddress(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
    let host = String(text[..<colon])
    return host.isEmpty ? nil : (host, port)
}
