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

    init(_ text: String, maxComponents: Int) throws(CalendarError) {
        var physical = 0
        var logical: [(number: Int, text: String)] = []
        // Lines end in CRLF by the RFC, but LF alone is common; a line starting with space or tab continues the previous one.
        // Swift treats CRLF as one Character, so split on Characters, not on "\n".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            physical += 1
            if line.contains("\0") { throw .malformed(line: physical, component: nil, message: "contains a NUL character") }
            if let first = line.first, first == " " || first == "\t", !logical.isEmpty {
                logical[logical.count - 1].text += line.dropFirst()  // folded continuation
            } else if !line.isEmpty {
                logical.append((physical, String(line)))
            }
        }
        var stack: [(name: String, begin: Int, index: Int)] = []
        for (number, text) in logical {
            let name = text.prefix { $0 != ":" && $0 != ";" }.uppercased()
            let value = text.firstIndex(of: ":").map { String(text[text.index(after: $0)...]) } ?? ""
            lines.append(Line(number: number, name: name, value: value, owner: stack.last?.index ?? -1, text: text))
            switch name {
            case "BEGIN":
                let kind = value.trimmingCharacters(in: .whitespaces).uppercased()
                if stack.isEmpty, kind != "VCALENDAR" {
                    throw .malformed(line: number, component: nil, message: "expected BEGIN:VCALENDAR, found BEGIN:\(kind)")
                }
                stack.append((kind, number, components.count))
                components.append(Component(name: kind, begin: number, end: number, parent: stack.count > 1 ? stack[stack.count - 2].index : -1))
                if components.count > maxComponents { throw .tooManyComponents(count: components.count, limit: maxComponents) }
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
            }
        }
        if let open = stack.last {
            throw .malformed(line: open.begin, component: open.name, message: "BEGIN:\(open.name) is never closed (no END:\(open.name))")
        }
        if components.isEmpty { throw .malformed(line: nil, component: nil, message: "no BEGIN:VCALENDAR found; this is not an iCalendar file") }
        byOwner = Dictionary(grouping: lines.filter { $0.name != "BEGIN" && $0.name != "END" }, by: \.owner)
        childrenOf = Dictionary(grouping: components.indices.filter { components[$0].parent >= 0 }, by: { components[$0].parent })
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
}
