import EventModel
import EventStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// eventd as a library: `run(config:)` opens the store, listens on the Unix socket and serves
/// until SIGTERM or SIGINT, then removes its socket.
public enum Daemon {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(config: DaemonConfig) async throws {
        let logger = {
            var logger = Logger(label: "eventd")
            logger.logLevel = config.logLevel
            return logger
        }()
        _ = try Zone(config.defaultTimeZone)

        try DataDirectoryLock.acquire(directory: config.dataDirectory)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(directory: config.dataDirectory)
        } catch {
            throw StartError(description: "cannot open the register in \(config.dataDirectory): \(error)")
        }
        try SocketFile.prepare(path: config.socketPath)
        let group = try config.socketGroup.map(SocketFile.groupID)

        let planner = NoticePlanner(
            config: config,
            composer: MailComposer(from: config.mailFrom, defaultZone: config.defaultTimeZone, reminders: config.defaultReminders.map { Int($0) }))
        let scheduler = NoticeScheduler(store: store, config: config, planner: planner, logger: logger)
        let feeds = FeedWriter(store: store, config: config, logger: logger)
        let router = Router()
        Routes(
            store: store, reader: InputReader(defaultTimeZone: config.defaultTimeZone, maxOccurrences: config.maxOccurrences, clock: SQLiteStore.systemClock),
            config: config, started: SQLiteStore.systemClock(), planner: planner, feeds: feeds, wake: { scheduler.wake() }
        ).register(on: router)

        // The socket is created under this umask, so it is never wider than 0660 before the chmod below.
        umask(0o117)
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .unixDomainSocket(path: config.socketPath), serverName: "eventd"),
            onServerRunning: { _ in
                do {
                    try SocketFile.setAccess(path: config.socketPath, mode: config.socketMode, group: group)
                    logger.info("eventd ready", metadata: ["socket": "\(config.socketPath)", "database": "\(store.path)"])
                    SystemdNotifier.ready()
                } catch {
                    logger.critical("cannot set the socket's access: \(error)")
                    kill(getpid(), SIGTERM)
                }
            },
            logger: logger)
        var services: [any Service] = [app, scheduler, feeds]
        if let text = config.httpAddress, let address = parseAddress(text) {
            services.append(FeedListener.application(address: address, directory: feeds.directory, logger: logger))
        }
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { unlink(config.socketPath) }
        try await serviceGroup.run()
        logger.info("eventd stopped")
    }
}

/// The Unix socket's file: a stale one is removed, a live one means another eventd runs.
enum SocketFile {
    static func prepare(path: String) throws {
        guard path.utf8.count < 108 else {
            throw Daemon.StartError(description: "socket path \(path) is \(path.utf8.count) bytes long; Unix sockets allow at most 107")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw Daemon.StartError(description: "\(path) exists and is not a socket; remove it or choose another --socket")
        }
        if isListening(path) {
            throw Daemon.StartError(description: "another eventd is already listening on \(path); stop it first or choose another --socket")
        }
        unlink(path)
    }

    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    static func groupID(_ name: String) throws -> gid_t {
        guard let entry = getgrnam(name) else {
            throw Daemon.StartError(description: "socket_group \(name.debugDescription) is not a group on this system (see getent group)")
        }
        return entry.pointee.gr_gid
    }

    static func setAccess(path: String, mode: UInt16, group: gid_t?) throws {
        if let group, chown(path, uid_t.max, group) != 0 {
            throw Daemon.StartError(description: "chown \(path) to group \(group): \(String(cString: strerror(errno)))")
        }
        if chmod(path, mode_t(mode)) != 0 {
            throw Daemon.StartError(description: "chmod \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// One eventd per data directory: two would each send every notice.
enum DataDirectoryLock {
    static func acquire(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/eventd.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Daemon.StartError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        // Held (fd left open) until the process exits, however it exits.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Daemon.StartError(description: "another eventd is already using the data directory \(directory); stop it first or choose another --data-dir")
        }
    }
}

/// Tells systemd (Type=notify) that eventd is ready, through `$NOTIFY_SOCKET`.
enum SystemdNotifier {
    static func ready() {
        guard let target = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"], !target.isEmpty else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // An abstract socket is written with a leading "@" and sent with a leading NUL.
        let bytes = Array(target.utf8).enumerated().map { $0.offset == 0 && $0.element == UInt8(ascii: "@") ? 0 : $0.element }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.prefix(raw.count).enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + min(bytes.count, 108))
        let message = Array("READY=1\nSTATUS=serving".utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sockaddrPointer, length) }
            }
        }
    }
}
