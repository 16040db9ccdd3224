import ArgumentParser
import EventAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The `/v1` API as eventctl uses it: errors are printed for a person and become exit codes.
struct APIClient {
    let http: UnixHTTPClient
    /// What the user typed for a query field eventd may refuse (`tz` → `--in`), named in the error.
    var origins: [String: String] = [:]

    /// Sends a request and decodes the answer; any other status than `expect` is an error.
    func call<Answer: Decodable>(_ method: String, _ path: String, body: (some Encodable)? = nil as EventInput?, expect: Int = 200) throws -> Answer {
        let bytes = try send(method, path, body: body, expect: expect)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes))
        } catch {
            printError("eventctl: cannot read eventd's answer: \(error)")
            throw ExitCode(70)  // EX_SOFTWARE
        }
    }

    func call(_ method: String, _ path: String, expect: Int) throws {
        _ = try send(method, path, body: nil as EventInput?, expect: expect)
    }

    /// Prints the JSON answer as eventd sent it, for `--json`.
    func printRaw(_ method: String, _ path: String) throws {
        let bytes = try send(method, path, body: nil as EventInput?, expect: 200)
        print(String(decoding: bytes, as: UTF8.self))
    }

    func send(_ method: String, _ path: String, body: (some Encodable)?, expect: Int) throws -> [UInt8] {
        let encoded = try body.map { Array(try JSONEncoder().encode($0)) }
        return try send(method, path, raw: encoded, contentType: "application/json", expect: expect)
    }

    /// Sends `raw` as the body; any other status than `expect` prints eventd's error and exits 1.
    /// `invalidInput`: the exit status of a 400 or 413 (an import's file refused: 65, EX_DATAERR).
    func send(_ method: String, _ path: String, raw: [UInt8]?, contentType: String, expect: Int, invalidInput: Int32 = 1) throws -> [UInt8] {
        let response: UnixHTTPClient.Response
        do {
            response = try http.request(method, path, body: raw, contentType: contentType)
        } catch {
            if case .cannotConnect = error {
                printFailure("eventctl: \(error)", code: "unavailable")
                throw ExitCode(69)  // EX_UNAVAILABLE
            }
            printFailure("eventctl: \(error)", code: "io")
            throw ExitCode(74)  // EX_IOERR
        }
        guard response.status == expect else {
            let detail = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
            // eventd refuses whole requests: a 4xx or 503 changed nothing. After another 5xx, nobody can say.
            let unchanged = method == "GET" || !(400..<500 ~= response.status || response.status == 503) ? "" : "; nothing was changed"
            if wantsJSON {
                // Scripts that asked for JSON get the error as eventd gave it, on stderr.
                let body = detail ?? ErrorBody(code: "http_\(response.status)", message: "eventd answered \(response.status)")
                printError((try? String(decoding: JSONEncoder().encode(body), as: UTF8.self)) ?? "{}")
            } else {
                let origin = detail?.error.field.flatMap { origins[$0] }.map { " (given by \($0))" } ?? ""
                printError("eventctl: \(detail?.error.message ?? "eventd answered \(response.status)")\(origin)\(unchanged)")
            }
            switch response.status {
            case 403: throw ExitCode(77)  // EX_NOPERM
            case 503: throw ExitCode(75)  // EX_TEMPFAIL
            case 400, 413: throw ExitCode(invalidInput)
            default: throw ExitCode(1)
            }
        }
        return response.body
    }
}

enum FileHandleOutput {
    /// Writes bytes to standard output as they are (an .ics keeps its CRLF line ends).
    static func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { return }
            offset += n
        }
    }
}

func readAllStandardInput() -> [UInt8] {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n <= 0 { return data }
        data.append(contentsOf: buffer[0..<n])
    }
}

/// `--json` anywhere on the command line: errors go to stderr as JSON too.
let wantsJSON = CommandLine.arguments.dropFirst().contains("--json")

/// An error eventctl itself found: `{"error": {"code", "message"}}` on stderr with --json, else the text.
func printFailure(_ message: String, code: String) {
    guard wantsJSON else { return printError(message) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys  // as eventd writes its errors
    printError((try? String(decoding: encoder.encode(ErrorBody(code: code, message: message)), as: UTF8.self)) ?? "{}")
}

func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Clashes a change made are warnings: on stderr, and the command still succeeds.
func warn(_ conflicts: [ConflictView]?) {
    for clash in conflicts ?? [] { printError("eventctl: warning: \(clash.kind) clash: \(clash.message)") }
}

/// An event's timetable: each session with its room, chairs and speakers.
func timetable(_ e: EventView) -> String {
    var lines = ["\(e.title)", "\(displayTime(e.start)) – \(displayTime(e.end)) (\(e.tz))\(e.location.map { ", " + $0 } ?? "")"]
    if e.sessions.isEmpty { lines.append("(no sessions)") }
    for s in e.sessions {
        lines.append("\(String(displayTime(s.start).suffix(5)))–\(String(displayTime(s.end).suffix(5)))  \(s.title)\(s.room.map { "  (\($0))" } ?? "")")
        for role in ["chair", "speaker"] {
            let names = s.participants.filter { $0.role == role }.map(\.name)
            if !names.isEmpty { lines.append("             \(role == "chair" ? "chair:   " : "speakers:") \(names.joined(separator: ", "))") }
        }
    }
    return lines.joined(separator: "\n")
}

/// A person's agenda as text, every label in one language: `lang`, else the person's.
func describe(_ a: AgendaView, lang: String? = nil) -> String {
    let vi = (lang ?? a.person.lang) == "vi"
    let words: [String: String] = vi
        ? [
            "organizer": "tổ chức", "chair": "chủ trì", "speaker": "phát biểu", "witness": "chứng kiến", "attendee": "dự",
            "room": "phòng:", "before": "trước:", "after": "sau:", "with": "cùng:", "cancelled": "[hủy]", "allday": "cả ngày",
        ]
        : [
            "room": "room:", "before": "before:", "after": "after:", "with": "with:", "cancelled": "[cancelled]", "allday": "all day",
        ]
    func word(_ key: String) -> String { words[key] ?? key }
    var lines = [
        vi
            ? "Lịch của \(a.person.name) từ \(displayTime(a.from)) \(rangeEnd(a.to, vi: true)) (\(a.tz))"
            : "Agenda of \(a.person.name) from \(displayTime(a.from)) \(rangeEnd(a.to, vi: false)) (\(a.tz))"
    ]
    if a.days.isEmpty { lines.append(vi ? "(không có lịch)" : "(nothing in this range)") }
    let roleWidth = vi ? 10 : 9
    let label = String(repeating: " ", count: 2 + 11 + 2 + roleWidth + 2)
    for day in a.days {
        lines.append("")
        // The day in the output's language (eventd names it in the person's).
        lines.append("\(weekdayName(day.date, vi: vi)), \(displayTime(day.date + "T00:00", dateOnly: true))")
        for e in day.entries {
            // A whole-day event is a day, not 00:00–00:00; several days are named first to last, as
            // `list` and `show` name them.
            let wholeDay = e.allDay ?? (e.start.dropFirst(11).hasPrefix("00:00") && e.end.dropFirst(11).hasPrefix("00:00") && e.start.prefix(10) != e.end.prefix(10))
            let days = wholeDays(e.start, e.end)
            let time = wholeDay
                ? (days.count > 10 ? "\(word("allday")) \(days)" : word("allday").padding(11))
                : "\(String(displayTime(e.start).suffix(5)))–\(String(displayTime(e.end).suffix(5)))"
            let place = e.location ?? e.link ?? ""
            let what = e.session.map { "\($0.title) — \(e.title)" } ?? e.title
            let roles = e.roles.map(word).joined(separator: ", ")
            lines.append("  \(time)  \(roles.padding(roleWidth))  \(what)\(place.isEmpty ? "" : "  @ " + place)\(e.status == "cancelled" ? "  " + word("cancelled") : "")")
            if let s = e.session {
                func slot(_ key: String, _ v: SlotView) -> String {
                    "\(label)\(word(key).padding(7)) \(String(displayTime(v.start).suffix(5))) \(v.title)\(v.speakers.isEmpty ? "" : " (" + v.speakers.joined(separator: ", ") + ")")"
                }
                if let room = s.room { lines.append("\(label)\(word("room")) \(room)") }
                if let p = e.previous { lines.append(slot("before", p)) }
                if let n = e.next { lines.append(slot("after", n)) }
                if let co = e.coSpeakers, !co.isEmpty { lines.append("\(label)\(word("with").padding(7)) \(co.joined(separator: ", "))") }
            }
        }
    }
    // On a terminal, long lines wrap under their text.
    return lines.flatMap { line -> [String] in
        let indent = line.prefix { $0 == " " }.count
        let hanging = indent == 2 ? label.count : indent + 2
        return wrap(String(line.dropFirst(indent)), first: String(repeating: " ", count: indent), indent: hanging, width: Terminal.width)
    }.joined(separator: "\n")
}

/// `Thứ Sáu` or `Friday` for `2017-03-03`.
func weekdayName(_ isoDate: String, vi: Bool) -> String {
    let p = isoDate.prefix(10).split(separator: "-").compactMap { Int($0) }
    guard p.count == 3 else { return "" }
    // Sakamoto's method: 0 = Sunday.
    let t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
    let y = p[1] < 3 ? p[0] - 1 : p[0]
    let index = (y + y / 4 - y / 100 + y / 400 + t[p[1] - 1] + p[2]) % 7
    return (vi
        ? ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"]
        : ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"])[index]
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func printEvent(_ event: EventView, json: Bool) throws {
    if json {
        try printJSON(event)
    } else {
        print(describe(event))
    }
}

/// A whole-day event's days as every command prints them, the last day included: `05/07/2022`
/// for one day, `05/07/2022 – 06/07/2022` for two (stored: 5 July 00:00 to 7 July 00:00).
func wholeDays(_ start: String, _ end: String) -> String {
    let first = displayTime(start, dateOnly: true)
    let last = lastDay(end)
    return first == last || end.prefix(10) <= start.prefix(10) ? first : "\(first) – \(last)"
}

/// The end of a range (an agenda's): `to the end of 31/12/2022` for the midnight after that day,
/// else its time (`to 01/01/2023 08:00`).
func rangeEnd(_ iso: String, vi: Bool) -> String {
    if iso.dropFirst(11).hasPrefix("00:00:00") { return (vi ? "đến hết " : "to the end of ") + lastDay(iso) }
    return (vi ? "đến " : "to ") + displayTime(iso)
}

/// `2017-03-03T08:00:00+07:00` as `03/03/2017 08:00`: day first, in the event's own zone.
func displayTime(_ iso: String, dateOnly: Bool = false) -> String {
    let c = Array(iso)
    guard c.count >= 10 else { return iso }
    let date = "\(String(c[8...9]))/\(String(c[5...6]))/\(String(c[0...3]))"
    // A day alone (an excluded day, `2026-12-28`) has no time to show.
    return dateOnly || c.count < 16 ? date : date + " " + String(c[11...15])
}

/// The event's own `iso` time (in its zone) to mark beside the reader's `reader`: the clock time
/// alone on the same day, else day and time.
func ownTime(_ iso: String, beside reader: String) -> String {
    let own = displayTime(iso)
    return own.prefix(10) == displayTime(reader).prefix(10) ? String(own.suffix(5)) : own
}

/// A time in the reader's zone with the event's own marked beside: `03/03/2017 14:00 (08:00 Europe/Paris)`;
/// without a reader's time (the zones are the same), the event's time alone.
func readerTime(_ reader: String?, own iso: String, zone: String) -> String {
    guard let reader else { return displayTime(iso) }
    return "\(displayTime(reader)) (\(ownTime(iso, beside: reader)) \(zone))"
}

/// A session's slot, `03/03/2017 15:00 – 15:30`, in the reader's zone with the event's own marked
/// beside: `03/03/2017 15:00 – 15:30 (09:00 – 09:30 Europe/Paris)`.
func readerSpan(_ readerStart: String?, _ readerEnd: String?, own start: String, _ end: String, zone: String) -> String {
    func span(_ s: String, _ e: String) -> String { "\(displayTime(s)) – \(ownTime(e, beside: s))" }
    guard let readerStart, let readerEnd else { return span(start, end) }
    return "\(span(readerStart, readerEnd)) (\(ownTime(start, beside: readerStart)) – \(ownTime(end, beside: start)) \(zone))"
}

func describe(_ e: EventView) -> String {
    var lines = ["Event \(e.id): \(e.title)"]
    func add(_ label: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        lines.append(label.padding(12) + value)
    }
    add("Kind:", e.kind)
    add("Status:", "\(e.status) (sequence \(e.sequence))")
    if e.allDay {
        add("When:", "\(wholeDays(e.start, e.end)) (\(e.tz), whole days)")
    } else if let zone = e.readerTz, let start = e.readerStart, let end = e.readerEnd {
        // The reader's times, and beside them the event's own where it takes place.
        add("When:", "\(displayTime(start)) – \(displayTime(end)) (\(zone); \(ownTime(e.start, beside: start)) – \(ownTime(e.end, beside: end)) \(e.tz))")
    } else {
        add("When:", "\(displayTime(e.start)) – \(displayTime(e.end)) (\(e.tz))")
    }
    add("Location:", e.location)
    add("Room:", e.room)
    add("Prepared:", e.prepare)
    add("Reminders:", e.reminders.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") } ?? "eventd's default_reminders")
    add("Repeats:", e.rrule.map { rule in rule + (e.exdates?.isEmpty == false ? ", except " + e.exdates!.map { displayTime($0, dateOnly: e.allDay) }.joined(separator: ", ") : "") })
    add("Link:", e.link)
    if let visiting = e.visiting, let host = e.host { add("Visit:", "\(visiting) visits \(host)") }
    add("UID:", e.uid)
    if !e.participants.isEmpty {
        lines.append("People:")
        lines += e.participants.map { "  " + personLine($0) }
    }
    if !e.sessions.isEmpty {
        lines.append("Sessions:")
        for s in e.sessions {
            lines.append("  [\(s.id)] \(readerSpan(s.readerStart, s.readerEnd, own: s.start, s.end, zone: e.tz))  \(s.title)\(s.room.map { "  (\($0))" } ?? "")")
            lines += s.participants.map { "      " + personLine($0) }
        }
    }
    if let d = e.description, !d.isEmpty {
        lines.append("Description:")
        lines += d.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }
    // On a terminal, long lines wrap under their value: a field's under the value column, a
    // person's under the name, a session's under its time; the description under itself.
    let description = lines.firstIndex(of: "Description:") ?? lines.count
    return fitted(lines) { index, line in
        let indent = line.prefix { $0 == " " }.count
        if index > description { return indent }
        return indent == 0 ? 12 : indent == 2 && line.dropFirst(2).hasPrefix("[") ? 6 : indent + 10
    }
}

private func personLine(_ p: ParticipantView) -> String {
    let role = p.role == "attendee" && !p.required ? "optional" : p.role
    let email = p.email.map { " <\($0)>" } ?? ""
    let position = [p.position, p.organisation].compactMap { $0 }.joined(separator: ", ")
    // The name an imported file gave this address here, beside the person's own.
    let inFile = p.nameInFile.map { " (in the file: \($0))" } ?? ""
    return role.padding(10) + p.name + email + inFile + (position.isEmpty ? "" : " — " + position) + "  [" + answerText(p) + "]"
}

/// `accepted 02/03/2017 16:20 "xin đến muộn"`, or `no answer yet`.
func answerText(_ p: ParticipantView) -> String {
    guard p.rsvp != "needs-action" else { return "no answer yet" }
    return [p.rsvp, p.answeredAt.map { displayTime($0) }, p.comment.map { "\"\($0)\"" }].compactMap { $0 }.joined(separator: " ")
}

/// Columns padded to their widest cell. On a terminal too narrow for them, the long text
/// columns (titles, places) wrap within their share of its width, and the short ones stay.
func printTable(header: [String], rows: [[String]], wrapping: Set<Int>? = nil) {
    let widths = fittedWidths(header: header, rows: rows, width: Terminal.width, wrapping: wrapping)
    for row in [header] + rows {
        let cells = row.enumerated().map { index, cell in
            Terminal.width == nil ? [cell] : wrapCell(cell, widths[index])
        }
        let height = cells.map(\.count).max() ?? 1
        for line in 0..<height {
            let parts = cells.enumerated().map { index, lines in
                let text = line < lines.count ? lines[line] : ""
                return index == cells.count - 1 ? text : text.padding(widths[index])
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            print(text)
        }
    }
}

func queryString(_ items: [(String, String)]) -> String {
    items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(percentEncoded($0.1))" }.joined(separator: "&")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(byte)))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

extension String {
    /// Pads with spaces to `width` characters (grapheme clusters, so "Hiếu" counts 4).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
