import EventModel
import Foundation

/// A quick pass over the raw text before libical sees it: libical returns NULL without a word
/// for an unterminated component and keeps no line numbers, so component nesting, counts and
/// the line of every component and property are taken from here.
struct Outline {
    struct Line {
        var number: Int  // 1-based physical line where the (unfolded) content line starts
        var name: String  // property name, upper-cased
        var value: String
        /// Index in `components` of the component the line sits directly in (-1: none).
        var owner: Int
        /// The whole content line, unfolded, as the file wrote it.
        var text: String
    }
    struct Component {
        var name: String
        var begin: Int
        var end: Int
        /// Index in `components` of the component it sits in (-1: none).
        var parent: Int = -1
    }

    private(set) var lines: [Line] = []
    /// Components in document (pre-)order, as libical also builds them.
    private(set) var components: [Component] = []

    init(_ text: String) throws(CalendarError) {
        var physical = 0
        var logical: [(number: Int, text: String)] = []
        // Lines end in CRLF by the RFC, but LF alone is common; a line starting with space or tab continues the previous one.
        // Swift treats CRLF as one Character, so split on Characters, not on "\n".
        var afterBlank = false
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            physical += 1
            if line.contains("\0") { throw .malformed(line: physical, component: nil, message: "contains a NUL character") }
            defer { afterBlank = line.isEmpty }
            if let first = line.first, first == " " || first == "\t", !logical.isEmpty {
                // Blank lines between components are harmless; inside a folded line they break it.
                if afterBlank { throw .malformed(line: physical - 1, component: nil, message: "a blank line inside a folded content line") }
                logical[logical.count - 1].text += line.dropFirst()  // folded continuation
                try CalendarBounds.check(lineLength: logical[logical.count - 1].text.utf8.count, line: logical[logical.count - 1].number)
            } else if !line.isEmpty {
                logical.append((physical, String(line)))
                try CalendarBounds.check(lineLength: line.utf8.count, line: physical)
            }
        }
        var stack: [(name: String, begin: Int, index: Int, properties: Int, children: Int)] = []
        for (lineIndex, (number, text)) in logical.enumerated() {
            if lineIndex % 1024 == 0, let reason = WorkBudget.exceeded() { throw .malformed(line: number, component: nil, message: reason) }
            let name = text.prefix { $0 != ":" && $0 != ";" }.uppercased()
            let value = text.firstIndex(of: ":").map { String(text[text.index(after: $0)...]) } ?? ""
            lines.append(Line(number: number, name: name, value: value, owner: stack.last?.index ?? -1, text: text))
            switch name {
            case "BEGIN":
                let kind = value.trimmingCharacters(in: .whitespaces).uppercased()
                if stack.isEmpty, kind != "VCALENDAR" {
                    throw .malformed(line: number, component: nil, message: "expected BEGIN:VCALENDAR, found BEGIN:\(kind)")
                }
                if let parent = stack.last {
                    // A VCALENDAR's children are bounded by the request's bytes, but for its VTIMEZONEs.
                    if parent.name != "VCALENDAR" || kind == "VTIMEZONE" {
                        stack[stack.count - 1].children += 1
                        try CalendarBounds.check(children: parent.children + 1, of: parent.name, kind: kind, line: number)
                    }
                }
                guard stack.count < CalendarBounds.depth else {
                    throw .malformed(line: number, component: stack.last?.name,
                                     message: "components are nested more than \(CalendarBounds.depth) deep; eventd reads at most \(CalendarBounds.depth) (calendar bounds)")
                }
                stack.append((kind, number, components.count, 0, 0))
                components.append(Component(name: kind, begin: number, end: number, parent: stack.count > 1 ? stack[stack.count - 2].index : -1))
            case "END":
                let kind = value.trimmingCharacters(in: .whitespaces).uppercased()
                guard let open = stack.popLast() else {
                    throw .malformed(line: number, component: nil, message: "END:\(kind) without a matching BEGIN")
                }
                guard open.name == kind else {
                    throw .malformed(line: number, component: open.name,
                                     message: "END:\(kind) does not close BEGIN:\(open.name) of line \(open.begin)")
                }
                components[open.index].end = number
            default:
                if stack.isEmpty {
                    throw .malformed(line: number, component: nil, message: "\(text.prefix(40).debugDescription) is outside any component; expected BEGIN:VCALENDAR")
                }
                if !text.contains(":") {
                    throw .malformed(line: number, component: stack.last?.name, message: "\(text.prefix(40).debugDescription) is not a content line (NAME:value)")
                }
                if name == "DURATION" || name == "TRIGGER" || name == "RDATE" { try CalendarBounds.checkNumbers(value, name: name, line: number, in: stack[stack.count - 1].name) }
                stack[stack.count - 1].properties += 1
                try CalendarBounds.check(properties: stack[stack.count - 1].properties, parameters: Self.parameterCount(text),
                                         in: stack[stack.count - 1].name, name: name, line: number)
            }
        }
        if let open = stack.last {
            throw .malformed(line: open.begin, component: open.name, message: "BEGIN:\(open.name) is never closed (no END:\(open.name))")
        }
        if components.isEmpty { throw .malformed(line: nil, component: nil, message: "no BEGIN:VCALENDAR found; this is not an iCalendar file") }
        byOwner = Dictionary(grouping: lines.filter { $0.name != "BEGIN" && $0.name != "END" }, by: \.owner)
        childrenOf = Dictionary(grouping: components.indices.filter { components[$0].parent >= 0 }, by: { components[$0].parent })
    }

    /// The parameters of a content line: the unquoted `;` before its first unquoted `:`.
    static func parameterCount(_ text: String) -> Int {
        var count = 0
        var quoted = false
        for byte in text.utf8 {
            switch byte {
            case 34: quoted.toggle()  // "
            case 59 where !quoted: count += 1  // ;
            case 58 where !quoted: return count  // :
            default: break
            }
        }
        return count
    }

    /// The first line named `property` directly inside component number `index` (not inside a VALARM of it).
    func line(of property: String, inComponent index: Int) -> Int? {
        directLines(ofComponent: index).first { $0.name == property }?.number
    }

    /// The content lines directly inside component number `index`, without its BEGIN and END and
    /// without the lines of the components nested in it.
    func directLines(ofComponent index: Int) -> [Line] {
        byOwner[index] ?? []
    }

    /// The components directly inside component number `index`, in order.
    func children(ofComponent index: Int) -> [Int] {
        childrenOf[index] ?? []
    }

    private(set) var childrenOf: [Int: [Int]] = [:]

    /// The component's text as the file wrote it, unfolded: BEGIN, its lines and nested components, END.
    func rawText(ofComponent index: Int, skipping skipped: Set<String> = []) -> [String] {
        var out = ["BEGIN:" + components[index].name]
        out += directLines(ofComponent: index).filter { !skipped.contains($0.name) }.map(\.text)
        for child in children(ofComponent: index) { out += rawText(ofComponent: child, skipping: skipped) }
        out.append("END:" + components[index].name)
        return out
    }

    /// Property lines by the component they sit directly in.
    private(set) var byOwner: [Int: [Line]] = [:]

    /// A VCALENDAR with some of its components: what libical parses at one time.
    struct Chunk {
        var calendar: Int
        var children: [Int]
    }

    /// The file cut into calendars of at most `events` VEVENTs each, so that libical's tree (ten
    /// times the text) is never built for a whole export at once. Every chunk of a calendar
    /// repeats its properties and VTIMEZONEs; its other components go with the first chunk.
    func chunks(events: Int) -> [Chunk] {
        var out: [Chunk] = []
        for calendar in components.indices where components[calendar].parent < 0 {
            let children = self.children(ofComponent: calendar)
            let vevents = children.filter { components[$0].name == "VEVENT" }
            let zones = children.filter { components[$0].name == "VTIMEZONE" }
            let rest = children.filter { components[$0].name != "VEVENT" && components[$0].name != "VTIMEZONE" }
            var start = 0
            repeat {
                let slice = vevents[start..<min(start + events, vevents.count)]
                out.append(Chunk(calendar: calendar, children: zones + (start == 0 ? rest : []) + slice))
                start += events
            } while start < vevents.count
        }
        return out
    }

    /// The chunk's text, one unfolded line each (libical reads long lines as well as folded ones).
    func text(of chunk: Chunk) -> String {
        var lines = ["BEGIN:" + components[chunk.calendar].name]
        lines += directLines(ofComponent: chunk.calendar).map(\.text)
        for child in chunk.children { lines += rawText(ofComponent: child) }
        lines.append("END:" + components[chunk.calendar].name)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The chunk's components in the order libical builds them (pre-order of what `text` writes).
    func preorder(of chunk: Chunk) -> [Int] {
        func subtree(_ index: Int) -> [Int] { [index] + children(ofComponent: index).flatMap(subtree) }
        return [chunk.calendar] + chunk.children.flatMap(subtree)
    }
}
