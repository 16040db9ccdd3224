import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The log level of every logger in eventd, changed at run time by a reload.
enum LogLevel {
    private static let level = Atomic<Int>(2)

    static var current: Logger.Level {
        get { Logger.Level.allCases[level.load(ordering: .relaxed)] }
        set { level.store(Logger.Level.allCases.firstIndex(of: newValue)!, ordering: .relaxed) }
    }

    /// Once per process: logs go to stderr (the journal) at `current`.
    static func bootstrap(_ initial: Logger.Level) {
        current = initial
        LoggingSystem.bootstrap { label in Handler(inner: StreamLogHandler.standardError(label: label)) }
    }

    /// Forwards to the stream handler; its level is always `LogLevel.current`.
    struct Handler: LogHandler {
        var inner: StreamLogHandler
        var logLevel: Logger.Level {
            get { LogLevel.current }
            set {}  // one level for all, set only by the config
        }
        var metadata: Logger.Metadata {
            get { inner.metadata }
            set { inner.metadata = newValue }
        }
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { inner[metadataKey: key] }
            set { inner[metadataKey: key] = newValue }
        }
        func log(event: LogEvent) { inner.log(event: event) }
    }
}

/// SIGHUP: reads the config file again (with the command line's flags on top) and takes what
/// can change at run time: the mail hook, reminders, log level, feed settings, access lists.
/// A file with any problem `eventd --check-config` reports (a missing mail hook too) changes
/// nothing; the old settings stay and the reason is logged.
struct Reloader: Service {
    let file: String?
    let overrides: ConfigOverrides
    let live: LiveConfig
    let logger: Logger
    let changed: @Sendable () -> Void

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// The settings that differ, by their names in the code (mailHook, writers…).
    static func changedSettings(_ old: DaemonConfig, _ new: DaemonConfig) -> [String] {
        zip(Mirror(reflecting: old).children, Mirror(reflecting: new).children).compactMap { a, b in
            "\(a.value)" == "\(b.value)" ? nil : a.label
        }
    }

    func reload() {
        do {
            // The checks of `eventd --check-config`, the mail hook included: a reload it would
            // refuse is refused, so `systemctl reload` never takes what check-config calls wrong.
            let checked = overrides.check(file: file)
            guard checked.problems.isEmpty, let new = checked.config else { throw DaemonConfig.ParseError(checked.problems) }
            let old = live.current
            let ignored = live.reload(new)
            LogLevel.current = live.current.logLevel
            changed()
            let taken = Self.changedSettings(old, live.current)
            logger.notice("config reloaded: \(taken.isEmpty ? "nothing changed" : "changed " + taken.joined(separator: ", "))", metadata: ["file": "\(file ?? "(none)")"])
            if !ignored.isEmpty {
                logger.warning("these settings changed but take effect only after a restart: \(ignored.joined(separator: ", "))")
            }
            live.noteReload(error: nil)
        } catch {
            let why = (error as? DaemonConfig.ParseError)?.problems.joined(separator: "; ") ?? "\(error)"
            logger.error("config not reloaded; the old settings stay in force: \(why)")
            live.noteReload(error: why)
        }
    }
}
