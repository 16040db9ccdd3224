import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird
import Logging

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
    /// Where reading a calendar or a mail runs, under `max_request_seconds`.
    let work: InputWork
    var config: DaemonConfig { live.current }
    var scheduling: Scheduling { Scheduling(config: config) }

    func register(on router: Router<APIContext>) {
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: PlusAsSpace())
        let live = self.live
        router.add(middleware: AccessMiddleware(policy: { AccessPolicy(config: live.current) }))
        let v1 = router.group("v1")
        registerEvents(on: v1)
        registerAnswers(on: v1)
        registerPeople(on: v1)
        registerAdmin(on: v1)
        registerWeek(on: v1)
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
    func agendaRange(from: String?, to: String?, days: Int = 28) throws -> (Instant, Instant) {
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

    func calendarResponse(_ ics: String, method: CalendarMethod) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8; method=\(method.rawValue)"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ics)))
    }

    /// `limit=N` of a listing: at most N rows, the first in its order; none given: `all`, by default every row.
    func limit(_ query: Parameters, default all: Int = Int.max) throws -> Int {
        guard let text = query.get("limit") else { return all }
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
        let tooLarge = HTTPError(.contentTooLarge, message: "the request body is larger than the limit of \(most) bytes (\(setting))")
        // Said at once, not after waiting `body_timeout` for a body that was announced too large.
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > most { throw tooLarge }
        do {
            buffer = try await request.collectBody(upTo: most)
        } catch {
            throw tooLarge
        }
        let bytes = Array(buffer.readableBytesView)
        guard anyEncoding || String(validating: bytes, as: UTF8.self) != nil else {
            let at = Self.firstInvalidUTF8(bytes).map { ": line \($0.line), byte \($0.offset) (0x\(String(bytes[$0.offset], radix: 16, uppercase: true)))" } ?? ""
            throw HTTPError(.badRequest, message: "the request body is not valid UTF-8\(at); save it as UTF-8 (RFC 5545 3.1.4)")
        }
        return bytes
    }

    /// Where the first byte that is no UTF-8 lies: its line (from 1) and offset (from 0) in the body.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, offset: Int)? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0, line = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == 0x0A { line += 1 }
                offset += encoded.count
            case .emptyInput:
                return nil
            case .error:
                return (line, offset)
            }
        }
    }

    /// Reads a JSON body; a missing or mistyped field is a 400 naming it.
    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let bytes = try await body(of: request)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw RegisterError.invalid(field: key.stringValue, message: "is required")
        } catch let DecodingError.typeMismatch(expected, context), let DecodingError.valueNotFound(expected, context) {
            guard !context.codingPath.isEmpty else { throw HTTPError(.badRequest, message: "the request body must be a JSON object") }
            let field = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            throw RegisterError.invalid(field: field, message: "must be \(Self.jsonKind(expected))")
        } catch {
            throw HTTPError(.badRequest, message: "the request body is not valid JSON")
        }
    }
}

extension Routes {
    /// What a JSON value of type `type` is, in the words of an error message.
    static func jsonKind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type: "a number"
        case is [Any].Type: "a list"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
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

/// A `+` in a query is a space, as in an HTML form (`?q=cuc+phuong`), which Hummingbird leaves
/// as it is: it is read as `%20` before any route sees the query. A `+` meant as a plus is `%2B`.
struct PlusAsSpace: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = request.head.path, let mark = path.firstIndex(of: "?"), path[mark...].contains("+") else {
            return try await next(request, context)
        }
        var head = request.head
        head.path = String(path[..<mark]) + path[mark...].replacingOccurrences(of: "+", with: "%20")
        return try await next(Request(head: head, body: request.body), context)
    }
}

/// Turns every error into a status and an `ErrorBody`, so clients parse one shape.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error where WorkBudget.isStopping {
            // Work cut short by a stop rolled back; the client may send it again to the next eventd.
            context.logger.notice("request cut short by the stop", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try json(ErrorBody(code: "unavailable", message: "eventd is stopping; nothing was changed, try again"), status: .serviceUnavailable)
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
            return try InternalError.response(error, request: request, logger: context.logger)
        }
    }
}

/// A fault of eventd's answers 500 saying only that and a reference: the error's own text may
/// hold SQL, file paths or the register's contents, so it goes to the log, under the same
/// reference, and never to the client.
enum InternalError {
    static func response(_ error: any Error, request: Request, logger: Logger) throws -> Response {
        let reference = newReference()
        logger.error("request failed", metadata: ["reference": "\(reference)", "path": "\(request.uri.path)", "error": "\(error)"])
        return try json(ErrorBody(code: "internal", message: message(reference: reference)), status: .internalServerError)
    }

    static func message(reference: String) -> String { "internal error; see eventd's log, reference \(reference)" }

    /// 16 hex digits, random: unique enough to find one line in a journal, and says nothing.
    static func newReference() -> String {
        let text = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
