import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird

/// Running eventd: its status, the audit log, backups, the feeds written, and the outbox of notices.
extension Routes {
    func registerAdmin(on v1: RouterGroup<APIContext>) {
        v1.get("status") { _, context in try await status(context) }
        v1.get("log") { request, _ in
            let query = request.uri.queryParameters
            let since = try query.get("since").map { text in
                guard let instant = try reader.range(from: text, to: nil).0 else { throw RegisterError.invalid(field: "since", message: "is empty") }
                return instant
            }
            let limit = try limit(query, default: 100)
            let zone = try Zone(config.defaultTimeZone)
            return try json(
                try await store.auditLog(eventID: try eventParameter(query), since: since, limit: limit).map { entry in
                    AuditView(
                        id: entry.id, at: zone.iso8601(entry.at), uid: entry.caller.uid, user: entry.caller.user, pid: entry.caller.pid,
                        action: entry.action, eventId: entry.eventID, eventUid: entry.eventUID,
                        before: entry.before.flatMap(Self.storedEvent).map { Views.event($0) }, after: entry.after.flatMap(Self.storedEvent).map { Views.event($0) })
                })
        }
        // A consistent copy of the register, streamed to the caller, who writes it where it wants
        // (`to`, the file it names, goes into the audit log). A POST, since it may only be taken
        // by those who may write: it holds every feed token.
        v1.post("backup") { request, _ in
            let destination = try request.uri.queryParameters.get("to").map { text in
                guard text.count <= 4096, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw RegisterError.invalid(field: "to", message: "must be a file name of at most 4096 characters, without control characters")
                }
                return text
            }
            let path = store.path + ".backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try await store.backup(to: path)
            defer { unlink(path) }
            guard let file = NoFollow.read((path as NSString).lastPathComponent, under: (path as NSString).deletingLastPathComponent) else {
                throw StoreError.io("cannot read the backup \(path)")
            }
            // Recorded before the copy leaves: no backup goes out that the log does not name.
            try await store.auditBackup(bytes: file.data.count, destination: destination)
            return Response(
                status: .ok, headers: [.contentType: "application/vnd.sqlite3", .contentLength: String(file.data.count)],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.data)))
        }
        v1.get("feeds") { _, _ in
            try json(feeds.writes.withLock { $0 }.sorted { $0.key < $1.key }.map { FeedView(path: $0.key, writes: $0.value) })
        }
        v1.get("notices") { request, _ in
            let query = request.uri.queryParameters
            let state = try query.get("state").map { text in
                guard let state = NoticeState(rawValue: text) else {
                    throw RegisterError.invalid(field: "state", message: "unknown state \(text.debugDescription); one of \(NoticeState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            let event = try eventParameter(query)
            let readersZone = try readerZone(query)
            return try json(try await store.notices(state: state, eventID: event, limit: try limit(query)).map { noticeView($0, reader: readersZone) })
        }
        v1.post("notices/:id/retry") { _, context in
            let notice = try await store.retryNotice(id: try noticeID(context))
            wake()
            return try json(noticeView(notice))
        }
        v1.post("notices/:id/cancel") { _, context in
            try json(noticeView(try await store.cancelNotice(id: try noticeID(context))))
        }
    }

    private func status(_ context: APIContext) async throws -> Response {
        let counts = try await store.counts()
        let now = clock.instant
        var view = StatusView(
            version: DefaultPaths.version, pid: getpid(), uptimeSeconds: now.seconds - started.seconds,
            events: counts.events, sessions: counts.sessions, people: counts.people, database: store.path,
            socket: config.socketPath, defaultTimeZone: config.defaultTimeZone)
        view.configFile = configFile
        if let reload = live.reloadState {
            view.lastReload = try Zone(config.defaultTimeZone).iso8601(reload.at)
            view.lastReloadError = reload.error
        }
        if let caller = Caller.current {
            view.you = "\(caller.user) (uid \(caller.uid))"
            view.access = AccessPolicy(config: config).level(of: caller) == .write ? "write" : "read"
        }
        view.notices = try await store.noticeCounts()
        let feedState = feeds.state.withLock { $0 }
        let zone = try Zone(config.defaultTimeZone)
        view.feeds = StatusView.FeedsStatus(
            directory: feeds.directory, lastWrite: feedState.lastWrite.map { zone.iso8601($0) }, lastError: feedState.lastError,
            settled: feeds.settled)
        return try json(view)
    }

    /// `event=ID` narrowing a listing: an id that is not a number is the caller's mistake (400),
    /// not a missing event (404).
    private func eventParameter(_ query: Parameters) throws -> Int64? {
        try query.get("event").map { text in
            guard let id = Int64(text), id > 0 else { throw RegisterError.invalid(field: "event", message: "must be an event id, a whole number above 0") }
            return id
        }
    }

    private func noticeID(_ context: APIContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw RegisterError.notFound(what: "notice with id", key: text) }
        return id
    }

    /// A notice, its times in eventd's zone; for a `reader` in another zone, `due` in theirs as well.
    func noticeView(_ n: Notice, reader: Zone? = nil) -> NoticeView {
        let zone = (try? Zone(config.defaultTimeZone)) ?? (try! Zone("UTC"))
        var view = NoticeView(
            id: n.id, messageId: n.messageID, kind: n.draft.kind.rawValue, eventUid: n.draft.eventUID, eventId: n.draft.eventID,
            recipient: n.draft.recipient, due: zone.iso8601(n.draft.due), dueEpoch: n.draft.due.seconds, state: n.state.rawValue,
            attempts: n.attempts, nextAttempt: zone.iso8601(n.nextAttempt), lastError: n.lastError, sequence: n.draft.sequence)
        view.tz = zone.identifier
        if let reader, reader.identifier != zone.identifier {
            view.readerTz = reader.identifier
            view.readerDue = reader.iso8601(n.draft.due)
        }
        return view
    }

    /// An event as the audit log stored it.
    private static func storedEvent(_ json: String) -> Event? {
        try? JSONDecoder().decode(Event.self, from: Data(json.utf8))
    }
}
