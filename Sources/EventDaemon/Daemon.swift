import EventModel
import EventStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// eventd as a library: `run(config:)` opens the store, listens on the Unix socket and serves
/// until SIGTERM or SIGINT, then removes its socket.
public enum Daemon {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
        /// 78 (EX_CONFIG) when the config asks for what cannot be (systemd does not restart those), else 1.
        public var exitCode: Int32 = 1
    }

    /// Serves until SIGTERM or SIGINT. `file` and `overrides` are read again on SIGHUP.
    public static func run(config: DaemonConfig, file: String?, overrides: ConfigOverrides) async throws {
        Memory.limitArenas()
        // Only a safety net, the unit's UMask: everything eventd creates gets its mode
        // explicitly (FileModes); the mail hook inherits it.
        umask(0o027)
        // A hook that dies before reading its message must not take eventd with it.
        signal(SIGPIPE, SIG_IGN)
        // The one clock: every "now" and every timed wait of the daemon reads it.
        let clock = SystemClock()
        let live = LiveConfig(config, clock: clock)
        LogLevel.bootstrap(config.logLevel)
        let logger = Logger(label: "eventd")
        _ = try Zone(config.defaultTimeZone)
        let descriptorLimit = raiseDescriptorLimit(for: config, logger: logger)

        try FileModes.makeDirectory(config.dataDirectory)
        try DataDirectoryLock.acquire(directory: config.dataDirectory)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(directory: config.dataDirectory, fileMode: config.registerMode, clock: { clock.instant })
        } catch {
            throw StartError(description: "cannot open the register in \(config.dataDirectory): \(error)")
        }
        let problems = config.systemProblems(hook: false)
        guard problems.isEmpty else { throw StartError(description: problems.joined(separator: "\n"), exitCode: 78) }
        if access(config.mailHook[0], X_OK) != 0 {
            logger.warning("mail_hook \(config.mailHook[0]) cannot be run; notices will wait and be retried until it can")
        }
        let socketGroup = try config.socketGroup.map { try FileModes.memberGroup($0, key: "socket_group") }
        let feedsGroup = try config.feedsGroup.map { try FileModes.memberGroup($0, key: "feeds_group") }
        try SocketFile.prepare(path: config.socketPath, group: socketGroup)
        // The feeds group (a web server) must pass through the data folder to reach feeds/ in it.
        if let feedsGroup, config.feedsDirectory == nil { try FileModes.give(config.dataDirectory, to: feedsGroup) }

        let planner = NoticePlanner(live: live)
        let scheduler = NoticeScheduler(store: store, live: live, planner: planner, clock: clock, logger: logger)
        let feeds = FeedWriter(store: store, live: live, group: feedsGroup, clock: clock, logger: logger)
        let router = Router(context: APIContext.self)
        let reader = InputReader(defaultTimeZone: config.defaultTimeZone, maxOccurrences: config.maxOccurrences, clock: clock)
        let writer = EventWriter(store: store, reader: reader, live: live, planner: planner, feeds: feeds, wake: { scheduler.wake() })
        let work = InputWork()
        Routes(
            store: store, reader: reader, live: live, configFile: file, started: clock.instant, writer: writer, feeds: feeds, clock: clock,
            wake: { scheduler.wake() }, work: work
        ).register(on: router)

        let registry = ConnectionRegistry(limits: .api(config))
        let startFailure = Mutex<StartError?>(nil)
        let app = Application(
            router: router,
            server: .guarded(by: registry),
            configuration: ApplicationConfiguration(address: .unixDomainSocket(path: config.socketPath), serverName: "eventd"),
            onServerRunning: { _ in
                do {
                    try SocketFile.setAccess(path: config.socketPath, mode: config.socketMode, group: socketGroup)
                    logger.info("eventd ready", metadata: ["socket": "\(config.socketPath)", "database": "\(store.path)"])
                    SystemdNotifier.send("READY=1\nSTATUS=serving on \(config.socketPath)")
                } catch {
                    // Not a clean stop: eventd exits non-zero with the reason once the services are down.
                    startFailure.withLock { $0 = error as? StartError ?? StartError(description: "\(error)") }
                    kill(getpid(), SIGTERM)
                }
            },
            logger: logger)
        let reloader = Reloader(file: file, overrides: overrides, live: live, logger: logger) {
            feeds.reloaded()
            scheduler.wake()
        }
        // Stopped in reverse: systemd hears STOPPING=1 first, then the API stops taking requests,
        // and only then do the feed writer and the scheduler stop, with nothing left to write.
        var services: [any Service] = [scheduler, feeds]
        if let text = config.httpAddress, let address = parseAddress(text) {
            let schedules = ScheduleService(store: store, live: live, reader: reader)
            let limits = ConnectionLimits.feeds(config, descriptorLimit: descriptorLimit)
            if limits.maxConnections < config.feedsMaxConnections {
                logger.warning(
                    "the descriptor limit \(descriptorLimit) leaves the feed listener \(limits.maxConnections) connections, not feeds_max_connections \(config.feedsMaxConnections), once max_connections \(config.maxConnections) and a reserve of \(ConnectionLimits.descriptorReserve) are set aside; raise LimitNOFILE"
                )
            }
            services.append(
                FeedListener.application(address: address, directory: feeds.directory, registry: ConnectionRegistry(limits: limits), logger: logger) {
                    ScheduleListener.register(on: $0, service: schedules)
                })
        }
        // Last in the list, so the first to hear the stop.
        services += [reloader, app, SystemdNotifier.Watchdog(logger: logger), StopGuard(live: live, work: work, logger: logger)]
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { unlink(config.socketPath) }
        try await serviceGroup.run()
        if let failure = startFailure.withLock({ $0 }) { throw failure }
        logger.info("eventd stopped")
    }

    /// Each connection is a descriptor: take the hard limit, and say so when even that is too
    /// low for `max_connections` (eventd then refuses connections rather than failing).
    /// Returns the soft limit in force, which the feed listener's cap is derived from.
    private static func raiseDescriptorLimit(for config: DaemonConfig, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        if limit.rlim_cur < rlim_t(config.maxConnections + 64) {
            logger.warning("the descriptor limit \(limit.rlim_cur) is low for max_connections \(config.maxConnections); raise LimitNOFILE")
        }
        return Int(clamping: limit.rlim_cur)
    }
}

/// The Unix socket's file: a stale one is removed, a live one means another eventd runs.
enum SocketFile {
    static func prepare(path: String, group: gid_t?) throws {
        guard path.utf8.count < 108 else {
            throw Daemon.StartError(description: "socket path \(path) is \(path.utf8.count) bytes long; Unix sockets allow at most 107")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            // The socket group must be able to enter the folder to reach the socket.
            try FileModes.makeDirectory(directory, group: group)
            if let group { try FileModes.give(directory, to: group) }
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

/// Tells systemd (Type=notify) how eventd is doing, through `$NOTIFY_SOCKET`: READY=1 once
/// the socket serves, STOPPING=1 when a stop begins, WATCHDOG=1 while it runs.
enum SystemdNotifier {
    static func send(_ message: String) {
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
        let data = Array(message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                data.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sockaddrPointer, length) }
            }
        }
    }

    /// Sends WATCHDOG=1 every half of `WatchdogSec` (`$WATCHDOG_USEC`) while eventd runs, and
    /// STOPPING=1 as soon as a graceful stop begins (this service is the first to be stopped).
    struct Watchdog: Service {
        let logger: Logger

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let forUs = environment["WATCHDOG_PID"].map { $0 == String(getpid()) } ?? true
            if forUs, let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 {
                logger.debug("systemd watchdog every \(usec / 2) µs")
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        SystemdNotifier.send("WATCHDOG=1")
                        // Real time, not the daemon's clock: systemd counts the watchdog in real time.
                        try? await Task.sleep(for: .microseconds(usec / 2))
                    }
                }
            } else {
                try? await gracefulShutdown()
            }
            SystemdNotifier.send("STOPPING=1\nSTATUS=stopping")
        }
    }
}
