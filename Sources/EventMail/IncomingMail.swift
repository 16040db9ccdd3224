import EventModel
import Foundation

/// How much of a message eventd reads: bounds chosen so that the work a message drives grows
/// with its size alone, whatever its shape. Real answers from Outlook, Gmail, Thunderbird and
/// Apple Mail nest multipart three deep at most and hold a handful of parts.
public struct MailBounds: Sendable {
    /// Most levels of multipart inside one another (the message itself is level 0).
    public var depth = 8
    /// Most MIME entities read in the whole message, the message itself included.
    public var parts = 200
    /// Most header lines (unfolded) of one entity.
    public var headerLines = 1_000

    public init() {}
}

/// Why a message cannot be read, naming the bound and the part (`1.2` is the second part of the
/// first part) where it was crossed.
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }
}

/// The parts of an RFC 5322 message that an answer needs: the From: addresses, the
/// Authentication-Results the receiving servers added, and the first calendar part
/// (text/calendar, application/ics, or an .ics attachment) in document order, decoded from its
/// transfer encoding and charset.
///
/// Reading is one pass over the bytes per level of nesting, and levels are bounded: a message of
/// n bytes costs O(n · depth) whatever its shape.
public struct IncomingMail: Sendable {
    /// Every address of every From: header, lower-cased.
    public var from: [String]
    /// The top-level Authentication-Results headers (RFC 8601), in the order they appear.
    public var authenticationResults: [AuthenticationResults]
    /// The calendar text, or nil when the message has none.
    public var calendar: String?

    public init(_ bytes: [UInt8], bounds: MailBounds = MailBounds()) throws(MailError) {
        var budget = bounds.parts
        let top = try Entity(bytes[...], path: "message", bounds: bounds, budget: &budget)
        from = top.headers.filter { $0.name == "from" }.flatMap { MailAddress.list($0.value) }
        authenticationResults = top.headers.filter { $0.name == "authentication-results" }.compactMap { AuthenticationResults(parsing: $0.value) }
        calendar = try Self.firstCalendar(in: top, bounds: bounds, budget: &budget)
    }

    /// Depth first, in document order; each multipart body is split once.
    private static func firstCalendar(in top: Entity, bounds: MailBounds, budget: inout Int) throws(MailError) -> String? {
        var stack: [(entity: Entity, depth: Int)] = [(top, 0)]
        while let (entity, depth) = stack.popLast() {
            if let reason = WorkBudget.exceeded() { throw MailError(field: "message", message: reason) }
            let type = entity.contentType
            if type.type.hasPrefix("multipart/") {
                guard let boundary = type.parameters["boundary"], !boundary.isEmpty else { continue }
                guard depth < bounds.depth else {
                    throw MailError(
                        field: "message",
                        message: "multipart is nested more than \(bounds.depth) levels deep at part \(entity.path); eventd reads at most \(bounds.depth)")
                }
                let bodies = split(entity.body, boundary: boundary)
                var children: [Entity] = []
                for (index, body) in bodies.enumerated() {
                    let path = entity.path == "message" ? "\(index + 1)" : "\(entity.path).\(index + 1)"
                    children.append(try Entity(body, path: path, bounds: bounds, budget: &budget))
                }
                stack.append(contentsOf: children.reversed().map { ($0, depth + 1) })
                continue
            }
            if entity.isCalendar { return try entity.calendarText() }
        }
        return nil
    }

    /// The bodies between `--boundary` lines, up to `--boundary--` (RFC 2046 5.1.1): one pass.
    static func split(_ bytes: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let marker = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lineEnd = bytes[index...].firstIndex(of: 10) ?? bytes.endIndex
            var line = bytes[index..<lineEnd]
            if line.last == 13 { line = line.dropLast() }
            if line.starts(with: marker) {
                let rest = line.dropFirst(marker.count)
                let closing = rest.starts(with: [45, 45])
                // A boundary line is the marker, maybe "--", then only white space.
                if rest.dropFirst(closing ? 2 : 0).allSatisfy({ $0 == 32 || $0 == 9 }) {
                    if let start = partStart {
                        // The CRLF before a boundary belongs to the boundary.
                        var end = index
                        if end > start, bytes[end - 1] == 10 { end -= 1 }
                        if end > start, bytes[end - 1] == 13 { end -= 1 }
                        parts.append(bytes[start..<end])
                    }
                    if closing { return parts }
                    partStart = min(lineEnd + 1, bytes.endIndex)
                }
            }
            index = lineEnd + 1
        }
        if let start = partStart, start < bytes.endIndex { parts.append(bytes[start...]) }
        return parts
    }
}

/// One MIME entity: its unfolded headers (names lower-cased), and its body as a slice of the
/// message (never copied).
struct Entity: Sendable {
    var path: String
    var headers: [(name: String, value: String)] = []
    var body: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>, path: String, bounds: MailBounds, budget: inout Int) throws(MailError) {
        budget -= 1
        guard budget >= 0 else {
            throw MailError(field: "message", message: "more than \(bounds.parts) MIME parts (at part \(path)); eventd reads at most \(bounds.parts)")
        }
        self.path = path
        var lines: [String] = []
        var index = bytes.startIndex
        // Headers end at the first empty line (CRLF CRLF or LF LF).
        while index < bytes.endIndex {
            let end = bytes[index...].firstIndex(of: 10) ?? bytes.endIndex
            var line = bytes[index..<end]
            if line.last == 13 { line = line.dropLast() }
            index = min(end + 1, bytes.endIndex)
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if let first = text.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += " " + text.trimmingCharacters(in: .whitespaces)
            } else {
                lines.append(text)
                guard lines.count <= bounds.headerLines else {
                    throw MailError(field: "message", message: "more than \(bounds.headerLines) header lines in part \(path); eventd reads at most \(bounds.headerLines)")
                }
            }
        }
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        body = bytes[index...]
    }

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// The media type, lower-cased, and its parameters (names lower-cased, quotes taken off).
    var contentType: (type: String, parameters: [String: String]) {
        MIMEHeader.parse(header("content-type") ?? "text/plain")
    }

    var isCalendar: Bool {
        let (type, parameters) = contentType
        let named = (parameters["name"] ?? header("content-disposition").map { MIMEHeader.parse($0).parameters["filename"] ?? "" } ?? "").lowercased()
        return type == "text/calendar" || type == "application/ics" || (type == "application/octet-stream" && named.hasSuffix(".ics"))
    }

    /// The body decoded from its transfer encoding, then from its charset.
    func calendarText() throws(MailError) -> String {
        let bytes: [UInt8]
        switch header("content-transfer-encoding")?.lowercased() {
        case "base64"?:
            let clean = String(decoding: body.filter { !($0 == 10 || $0 == 13 || $0 == 32 || $0 == 9) }, as: UTF8.self)
            guard let data = Data(base64Encoded: clean, options: .ignoreUnknownCharacters) else {
                throw MailError(field: "message", message: "the calendar part \(path) is not valid base64")
            }
            bytes = Array(data)
        case "quoted-printable"?: bytes = Self.quotedPrintable(body)
        default: bytes = Array(body)
        }
        let charset = contentType.parameters["charset"]
        do {
            return try Charsets.decode(bytes, charset: charset)
        } catch {
            throw MailError(field: "message", message: "the calendar part \(path): \(error.description)")
        }
    }

    static func quotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: b - 48
            case 65...70: b - 55
            case 97...102: b - 87
            default: nil
            }
        }
        while i < bytes.endIndex {
            if bytes[i] == 61, i + 1 < bytes.endIndex {  // "="
                if bytes[i + 1] == 13, i + 2 < bytes.endIndex, bytes[i + 2] == 10 { i += 3; continue }  // soft break
                if bytes[i + 1] == 10 { i += 2; continue }
                if i + 2 < bytes.endIndex, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
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
}

/// `type/subtype; name=value; name="quoted; value"` (RFC 2045 5.1).
enum MIMEHeader {
    static func parse(_ value: String) -> (type: String, parameters: [String: String]) {
        let pieces = MailAddress.splitOutsideQuotes(value, on: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let type = pieces.first.map { $0.lowercased() } ?? "text/plain"
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            var value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            parameters[piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        return (type.isEmpty ? "text/plain" : type, parameters)
    }
}
