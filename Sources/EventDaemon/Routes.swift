import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird

/// The `/v1` control API. Every handler reads its input through `InputReader`, so the API
/// and eventctl obey the same rules; every error leaves as a JSON `ErrorBody`.
struct Routes: Sendable {
    let store: SQLiteStore
    let reader: InputReader
    let live: LiveConfig
    /// The config file in use, for `status`; nil: defaults and flags only.
    let configFile: String?
    let started: Instant
    let writer: EventWriter
    let feeds: FeedWriter
    let clock: any DaemonClock
    /// Wakes the notice scheduler after a write that may have queued a notice.
    let wake: @Sendable () -> Void
    var config: DaemonConfig { live.current }
    var scheduling: Scheduling { Scheduling(config: config) }

    func register(on router: Router<APIContext>) {
        router.add(middleware: JSONErrorMiddleware())
        let live = self.live
        router.add(middleware: AccessMiddleware(policy: { AccessPolicy(config: live.current) }))
        let v1 = router.group("v1")
        v1.get("status") { _, context in try await status(context) }
        v1.get("log") { request, _ in
            let query = request.uri.queryParameters
            let since = try query.get("since").map { text in
                guard let instant = try reader.range(from: text, to: nil).0 else { throw RegisterError.invalid(field: "since", message: "is empty") }
                return instant
            }
            let limit = try query.get("limit").map { text in
                guard let n = Int(text), n > 0 else { throw RegisterError.invalid(field: "limit", message: "must be a whole number above 0") }
                return n
            } ?? 100
            let zone = try Zone(config.defaultTimeZone)
            return try json(
                try await store.auditLog(eventID: try query.get("event").map { try id($0) }, since: since, limit: limit).map { entry in
                    AuditView(
                        id: entry.id, at: zone.iso8601(entry.at), uid: entry.caller.uid, user: entry.caller.user, pid: entry.caller.pid,
                        action: entry.action, eventId: entry.eventID, eventUid: entry.eventUID,
                        before: entry.before.flatMap(Self.storedEvent).map { Views.event($0) }, after: entry.after.flatMap(Self.storedEvent).map { Views.event($0) })
                })
        }
        // A consistent copy of the register, streamed to the caller, who writes it where it wants.
        // A POST, since it may only be taken by those who may write: it holds every feed token.
        v1.post("backup") { _, _ in
            let path = store.path + ".backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try await store.backup(to: path)
            defer { unlink(path) }
            guard let file = NoFollow.read((path as NSString).lastPathComponent, under: (path as NSString).deletingLastPathComponent) else {
                throw StoreError.io("cannot read the backup \(path)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/vnd.sqlite3", .contentLength: String(file.data.count)],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.data)))
        }
        v1.get("events") { request, _ in
            let query = request.uri.queryParameters
            let readersZone = try readerZone(query)
            let (from, to) = try reader.range(from: query.get("from"), to: query.get("to"))
            let kind = try query.get("kind").map { text in
                guard let kind = EventKind(rawValue: text) else { throw RegisterError.invalid(field: "kind", message: "unknown kind \(text.debugDescription)") }
                return kind
            }
            let limit = try self.limit(query)
            let events = try await filtered(try await store.events(from: from, to: to, kind: kind), query)
            guard from != nil || to != nil else { return try json(events.prefix(limit).map { Views.event($0, reader: readersZone) }) }
            return try json(Array(try occurrences(of: events, from: from, to: to, reader: readersZone).prefix(limit)))
        }
        v1.post("events") { request, _ in
            try json(view(try await writer.create(try await decode(EventInput.self, from: request))), status: .created)
        }
        v1.get("events/:id") { request, context in
            let key = try context.parameters.require("id")
            guard key.hasSuffix(".ics") else {
                let readersZone = try readerZone(request.uri.queryParameters)
                return try json(Views.event(try await store.event(id: try id(key)), reader: readersZone))
            }
            return try await calendar(eventID: try id(String(key.dropLast(4))), method: request.uri.queryParameters.get("method"))
        }
        v1.post("import") { request, _ in
            let text = String(decoding: try await body(of: request, limit: config.maxImportBytes, setting: "max_import_bytes"), as: UTF8.self)
            let message = try parseCalendar(text, limit: config.maxImportBytes)
            switch message.method {
            // Answers to our invitations: they set answers or keep proposals, never rewrite the event.
            case "REPLY"?, "COUNTER"?: return try json(try await ReplyDesk(store: store).receive(message, sender: nil))
            case "CANCEL"?: return try json(try await writer.cancelImported(message))
            case "REFRESH"?, "DECLINECOUNTER"?, "ADD"?:
                throw RegisterError.invalid(field: "METHOD", message: "\(message.method!) is not supported; import a REQUEST, PUBLISH, REPLY, COUNTER or CANCEL")
            default: break
            }
            let plan: Importer.Plan
            do {
                plan = try Importer(defaultZone: try Zone(config.defaultTimeZone), maxOccurrences: config.maxOccurrences).plan(message.events)
            } catch let error as CalendarError {
                throw RegisterError.invalid(field: "calendar", message: error.description)
            }
            let remind = try request.uri.queryParameters.get("remind").map { text in
                guard let value = ["true": true, "1": true, "false": false, "0": false][text] else {
                    throw RegisterError.invalid(field: "remind", message: "must be true or false")
                }
                return value
            } ?? false
            let outcome = try await writer.importEvents(plan.imports, remind: remind)
            Memory.giveBack()
            return try json(
                ImportResult(
                    created: outcome.created, updated: outcome.updated,
                    skipped: (plan.ignored + outcome.skipped).map { ImportResult.Skipped(uid: $0.uid, reason: $0.reason) }))
        }
        // One RFC 5322 message as an MTA delivers it (eventctl mail-in): its text/calendar part is
        // an answer, and its From: must be the attendee who answers.
        v1.post("mail-in") { request, _ in
            let mail = MailMessage(try await body(of: request, limit: config.maxBodyBytes * 8, setting: "eight times max_body_bytes", anyEncoding: true))
            guard let calendar = mail.calendar else {
                throw RegisterError.invalid(field: "message", message: "the message has no text/calendar part")
            }
            guard let from = mail.from else { throw RegisterError.invalid(field: "From", message: "the message has no From: address") }
            return try json(try await ReplyDesk(store: store).receive(try parseCalendar(calendar, limit: config.maxBodyBytes), sender: from))
        }
        v1.post("events/:id/rsvp") { request, context in
            let eventID = try id(context)
            let input = try await decode(RSVPInput.self, from: request)
            guard let rsvp = RSVPState(rawValue: input.answer), rsvp != .needsAction else {
                throw RegisterError.invalid(field: "answer", message: "unknown answer \(input.answer.debugDescription); one of accepted, declined, tentative, delegated")
            }
            let comment = try input.comment.map { try TextRules.oneLine($0, field: "comment") }
            let event = try await store.event(id: eventID)
            let occurrence = try input.occurrence.map { text in
                try reader.instant(text, field: "occurrence", zone: event.timeZone)
            }
            let person = try onePerson(matching: input.person, in: event)
            let via = "by hand (\(Caller.current?.user ?? "eventd"))"
            try await store.write { context in
                try context.record(Answer(rsvp: rsvp, comment: comment, occurrence: occurrence, via: via), eventID: eventID, personID: person.id!)
            }
            var result = ReplyResult(method: "RSVP", eventId: eventID, uid: event.uid, person: person.name, email: person.email ?? "", via: via)
            result.answer = rsvp.rawValue
            result.occurrence = occurrence?.seconds
            return try json(result)
        }
        v1.get("events/:id/answers") { _, context in
            let eventID = try id(context)
            let event = try await store.event(id: eventID)
            let zone = try Zone(event.timeZone)
            var seen = Set<Int64>()
            let people = event.participants.filter { seen.insert($0.person.id ?? 0).inserted }
            let names = Dictionary(people.map { ($0.person.id ?? 0, $0.person.name) }) { a, _ in a }
            let occurrences = try await store.occurrenceAnswers(eventID: eventID).map {
                AnswersView.Occurrence(
                    personId: $0.personID, name: names[$0.personID] ?? "?", occurrence: zone.iso8601($0.occurrence), answer: $0.rsvp.rawValue,
                    comment: $0.comment, answeredAt: zone.iso8601($0.answeredAt), via: $0.via)
            }
            let proposals = try await store.proposals(eventID: eventID).map {
                AnswersView.Proposal(
                    id: $0.id ?? 0, personId: $0.personID, name: names[$0.personID] ?? "?", occurrence: $0.occurrence.map(zone.iso8601),
                    start: zone.iso8601($0.start), end: zone.iso8601($0.end), comment: $0.comment, receivedAt: zone.iso8601($0.receivedAt), via: $0.via)
            }
            return try json(
                AnswersView(eventId: eventID, participants: people.map { Views.participant($0, zone: zone) }, occurrences: occurrences, proposals: proposals))
        }
        v1.patch("events/:id") { request, context in
            try json(view(try await writer.update(id: try id(context), try await decode(EventInput.self, from: request))))
        }
        v1.post("events/:id/cancel") { _, context in
            try json(Views.event(try await writer.cancel(id: try id(context))))
        }
        v1.delete("events/:id") { _, context in
            try await writer.delete(id: try id(context))
            return Response(status: .noContent)
        }
        v1.post("events/:id/sessions") { request, context in
            let (written, session) = try await writer.addSession(eventID: try id(context), try await decode(SessionInput.self, from: request))
            return try json(view(session, written), status: .created)
        }
        v1.post("events/:id/invite") { _, context in
            let (event, drafts) = try await writer.invite(eventID: try id(context))
            let messageIDs = Set(drafts.compactMap(\.messageID))
            let queued = try await store.notices(state: nil, eventID: event.id).filter { messageIDs.contains($0.messageID) }.map { noticeView($0) }
            return try json(InviteView(queued: queued, notInvited: writer.planner.uninvitable(event).map(\.name)), status: .accepted)
        }
        v1.get("notices") { request, _ in
            let query = request.uri.queryParameters
            let state = try query.get("state").map { text in
                guard let state = NoticeState(rawValue: text) else {
                    throw RegisterError.invalid(field: "state", message: "unknown state \(text.debugDescription); one of \(NoticeState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            let event = try query.get("event").map { try id($0) }
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
        v1.get("people") { _, _ in try json(try await store.people().map(Views.person)) }
        v1.post("people") { request, _ in
            let person = try reader.person(try await decode(PersonInput.self, from: request))
            return try json(Views.person(try await store.addPerson(person)), status: .created)
        }
        v1.get("people/:key/agenda") { request, context in
            let key = try context.parameters.require("key")
            let person = try await onePerson(matching: key.removingPercentEncoding ?? key)
            let query = request.uri.queryParameters
            let (from, to) = try agendaRange(from: query.get("from"), to: query.get("to"))
            let role = try query.get("role").map { text in
                guard let role = Role(rawValue: text) else {
                    throw RegisterError.invalid(field: "role", message: "unknown role \(text.debugDescription); one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return role
            }
            let events = try await store.events(ofPerson: person.id!, from: from, to: to)
            let agenda = try scheduling.agenda(of: person, events: events, from: from, to: to, role: role)
            switch query.get("format") ?? "json" {
            case "json": return try json(agenda)
            case "ics":
                let ids = Set(agenda.days.flatMap(\.entries).map(\.eventId))
                let subscription = ICalendarWriter.Subscription(name: "Lịch công tác — \(person.name)", refreshInterval: 3600)
                return try calendarResponse(
                    ICalendarWriter().write(
                        events.filter { ids.contains($0.id ?? 0) }, method: .publish, stamp: clock.instant,
                        reminders: config.defaultReminders.map { Int($0) }, subscription: subscription),
                    method: .publish)
            case let other: throw RegisterError.invalid(field: "format", message: "unknown format \(other.debugDescription); json or ics")
            }
        }
        v1.get("conflicts") { request, _ in
            let query = request.uri.queryParameters
            let (from, to) = try agendaRange(from: query.get("from"), to: query.get("to"), days: config.recurrenceHorizonDays)
            let events = try await store.events(from: from, to: to, kind: nil)
            return try json(try scheduling.clashes(among: events, from: from, to: to).map(\.view))
        }
        v1.post("people/:key/feed") { _, context in try await feedURL(context, rotate: false) }
        v1.post("people/:key/feed/rotate") { _, context in try await feedURL(context, rotate: true) }
        v1.get("feeds") { _, _ in
            try json(feeds.writes.withLock { $0 }.sorted { $0.key < $1.key }.map { FeedView(path: $0.key, writes: $0.value) })
        }
        v1.get("people/:key") { _, context in
            let key = try context.parameters.require("key")
            return try json(Views.person(try await onePerson(matching: key.removingPercentEncoding ?? key)))
        }
        registerWeek(on: v1)
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

    /// The reader's zone of a reading: `tz`, else eventd's own. An unknown zone is a 400 naming `tz`.
    func readerZone(_ query: Parameters) throws -> Zone {
        try Zone(query.get("tz") ?? config.defaultTimeZone, field: "tz")
    }

    /// Each event, or for a recurring one each occurrence, that overlaps the range, in order of start,
    /// with its times in the `reader`'s zone as well where that is not the event's.
    func occurrences(of events: [Event], from: Instant?, to: Instant?, reader: Zone? = nil) throws -> [EventView] {
        var entries: [(start: Instant, view: EventView)] = []
        for event in events {
            let windowStart = from ?? event.start
            let windowEnd = to ?? windowStart.adding(seconds: Int64(config.recurrenceHorizonDays) * 86_400)
            // Each occurrence as it is then: a changed one with its own title, place and length.
            entries += try scheduling.occurrences(of: [event], from: windowStart, to: windowEnd).map { item in
                (item.occurrence ?? item.event.start, Views.event(item.event, occurrence: item.occurrence, reader: reader))
            }
        }
        return entries.sorted { ($0.start, $0.view.id) < ($1.start, $1.view.id) }.map(\.view)
    }

    /// An event as a command left it, with the clashes its change made.
    private func view(_ written: EventWriter.Written) -> EventView {
        var view = Views.event(written.event)
        view.conflicts = written.clashes.map(\.view)
        return view
    }

    /// A session as a command left it, with the clashes its change made.
    func view(_ session: Session, _ written: EventWriter.Written) throws -> SessionView {
        var view = Views.session(session, of: written.event, zone: try Zone(written.event.timeZone))
        view.conflicts = written.clashes.map(\.view)
        return view
    }

    /// An event as the audit log stored it.
    private static func storedEvent(_ json: String) -> Event? {
        try? JSONDecoder().decode(Event.self, from: Data(json.utf8))
    }

    /// The calendar of an import or an answer, read as eventd reads every calendar.
    private func parseCalendar(_ text: String, limit: Int) throws -> ParsedMessage {
        do {
            return try ICalendarReader(defaultZone: try Zone(config.defaultTimeZone), maxBytes: limit).parseMessage(text)
        } catch let error as CalendarError {
            throw RegisterError.invalid(field: "calendar", message: error.description)
        }
    }

    /// A participant of `event` named by id, email or name (folded as agendas fold it).
    private func onePerson(matching key: String, in event: Event) throws -> Person {
        var seen = Set<Int64>()
        let people = event.participants.map(\.person).filter { seen.insert($0.id ?? 0).inserted }
        let folded = foldedForSearch(key)
        let matches = people.filter {
            String($0.id ?? 0) == key || $0.email?.lowercased() == key.lowercased() || foldedForSearch($0.name) == folded
        }
        guard matches.count == 1 else {
            if matches.isEmpty { throw RegisterError.notFound(what: "participant of event \(event.id ?? 0) matching", key: key) }
            throw RegisterError.conflict(field: "person", message: "\(key.debugDescription) matches \(matches.count) participants; give an id or an email")
        }
        return matches[0]
    }

    /// The one person `key` names (id, email or name); several matches are a 409 listing them.
    func onePerson(matching key: String) async throws -> Person {
        let people = try await store.people(matching: key)
        guard people.count == 1 else {
            if people.isEmpty { throw RegisterError.notFound(what: "person matching", key: key) }
            let list = people.map { "\($0.id ?? 0) \($0.name)\($0.email.map { " <\($0)>" } ?? "")" }.joined(separator: "; ")
            throw RegisterError.conflict(field: "person", message: "\(key.debugDescription) matches \(people.count) people: \(list); give an id or an email")
        }
        return people[0]
    }

    /// A range from query parameters: by default from now for `days` days (four weeks for agendas).
    private func agendaRange(from: String?, to: String?, days: Int = 28) throws -> (Instant, Instant) {
        let span = Int64(days) * 86_400
        let (start, end) = try reader.range(from: from, to: to)
        switch (start, end) {
        case let (s?, e?): return (s, e)
        case let (s?, nil): return (s, s.adding(seconds: span))
        case let (nil, e?): return (e.adding(seconds: -span), e)
        case (nil, nil):
            let now = clock.instant
            return (now, now.adding(seconds: span))
        }
    }

    /// The event as an iCalendar object: PUBLISH by default, REQUEST or CANCEL on asking.
    private func calendar(eventID: Int64, method text: String?) async throws -> Response {
        guard let method = CalendarMethod(rawValue: (text ?? "publish").uppercased()) else {
            throw RegisterError.invalid(field: "method", message: "unknown method \(text!.debugDescription); one of publish, request, cancel")
        }
        let event = try await store.event(id: eventID)
        let ics = try ICalendarWriter().write(event, method: method, stamp: clock.instant, reminders: config.defaultReminders.map { Int($0) })
        return calendarResponse(ics, method: method)
    }

    func calendarResponse(_ ics: String, method: CalendarMethod) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8; method=\(method.rawValue)"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ics)))
    }

    /// The person's feed addresses; `rotate` revokes the old token first.
    private func feedURL(_ context: APIContext, rotate: Bool) async throws -> Response {
        let key = try context.parameters.require("key")
        let person = try await onePerson(matching: key.removingPercentEncoding ?? key)
        let token = try await store.feedToken(personID: person.id!, rotate: rotate)
        feeds.personChanged(person.id!)
        let https = "\(config.feedsBase)/feeds/people/\(token).ics"
        let webcal = "webcal://" + https.drop { $0 != ":" }.dropFirst(3)
        return try json(FeedURLView(person: Views.person(person), token: token, https: https, webcal: String(webcal)))
    }

    private func noticeID(_ context: APIContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw RegisterError.notFound(what: "notice with id", key: text) }
        return id
    }

    /// A notice, its times in eventd's zone; for a `reader` in another zone, `due` in theirs as well.
    private func noticeView(_ n: Notice, reader: Zone? = nil) -> NoticeView {
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

    /// `limit=N` of a listing: at most N rows, the first in its order; none given: all of them.
    func limit(_ query: Parameters) throws -> Int {
        guard let text = query.get("limit") else { return Int.max }
        guard let n = Int(text), n >= 1 else { throw RegisterError.invalid(field: "limit", message: "must be a whole number of at least 1") }
        return n
    }

    func id(_ context: APIContext) throws -> Int64 {
        try id(try context.parameters.require("id"))
    }

    func id(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw RegisterError.notFound(what: "event with id", key: text) }
        return id
    }

    /// The request body: at most `limit` (`max_body_bytes` unless given) of valid UTF-8, else a
    /// 413 or 400. A mail may be in any encoding (`anyEncoding`): its parts say theirs.
    func body(of request: Request, limit: Int? = nil, setting: String = "max_body_bytes", anyEncoding: Bool = false) async throws -> [UInt8] {
        var request = request
        let buffer: ByteBuffer
        let most = limit ?? config.maxBodyBytes
        do {
            buffer = try await request.collectBody(upTo: most)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than the limit of \(most) bytes (\(setting))")
        }
        let bytes = Array(buffer.readableBytesView)
        guard anyEncoding || String(validating: bytes, as: UTF8.self) != nil else {
            throw HTTPError(.badRequest, message: "the request body is not valid UTF-8")
        }
        return bytes
    }

    /// Reads a JSON body; a missing or mistyped field is a 400 naming it.
    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let bytes = try await body(of: request)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw RegisterError.invalid(field: key.stringValue, message: "is required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw RegisterError.invalid(field: field, message: "has the wrong type: \(context.debugDescription)")
        } catch {
            throw HTTPError(.badRequest, message: "the request body is not valid JSON")
        }
    }
}

let jsonEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
}()

func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try jsonEncoder.encode(value)
    return Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

/// Turns every error into a status and an `ErrorBody`, so clients parse one shape.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RegisterError {
            switch error {
            case .invalid(let field, _): return try json(ErrorBody(code: "invalid", message: error.message, field: field), status: .badRequest)
            case .notFound: return try json(ErrorBody(code: "not_found", message: error.message), status: .notFound)
            case .conflict(let field, _): return try json(ErrorBody(code: "conflict", message: error.message, field: field), status: .conflict)
            case .forbidden(let field, _): return try json(ErrorBody(code: "forbidden", message: error.message, field: field), status: .forbidden)
            }
        } catch let error as CalendarError {
            // A calendar or rule libical cannot handle is the caller's input, never eventd's fault.
            return try json(ErrorBody(code: "invalid", message: error.description, field: "calendar"), status: .badRequest)
        } catch let error as AccessDenied {
            return try json(ErrorBody(code: "forbidden", message: error.message), status: .forbidden)
        } catch let error as StoreError {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try json(ErrorBody(code: "unavailable", message: error.description), status: .serviceUnavailable)
        } catch let error as HTTPError {
            let code = switch error.status {
            case .notFound: "not_found"
            case .contentTooLarge: "too_large"
            case .forbidden: "forbidden"
            default: "bad_request"
            }
            let message = error.body ?? "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)"
            return try json(ErrorBody(code: code, message: message), status: error.status)
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try json(ErrorBody(code: "internal", message: "internal error: \(error)"), status: .internalServerError)
        }
    }
}
