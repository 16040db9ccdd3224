import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation

/// What attendees send back (iTIP, RFC 5546): a REPLY sets that attendee's answer, a COUNTER
/// is kept as a proposal for the organizer. Neither ever rewrites the event. Each is checked
/// inside the transaction that records it: the event must exist, the attendee must be on it,
/// the SEQUENCE must not be older than the event's, and the sender (when the answer came by
/// mail) must be the attendee or be named by them in SENT-BY.
struct ReplyDesk: Sendable {
    let store: SQLiteStore

    func receive(_ message: ParsedMessage, sender: String?) async throws -> [ReplyResult] {
        let method = message.method ?? ""
        guard method == "REPLY" || method == "COUNTER" else {
            throw RegisterError.invalid(field: "METHOD", message: "expected REPLY or COUNTER, found \(message.method ?? "none")")
        }
        guard !message.events.isEmpty else { throw RegisterError.invalid(field: "VEVENT", message: "the \(method) holds no VEVENT") }
        var results: [ReplyResult] = []
        for parsed in message.events {
            results += try await store.write { context in try Self.apply(parsed, method: method, sender: sender, context: context) }
        }
        return results
    }

    private static func apply(_ parsed: ParsedEvent, method: String, sender: String?, context: WriteContext) throws -> [ReplyResult] {
        guard let event = try context.event(uid: parsed.uid), let eventID = event.id else {
            throw RegisterError.notFound(what: "event with UID", key: parsed.uid)
        }
        guard parsed.sequence >= event.sequence else {
            throw RegisterError.conflict(
                field: "SEQUENCE",
                message: "the \(method) answers SEQUENCE \(parsed.sequence) of event \(eventID), which is now at SEQUENCE \(event.sequence); an answer to an older version changes nothing")
        }
        let attendees = parsed.attendees.filter { $0.email != nil }
        guard !attendees.isEmpty else { throw RegisterError.invalid(field: "ATTENDEE", message: "the \(method) names no attendee with an email") }
        return try attendees.map { attendee in
            let email = attendee.email!.lowercased()
            guard let person = event.participants.first(where: { $0.person.email?.lowercased() == email })?.person, let personID = person.id else {
                throw RegisterError.notFound(what: "invited person of event \(eventID) with the address", key: email)
            }
            let via: String
            switch sender?.lowercased() {
            case nil: via = "import by \(Caller.current?.user ?? "eventd")"
            case email?: via = "mail from \(email)"
            case let from? where attendee.sentBy?.lowercased() == from: via = "mail from \(from) for \(email)"
            case let from?:
                throw RegisterError.forbidden(
                    field: "From", message: "the answer for \(email) came from \(from), who is neither that attendee nor named by them in SENT-BY")
            }
            var result = ReplyResult(method: method, eventId: eventID, uid: event.uid, person: person.name, email: email, via: via)
            if method == "COUNTER" {
                try context.record(
                    Proposal(personID: personID, occurrence: parsed.recurrenceID, start: parsed.start, end: parsed.end, comment: parsed.comment, receivedAt: context.now, via: via),
                    eventID: eventID)
                result.proposedStart = parsed.start.seconds
                result.proposedEnd = parsed.end.seconds
                return result
            }
            guard let rsvp = attendee.rsvp, rsvp != .needsAction else {
                throw RegisterError.invalid(field: "PARTSTAT", message: "the REPLY of \(email) says neither ACCEPTED, DECLINED, TENTATIVE nor DELEGATED")
            }
            var comment = parsed.comment
            if rsvp == .delegated, let to = attendee.delegatedTo { comment = ["delegated to \(to)", comment].compactMap { $0 }.joined(separator: "; ") }
            try context.record(Answer(rsvp: rsvp, comment: comment, occurrence: parsed.recurrenceID, via: via), eventID: eventID, personID: personID)
            result.answer = rsvp.rawValue
            result.occurrence = parsed.recurrenceID?.seconds
            return result
        }
    }
}

/// The parts of an RFC 5322 message that an answer needs: who sent it and its calendar, from
/// the first text/calendar part (or application/ics attachment) at any depth of multipart.
struct MailMessage {
    var from: String?
    var calendar: String?

    init(_ bytes: [UInt8]) {
        let part = Part(bytes)
        from = part.header("from").flatMap(Self.address)
        calendar = part.calendar()
    }

    /// The address of `Name <a@b>` or of a bare `a@b`, lower-cased.
    static func address(_ value: String) -> String? {
        if let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
            return String(value[value.index(after: open)..<close]).trimmingCharacters(in: .whitespaces).lowercased()
        }
        return value.split(separator: " ").first { $0.contains("@") }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"(),;")).lowercased() }
    }

    /// One MIME entity: headers, then a body.
    struct Part {
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []

        init(_ bytes: [UInt8]) {
            var lines: [String] = []
            var index = 0
            // Headers end at the first empty line (CRLF CRLF or LF LF).
            while index < bytes.count {
                var end = index
                while end < bytes.count, bytes[end] != 10 { end += 1 }
                var line = bytes[index..<end]
                if line.last == 13 { line = line.dropLast() }
                index = min(end + 1, bytes.count)
                if line.isEmpty { break }
                let text = String(decoding: line, as: UTF8.self)
                if let first = text.first, first == " " || first == "\t", !lines.isEmpty {
                    lines[lines.count - 1] += " " + text.trimmingCharacters(in: .whitespaces)
                } else {
                    lines.append(text)
                }
            }
            headers = lines.compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            body = Array(bytes[index...])
        }

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

        /// `text/calendar` and its parameters, lower-cased names.
        var contentType: (type: String, parameters: [String: String]) {
            let value = header("content-type") ?? "text/plain"
            var pieces = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let type = pieces.isEmpty ? "text/plain" : pieces.removeFirst().lowercased()
            var parameters: [String: String] = [:]
            for piece in pieces {
                guard let equals = piece.firstIndex(of: "=") else { continue }
                parameters[piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] =
                    piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return (type, parameters)
        }

        func calendar() -> String? {
            let (type, parameters) = contentType
            if type.hasPrefix("multipart/"), let boundary = parameters["boundary"] {
                let parts = split(body, boundary: boundary).map(Part.init)
                return parts.lazy.compactMap { $0.contentType.type == "text/calendar" ? $0.calendar() : nil }.first
                    ?? parts.lazy.compactMap { $0.calendar() }.first
            }
            let named = (parameters["name"] ?? header("content-disposition") ?? "").lowercased()
            guard type == "text/calendar" || type == "application/ics" || (type == "application/octet-stream" && named.contains(".ics")) else { return nil }
            return text(decoded(), charset: parameters["charset"])
        }

        private func decoded() -> [UInt8] {
            switch header("content-transfer-encoding")?.lowercased() {
            case "base64"?:
                let clean = String(decoding: body.filter { !($0 == 10 || $0 == 13 || $0 == 32 || $0 == 9) }, as: UTF8.self)
                return Data(base64Encoded: clean, options: .ignoreUnknownCharacters).map { Array($0) } ?? []
            case "quoted-printable"?: return quotedPrintable(body)
            default: return body
            }
        }

        private func text(_ bytes: [UInt8], charset: String?) -> String? {
            switch charset?.lowercased() {
            case nil, "utf-8"?, "utf8"?, "us-ascii"?: return String(validating: bytes, as: UTF8.self) ?? String(decoding: bytes, as: UTF8.self)
            case "iso-8859-1"?, "latin1"?: return String(data: Data(bytes), encoding: .isoLatin1)
            case "windows-1252"?: return String(data: Data(bytes), encoding: .windowsCP1252)
            default: return String(decoding: bytes, as: UTF8.self)
            }
        }

        private func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var i = 0
            func hex(_ b: UInt8) -> UInt8? {
                switch b {
                case 48...57: b - 48
                case 65...70: b - 55
                case 97...102: b - 87
                default: nil
                }
            }
            while i < bytes.count {
                if bytes[i] == 61, i + 1 < bytes.count {  // "="
                    if bytes[i + 1] == 13, i + 2 < bytes.count, bytes[i + 2] == 10 { i += 3; continue }  // soft break
                    if bytes[i + 1] == 10 { i += 2; continue }
                    if i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                        out.append(high << 4 | low)
                        i += 3
                        continue
                    }
                }
                out.append(bytes[i])
                i += 1
            }
            return out
        }

        /// The parts between `--boundary` lines, up to `--boundary--`.
        private func split(_ bytes: [UInt8], boundary: String) -> [[UInt8]] {
            let marker = Array("--\(boundary)".utf8)
            var parts: [[UInt8]] = []
            var current: [UInt8]? = nil
            var index = 0
            while index < bytes.count {
                var end = index
                while end < bytes.count, bytes[end] != 10 { end += 1 }
                var line = Array(bytes[index..<end])
                let full = Array(bytes[index..<min(end + 1, bytes.count)])
                if line.last == 13 { line.removeLast() }
                index = end + 1
                if line.starts(with: marker) {
                    if let part = current { parts.append(Array(part.dropLast(part.suffix(2) == [13, 10] ? 2 : part.last == 10 ? 1 : 0))) }
                    if line == marker + [45, 45] { return parts }
                    current = []
                } else if current != nil {
                    current! += full
                }
            }
            if let part = current { parts.append(part) }
            return parts
        }
    }
}
