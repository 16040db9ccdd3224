import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// What a write made stale in the feeds: its events, their kinds and their people, before and
/// after the change. Collected while the transaction runs, handed to the `FeedWriter` after it commits.
struct FeedMarks: Sendable {
    var events = Set<Int64>()
    var kinds = Set<EventKind>()
    var people = Set<Int64>()

    var isEmpty: Bool { events.isEmpty && people.isEmpty }

    init(_ changes: [EventChange]) {
        for change in changes { add(change) }
    }

    /// These events as they are now (and everyone on them), and these people's own feeds.
    init(events: [Event] = [], people: [Int64] = []) {
        self.init(events.map { EventChange(before: nil, after: $0) })
        self.people.formUnion(people)
    }

    mutating func add(_ change: EventChange) {
        for event in [change.before, change.after].compactMap({ $0 }) {
            if let id = event.id { events.insert(id) }
            kinds.insert(event.kind)
            people.formUnion(event.participants.compactMap(\.person.id))
        }
    }

    mutating func formUnion(_ other: FeedMarks) {
        events.formUnion(other.events)
        kinds.formUnion(other.kinds)
        people.formUnion(other.people)
    }
}

/// Keeps the feeds directory up to date: `all.ics`, `kind/<kind>.ics`, `events/<id>.ics` and
/// `people/<token>.ics`. Changes are collected and written `feeds_delay` after the last one,
/// so a burst of a thousand adds rewrites each feed a few times, not a thousand. Each event is
/// serialised once into the register (`feed_entry`, marked stale by the store in the change's own
/// transaction), and each feed is streamed from there to a temporary file, hashed on the way, and
/// renamed into place only when its text changed: memory does not grow with the register.
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
    /// Renames per feed path (`events/*.ics` for all event files), for `GET /v1/feeds` and the tests.
    let writes = Mutex([String: Int]())

    /// The feeds a batch of changes makes stale.
    struct Pending {
        var marks = FeedMarks()
        var lastTouch = Date.distantPast
        /// A pass is under way (the first one from the start), or must be made again after a failure.
        var passing = false
    }

    /// Every change so far is in the feed files: no change waits and no pass runs (`eventctl
    /// status`, and the tests' snapshot of everything a request may have changed).
    var settled: Bool { pending.withLock { !$0.passing && $0.marks.isEmpty } }

    /// The group that may read the feed files (`feeds_group`); nil: only eventd's user.
    let group: gid_t?
    /// Times the changes and the waits between writes.
    let clock: any DaemonClock

    init(store: SQLiteStore, live: LiveConfig, group: gid_t?, clock: any DaemonClock, logger: Logger) {
        self.store = store
        self.live = live
        self.group = group
        self.clock = clock
        self.logger = logger
    }

    var config: DaemonConfig { live.current }

    /// Feed files are readable by the feeds group where one is set, and by nobody else.
    private var fileMode: mode_t { group == nil ? 0o600 : 0o640 }

    var directory: String { config.feedsDirectory ?? config.dataDirectory + "/feeds" }

    /// Called after each write commits: the feeds of its events, their kinds and their people
    /// are stale (or a person's alone, when their token changed and their feed moves).
    func touched(_ marks: FeedMarks) {
        guard !marks.isEmpty else { return }
        let now = clock.now()
        pending.withLock {
            $0.marks.formUnion(marks)
            $0.lastTouch = now
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
        var generation = live.generation
        // A hash of each feed as written, not its text: all.ics of a large register is tens of MB.
        var written: [String: UInt64] = [:]
        var everything = true
        pending.withLock { $0.passing = true }
        // all.ics and the kind feeds are rewritten whole by every pass: in a large register that
        // takes a while, so the next pass waits ten times as long as they took (at most 30 s),
        // and feeds never take more than about a tenth of the machine.
        var nextAllowed = Date.distantPast
        while !Task.isCancelled {
            if everything {
                do {
                    try await settleEntries()
                    _ = try await write(everything: true, FeedMarks(), written: &written)
                    everything = false
                    recordSuccess()
                } catch {
                    recordFailure(error)
                }
                pending.withLock { $0.passing = everything }
            }
            await self.wakeup.wait()
            if live.generation != generation {
                generation = live.generation
                // The reminders written as VALARMs may have changed: every entry is made again.
                do { try await store.markAllFeedEntriesStale() } catch { recordFailure(error) }
                everything = true
                continue
            }
            // Coalesce: wait until no change came for `feeds_delay`, but never more than ten delays.
            let started = clock.now()
            while !Task.isCancelled {
                let quiet = self.pending.withLock { $0.lastTouch }.addingTimeInterval(self.config.feedsDelay)
                let deadline = max(min(quiet, started.addingTimeInterval(10 * self.config.feedsDelay)), nextAllowed)
                if deadline <= clock.now() { break }
                try? await clock.sleep(until: deadline)
            }
            let batch = self.pending.withLock { state in
                defer {
                    state = Pending()
                    state.passing = true
                }
                return state
            }
            guard !everything, !batch.marks.isEmpty else {
                pending.withLock { $0.passing = everything }
                continue
            }
            do {
                // Changes are marked after their transaction commits: what is read next holds every change of the batch.
                try await settleEntries()
                let shared = try await write(everything: false, batch.marks, written: &written)
                nextAllowed = clock.now().addingTimeInterval(min(30, 10 * shared))
                recordSuccess()
            } catch {
                // Nothing of the batch is forgotten: it is written again with the next one.
                recordFailure(error)
                self.pending.withLock { $0.marks.formUnion(batch.marks) }
                everything = true
            }
            pending.withLock { $0.passing = everything }
        }
    }

    private func recordSuccess() {
        Memory.giveBack()
        state.withLock {
            $0.lastWrite = clock.instant
            $0.lastError = nil
        }
    }

    private func recordFailure(_ error: any Error) {
        // A stop cancels the pass under way: not a failure to report or retry.
        guard !(error is CancellationError), !Task.isCancelled else { return }
        logger.error("cannot write the feeds: \(error)")
        state.withLock { $0.lastError = "\(error)" }
        // Try again after a pause rather than at once: a full disk does not empty itself.
        Task {
            try? await self.clock.sleep(seconds: max(5, self.config.feedsDelay))
            await self.wakeup.signal()
        }
    }

    /// How feeds are written with the current settings (a reload may change the reminders).
    private var renderer: FeedRenderer {
        FeedRenderer(reminders: config.defaultReminders.map { Int($0) }, emptyZone: config.defaultTimeZone)
    }

    /// Serialises every event whose feed text is stale, a page at a time. An event libical
    /// cannot write is logged and left stale (out of the feeds) rather than stopping the others.
    private func settleEntries() async throws {
        let renderer = self.renderer
        var failed = Set<Int64>()
        while true {
            let stale = try await store.staleFeedEvents(limit: 500 + failed.count).filter { !failed.contains($0.id) }
            if stale.isEmpty { return }
            let stamp = clock.instant
            var entries: [(id: Int64, mark: Int64, entry: FeedEntry?)] = []
            for item in stale {
                guard let event = item.event else {
                    entries.append((item.id, item.mark, nil))
                    continue
                }
                do {
                    entries.append((item.id, item.mark, try renderer.entry(event, stamp: stamp)))
                } catch {
                    logger.error("cannot write event \(item.id) into the feeds: \(error)")
                    failed.insert(item.id)
                }
            }
            try await store.saveFeedEntries(entries)
        }
    }

    /// Writes the feeds a batch touched (all of them on start), skipping unchanged text. Returns
    /// the seconds spent on all.ics and the kind feeds, which are rewritten whole.
    private func write(everything: Bool, _ batch: FeedMarks, written: inout [String: UInt64]) async throws -> TimeInterval {
        var shared: TimeInterval = 0
        let renderer = self.renderer
        var feeds: [(path: String, name: String, selection: FeedSelection)] = []
        if config.publicFeeds {
            // all.ics holds every event: a batch of people alone (a new token) leaves it as it is.
            if everything || !batch.events.isEmpty { feeds.append(("all.ics", "Lịch công tác", .all)) }
            for kind in (everything ? Set(EventKind.allCases) : batch.kinds).sorted(by: { $0.rawValue < $1.rawValue }) {
                feeds.append(("kind/\(kind.rawValue).ics", "Lịch công tác — \(kind.rawValue)", .kind(kind)))
            }
            let events = try await store.eventTitles(everything ? nil : batch.events.sorted())
            for id in batch.events.subtracting(events.map(\.id)) { remove("events/\(id).ics", &written) }
            for (id, title) in events { feeds.append(("events/\(id).ics", title, .event(id))) }
        }
        let tokens = try await store.feedTokens()
        for (id, holder) in tokens.sorted(by: { $0.key < $1.key }) where everything || batch.people.contains(id) {
            feeds.append(("people/\(holder.token).ics", "Lịch công tác — \(holder.name)", .person(id)))
        }
        // Files of rotated tokens go: only current tokens have a feed.
        let current = Set(tokens.values.map { "people/\($0.token).ics" })
        for path in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/people")) ?? [] where !current.contains("people/" + path) {
            remove("people/" + path, &written)
        }
        for feed in feeds {
            // A hash per event file would grow with the register: those small files are read back.
            let keep = !feed.path.hasPrefix("events/")
            let before = written[feed.path] ?? NoFollow.read(feed.path, under: directory).map { FeedListener.hash($0.data) }
            let subscription = ICalendarWriter.Subscription(name: feed.name, refreshInterval: Int(config.refreshInterval))
            let started = clock.now()
            let file = try await stream(feed.selection, renderer: renderer, subscription: subscription, to: feed.path)
            if before != file.hash { try commit(file.temporary, to: feed.path) } else { unlink(file.temporary) }
            if keep { written[feed.path] = file.hash }
            switch feed.selection {
            case .all, .kind: shared += clock.now().timeIntervalSince(started)
            default: break
            }
        }
        return shared
    }

    /// Streams one feed from the register into a temporary file beside its place, hashing it.
    private func stream(_ selection: FeedSelection, renderer: FeedRenderer, subscription: ICalendarWriter.Subscription, to path: String)
        async throws -> (temporary: String, hash: UInt64)
    {
        let target = directory + "/" + path
        let temporary = (target as NSString).deletingLastPathComponent + "/.\(UUID().uuidString).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, fileMode)
        guard fd >= 0 else { throw FileModes.failure("cannot create \(temporary)") }
        defer { close(fd) }
        do {
            if fchmod(fd, fileMode) != 0 || (group.map { fchown(fd, uid_t.max, $0) } ?? 0) != 0 {
                throw FileModes.failure("cannot set the mode or group of \(temporary)")
            }
            let hash = try await store.readFeed(selection) { zones, empty, next in
                var out = FeedOutput(fd: fd)
                let (head, tail) = try renderer.envelope(zones: zones, empty: empty, subscription: subscription)
                try out.append(head)
                while let text = try next() { try out.append(text) }
                try out.append(tail)
                try out.flush()
                return out.hash
            }
            return (temporary, hash)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private func remove(_ path: String, _ written: inout [String: UInt64]) {
        unlink(directory + "/" + path)
        written[path] = nil
    }

    /// Syncs the temporary file, renames it into place and syncs the folder: a reader sees the
    /// old file or the new one, even after a power loss. Only changed feeds get here, so an
    /// unchanged one costs no sync.
    private func commit(_ temporary: String, to path: String) throws {
        let target = directory + "/" + path
        let fd = open(temporary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        let synced = fd >= 0 && fsync(fd) == 0
        if fd >= 0 { close(fd) }
        guard synced, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw FileModes.failure("cannot rename \(temporary)")
        }
        let dir = open((target as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
        // Event files are counted together: one count each would grow with the register.
        writes.withLock { $0[path.hasPrefix("events/") ? "events/*.ics" : path, default: 0] += 1 }
    }
}

/// Buffered writes of a feed to its file, with the FNV-1a hash of everything written.
private struct FeedOutput {
    let fd: Int32
    var buffer: [UInt8] = []
    var hash = FeedListener.hashSeed

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    mutating func append(_ text: String) throws {
        for byte in text.utf8 {
            hash = FeedListener.hash(byte, into: hash)
            buffer.append(byte)
        }
        if buffer.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        guard FileModes.writeAll(fd, buffer) else { throw FileModes.failure("cannot write a feed") }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The read-only listener for feeds on TCP: GET and HEAD under `/feeds/`, with ETag and
/// Last-Modified, 304 for a matching If-None-Match or If-Modified-Since; every other method 405.
/// It is held to the `feeds_` connection limits by the same `ConnectionGuard` as the socket, and
/// every answer carries `SecurityHeaders`.
enum FeedListener {
    static func application(
        address: (host: String, port: Int), directory: String, registry: ConnectionRegistry, logger: Logger,
        more: (Router<BasicRequestContext>) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        router.add(middleware: ReadOnly())
        router.get("/feeds/**") { request, context in try serve(request, context, directory: directory) }
        router.head("/feeds/**") { request, context in try serve(request, context, directory: directory) }
        more(router)
        return Application(
            router: router, server: .guarded(by: registry),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "eventd-feeds"),
            logger: logger)
    }

    /// What a browser must not do with anything the listener sends, whatever made the answer (a
    /// feed, a schedule page, a 304, 404 or 405, an error): guess another type, frame it, send
    /// its address on, or load anything for it. A schedule page needs its own inline `<style>`
    /// (one self-contained file, see ScheduleHTML) and nothing else: no script, image, font or
    /// form; a 500 says only that it failed and a log reference (`InternalError`).
    struct SecurityHeaders: RouterMiddleware {
        static let htmlPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        static let otherPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
        // Not among HTTPTypes' names: X-Frame-Options for browsers older than frame-ancestors.
        static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
        static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

        func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as HTTPError {
                let code = error.status == .notFound ? "not_found" : "bad_request"
                response = try json(ErrorBody(code: code, message: error.body ?? "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)"), status: error.status)
                response.headers.append(contentsOf: error.headers)
            } catch {
                response = try InternalError.response(error, request: request, logger: context.logger)
            }
            let html = response.headers[.contentType]?.hasPrefix("text/html") ?? false
            response.headers[.contentSecurityPolicy] = html ? Self.htmlPolicy : Self.otherPolicy
            response.headers[.xContentTypeOptions] = "nosniff"
            response.headers[Self.xFrameOptions] = "DENY"
            response.headers[Self.referrerPolicy] = "no-referrer"
            return response
        }
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
        bytes.reduce(hashSeed) { hash($1, into: $0) }
    }

    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    static func hash(_ byte: UInt8, into hash: UInt64) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
