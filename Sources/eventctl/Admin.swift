import ArgumentParser
import EventAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

// MARK: Running eventd: status, the audit log, backups

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show eventd's version, uptime, counts, outbox, feeds, config file and your access.")

    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        if output.json { return try connection.client.printRaw("GET", "/v1/status") }
        let s: StatusView = try connection.client.call("GET", "/v1/status")
        let notices = s.notices ?? [:]
        print(
            """
            eventd \(s.version) (pid \(s.pid)), up \(s.uptimeSeconds / 3600)h \(s.uptimeSeconds % 3600 / 60)m \(s.uptimeSeconds % 60)s
            Config:    \(s.configFile ?? "(none: defaults and flags)")\(s.lastReload.map { ", reloaded \(displayTime($0))" } ?? "")\(s.lastReloadError.map { "\n           last reload REFUSED, old settings in force: \($0)" } ?? "")
            Socket:    \(s.socket)
            Database:  \(s.database)
            Zone:      \(s.defaultTimeZone)
            You:       \(s.you ?? "?"), may \(s.access ?? "?")
            Events:    \(s.events)
            Sessions:  \(s.sessions)
            People:    \(s.people)
            Notices:   \(notices["pending", default: 0]) pending, \(notices["sending", default: 0]) sending, \(notices["sent", default: 0]) sent, \(notices["failed", default: 0]) failed, \(notices["skipped", default: 0]) skipped
            Feeds:     \(s.feeds?.directory ?? "?"), last written \(s.feeds?.lastWrite.map { displayTime($0) } ?? "never")\(s.feeds?.lastError.map { "\n           last error: \($0)" } ?? "")
            """)
    }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The audit log: who changed what, and when.",
        discussion: """
            Every change made through eventd's socket is recorded with the caller's uid and user name as the kernel \
            reports them (SO_PEERCRED), in the same transaction as the change. --json includes the event before and after.
            """)

    @Option(name: .long, help: ArgumentHelp("Only the changes of this event.", valueName: "id")) var event: Int64?
    @Option(name: .long, help: ArgumentHelp("Only changes at or after this time (see WHEN in eventctl --help).", valueName: "when")) var since: String?
    @Option(name: .long, help: ArgumentHelp("At most this many (the newest), default 100.", valueName: "n")) var limit: Int?
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        var query: [(String, String)] = []
        if let event { query.append(("event", String(event))) }
        if let since { query.append(("since", since)) }
        if let limit { query.append(("limit", String(limit))) }
        let path = "/v1/log" + queryString(query)
        if output.json { return try connection.client.printRaw("GET", path) }
        let entries: [AuditView] = try connection.client.call("GET", path)
        if entries.isEmpty { return printError("no changes recorded") }
        printTable(
            header: ["WHEN", "WHO", "UID", "ACTION", "EVENT"],
            rows: entries.map { e in
                [displayTime(e.at), e.user, String(e.uid), e.action, e.eventId.map(String.init) ?? "-"]
            })
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the register to FILE while eventd keeps serving.",
        discussion: """
            The copy is an SQLite file taken with SQLite's online backup while writes go on; it holds every \
            acknowledged change up to the moment it was taken. It is written with mode 0600 (it holds every \
            name, email and feed token). To restore: stop eventd, replace register.sqlite in its data directory \
            with the copy (and remove register.sqlite-wal and -shm), start eventd. Needs write access. \
            The audit log (eventctl log) records who took it, its size and FILE.
            """)

    @Argument(help: "Where to write the copy; it must not exist yet.") var file: String
    @OptionGroup var connection: Connection

    func run() throws {
        let temporary = file + ".partial"
        // O_EXCL: a backup never overwrites anything, least of all the register itself.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0, access(file, F_OK) != 0 else {
            if fd >= 0 {
                close(fd)
                unlink(temporary)
            }
            printError("eventctl: cannot create \(file): \(access(file, F_OK) == 0 ? "it exists already" : String(cString: strerror(errno)))")
            throw ExitCode(73)  // EX_CANTCREAT
        }
        let bytes: [UInt8]
        do {
            bytes = try connection.client.send("POST", "/v1/backup" + queryString([("to", absolute(file))]), raw: nil, contentType: "application/json", expect: 200)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        let synced = offset == bytes.count && fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, file) == 0 else {
            printError("eventctl: cannot write \(file): \(String(cString: strerror(errno)))")
            unlink(temporary)
            throw ExitCode(73)
        }
        print("wrote \(bytes.count) bytes to \(file)")
    }

    /// `file` from the root, as the audit log names it: eventd does not know eventctl's folder.
    private func absolute(_ file: String) -> String {
        guard !file.hasPrefix("/"), let cwd = getcwd(nil, 0) else { return file }
        defer { free(cwd) }
        return String(cString: cwd) + "/" + file
    }
}
