internal import CLibical
import EventModel

/// How much of a calendar eventd reads, chosen so that the work a file drives grows with its
/// size alone. Real calendars stay far inside: an event holds tens of properties (a few hundred
/// with a large list of attendees), a component nests three deep (VCALENDAR, VEVENT, VALARM),
/// a file names a handful of zones, and a zone changes its offset a few times a year. The
/// number of events is bounded by the bytes a request may send (`max_import_bytes`).
public enum CalendarBounds {
    /// Most levels of components inside one another, VCALENDAR included.
    public static let depth = 6
    /// Most property lines directly inside one component.
    public static let propertiesPerComponent = 5_000
    /// Most parameters of one property.
    public static let parametersPerProperty = 100
    /// Most components directly inside one component other than a VCALENDAR (VALARMs of an
    /// event, observances of a VTIMEZONE).
    public static let componentsPerComponent = 1_000
    /// Most VTIMEZONEs in one VCALENDAR (every chunk of an import reads them all again).
    public static let timeZonesPerCalendar = 200
    /// Most offset changes one VTIMEZONE observance may give from its DTSTART to 2036, the year
    /// libical expands zones to: its rule is expanded whole the first time a time is read in it.
    public static let changesPerObservance = 5_000
    /// The longest content line, unfolded: libical's parser takes time that grows faster than a
    /// line's length (a 4 MB DESCRIPTION: 2.5 s, 20 MB: 80 s); an agenda's text is a few KB.
    public static let longestLine = 256 << 10
    /// The longest DURATION (of an event or an RDATE period): 100 years.
    public static let longestDuration: Int64 = 100 * 365 * 86_400

    static func check(children: Int, of parent: String, kind: String, line: Int) throws(CalendarError) {
        if parent == "VCALENDAR" {
            if children > timeZonesPerCalendar {
                throw .malformed(line: line, component: "VCALENDAR", message: "more than \(timeZonesPerCalendar) VTIMEZONEs; eventd reads at most \(timeZonesPerCalendar) (calendar bounds)")
            }
            return
        }
        if children > componentsPerComponent {
            throw .malformed(line: line, component: parent, message: "more than \(componentsPerComponent) components inside one \(parent); eventd reads at most \(componentsPerComponent) (calendar bounds)")
        }
    }

    /// libical keeps the numbers of a duration in 32 bits and wraps larger ones without a word
    /// (`PT1099511627776S` reads as no time at all): a number of more digits than 32 bits hold is
    /// refused here, before libical sees it.
    static func checkNumbers(_ value: String, name: String, line: Int, in component: String) throws(CalendarError) {
        var digits = 0
        var number: Int64 = 0
        for byte in value.utf8 {
            if (48...57).contains(byte) {
                digits += 1
                number = digits > 12 ? number : number * 10 + Int64(byte - 48)
                if digits > 12 || number > Int64(Int32.max) {
                    throw .malformed(line: line, component: component, message: "\(name) holds a number past \(Int32.max), more than any duration eventd takes (100 years; calendar bounds)")
                }
            } else {
                digits = 0
                number = 0
            }
        }
    }

    static func check(lineLength: Int, line: Int) throws(CalendarError) {
        if lineLength > longestLine {
            throw .malformed(line: line, component: nil, message: "a content line of more than \(longestLine / 1024) KiB; eventd reads lines of at most \(longestLine / 1024) KiB (calendar bounds)")
        }
    }

    static func check(properties: Int, parameters: Int, in component: String, name: String, line: Int) throws(CalendarError) {
        if properties > propertiesPerComponent {
            throw .malformed(line: line, component: component, message: "more than \(propertiesPerComponent) properties in one \(component); eventd reads at most \(propertiesPerComponent) (calendar bounds)")
        }
        if parameters > parametersPerProperty {
            throw .malformed(line: line, component: component, message: "\(name) has more than \(parametersPerProperty) parameters; eventd reads at most \(parametersPerProperty) (calendar bounds)")
        }
    }

    /// Refuses an observance (STANDARD or DAYLIGHT) whose RRULE gives more changes than a zone
    /// can have, before libical expands it without a bound of its own. Counts with libical's
    /// iterator, at most `changesPerObservance` steps. Must be called under `LibICal.locked`.
    /// Most offset changes the rules of all the VTIMEZONEs of one file give before 2036 together.
    public static let changesPerFile = 20_000

    static func checkZones(in outline: Outline) throws(CalendarError) {
        var changes = 0
        for (index, component) in outline.components.enumerated() where component.name == "VTIMEZONE" {
            let zone = outline.directLines(ofComponent: index).first { $0.name == "TZID" }?.value ?? "?"
            for observance in outline.children(ofComponent: index) {
                let lines = outline.directLines(ofComponent: observance)
                guard let start = lines.first(where: { $0.name == "DTSTART" })?.value else { continue }
                for rule in lines where rule.name == "RRULE" {
                    changes += try checkObservance(rule: rule.value, start: start, zone: zone, line: rule.number)
                    if changes > changesPerFile {
                        throw .malformed(
                            line: rule.number, component: "VTIMEZONE \(zone.debugDescription)",
                            message: "the file's zone rules give more than \(changesPerFile) offset changes before 2036 in all; eventd reads at most \(changesPerFile) (calendar bounds)")
                    }
                }
            }
        }
    }

    /// The changes one observance's rule gives before 2036. A zone's offsets change on a date of
    /// the year: an observance rule repeats yearly (every zone of the tz database, Outlook's,
    /// RFC 5545's examples). A finer one is refused before any expansion, since a single step of
    /// libical's iterator for a rule that never matches (FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30)
    /// runs through every second to the iterator's end without returning.
    static func checkObservance(rule text: String, start: String, zone: String, line: Int) throws(CalendarError) -> Int {
        let where_ = "VTIMEZONE \(zone.debugDescription)"
        clibical_clear_errno()
        let rule = icalrecurrencetype_from_string(text)
        defer { free(rule.rscale) }
        var begin = icaltime_from_string(start)
        guard clibical_errno() == ICAL_NO_ERROR, rule.freq != ICAL_NO_RECURRENCE, icaltime_is_null_time(begin) == 0 else {
            clibical_clear_errno()
            return 0  // libical's own parse reports what it cannot read
        }
        guard rule.freq == ICAL_YEARLY_RECURRENCE else {
            throw .malformed(
                line: line, component: where_,
                message: "the rule RRULE:\(text) is not yearly; a zone's offset changes on dates of the year, and eventd reads only FREQ=YEARLY observance rules (calendar bounds)")
        }
        begin.zone = nil
        guard let iterator = icalrecur_iterator_new(rule, begin) else {
            clibical_clear_errno()
            return 0
        }
        defer { icalrecur_iterator_free(iterator) }
        var changes = 0
        while true {
            let next = icalrecur_iterator_next(iterator)
            if icaltime_is_null_time(next) != 0 || next.year > 2036 { return changes }
            changes += 1
            if changes > changesPerObservance {
                throw .malformed(
                    line: line, component: where_,
                    message: "the rule RRULE:\(text) gives more than \(changesPerObservance) offset changes before 2036 (a zone changes a few times a year); eventd reads at most \(changesPerObservance) (calendar bounds)")
            }
            if changes % 1024 == 0, let reason = WorkBudget.exceeded() { throw .malformed(line: line, component: where_, message: reason) }
        }
    }
}
