internal import CLibical
import EventModel

/// The parts of a VEVENT eventd does not model (TRANSP, CLASS, PRIORITY, GEO, ATTACH, COMMENT,
/// RESOURCES, X- properties, someone else's CATEGORIES, the VALARMs, …), kept as iCalendar text
/// when an event is imported and written back when it is exported, so that a round trip
/// through eventd loses nothing it cannot show.
///
/// The text is the content lines, unfolded, joined by CRLF. ORGANIZER and ATTENDEE lines are in
/// it too, but only lend their other parameters (CUTYPE, RSVP, DELEGATED-FROM, SENT-BY, …) to the
/// people eventd writes: someone taken off the event is not brought back by them.
enum KeptProperties {
    /// Properties eventd reads into its own fields and writes itself.
    private static let modeled: Set<String> = [
        "UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION", "LOCATION", "STATUS", "SEQUENCE",
        "CREATED", "LAST-MODIFIED", "RRULE", "EXDATE", "RDATE", "RECURRENCE-ID", "URL", "X-LIC-ERROR", "X-EVENTD-KIND", "X-EVENTD-VISITING", "X-EVENTD-HOST", "X-EVENTD-ROOM", "X-EVENTD-PREPARE", placeholder,
    ]

    /// Marks a kept ORGANIZER or ATTENDEE line eventd could not make a person of: written back as it was.
    static let asIsParameter = "X-EVENTD-ASIS"

    /// The property the writer puts where the kept text goes, replaced once libical has serialised the VEVENT.
    static let placeholder = "X-EVENTD-KEPT"

    /// The kept text of a VEVENT: its lines as the file wrote them (libical would reformat GEO,
    /// drop REQUEST-STATUS's extra data, or lose what it cannot read), minus what eventd models,
    /// minus the properties libical refused there (they could not be read back), and its VALARMs
    /// and other components whole, unless libical could not read an alarm's TRIGGER or ACTION.
    /// CATEGORIES are kept unless each names one of our kinds; RELATED-TO is ours in a calendar
    /// eventd wrote (it ties a session to its event). Under `LibICal.locked`.
    static func collect(from vevent: OpaquePointer, outline: Outline, index: Int?, categories: [String], writtenByEventd: Bool) -> String? {
        guard let index else { return nil }
        var skipped = modeled
        if !categories.isEmpty, categories.allSatisfy({ EventKind(rawValue: $0.lowercased()) != nil }) { skipped.insert("CATEGORIES") }
        if writtenByEventd { skipped.insert("RELATED-TO") }
        // A property libical refused in this VEVENT is not written back.
        for error in LibICal.properties(vevent, ICAL_XLICERROR_PROPERTY) {
            if let name = LibICal.copy(icalproperty_get_xlicerror(error)).flatMap(errorProperty) { skipped.insert(name) }
        }
        var lines = outline.directLines(ofComponent: index).filter { !skipped.contains($0.name) && isContentLine($0.text) }.map(\.text)
        let libicalChildren = LibICal.children(vevent, ICAL_ANY_COMPONENT)
        for (n, child) in outline.children(ofComponent: index).enumerated() {
            let name = outline.components[child].name
            if name == "VALARM", n < libicalChildren.count, icalcomponent_isa(libicalChildren[n]) == ICAL_VALARM_COMPONENT {
                let alarm = libicalChildren[n]
                if icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY) == nil || icalcomponent_get_first_property(alarm, ICAL_ACTION_PROPERTY) == nil {
                    // An alarm without its trigger or action is no alarm (RFC 5545 3.6.6), and khal's
                    // listing stops at it, showing nothing of the calendar.
                    continue
                }
                var skip: Set<String> = ["X-LIC-ERROR"]
                for error in LibICal.properties(alarm, ICAL_XLICERROR_PROPERTY) {
                    if let refused = LibICal.copy(icalproperty_get_xlicerror(error)).flatMap(errorProperty) { skip.insert(refused) }
                }
                lines += outline.rawText(ofComponent: child, skipping: skip).filter(isContentLine)
            } else {
                lines += outline.rawText(ofComponent: child, skipping: ["X-LIC-ERROR"]).filter(isContentLine)
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\r\n")
    }

    /// Whether `line` (unfolded) is an RFC 5545 3.1 content line: a name, parameters whose values
    /// are quoted or hold no `;`, `:`, `,` or `"`, then `:` and a value without control characters.
    /// A kept line that is not one (a broken fold, `X-P=a\;b` with the `;` unquoted) is not written
    /// back: libical passes such lines through, but stricter readers (vobject) then refuse the
    /// whole calendar, a feed of every event.
    static func isContentLine(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        var i = 0
        func name() -> Bool {
            let start = i
            while i < bytes.count, bytes[i] == UInt8(ascii: "-") || (bytes[i] < 0x80 && (Character(Unicode.Scalar(bytes[i])).isLetter || Character(Unicode.Scalar(bytes[i])).isNumber)) { i += 1 }
            return i > start
        }
        guard name() else { return false }
        while i < bytes.count, bytes[i] == UInt8(ascii: ";") {
            i += 1
            guard name(), i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return false }
            repeat {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    i += 1
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                        if bytes[i] < 0x20 && bytes[i] != 0x09 { return false }
                        i += 1
                    }
                    guard i < bytes.count else { return false }
                    i += 1
                } else {
                    while i < bytes.count, ![UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "\"")].contains(bytes[i]) {
                        // A backslash escapes nothing in a parameter (RFC 6868 uses ^): `\;` splits it.
                        if (bytes[i] < 0x20 && bytes[i] != 0x09) || bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ";") { return false }
                        i += 1
                    }
                }
            } while i < bytes.count && bytes[i] == UInt8(ascii: ",")
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
        return !bytes[(i + 1)...].contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }

    /// The property a libical error note is about (`No value for CLASS property`, `DTSTART: Parse error …`).
    private static func errorProperty(_ message: String) -> String? {
        let words = message.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "." }).map(String.init)
        if let i = words.firstIndex(of: "property"), i > 0, words[i - 1].uppercased() == words[i - 1] { return words[i - 1] }
        if let first = words.first, first.uppercased() == first, first.count > 1, first.allSatisfy({ $0.isLetter || $0 == "-" }) { return first }
        return nil
    }

    /// The kept lines to splice into the serialised VEVENT: all but the ORGANIZER and ATTENDEEs
    /// eventd made people of (it writes those itself); those it could not are written as they
    /// were, the ORGANIZER only when eventd writes none.
    static func lines(_ text: String, organizerWritten: Bool) -> [String] {
        text.components(separatedBy: "\r\n").compactMap { line in
            let upper = line.uppercased()
            let isOrganizer = upper.hasPrefix("ORGANIZER;") || upper.hasPrefix("ORGANIZER:")
            guard isOrganizer || upper.hasPrefix("ATTENDEE;") || upper.hasPrefix("ATTENDEE:") else { return line }
            let marker = ";" + asIsParameter + "=TRUE"
            guard let range = line.range(of: marker, options: .caseInsensitive) else { return nil }
            if isOrganizer, organizerWritten { return nil }
            return line.replacingCharacters(in: range, with: "")
        }
    }

    /// Replaces each `X-EVENTD-KEPT:n` line of libical's output with the lines of `blocks[n]`.
    static func splice(_ text: String, _ blocks: [[String]]) -> String {
        guard !blocks.isEmpty else { return text }
        let prefix = placeholder + ":"
        var out: [Substring] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(prefix), let n = Int(line.dropFirst(prefix.count)), blocks.indices.contains(n) {
                out += blocks[n].map { Substring($0) }
            } else {
                out.append(line)
            }
        }
        return out.joined(separator: "\r\n")
    }

    private static func removeErrors(_ component: OpaquePointer) {
        for property in LibICal.properties(component, ICAL_XLICERROR_PROPERTY) {
            icalcomponent_remove_property(component, property)
            icalproperty_free(property)
        }
        for child in LibICal.children(component, ICAL_ANY_COMPONENT) { removeErrors(child) }
    }

    /// What the kept text holds, parsed; the caller frees `component`. Under `LibICal.locked`.
    struct Parsed {
        let component: OpaquePointer
        var hasCategories: Bool { icalcomponent_get_first_property(component, ICAL_CATEGORIES_PROPERTY) != nil }
        var hasAlarms: Bool { icalcomponent_get_first_component(component, ICAL_VALARM_COMPONENT) != nil }

        /// Gives the ORGANIZER and ATTENDEEs of `vevent` the parameters their kept lines had and
        /// eventd does not write (CUTYPE, RSVP, SENT-BY, DELEGATED-FROM, X- parameters, …).
        func lendParameters(to vevent: OpaquePointer) {
            for kind in [ICAL_ORGANIZER_PROPERTY, ICAL_ATTENDEE_PROPERTY] {
                let kept = LibICal.properties(component, kind)
                guard !kept.isEmpty else { continue }
                for property in LibICal.properties(vevent, kind) {
                    guard let address = Self.address(property),
                        let source = kept.first(where: { Self.address($0) == address })
                    else { continue }
                    for parameter in LibICal.parameters(source, ICAL_ANY_PARAMETER) where !Self.has(property, like: parameter) {
                        icalproperty_add_parameter(property, icalparameter_new_clone(parameter))
                    }
                }
            }
        }

        private static func address(_ property: OpaquePointer) -> String? {
            guard let value = LibICal.take(icalproperty_get_value_as_string_r(property)) else { return nil }
            let lower = value.lowercased()
            return lower.hasPrefix("mailto:") ? String(lower.dropFirst(7)) : lower
        }

        /// Whether `property` has a parameter of the same name as `parameter` already (CN, ROLE,
        /// PARTSTAT and X-EVENTD-ROLE are eventd's to say).
        private static func has(_ property: OpaquePointer, like parameter: OpaquePointer) -> Bool {
            let kind = icalparameter_isa(parameter)
            if kind == ICAL_X_PARAMETER || kind == ICAL_IANA_PARAMETER {
                let name = LibICal.copy(kind == ICAL_X_PARAMETER ? icalparameter_get_xname(parameter) : icalparameter_get_iana_name(parameter))?.uppercased()
                if name == "X-EVENTD-ROLE" { return true }
                return LibICal.parameters(property, kind).contains {
                    LibICal.copy(kind == ICAL_X_PARAMETER ? icalparameter_get_xname($0) : icalparameter_get_iana_name($0))?.uppercased() == name
                }
            }
            if kind == ICAL_PARTSTAT_PARAMETER {
                // A reply eventd has no word for (DELEGATED, COMPLETED, an X- value) stands where eventd says
                // only NEEDS-ACTION: it cannot have been changed since, so the file's is the truer one.
                let kept = icalparameter_get_partstat(parameter)
                let ours = icalproperty_get_first_parameter(property, ICAL_PARTSTAT_PARAMETER).map { icalparameter_get_partstat($0) }
                let known = [ICAL_PARTSTAT_NEEDSACTION, ICAL_PARTSTAT_ACCEPTED, ICAL_PARTSTAT_DECLINED, ICAL_PARTSTAT_TENTATIVE]
                if ours == ICAL_PARTSTAT_NEEDSACTION, !known.contains(kept), let existing = icalproperty_get_first_parameter(property, ICAL_PARTSTAT_PARAMETER) {
                    icalproperty_remove_parameter_by_ref(property, existing)
                    return false
                }
                return true
            }
            if [ICAL_CN_PARAMETER, ICAL_ROLE_PARAMETER].contains(kind) { return true }
            return icalproperty_get_first_parameter(property, kind) != nil
        }
    }

    /// The kept text parsed into a component, or nil when there is none or libical cannot read
    /// it (it was written by libical, so that would be a bug: the event is then written without it).
    static func parse(_ text: String?) -> Parsed? {
        guard let text, !text.isEmpty else { return nil }
        guard let component = icalparser_parse_string("BEGIN:VEVENT\r\n" + text + "\r\nEND:VEVENT\r\n") else { return nil }
        guard icalcomponent_isa(component) == ICAL_VEVENT_COMPONENT else {
            icalcomponent_free(component)
            return nil
        }
        // Reading a kept value again can make libical note an error (a value it will not take in
        // this place); such notes are libical's, never written out.
        removeErrors(component)
        return Parsed(component: component)
    }
}
