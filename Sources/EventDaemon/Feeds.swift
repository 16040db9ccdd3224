import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the feeds directory up to date: `all.ics`, `kind/<kind>.ics`, `events/<id>.ics` and
/// `people/<token>.ics`. Changes are collected and written `feeds_delay` after the last one,
/// so a burst of a thousand adds rewrites each feed a few times, not a thousand; a feed whose
/// text did not change is not written; each file is replaced atomically.
final class FeedWriter: Service, Sendable {
    let store: SQLiteStore
    let live: LiveConfig
    let logger: Logger
    /// The last write and the last error, for `eventctl status`.
    let state = Mutex(State())

    struct State {
        var lastWrite: Instant?
        var lastError: String?
    }
    private let wakeup = Wakeup()
    private let pending = Mutex(Pending())
    /// Renames per feed path, for `GET /v1/feeds` and the tests.
    let writes = Mutex([String: Int]())

    struct Pending {
        var events = Set<Int64>()
        var people = Set<Int64>()
        var lastTouch = Date.distantPast
    }

    /// The group that may read the feed files (`feeds_group`); nil: only eventd's user.
    let group: gid_t?

    init(store: SQLiteStore, live: LiveConfig, group: gid_t?, logger: Logger) {
        self.store = store
        self.live = live
        self.group = group
        self.logger = logger
    }

    var config: DaemonConfig { live.current }

    /// Feed files are readable by the feeds group where one is set, and by nobody else.
    private var fileMode: mode_t { group == nil ? 0o600 : 0o640 }

    var directory: String { config.feedsDirectory ?? config.dataDirectory + "/feeds" }

    /// Called inside each event write (from its hook): the feeds of these events and people are stale.
    func touched(before: Event?, after: Event?) {
        let ids = [before?.id, after?.id].compactMap { $0 }
        let people = (before?.participants ?? []) + (after?.participants ?? [])
        pending.withLock {
            $0.events.formUnion(ids)
            $0.people.formUnion(people.compactMap(\.person.id))
            $0.lastTouch = Date()
        }
        Task { await wakeup.signal() }
    }

    /// A person's token changed: their feed moves to the new name.
    func personChanged(_ id: Int64) {
        pending.withLock {
            $0.people.insert(id)
            $0.lastTouch = Date()
        }
        Task { await wakeup.signal() }
    }

    func run() async throws {
        for sub in ["", "/kind", "/events", "/people"] {
            try FileModes.makeDirectory(directory + sub, group: group)
            // Folders and files from before a change of feeds_group take the new group and modes.
            if let group { try FileModes.give(directory + sub, to: group) }
            FileModes.settle(filesIn: directory + sub, mode: fileMode, group: group)
        }
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    /// A reload changed the settings: every feed is written again with them.
    func reloaded() { Task { await wakeup.signal() } }

    private func loop() async {
        // The renderer and the snapshot of events are this task's alone.
        var generation = live.generation
        var renderer = FeedRenderer(reminders: config.defaultReminders.map { Int($0) }, emptyZone: config.defaultTimeZone)
        var events: [Int64: Event] = [:]
        // A hash of each feed as written, not its text: all.ics of a large register is tens of MB.
        var written: [String: UInt64] = [:]
        var everything = true
        while !Task.isCancelled {
            if everything {
                do {
                    events = [:]
                    for event in try await store.allEvents() { events[event.id!] = event }
                    try await regenerate(everything: true, events: events, people: [], kinds: Set(EventKind.allCases), renderer: renderer, written: &written)
                    everything = false
                    recordSuccess()
                } catch {
                    recordFailure(error)
                }
            }
            await self.wakeup.wait()
            if live.generation != generation {
                generation = live.generation
                renderer = FeedRenderer(reminders: config.defaultReminders.map { Int($0) }, emptyZone: config.defaultTimeZone)
                everything = true
            }
            // Coalesce: wait until no change came for `feeds_delay`, but never more than ten delays.
            let started = Date()
            while !Task.isCancelled {
                let quiet = self.pending.withLock { $0.lastTouch }.addingTimeInterval(self.config.feedsDelay)
                let wait = min(quiet.timeIntervalSinceNow, started.addingTimeInterval(10 * self.config.feedsDelay).timeIntervalSinceNow)
                if wait <= 0 { break }
                try? await Task.sleep(for: .seconds(wait))
            }
            let batch = self.pending.withLock { state in
                defer { state = Pending() }
                return state
            }
            guard !everything, !batch.events.isEmpty || !batch.people.isEmpty else { continue }
            do {
                // Changes are marked from inside their transaction, before it commits: wait for the
                // writer to finish it, so what is read next holds every change of the batch.
                try await store.waitForWrites()
                var people = batch.people
                var kinds = Set(batch.events.compactMap { events[$0]?.kind })
                for id in batch.events {
                    people.formUnion(events[id]?.participants.compactMap(\.person.id) ?? [])
                    events[id] = try await self.store.eventIfPresent(id: id)
                    people.formUnion(events[id]?.participants.compactMap(\.person.id) ?? [])
                    if let kind = events[id]?.kind { kinds.insert(kind) }
                }
                try await self.regenerate(
                    everything: false, events: events, people: people, kinds: kinds, changed: batch.events, renderer: renderer, written: &written)
                recordSuccess()
            } catch {
                // Nothing of the batch is forgotten: it is written again with the next one.
                recordFailure(error)
                self.pending.withLock {
                    $0.events.formUnion(batch.events)
                    $0.people.formUnion(batch.people)
                }
                everything = true
            }
        }
    }

    private func recordSuccess() {
        state.withLock {
            $0.lastWrite = SQLiteStore.systemClock()
            $0.lastError = nil
        }
    }

    private func recordFailure(_ error: any Error) {
        logger.error("cannot write the feeds: \(error)")
        state.withLock { $0.lastError = "\(error)" }
        // Try again after a pause rather than at once: a full disk does not empty itself.
        Task {
            try? await Task.sleep(for: .seconds(max(5, self.config.feedsDelay)))
            await self.wakeup.signal()
        }
    }

    /// Writes the feeds a batch touched (all of them on start), skipping unchanged text.
    private func regenerate(
        everything: Bool, events: [Int64: Event], people: Set<Int64>, kinds: Set<EventKind>, changed: Set<Int64> = [], renderer: FeedRenderer,
        written: inout [String: UInt64]
    ) async throws {
        let stamp = SQLiteStore.systemClock()
        let all = events.values.sorted { ($0.start, $0.id ?? 0) < ($1.start, $1.id ?? 0) }
        renderer.keep(only: Set(all.map(\.uid)))
        var feeds: [(path: String, name: String, events: [Event])] = []
        if config.publicFeeds {
            feeds.append(("all.ics", "Lịch công tác", all))
            for kind in kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
                feeds.append(("kind/\(kind.rawValue).ics", "Lịch công tác — \(kind.rawValue)", all.filter { $0.kind == kind }))
            }
            for id in everything ? Set(events.keys) : changed {
                if let event = events[id] {
                    feeds.append(("events/\(id).ics", event.title, [event]))
                } else {
                    remove("events/\(id).ics", &written)
                }
            }
        }
        let tokens = try await store.feedTokens()
        for (id, token) in tokens where everything || people.contains(id) {
            let mine = all.filter { $0.participants.contains { $0.person.id == id } }
            let name = mine.lazy.flatMap(\.participants).first { $0.person.id == id }?.person.name ?? "?"
            feeds.append(("people/\(token).ics", "Lịch công tác — \(name)", mine))
        }
        // Files of rotated tokens go: only current tokens have a feed.
        let current = Set(tokens.values.map { "people/\($0).ics" })
        for path in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/people")) ?? [] where !current.contains("people/" + path) {
            remove("people/" + path, &written)
        }
        for feed in feeds {
            let text = try renderer.calendar(
                feed.events, subscription: ICalendarWriter.Subscription(name: feed.name, refreshInterval: Int(config.refreshInterval)), stamp: stamp)
            let hash = FeedListener.hash(text.utf8)
            if written[feed.path] == nil, let onDisk = NoFollow.read(feed.path, under: directory) {
                written[feed.path] = FeedListener.hash(onDisk.data)
            }
            guard written[feed.path] != hash else { continue }
            try writeAtomically(text, to: feed.path)
            written[feed.path] = hash
        }
    }

    private func remove(_ path: String, _ written: inout [String: UInt64]) {
        unlink(directory + "/" + path)
        written[path] = nil
    }

    /// Temp file, fsync, rename, fsync of the directory: a reader sees the old file or the new one.
    private func writeAtomically(_ text: String, to path: String) throws {
        let target = directory + "/" + path
        let temporary = (target as NSString).deletingLastPathComponent + "/.\(UUID().uuidString).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, fileMode)
        guard fd >= 0 else { throw FileModes.failure("cannot create \(temporary)") }
        var failure: Daemon.StartError?
        if fchmod(fd, fileMode) != 0 || (group.map { fchown(fd, uid_t.max, $0) } ?? 0) != 0 {
            failure = FileModes.failure("cannot set the mode or group of \(temporary)")
        }
        if failure == nil, !FileModes.writeAll(fd, Array(text.utf8)) { failure = FileModes.failure("cannot write \(temporary)") }
        // A feed renamed into place before it is on disk could be empty after a power loss.
        if failure == nil, fsync(fd) != 0 { failure = FileModes.failure("cannot sync \(temporary)") }
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw FileModes.failure("cannot rename \(temporary)")
        }
        let dir = open((target as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
        writes.withLock { $0[path, default: 0] += 1 }
    }
}

/// The read-only listener for feeds on TCP: GET and HEAD under `/feeds/`, with ETag and
/// Last-Modified, 304 for a matching If-None-Match or If-Modified-Since; every other method 405.
enum FeedListener {
    static func application(
        address: (host: String, port: Int), directory: String, logger: Logger, more: (Router<BasicRequestContext>) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ReadOnly())
        router.get("/feeds/**") { request, context in try serve(request, context, directory: directory) }
        router.head("/feeds/**") { request, context in try serve(request, context, directory: directory) }
        more(router)
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "eventd-feeds"),
            logger: logger)
    }

    struct ReadOnly: RouterMiddleware {
        func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            guard request.method == .get || request.method == .head else {
                return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD"])
            }
            return try await next(request, context)
        }
    }

    static func serve(_ request: Request, _ context: BasicRequestContext, directory: String) throws -> Response {
        let relative = String(request.uri.path.dropFirst("/feeds/".count))
        // Only our own names: no "..", no hidden (temporary) files, only .ics, and no symbolic links.
        guard relative.hasSuffix(".ics"), !relative.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.hasPrefix(".") || $0.isEmpty }),
            let file = NoFollow.read(relative, under: directory)
        else { return Response(status: .notFound) }
        let data = file.data, modified = file.modified
        let etag = "\"\(String(hash(data), radix: 16))\""
        let lastModified = httpDate(modified)
        var headers: HTTPFields = [.contentType: "text/calendar; charset=utf-8", .eTag: etag, .lastModified: lastModified, .cacheControl: "no-cache"]
        let notModified = request.headers[.ifNoneMatch].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(etag) }
            ?? request.headers[.ifModifiedSince].map { $0 == lastModified } ?? false
        if notModified { return Response(status: .notModified, headers: headers) }
        headers[.contentLength] = String(data.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// FNV-1a of the bytes: the ETag of a feed, and how the writer knows a feed is unchanged.
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
