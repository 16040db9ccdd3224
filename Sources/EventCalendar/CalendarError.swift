/// Why an iCalendar text, rule or event could not be handled, worded for the person who sent it.
public enum CalendarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is longer than the caller allows.
    case tooLarge(bytes: Int, limit: Int)
    /// The text is not acceptable iCalendar; `line` (1-based, physical) and `component`
    /// (e.g. `VEVENT "uid"`) say where, when known.
    case malformed(line: Int?, component: String?, message: String)
    /// An RRULE that libical cannot read or that we refuse to expand.
    case invalidRule(rule: String, message: String)
    /// A zone that is neither an IANA name known to the system nor defined in the file.
    case unknownTimeZone(String)
    /// A value passed by the caller is out of range.
    case invalid(field: String, message: String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            "the calendar is \(bytes) bytes long; at most \(limit) are accepted"
        case .malformed(let line, let component, let message):
            [line.map { "line \($0)" }, component].compactMap { $0 }.joined(separator: ", ")
                + (line == nil && component == nil ? "" : ": ") + message
        case .invalidRule(let rule, let message):
            "RRULE \(rule.debugDescription): \(message)"
        case .unknownTimeZone(let name):
            "unknown time zone \(name.debugDescription)"
        case .invalid(let field, let message):
            "\(field): \(message)"
        }
    }
}
