import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird

/// The secretary's routes: the weekly schedule and its publication, search and export.
extension Routes {
    var schedules: ScheduleService { ScheduleService(store: store, live: live, reader: reader) }

    func registerWeek(on v1: RouterGroup<APIContext>) {
        v1.get("schedule") { request, _ in
            let query = request.uri.queryParameters
            let selection = try await schedules.selection(
                week: query.get("week"), from: query.get("from"), to: query.get("to"), people: query.getAll("person"), org: query.get("org"),
                lang: query.get("lang"), tz: query.get("tz"))
            let view = try await schedules.view(selection)
            switch query.get("format") ?? "json" {
            case "json": return try json(view)
            case "html": return ScheduleListener.html(ScheduleHTML.render(view))
            case let other: throw RegisterError.invalid(field: "format", message: "unknown format \(other.debugDescription); json or html")
            }
        }
        v1.post("schedule/publish") { request, _ in
            let input = try await decode(PublishInput.self, from: request)
            let selection = try await schedules.selection(
                week: input.week, from: input.from, to: input.to, people: input.person ?? [], org: input.org, lang: nil, tz: nil)
            return try json(try await schedules.publish(selection), status: .created)
        }
        v1.get("search") { request, _ in
            let query = request.uri.queryParameters
            guard let text = query.get("q") else { throw RegisterError.invalid(field: "q", message: "is required: the words to look for") }
            let readersZone = try readerZone(query)
            let (from, to) = try reader.range(from: query.get("from"), to: query.get("to"))
            let kind = try query.get("kind").map { text in
                guard let kind = EventKind(rawValue: text) else { throw RegisterError.invalid(field: "kind", message: "unknown kind \(text.debugDescription)") }
                return kind
            }
            let events = try await filtered(try await store.search(text, from: from, to: to, kind: kind), query)
            guard from != nil || to != nil else { return try json(events.map { Views.event($0, reader: readersZone) }) }
            return try json(try occurrences(of: events, from: from, to: to, reader: readersZone))
        }
        v1.get("export") { request, _ in
            let query = request.uri.queryParameters
            let (from, to) = try reader.range(from: query.get("from"), to: query.get("to"))
            guard from != nil, to != nil else { throw RegisterError.invalid(field: from == nil ? "from" : "to", message: "an export needs both from and to") }
            let events = try await filtered(try await store.events(from: from, to: to, kind: nil), query)
            let name = ["Lịch công tác", query.get("org"), query.getAll("person").isEmpty ? nil : query.getAll("person").joined(separator: ", ")]
                .compactMap { $0 }.joined(separator: " — ")
            return try calendarResponse(
                ICalendarWriter().write(
                    events, method: .publish, stamp: clock.instant, reminders: config.defaultReminders.map { Int($0) },
                    subscription: ICalendarWriter.Subscription(name: name, refreshInterval: Int(config.refreshInterval))),
                method: .publish)
        }
    }

    /// `list`, `search` and `export` narrowed to events a person (`person`, repeatable) or an
    /// organisation (`org`) takes part in, or whose place or room holds `location` (folded).
    func filtered(_ events: [Event], _ query: Parameters) async throws -> [Event] {
        var events = events
        let people = query.getAll("person")
        if !people.isEmpty {
            var ids = Set<Int64>()
            for key in people { ids.insert(try await onePerson(matching: key).id!) }
            events = events.filter { $0.participants.contains { ids.contains($0.person.id ?? 0) } }
        }
        if let org = query.get("org").map(foldedForSearch), !org.isEmpty {
            let matches = { (text: String?) in text.map { foldedForSearch($0) == org } ?? false }
            events = events.filter { e in
                matches(e.preparedBy) || matches(e.delegation?.host) || matches(e.delegation?.visiting)
                    || e.participants.contains { matches($0.person.organisation) }
            }
        }
        if let location = query.get("location").map(foldedForSearch), !location.isEmpty {
            events = events.filter { e in
                ([e.location, e.room] + e.sessions.map(\.room)).contains { $0.map { foldedForSearch($0).contains(location) } ?? false }
            }
        }
        return events
    }

    func sessionKey(_ context: APIContext) throws -> Int64 {
        let text = try context.parameters.require("sid")
        guard let id = Int64(text), id > 0 else { throw RegisterError.notFound(what: "session with id", key: text) }
        return id
    }

    func personChanges(_ patch: PersonPatch) throws -> PersonChanges {
        var changes = PersonChanges()
        if let name = patch.name { changes.name = try TextRules.oneLine(name, field: "name") }
        func optional(_ text: String?, _ field: String, _ read: (String) throws -> String) throws -> String?? {
            guard let text else { return nil }
            return text.trimmingCharacters(in: .whitespaces).isEmpty ? .some(nil) : .some(try read(text))
        }
        changes.email = try optional(patch.email, "email") { try TextRules.email($0) }
        changes.position = try optional(patch.position, "position") { try TextRules.oneLine($0, field: "position") }
        changes.organisation = try optional(patch.organisation, "organisation") { try TextRules.oneLine($0, field: "organisation") }
        changes.timeZone = try optional(patch.tz, "tz") { try Zone($0).identifier }
        if let lang = patch.lang {
            guard let language = Language(rawValue: lang) else { throw RegisterError.invalid(field: "lang", message: "must be vi or en") }
            changes.language = language
        }
        return changes
    }
}

extension InputReader {
    /// A session's changes, read in its event's zone.
    func sessionChanges(_ input: SessionPatch, zone: String) throws -> SessionChanges {
        let zone = try Zone(zone)
        var changes = SessionChanges()
        changes.title = try input.title.map { try TextRules.oneLine($0, field: "title") }
        if let room = input.room {
            changes.room = .some(room.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try TextRules.oneLine(room, field: "room"))
        }
        if let text = input.start {
            let start = try self.when(text, zone: zone, field: "start")
            changes.start = start.instant
            if input.end == nil, let end = start.halfDayEnd { changes.end = end }
        }
        if let text = input.end { changes.end = try self.when(text, zone: zone, field: "end").endOfRange(in: zone) }
        return changes
    }
}

/// The weekly schedules on the read-only HTTP listener: `/schedule/all.html` for the whole
/// register and `/schedule/<organisation>.html` (`bo-tu-phap` for Bộ Tư pháp) per organisation,
/// this week by default or `?week=2017-W09`, `?lang=en`; ETag from the content and 304 for a
/// matching If-None-Match, as the feeds.
enum ScheduleListener {
    static func register(on router: Router<BasicRequestContext>, service: ScheduleService) {
        router.get("/schedule/:page") { request, context in try await serve(request, context, service) }
        router.head("/schedule/:page") { request, context in try await serve(request, context, service) }
    }

    static func serve(_ request: Request, _ context: BasicRequestContext, _ service: ScheduleService) async throws -> Response {
        let page = context.parameters.get("page") ?? ""
        guard service.config.publicFeeds, page.hasSuffix(".html") || page.hasSuffix(".json") else { return Response(status: .notFound) }
        let slug = String(page.dropLast(5))
        var org: String?
        if slug != "all" {
            guard let name = try await service.store.organisations().first(where: { ScheduleService.slug($0) == slug }) else {
                return Response(status: .notFound)
            }
            org = name
        }
        let query = request.uri.queryParameters
        let body: String
        let type: String
        do {
            let selection = try await service.selection(week: query.get("week"), from: nil, to: nil, people: [], org: org, lang: query.get("lang"), tz: nil)
            let view = try await service.view(selection)
            if page.hasSuffix(".json") {
                body = String(decoding: try jsonEncoder.encode(view), as: UTF8.self)
                type = "application/json; charset=utf-8"
            } else {
                body = ScheduleHTML.render(view)
                type = "text/html; charset=utf-8"
            }
        } catch let error as RegisterError {
            return Response(status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: error.message + "\n")))
        }
        return respond(body, type: type, request: request)
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// ETag from the content; 304 when the client has it; HEAD without the body.
    static func respond(_ text: String, type: String, request: Request) -> Response {
        let data = Array(text.utf8)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, as the feeds
        for byte in data {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let etag = "\"\(String(hash, radix: 16))\""
        var headers: HTTPFields = [.contentType: type, .eTag: etag, .cacheControl: "no-cache"]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).contains(etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(data.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
