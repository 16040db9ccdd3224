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

/// Output that fits the reader's terminal: tables and long Vietnamese titles are cut or wrapped
/// to its width; piped output (a file, a script) is left whole, one line per row.
enum Terminal {
    /// Columns of the terminal standard output goes to; nil when it is not a terminal.
    static let width: Int? = {
        guard isatty(1) == 1 else { return nil }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 20 { return n }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
    }()
}

/// `text` cut to `width` characters, ending in "…" when cut.
func cut(_ text: String, _ width: Int) -> String {
    guard text.count > width else { return text }
    guard width > 1 else { return String(text.prefix(width)) }
    return String(text.prefix(width - 1)) + "…"
}

/// Words of `text` in lines of at most `width` characters, the first after `first` and the rest
/// after `indent`; one line as it is when `width` is nil (not a terminal). Lines are kept at
/// least `minimum` characters long, so a deep indent on a narrow terminal does not shred the text.
func wrap(_ text: String, first: String, indent: Int, width: Int?, minimum: Int = 20) -> [String] {
    guard let width, first.count + text.count > width else { return [first + text] }
    let room = max(minimum, width - indent)
    var lines: [String] = []
    var line = ""
    var limit = max(minimum, width - first.count)
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
        if line.isEmpty {
            line = String(word)
        } else if line.count + 1 + word.count <= limit {
            line += " " + word
        } else {
            lines.append(line)
            limit = room
            line = String(word)
        }
        // A word longer than a line (an email, a link) is never broken: it runs past the edge
        // on a line of its own, and the words after it start the next line.
        if line.count > limit {
            lines.append(line)
            limit = room
            line = ""
        }
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines.enumerated().map { ($0.offset == 0 ? first : String(repeating: " ", count: indent)) + $0.element }
}

/// Column widths that fit `width`: the text columns (`wrapping`, or those wider than 16) share what the others
/// leave, in proportion to their length and at least 12 each; only when even that does not fit
/// does every column give way. No column is made narrower than its longest word, so a cell
/// wraps between words and an email is never split; when even that is too wide, the table runs
/// past the edge. nil `width` (not a terminal): each column's widest cell.
func fittedWidths(header: [String], rows: [[String]], width: Int?, wrapping: Set<Int>? = nil) -> [Int] {
    let all = [header] + rows
    var widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    guard let width else { return widths }
    let gaps = 2 * (widths.count - 1)
    guard widths.reduce(0, +) + gaps > width else { return widths }
    let words = header.indices.map { column in
        all.map { $0[column].split(separator: " ").map(\.count).max() ?? 0 }.max() ?? 0
    }
    let flexible = widths.indices.filter { wrapping?.contains($0) ?? (widths[$0] > 16) }
    let fixed = widths.indices.filter { !flexible.contains($0) }.map { widths[$0] }.reduce(0, +)
    let room = width - gaps - fixed
    // The least a text column takes: 12, or its longest word.
    let floor = widths.indices.map { max(min(12, widths[$0]), words[$0]) }
    if !flexible.isEmpty, room >= flexible.map({ floor[$0] }).reduce(0, +) {
        // Columns shorter than a fair share keep their width; the rest share what is left,
        // each its floor and the remainder in proportion to their length.
        var left = room
        var rest = flexible
        while !rest.isEmpty {
            let fair = left / rest.count
            let fits = rest.filter { widths[$0] <= fair }
            if fits.isEmpty { break }
            // Only while what is left still holds the others' floors (an email is one long word).
            let after = left - fits.map { widths[$0] }.reduce(0, +)
            if after < rest.filter({ !fits.contains($0) }).map({ floor[$0] }).reduce(0, +) { break }
            for index in fits { left -= widths[index] }
            rest.removeAll { fits.contains($0) }
        }
        let natural = max(1, rest.map { widths[$0] }.reduce(0, +))
        let extra = max(0, left - rest.map { floor[$0] }.reduce(0, +))
        for (n, index) in rest.enumerated() {
            widths[index] = n == rest.count - 1 ? max(floor[index], min(widths[index], left)) : min(widths[index], floor[index] + extra * widths[index] / natural)
            left -= widths[index]
        }
        return widths
    }
    // Too narrow for that: the widest columns give way first, down to 6 characters or their longest word.
    while widths.reduce(0, +) + gaps > width {
        guard let widest = widths.indices.filter({ widths[$0] > max(6, words[$0]) }).max(by: { widths[$0] < widths[$1] }) else { break }
        widths[widest] -= 1
    }
    return widths
}

/// Lines printed on a terminal: each wrapped between words to its width, continuing under
/// `hanging(line)` columns; as they are when not a terminal.
func fitted(_ lines: [String], hanging: (_ index: Int, _ line: String) -> Int) -> String {
    lines.enumerated().flatMap { index, line -> [String] in
        let indent = line.prefix { $0 == " " }.count
        return wrap(String(line.dropFirst(indent)), first: String(repeating: " ", count: indent), indent: hanging(index, line), width: Terminal.width)
    }.joined(separator: "\n")
}

/// A cell in lines of at most `width` characters, broken between words where it can be.
func wrapCell(_ text: String, _ width: Int) -> [String] {
    guard text.count > width, width > 0 else { return [text] }
    return wrap(text, first: "", indent: 0, width: width, minimum: 1)
}

/// The filters `list` and `search` share with `export`.
/// The range and kind `list` and `search` take.
struct EventRange: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only events that end after this time.", valueName: "when")) var from: String?
    @Option(name: .long, help: ArgumentHelp("Only events that start before this time (a date alone includes that day).", valueName: "when")) var to: String?
    @Option(name: .long, help: ArgumentHelp("Only events of this kind.", valueName: "kind")) var kind: KindChoice?

    var query: [(String, String)] {
        (from.map { [("from", $0)] } ?? []) + (to.map { [("to", $0)] } ?? []) + (kind.map { [("kind", $0.rawValue)] } ?? [])
    }
}

struct EventFilter: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only events this person takes part in (id, email or name; repeat for any of several).", valueName: "P"))
    var person: [String] = []
    @Option(name: .long, help: ArgumentHelp("Only events of this organisation: its people, the preparing unit, or a delegation.", valueName: "org"))
    var org: String?
    @Option(name: .long, help: ArgumentHelp("Only events whose place or room holds this text (case and diacritics ignored).", valueName: "text"))
    var location: String?

    var query: [(String, String)] {
        person.map { ("person", $0) } + (org.map { [("org", $0)] } ?? []) + (location.map { [("location", $0)] } ?? [])
    }
}

/// Events as `list` and `search` print them, headings, kinds and states in `lang` (en or vi).
/// A whole-day event shows its days: its last day as END, not the midnight after it. On a
/// terminal, START and END are one WHEN column (`03/03/2017 08:00–11:30`), so the title has room.
/// Times are the reader's (`readerStart`) when eventd gave them, the event's own time and zone
/// marked beside: `03/03/2017 14:00–17:30 (08:00–11:30 Europe/Paris)`.
func printEventTable(_ events: [EventView], lang: String = "en") {
    let vi = lang == "vi"
    let kinds = [
        "conference": "hội nghị", "signing": "lễ ký kết", "workshop": "hội thảo", "visit": "làm việc", "ceremony": "buổi lễ",
        "meeting": "cuộc họp", "online": "trực tuyến",
    ]
    let states = ["tentative": "dự kiến", "confirmed": "chính thức", "cancelled": "hủy"]
    func kind(_ e: EventView) -> String { vi ? kinds[e.kind] ?? e.kind : e.kind }
    func state(_ e: EventView) -> String { vi ? states[e.status] ?? e.status : e.status }
    func place(_ e: EventView) -> String { [e.room, e.location ?? e.link].compactMap { $0 }.joined(separator: ", ") }
    if Terminal.width != nil {
        return printTable(
            header: vi ? ["ID", "THỜI GIAN", "LOẠI", "TÌNH TRẠNG", "NỘI DUNG", "ĐỊA ĐIỂM"] : ["ID", "WHEN", "KIND", "STATUS", "TITLE", "PLACE"],
            rows: events.map { e in
                func when(_ startISO: String, _ endISO: String) -> String {
                    let start = displayTime(startISO, dateOnly: e.allDay)
                    let end = e.allDay ? lastDay(endISO) : displayTime(endISO)
                    return start == end ? start : end.prefix(10) == start.prefix(10) ? "\(start)–\(end.suffix(5))" : "\(start) – \(end)"
                }
                guard let start = e.readerStart, let end = e.readerEnd else {
                    return [String(e.id), when(e.start, e.end), kind(e), state(e), e.title, place(e)]
                }
                // The event's own span, its day dropped when it is the reader's.
                let own = when(e.start, e.end)
                let mark = own.prefix(10) == displayTime(start).prefix(10) ? String(own.dropFirst(11)) : own
                return [String(e.id), "\(when(start, end)) (\(mark) \(e.tz))", kind(e), state(e), e.title, place(e)]
            }, wrapping: [4, 5])
    }
    printTable(
        header: vi ? ["ID", "BẮT ĐẦU", "KẾT THÚC", "LOẠI", "TÌNH TRẠNG", "NỘI DUNG", "ĐỊA ĐIỂM"] : ["ID", "START", "END", "KIND", "STATUS", "TITLE", "LOCATION"],
        rows: events.map { e in
            [
                String(e.id), e.allDay ? displayTime(e.start, dateOnly: true) : readerTime(e.readerStart, own: e.start, zone: e.tz),
                e.allDay ? lastDay(e.end) : readerTime(e.readerEnd, own: e.end, zone: e.tz), kind(e), state(e), e.title, place(e),
            ]
        })
}

/// `--in ZONE` of the reading commands: the zone the reader wants times in, else `$EVENTD_TZ`;
/// neither: eventd's own zone (eventd converts: eventctl has no zone database of its own).
struct ReaderZone: ParsableArguments {
    @Option(
        name: .customLong("in"),
        help: ArgumentHelp(
            "IANA zone to show times in (default: $EVENTD_TZ, else eventd's); where an event's zone differs, its own time and zone are marked beside.",
            valueName: "zone"))
    var zone: String?

    var value: String? {
        if let zone { return zone }
        guard let env = ProcessInfo.processInfo.environment["EVENTD_TZ"], !env.isEmpty else { return nil }
        return env
    }

    var query: [(String, String)] { value.map { [("tz", $0)] } ?? [] }

    /// The client, naming `--in` or `$EVENTD_TZ` when eventd refuses the zone.
    func client(_ connection: Connection) -> APIClient {
        var client = connection.client
        if value != nil { client.origins["tz"] = zone != nil ? "--in" : "$EVENTD_TZ" }
        return client
    }
}

/// `--lang` of list and search: the language of headings, kinds and states.
struct LangOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Language of the headings, kinds and states: en (default) or vi.", valueName: "lang"))
    var lang = LangChoice.en
}

/// The day before an exclusive whole-day end (`2022-07-06T00:00:00+07:00`), day first: `05/07/2022`.
func lastDay(_ iso: String) -> String {
    let parts = iso.prefix(10).split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3 else { return displayTime(iso, dateOnly: true) }
    // An end inside a day (a register written before ends were midnights) takes that day in.
    if iso.count >= 19, !iso.dropFirst(11).hasPrefix("00:00:00") { return displayTime(iso, dateOnly: true) }
    var (y, m, d) = (parts[0], parts[1], parts[2] - 1)
    if d == 0 {
        m -= 1
        if m == 0 { (m, y) = (12, y - 1) }
        d = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(two(d))/\(two(m))/\(y)"
}

/// How many rows a listing prints: a table stops at `--limit` (100 unless given) and says how to
/// see the rest; `--json` gives every row unless `--limit` is given, so scripts never get a part
/// without asking for one.
struct Paging: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Print at most this many (a table prints 100 unless given; --json prints all).", valueName: "n"))
    var limit: Int?
    @Flag(name: .long, help: "Print all of them, however many.") var all = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if all, limit != nil { throw ValidationError("give --limit or --all, not both") }
    }

    /// The most a table shows; nil: all.
    var tableLimit: Int? { all ? nil : limit ?? 100 }

    /// The query that asks eventd for one row more than a table shows, to know whether more exist.
    func query(json: Bool) -> [(String, String)] {
        if json { return limit.map { [("limit", String($0))] } ?? [] }
        return tableLimit.map { [("limit", String($0 + 1))] } ?? []
    }

    /// The rows a table prints; says on stderr how to see the ones left out.
    func shown<T>(_ rows: [T], what: String, narrow: String) -> [T] {
        guard let most = tableLimit, rows.count > most else { return rows }
        printError("showing the first \(most) \(what); --all shows every one, --limit N that many, \(narrow) narrow them")
        return Array(rows.prefix(most))
    }
}

// Choices the client knows: swift-argument-parser checks them, lists them in --help and completes them.
enum AgendaFormat: String, ExpressibleByArgument, CaseIterable { case text, json, ics }
enum ScheduleFormat: String, ExpressibleByArgument, CaseIterable { case text, html, pdf, json }
enum ICSMethod: String, ExpressibleByArgument, CaseIterable { case publish, request, cancel }
enum NoticeStateChoice: String, ExpressibleByArgument, CaseIterable { case pending, sending, sent, failed, skipped }
// The raw values are what eventd reads (EventModel's EventKind, EventStatus, Role and Language), exactly that set.
enum KindChoice: String, ExpressibleByArgument, CaseIterable { case conference, signing, workshop, visit, ceremony, meeting, online }
enum StatusChoice: String, ExpressibleByArgument, CaseIterable { case tentative, confirmed, cancelled }
enum RoleChoice: String, ExpressibleByArgument, CaseIterable { case organizer, chair, speaker, witness, attendee }
enum LangChoice: String, ExpressibleByArgument, CaseIterable { case vi, en }
