internal import CLibical
import EventModel
import Foundation

/// An ORGANIZER or ATTENDEE as read from a VEVENT.
public struct ParsedPerson: Sendable, Equatable {
    /// The calendar address as written: `mailto:…`, `urn:…`.
    public var address: String
    /// The address without `mailto:`, or nil when it is not a mailto address.
    public var email: String?
    /// The CN parameter.
    public var name: String?
    /// The ROLE parameter as written (`CHAIR`, `REQ-PARTICIPANT`, …); nil when absent.
    public var icalRole: String?
    /// Our roles, never empty: `X-EVENTD-ROLE` (comma-separated) when we wrote the file, else one
    /// derived from ROLE (ORGANIZER → organizer, CHAIR → chair, NON-PARTICIPANT → witness, others → attendee).
    public var roles: [Role]
    /// False only for OPT-PARTICIPANT.
    public var required: Bool
    /// PARTSTAT when it is one of ours; nil when absent or another value.
    public var rsvp: RSVPState?
    /// DELEGATED-TO, DELEGATED-FROM and SENT-BY addresses, without `mailto:`.
    public var delegatedTo: String? = nil
    public var delegatedFrom: String? = nil
    public var sentBy: String? = nil
}

/// A PERIOD-valued RDATE: an extra occurrence with its own end.
public struct ParsedPeriod: Sendable, Equatable {
    public var start: Instant
    public var end: Instant
}

/// One VEVENT as read from an iCalendar file, with every time resolved to an instant.
public struct ParsedEvent: Sendable, Equatable {
    public var uid: String
    public var sequence: Int
    public var summary: String?
    public var description: String?
    public var location: String?
    public var url: String?
    public var categories: [String]
    /// `X-EVENTD-KIND`, which eventd writes when the event's CATEGORIES are someone else's.
    public var kind: String?
    public var status: EventStatus?
    public var start: Instant
    /// DTEND, or DTSTART + DURATION, or the next day for a date-only event, or `start`
    /// (RFC 5545 3.6.1: a DATE-TIME DTSTART alone ends when it starts).
    public var end: Instant
    /// The IANA zone of DTSTART: its TZID resolved (IANA names, links such as `Asia/Saigon`,
    /// Windows names, vendor prefixes, the VTIMEZONE's X-LIC-LOCATION or offsets), `UTC` for a `Z`
    /// time, or the calendar's X-WR-TIMEZONE for floating times, dates and (so that they repeat
    /// on that zone's clock, as Google means it) UTC times. Nil: the reader's default zone.
    public var timeZone: String?
    /// DTSTART is a DATE; `start` and `end` are midnights in `timeZone` (or the default zone).
    public var allDay: Bool
    /// DTSTART is a floating time (no TZID, no `Z`): read in `timeZone` or the default zone.
    public var floating: Bool
    public var organizer: ParsedPerson?
    public var attendees: [ParsedPerson]
    /// The first RRULE value as libical writes it back (`FREQ=WEEKLY;COUNT=5;BYDAY=MO`).
    public var rrule: String?
    /// Further RRULEs (RFC 2445 allowed several).
    public var moreRules: [String]
    public var exdates: [Instant]
    /// DATE-valued EXDATEs of a series with times (`YYYY-MM-DD` in the event's zone): every
    /// occurrence on that day is excluded.
    public var exceptionDates: [String]
    /// RDATE values: DATE-TIMEs and DATEs as starts, PERIODs with their own end.
    public var rdates: [Instant]
    public var rdatePeriods: [ParsedPeriod]
    /// RELATED-TO values: for our session VEVENTs, the UID of their event.
    public var relatedTo: [String]
    public var recurrenceID: Instant?
    /// RECURRENCE-ID's date as written (`YYYY-MM-DD`), to match an occurrence of a whole-day series.
    public var recurrenceIDDay: String?
    /// RECURRENCE-ID;RANGE=THISANDFUTURE: the change holds for the later occurrences too.
    public var thisAndFuture: Bool = false
    /// The properties and subcomponents (VALARMs) eventd does not model, as unfolded content
    /// lines joined by CRLF; nil when there are none. ORGANIZER and ATTENDEE lines are included
    /// so that a writer can give them back their other parameters (CUTYPE, RSVP, …).
    public var keptProperties: String?
    /// The calendar was written by eventd (its PRODID): RELATED-TO then marks our sessions.
    public var writtenByEventd: Bool
    /// `VEVENT "uid"`, and the line of each property of it (the first of a name), for messages.
    public var place: String
    public var beginLine: Int?
    public var lines: [String: Int]
    /// COMMENT: what an attendee wrote with a REPLY or COUNTER.
    public var comment: String? = nil
    /// False for a REPLY without DTSTART (RFC 5546 3.2.3 does not require one): then `start`
    /// and `end` mean nothing, and only the UID, SEQUENCE, RECURRENCE-ID and attendees do.
    public var startGiven = true
    /// X-EVENTD-VISITING and X-EVENTD-HOST: the two sides of a working visit, as we write them.
    public var visiting: String? = nil
    public var host: String? = nil
    /// X-EVENTD-ROOM and X-EVENTD-PREPARE: the room the event books and the unit preparing it.
    public var room: String? = nil
    public var prepare: String? = nil

    /// "line N, VEVENT "uid"" for a message about `property` (or the VEVENT).
    public func at(_ property: String? = nil) -> String {
        let line = property.flatMap { lines[$0] } ?? beginLine
        return (line.map { "line \($0), " } ?? "") + place
    }
}

/// An iTIP message (RFC 5546): the calendar's METHOD and its VEVENTs.
public struct ParsedMessage: Sendable, Equatable {
    /// `REQUEST`, `REPLY`, `COUNTER`, `CANCEL`, `PUBLISH`…; nil when the calendar has none.
    public var method: String?
    public var events: [ParsedEvent]
}

/// Reads iCalendar text with libical, refusing what libical flags as broken.
public struct ICalendarReader: Sendable {
    /// Zone for floating times and DATE values when the calendar names none (X-WR-TIMEZONE).
    public var defaultZone: Zone
    /// Longest text accepted, in UTF-8 bytes; there is no limit of components of its own.
    public var maxBytes: Int

    public init(defaultZone: Zone, maxBytes: Int = 1 << 20) {
        self.defaultZone = defaultZone
        self.maxBytes = maxBytes
    }

    /// How many VEVENTs libical parses at once: a bounded tree, whatever the file's size.
    public static let eventsPerChunk = 500

    /// Every VEVENT of every VCALENDAR in `text`, in document order.
    ///
    /// Refused, with the line and component at fault: input over the limit, unbalanced
    /// BEGIN/END, anything libical marks with X-LIC-ERROR (a bad date, a bad parameter value)
    /// except unknown property and parameter names, which are ignored, and empty values (RFC 5545
    /// 3.3.11 allows an empty TEXT), which mean the property is absent; a VEVENT without UID or
    /// DTSTART; a date or time that does not exist (month 13, 30 February, 25:00); an RRULE
    /// libical cannot expand from the DTSTART; a TZID neither defined by a VTIMEZONE in the file
    /// nor an IANA or Windows zone name.
    public func parse(_ text: String) throws(CalendarError) -> [ParsedEvent] {
        try parseMessage(text).events
    }

    /// The METHOD of the (first) calendar and every VEVENT, as `parse` reads them.
    public func parseMessage(_ text: String) throws(CalendarError) -> ParsedMessage {
        let bytes = text.utf8.count
        guard bytes <= maxBytes else { throw .tooLarge(bytes: bytes, limit: maxBytes) }
        // A byte order mark before BEGIN:VCALENDAR (Windows editors write one) is not content.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        // The outline's lines end at CRLF, LF or a bare CR, and libical is given only its
        // rebuilt lines: a bare CR never reaches libical, which would keep it inside a value.
        let outline = try Outline(text)
        try LibICal.locked { () throws(CalendarError) in try CalendarBounds.checkZones(in: outline) }
        let defaultZone = self.defaultZone

        var events: [ParsedEvent] = []
        var method: String?
        // What libical flags comes first, in document order, as when it read the whole file at
        // once: an event it read but eventd cannot take is reported after every chunk is checked.
        var unreadable: CalendarError?
        for chunk in outline.chunks(events: Self.eventsPerChunk) {
            if let reason = WorkBudget.exceeded() { throw .malformed(line: outline.components[chunk.calendar].begin, component: nil, message: reason) }
            let chunkText = outline.text(of: chunk)
            try LibICal.locked { () throws(CalendarError) in
                guard let root = icalparser_parse_string(chunkText), icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT else {
                    throw .malformed(line: outline.components[chunk.calendar].begin, component: nil, message: "libical could not read the calendar")
                }
                defer { icalcomponent_free(root) }
                let places = Places(root: root, outline: outline, components: outline.preorder(of: chunk))
                try places.checkErrors()
                if method == nil, let property = icalcomponent_get_first_property(root, ICAL_METHOD_PROPERTY) {
                    method = LibICal.take(icalproperty_get_value_as_string_r(property))?.uppercased()
                }
                guard unreadable == nil else { return }
                let context = CalendarContext(calendar: root, defaultZone: defaultZone, method: method)
                do throws(CalendarError) {
                    for vevent in LibICal.children(root, ICAL_VEVENT_COMPONENT) {
                        events.append(try EventReading(vevent: vevent, context: context, places: places).read())
                    }
                } catch {
                    unreadable = error
                }
            }
        }
        if let unreadable { throw unreadable }
        return ParsedMessage(method: method, events: events)
    }
}

/// What every VEVENT of one VCALENDAR shares.
private struct CalendarContext {
    let calendar: OpaquePointer
    /// X-WR-TIMEZONE resolved, when the calendar names a zone eventd knows.
    let wrTimeZone: String?
    /// Where floating times and dates are read: X-WR-TIMEZONE, else the reader's default.
    let floatingZone: Zone
    let writtenByEventd: Bool
    /// A REPLY: its VEVENTs need no DTSTART.
    let isReply: Bool

    init(calendar: OpaquePointer, defaultZone: Zone, method: String?) {
        self.calendar = calendar
        isReply = method == "REPLY"
        let wr = LibICal.properties(calendar, ICAL_X_PROPERTY).first {
            LibICal.copy(icalproperty_get_x_name($0))?.uppercased() == "X-WR-TIMEZONE"
        }.flatMap { LibICal.copy(icalproperty_get_x($0)) }.flatMap { TimeZoneNames.known($0.trimmingCharacters(in: .whitespaces)) }
        wrTimeZone = wr
        floatingZone = wr.flatMap { try? Zone($0) } ?? defaultZone
        writtenByEventd = icalcomponent_get_first_property(calendar, ICAL_PRODID_PROPERTY)
            .flatMap { LibICal.copy(icalproperty_get_prodid($0)) } == ICalendarWriter.productID
    }
}

/// Maps libical components back to outline lines for error messages.
private struct Places {
    let root: OpaquePointer
    let outline: Outline
    private var byComponent: [OpaquePointer: Int] = [:]

    /// `components`: the outline's indices of the components libical was given, in the order given.
    init(root: OpaquePointer, outline: Outline, components: [Int]) {
        self.root = root
        self.outline = outline
        // libical builds components in the order of the text, so the nth VEVENT it holds is the nth VEVENT it was given.
        var byName: [String: [Int]] = [:]
        for index in components { byName[outline.components[index].name, default: []].append(index) }
        var seen: [String: Int] = [:]
        for component in Self.preorder(root) {
            let name = LibICal.kindName(component)
            let n = seen[name, default: 0]
            seen[name] = n + 1
            if let list = byName[name], n < list.count { byComponent[component] = list[n] }
        }
    }

    static func preorder(_ component: OpaquePointer) -> [OpaquePointer] {
        var out = [component]
        for child in LibICal.children(component, ICAL_ANY_COMPONENT) { out += preorder(child) }
        return out
    }

    /// `VEVENT "uid"` or the kind alone. The UID is the component's own: libical's
    /// `icalcomponent_get_uid` on a VCALENDAR answers with its first VEVENT's.
    func describe(_ component: OpaquePointer) -> String {
        let name = LibICal.kindName(component)
        if let uid = icalcomponent_get_first_property(component, ICAL_UID_PROPERTY).flatMap({ LibICal.copy(icalproperty_get_uid($0)) }) {
            return "\(name) \(uid.debugDescription)"
        }
        return name
    }

    /// The component's index in the outline.
    func index(of component: OpaquePointer) -> Int? { byComponent[component] }

    func beginLine(_ component: OpaquePointer) -> Int? {
        byComponent[component].map { outline.components[$0].begin }
    }

    /// The first line of each property name directly inside `component`.
    func lines(_ component: OpaquePointer) -> [String: Int] {
        guard let index = byComponent[component] else { return [:] }
        var out: [String: Int] = [:]
        for line in outline.directLines(ofComponent: index) where out[line.name] == nil { out[line.name] = line.number }
        return out
    }

    func line(of property: String, in component: OpaquePointer) -> Int? {
        byComponent[component].flatMap { outline.line(of: property, inComponent: $0) }
    }

    func error(_ component: OpaquePointer, property: String?, _ message: String) -> CalendarError {
        let number = property.flatMap { self.line(of: $0, in: component) } ?? beginLine(component)
        return .malformed(line: number, component: describe(component), message: message)
    }

    /// Throws for the first X-LIC-ERROR that libical put in while parsing, in document order.
    /// Not errors: X-LIC-ERROR lines the file itself holds (software built on libical writes its
    /// notes out, and Exchange and Thunderbird files carry them), and errors inside a VALARM: an
    /// alarm eventd cannot read is left out (see `KeptProperties`), not a reason to refuse the event.
    func checkErrors() throws(CalendarError) {
        for component in Self.preorder(root) {
            var written = byComponent[component].map { outline.directLines(ofComponent: $0).filter { $0.name == "X-LIC-ERROR" }.map(\.value) } ?? []
            let inAlarm = Self.isInAlarm(component)
            for property in LibICal.properties(component, ICAL_XLICERROR_PROPERTY) {
                let message = LibICal.copy(icalproperty_get_xlicerror(property)) ?? "libical reported an error"
                if let index = written.firstIndex(where: { Self.same($0, message) }) {
                    written.remove(at: index)
                    continue
                }
                if inAlarm { continue }
                let type = icalproperty_get_first_parameter(property, ICAL_XLICERRORTYPE_PARAMETER)
                    .map { icalparameter_get_xlicerrortype($0) } ?? ICAL_XLICERRORTYPE_NONE
                // Unknown names (a newer RFC's property, a vendor's parameter) are dropped by libical; tolerate them.
                if type == ICAL_XLICERRORTYPE_PARAMETERNAMEPARSEERROR { continue }
                if type == ICAL_XLICERRORTYPE_PROPERTYPARSEERROR, message.hasPrefix("Parse error in property name") { continue }
                // An empty value (DESCRIPTION:, X-WR-CALDESC:) is allowed for TEXT (RFC 5545 3.3.11):
                // libical drops the property, which is what an empty value means to us. A required
                // property left empty (DTSTART:) is then reported as missing.
                if type == ICAL_XLICERRORTYPE_VALUEPARSEERROR, message.hasPrefix("No value for") { continue }
                let named = Self.propertyNamed(in: message)
                let number = named.flatMap { self.line(of: $0, in: component) } ?? beginLine(component)
                throw .malformed(line: number, component: describe(component), message: Self.tidy(message, property: named))
            }
        }
    }

    static func isInAlarm(_ component: OpaquePointer) -> Bool {
        var current: OpaquePointer? = component
        while let c = current {
            if icalcomponent_isa(c) == ICAL_VALARM_COMPONENT { return true }
            current = icalcomponent_get_parent(c)
        }
        return false
    }

    /// Whether a file's X-LIC-ERROR value and libical's reading of it are the same note (escapes and spaces aside).
    private static func same(_ written: String, _ read: String) -> Bool {
        func plain(_ t: String) -> String { t.replacingOccurrences(of: "\\", with: "").filter { !$0.isWhitespace } }
        return plain(written) == plain(read)
    }

    /// libical's messages end in ":" or "." and name the property inside; make it one clean sentence.
    private static func tidy(_ message: String, property: String?) -> String {
        var text = message.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix(":") || text.hasSuffix(".") { text.removeLast() }
        // libical refuses a rule with a number out of range without saying which: say it.
        var why = ""
        if property == "RRULE", let colon = text.range(of: "property: ", options: .backwards) {
            let reason = RecurrenceRule.why(text: String(text[colon.upperBound...]))
            if reason != "no date can match it" { why = " (\(reason))" }
        }
        // "… Removing entire property: …" is what libical does to its own tree; eventd stores
        // nothing of a refused file, so the words would only mislead.
        if let removing = text.range(of: "Removing entire property") {
            let line = text[removing.upperBound...].drop { $0 == ":" || $0 == " " }
            text = String(text[..<removing.lowerBound]).trimmingCharacters(in: .whitespaces)
            while text.hasSuffix(":") || text.hasSuffix(".") { text.removeLast() }
            if !line.isEmpty { text += "; the line reads \(line)" }
        }
        return text + why
    }

    /// The property a libical message is about ("… in DTSTART property …", "DTSTART: Parse error …").
    static func propertyNamed(in message: String) -> String? {
        let words = message.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "." }).map(String.init)
        if let i = words.firstIndex(of: "property"), i > 0, words[i - 1] != "entire", words[i - 1].uppercased() == words[i - 1] {
            return words[i - 1]
        }
        if let first = words.first, first.count > 1, first.uppercased() == first, first.allSatisfy({ $0.isLetter || $0 == "-" }) {
            return first
        }
        return nil
    }
}

/// A resolved DATE or DATE-TIME value.
private struct ResolvedTime {
    var instant: Instant
    /// The IANA zone the value names (nil: floating, a date, or a VTIMEZONE no IANA zone matches).
    var zone: String?
    var isDate: Bool
    var isFloating: Bool
    var isUTC: Bool
    /// The file's VTIMEZONE the value was read with, to read a floating DTEND the same way.
    var vtimezone: OpaquePointer?
}

/// Reads one VEVENT; runs under `LibICal.locked`.
private struct EventReading {
    let vevent: OpaquePointer
    let context: CalendarContext
    let places: Places
    var zone: Zone { context.floatingZone }

    func read() throws(CalendarError) -> ParsedEvent {
        guard let dtstart = icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY) else {
            if context.isReply { return try answerWithoutStart() }
            throw places.error(vevent, property: nil, "a VEVENT needs a DTSTART")
        }
        let start = try resolve(dtstart, icalproperty_get_dtstart(dtstart), "DTSTART")
        // RFC 2445 let a VEVENT go without UID (old iCal, Exchange and the RFC's own examples do);
        // RFC 5545 requires one. Give it one made of what it is, so importing it again updates it.
        let uid = icalcomponent_get_first_property(vevent, ICAL_UID_PROPERTY).flatMap { LibICal.copy(icalproperty_get_uid($0)) }
            .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } ?? Self.madeUpUID(vevent, start: start.instant)
        var end: Instant
        if let dtend = icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY) {
            let value = icalproperty_get_dtend(dtend)
            // A floating DTEND beside a zoned DTSTART is read on DTSTART's clock, as clients do.
            let resolved = try resolve(dtend, value, "DTEND", floatingLike: start)
            end = resolved.instant
            if start.isDate, !resolved.isDate, resolved.instant > start.instant {
                end = nextMidnight(after: resolved.instant, in: start)  // a whole-day event ends at a midnight
            }
        } else if let duration = icalcomponent_get_first_property(vevent, ICAL_DURATION_PROPERTY) {
            let d = icalproperty_get_duration(duration)
            let (days, clock) = try Self.checkedDuration(d, places: places, vevent: vevent, property: "DURATION")
            if start.isDate {
                // Days and weeks of a date are calendar days, not 86 400 s (DST days differ).
                end = zone.instant(zone.civil(start.instant).adding(days: Int(days))).adding(seconds: clock)
                if d.is_neg != 0 { end = start.instant }
            } else {
                end = start.instant.adding(seconds: (days * 86_400 + clock) * (d.is_neg != 0 ? -1 : 1))
            }
        } else {
            end = start.isDate ? zone.instant(zone.civil(start.instant).nextDay()) : start.instant
        }
        if start.isDate, end == start.instant {
            end = zone.instant(zone.civil(start.instant).nextDay())  // DTEND equal to a date DTSTART: that one day
        }
        if start.isDate, end > start.instant, !start.isUTC {
            // Dates are midnights in the floating zone; DST days are not 86 400 s long.
            let c = zone.civil(end)
            if (c.hour, c.minute, c.second) != (0, 0, 0) { end = nextMidnight(after: end, in: start) }
        }
        guard end >= start.instant else {
            throw places.error(vevent, property: icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY) != nil ? "DTEND" : "DURATION",
                               "the event ends before it starts (RFC 5545 3.8.2.2: DTEND must be later than DTSTART)")
        }

        var exdates: [Instant] = []
        var exceptionDates: [String] = []
        for p in LibICal.properties(vevent, ICAL_EXDATE_PROPERTY) {
            let value = try resolve(p, icalproperty_get_exdate(p), "EXDATE", floatingLike: start)
            if value.isDate, !start.isDate {
                exceptionDates.append(RecurrenceRule.day(zone.civil(value.instant)))
            } else {
                exdates.append(value.instant)
            }
        }
        var rdates: [Instant] = []
        var periods: [ParsedPeriod] = []
        for p in LibICal.properties(vevent, ICAL_RDATE_PROPERTY) {
            let value = icalproperty_get_rdate(p)
            if icaltime_is_null_time(value.time) == 0 {
                let resolved = try resolve(p, value.time, "RDATE", floatingLike: start)
                if resolved.isDate, !start.isDate {
                    // A day for a series with times: that day at DTSTART's clock time.
                    let c = zone.civil(resolved.instant), s = start.zone.flatMap { try? Zone($0) } ?? zone
                    let clock = s.civil(start.instant)
                    rdates.append(s.instant(CivilDateTime(year: c.year, month: c.month, day: c.day, hour: clock.hour, minute: clock.minute, second: clock.second)))
                } else {
                    rdates.append(resolved.instant)
                }
            } else if icaltime_is_null_time(value.period.start) == 0 {
                let s = try resolve(p, value.period.start, "RDATE", floatingLike: start).instant
                let e = icaltime_is_null_time(value.period.end) == 0
                    ? try resolve(p, value.period.end, "RDATE", floatingLike: start).instant
                    : s.adding(seconds: try Self.periodSeconds(value.period.duration, places: places, vevent: vevent))
                guard e >= s else { throw places.error(vevent, property: "RDATE", "an RDATE period ends before it starts") }
                periods.append(ParsedPeriod(start: s, end: e))
            }
        }
        let recurrenceIDProperty = icalcomponent_get_first_property(vevent, ICAL_RECURRENCEID_PROPERTY)
        let recurrenceID = try recurrenceIDProperty.map { (p) throws(CalendarError) in
            try resolve(p, icalproperty_get_recurrenceid(p), "RECURRENCE-ID", floatingLike: start).instant
        }
        // The day as written: Exchange names an occurrence of a whole-day series by local midnight.
        let recurrenceIDDay = recurrenceIDProperty.map { RecurrenceRule.day(LibICal.civil(icalproperty_get_recurrenceid($0))) }
        let rules = try LibICal.properties(vevent, ICAL_RRULE_PROPERTY).map { (p) throws(CalendarError) -> String in
            try rule(p, start: start)
        }
        // Google writes UTC times with X-WR-TIMEZONE and means that zone's clock; a floating time
        // or a date is read in the calendar's zone too.
        var timeZone = start.zone
        if start.isFloating || start.isDate || (start.isUTC && context.wrTimeZone != nil) { timeZone = context.wrTimeZone ?? timeZone }
        if start.isFloating || start.isDate, context.wrTimeZone == nil { timeZone = nil }

        let categories = LibICal.properties(vevent, ICAL_CATEGORIES_PROPERTY).flatMap { p in
            (LibICal.copy(icalproperty_get_categories(p)) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }.filter { !$0.isEmpty }
        return ParsedEvent(
            uid: uid,
            sequence: Int(icalcomponent_get_sequence(vevent)),
            summary: LibICal.copy(icalcomponent_get_summary(vevent)),
            description: LibICal.copy(icalcomponent_get_description(vevent)),
            location: LibICal.copy(icalcomponent_get_location(vevent)),
            url: icalcomponent_get_first_property(vevent, ICAL_URL_PROPERTY).flatMap { LibICal.copy(icalproperty_get_url($0)) },
            categories: categories,
            kind: xProperty("X-EVENTD-KIND"),
            status: status,
            start: start.instant, end: end, timeZone: timeZone, allDay: start.isDate, floating: start.isFloating,
            organizer: icalcomponent_get_first_property(vevent, ICAL_ORGANIZER_PROPERTY).flatMap { person($0, organizer: true) },
            attendees: LibICal.properties(vevent, ICAL_ATTENDEE_PROPERTY).compactMap { person($0, organizer: false) },
            rrule: rules.first, moreRules: Array(rules.dropFirst()),
            exdates: exdates, exceptionDates: exceptionDates, rdates: rdates, rdatePeriods: periods,
            relatedTo: LibICal.properties(vevent, ICAL_RELATEDTO_PROPERTY).compactMap { LibICal.copy(icalproperty_get_relatedto($0)) },
            recurrenceID: recurrenceID, recurrenceIDDay: recurrenceIDDay,
            thisAndFuture: recurrenceIDProperty.flatMap { icalproperty_get_first_parameter($0, ICAL_RANGE_PARAMETER) }
                .map { icalparameter_get_range($0) == ICAL_RANGE_THISANDFUTURE } ?? false,
            keptProperties: KeptProperties.collect(
                from: vevent, outline: places.outline, index: places.index(of: vevent), categories: categories, writtenByEventd: context.writtenByEventd),
            writtenByEventd: context.writtenByEventd,
            place: places.describe(vevent), beginLine: places.beginLine(vevent), lines: places.lines(vevent),
            comment: icalcomponent_get_first_property(vevent, ICAL_COMMENT_PROPERTY).flatMap { LibICal.copy(icalproperty_get_comment($0)) },
            visiting: xProperty("X-EVENTD-VISITING"), host: xProperty("X-EVENTD-HOST"), room: xProperty("X-EVENTD-ROOM"),
            prepare: xProperty("X-EVENTD-PREPARE"))
    }

    /// What a REPLY without DTSTART says: who answers what, for which event and occurrence.
    private func answerWithoutStart() throws(CalendarError) -> ParsedEvent {
        guard let uid = icalcomponent_get_first_property(vevent, ICAL_UID_PROPERTY).flatMap({ LibICal.copy(icalproperty_get_uid($0)) }),
            !uid.trimmingCharacters(in: .whitespaces).isEmpty
        else { throw places.error(vevent, property: nil, "a REPLY needs the UID of the event it answers") }
        let recurrenceIDProperty = icalcomponent_get_first_property(vevent, ICAL_RECURRENCEID_PROPERTY)
        let recurrenceID = try recurrenceIDProperty.map { (p) throws(CalendarError) in
            try resolve(p, icalproperty_get_recurrenceid(p), "RECURRENCE-ID")
        }
        let none = Instant(seconds: 0)
        var event = ParsedEvent(
            uid: uid, sequence: Int(icalcomponent_get_sequence(vevent)), categories: [], start: none, end: none,
            timeZone: recurrenceID?.zone, allDay: recurrenceID?.isDate ?? false, floating: false,
            organizer: icalcomponent_get_first_property(vevent, ICAL_ORGANIZER_PROPERTY).flatMap { person($0, organizer: true) },
            attendees: LibICal.properties(vevent, ICAL_ATTENDEE_PROPERTY).compactMap { person($0, organizer: false) },
            moreRules: [], exdates: [], exceptionDates: [], rdates: [], rdatePeriods: [], relatedTo: [],
            recurrenceID: recurrenceID?.instant, recurrenceIDDay: recurrenceIDProperty.map { RecurrenceRule.day(LibICal.civil(icalproperty_get_recurrenceid($0))) },
            writtenByEventd: context.writtenByEventd, place: places.describe(vevent), beginLine: places.beginLine(vevent), lines: places.lines(vevent),
            comment: icalcomponent_get_first_property(vevent, ICAL_COMMENT_PROPERTY).flatMap { LibICal.copy(icalproperty_get_comment($0)) })
        event.startGiven = false
        return event
    }

    /// `no-uid-<hash>@eventd`: a hash (FNV-1a) of DTSTART, SUMMARY, LOCATION and RECURRENCE-ID.
    private static func madeUpUID(_ vevent: OpaquePointer, start: Instant) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let parts = [String(start.seconds), LibICal.copy(icalcomponent_get_summary(vevent)) ?? "", LibICal.copy(icalcomponent_get_location(vevent)) ?? ""]
        for byte in parts.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "no-uid-" + String(hash, radix: 16) + "@eventd"
    }

    private func xProperty(_ name: String) -> String? {
        LibICal.properties(vevent, ICAL_X_PROPERTY).first { LibICal.copy(icalproperty_get_x_name($0))?.uppercased() == name }
            .flatMap { LibICal.copy(icalproperty_get_x($0)) }
    }

    private var status: EventStatus? {
        switch icalcomponent_get_status(vevent) {
        case ICAL_STATUS_TENTATIVE: .tentative
        case ICAL_STATUS_CONFIRMED: .confirmed
        case ICAL_STATUS_CANCELLED: .cancelled
        default: nil
        }
    }

    /// The RRULE as libical writes it back, once checked: libical must read it (a FREQ, not both
    /// COUNT and UNTIL, numbers in range) and be able to expand it from this DTSTART (BYMONTH=13,
    /// BYWEEKNO=54, BYDAY=6MO in a month or 30 February are read but give nothing).
    private func rule(_ property: OpaquePointer, start: ResolvedTime) throws(CalendarError) -> String {
        let raw = LibICal.take(icalproperty_get_value_as_string_r(property)) ?? ""
        let fail = { (message: String) -> CalendarError in
            places.error(vevent, property: "RRULE", "RRULE \(raw.debugDescription): \(message)")
        }
        let normalized: String
        do { normalized = try RecurrenceRule.normalizedLocked(raw) } catch { throw fail(Self.reason(error)) }
        do {
            try RecurrenceRule.checkExpandable(normalized, from: LibICal.floating(zone(of: start).civil(start.instant)))
        } catch {
            throw fail(Self.reason(error))
        }
        return normalized
    }

    private static func reason(_ error: CalendarError) -> String {
        if case .invalidRule(_, let message) = error { return message }
        return error.description
    }

    private func zone(of time: ResolvedTime) -> Zone {
        time.zone.flatMap { try? Zone($0) } ?? zone
    }

    /// The midnight after `instant` on the clock a whole-day event is read with.
    /// A duration's whole days and the seconds beside them, in 64 bits (libical's own sum is
    /// 32 bits and wraps); refused beyond `CalendarBounds.longestDuration`.
    static func checkedDuration(_ d: icaldurationtype, places: Places, vevent: OpaquePointer, property: String) throws(CalendarError) -> (days: Int64, clock: Int64) {
        let days = Int64(d.weeks) * 7 + Int64(d.days)
        let clock = Int64(d.hours) * 3600 + Int64(d.minutes) * 60 + Int64(d.seconds)
        guard days * 86_400 + clock <= CalendarBounds.longestDuration else {
            throw places.error(
                vevent, property: property,
                "the \(property) is longer than \(CalendarBounds.longestDuration / 86_400 / 365) years, the longest eventd takes (calendar bounds)")
        }
        return (days, clock)
    }

    static func periodSeconds(_ d: icaldurationtype, places: Places, vevent: OpaquePointer) throws(CalendarError) -> Int64 {
        let (days, clock) = try checkedDuration(d, places: places, vevent: vevent, property: "RDATE")
        return (days * 86_400 + clock) * (d.is_neg != 0 ? -1 : 1)
    }

    private func nextMidnight(after instant: Instant, in start: ResolvedTime) -> Instant {
        let z = zone(of: start)
        let c = z.civil(instant)
        let midnight = z.instant(CivilDateTime(year: c.year, month: c.month, day: c.day))
        return midnight == instant ? instant : z.instant(c.nextDay())
    }

    /// An instant for a DATE-TIME or DATE value: UTC as is; a TZID through the file's VTIMEZONE
    /// when it has one (the sender's definition wins), else through the system tz database;
    /// floating times and dates in the calendar's zone (X-WR-TIMEZONE or the default), or, with
    /// `floatingLike`, on the clock of that (zoned) DTSTART. Gaps and overlaps as RFC 5545 3.3.5.
    private func resolve(_ property: OpaquePointer, _ time: icaltimetype, _ name: String, floatingLike reference: ResolvedTime? = nil)
        throws(CalendarError) -> ResolvedTime
    {
        let civil = LibICal.civil(time)
        // libical accepts month 13, 30 February and 25:00; a second of 60 is a leap second.
        var checked = civil
        if checked.second == 60 { checked.second = 59 }
        guard icaltime_is_null_time(time) == 0, checked.isValid else {
            throw places.error(vevent, property: name, "\(name) \(LibICal.iso(civil, date: time.is_date != 0).debugDescription) is not a valid date or time")
        }
        guard LibICal.years.contains(civil.year) else {
            throw places.error(vevent, property: name, "\(name) \(LibICal.iso(civil, date: time.is_date != 0).debugDescription): eventd takes the years \(LibICal.years.lowerBound) to \(LibICal.years.upperBound)")
        }
        if time.is_date != 0 {
            return ResolvedTime(instant: zone.instant(civil), zone: nil, isDate: true, isFloating: false, isUTC: false)
        }
        if icaltime_is_utc(time) != 0 {
            return ResolvedTime(instant: LibICal.instantUTC(checked), zone: "UTC", isDate: false, isFloating: false, isUTC: true)
        }
        guard let parameter = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER),
            let tzid = LibICal.copy(icalparameter_get_tzid(parameter))
        else {
            // A floating time beside a zoned DTSTART is on DTSTART's clock; beside Google's UTC DTSTART
            // in a calendar with X-WR-TIMEZONE, on that zone's, like every floating time there.
            if let reference, !reference.isDate, !reference.isFloating, !(reference.isUTC && context.wrTimeZone != nil) {
                if let vtimezone = reference.vtimezone {
                    return ResolvedTime(instant: LibICal.instant(checked, in: vtimezone), zone: reference.zone, isDate: false, isFloating: false,
                                        isUTC: false, vtimezone: vtimezone)
                }
                if reference.isUTC { return ResolvedTime(instant: LibICal.instantUTC(checked), zone: "UTC", isDate: false, isFloating: false, isUTC: true) }
                if let z = reference.zone.flatMap({ try? Zone($0) }) {
                    return ResolvedTime(instant: z.instant(checked), zone: z.identifier, isDate: false, isFloating: false, isUTC: false)
                }
            }
            return ResolvedTime(instant: zone.instant(checked), zone: nil, isDate: false, isFloating: true, isUTC: false)
        }
        let vtimezone = icalcomponent_get_timezone(context.calendar, tzid)
        // A zone the name tells (an IANA name or link, a Windows name, X-LIC-LOCATION) is read from
        // the tz database, whatever the file's VTIMEZONE holds: senders cut theirs to the current
        // rules (Outlook's start in 1601) or to a few years, and the register expands on the IANA
        // zone. Only a VTIMEZONE no name identifies gives the instants itself.
        if let iana = TimeZoneNames.named(tzid, vtimezone: vtimezone.map { icaltimezone_get_component($0) }), let z = try? Zone(iana) {
            return ResolvedTime(instant: z.instant(checked), zone: iana, isDate: false, isFloating: false, isUTC: iana == "UTC")
        }
        if let vtimezone {
            let instant = LibICal.instant(checked, in: vtimezone)
            let iana = TimeZoneNames.iana(for: tzid, vtimezone: icaltimezone_get_component(vtimezone), instants: [instant])
            return ResolvedTime(instant: instant, zone: iana, isDate: false, isFloating: false, isUTC: LibICal.utcIdentifiers.contains(iana ?? ""),
                                vtimezone: vtimezone)
        }
        throw places.error(vevent, property: name,
                           "\(name) names the time zone \(tzid.debugDescription), which is neither defined by a VTIMEZONE in the file nor an IANA or Windows zone name")
    }

    private func person(_ property: OpaquePointer, organizer: Bool) -> ParsedPerson? {
        let raw = organizer ? icalproperty_get_organizer(property) : icalproperty_get_attendee(property)
        guard let address = LibICal.copy(raw)?.trimmingCharacters(in: .whitespaces), !address.isEmpty else { return nil }
        // mailto:, or a bare address some servers write without the scheme (ORGANIZER:luss@example.com).
        let email = address.lowercased().hasPrefix("mailto:") ? String(address.dropFirst(7))
            : address.contains("@") && !address.contains(":") ? address : nil
        let name = icalproperty_get_first_parameter(property, ICAL_CN_PARAMETER).flatMap { LibICal.copy(icalparameter_get_cn($0)) }
        let roleValue = icalproperty_get_first_parameter(property, ICAL_ROLE_PARAMETER).map { icalparameter_get_role($0) }
        let icalRole: String? = switch roleValue {
        case ICAL_ROLE_CHAIR?: "CHAIR"
        case ICAL_ROLE_REQPARTICIPANT?: "REQ-PARTICIPANT"
        case ICAL_ROLE_OPTPARTICIPANT?: "OPT-PARTICIPANT"
        case ICAL_ROLE_NONPARTICIPANT?: "NON-PARTICIPANT"
        case nil: nil
        default: icalproperty_get_first_parameter(property, ICAL_ROLE_PARAMETER).flatMap { LibICal.copy(icalparameter_get_xvalue($0)) }
        }
        let written = LibICal.parameters(property, ICAL_X_PARAMETER).first {
            LibICal.copy(icalparameter_get_xname($0))?.uppercased() == "X-EVENTD-ROLE"
        }.flatMap { LibICal.copy(icalparameter_get_xvalue($0)) }
            .map { $0.split(separator: ",").compactMap { Role(rawValue: $0.trimmingCharacters(in: .whitespaces)) } } ?? []
        let derived: Role = switch (organizer, icalRole) {
        case (true, _): .organizer
        case (false, "CHAIR"?): .chair
        case (false, "NON-PARTICIPANT"?): .witness
        default: .attendee
        }
        let partstat = icalproperty_get_first_parameter(property, ICAL_PARTSTAT_PARAMETER).map { icalparameter_get_partstat($0) }
        let rsvp: RSVPState? = switch partstat {
        case ICAL_PARTSTAT_NEEDSACTION?: .needsAction
        case ICAL_PARTSTAT_ACCEPTED?: .accepted
        case ICAL_PARTSTAT_DECLINED?: .declined
        case ICAL_PARTSTAT_TENTATIVE?: .tentative
        case ICAL_PARTSTAT_DELEGATED?: .delegated
        default: nil
        }
        func parameterAddress(_ kind: icalparameter_kind, _ value: (OpaquePointer) -> UnsafePointer<CChar>?) -> String? {
            icalproperty_get_first_parameter(property, kind).flatMap { LibICal.copy(value($0)) }.map { text in
                let bare = text.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                return bare.lowercased().hasPrefix("mailto:") ? String(bare.dropFirst(7)) : bare
            }
        }
        return ParsedPerson(
            address: address, email: email, name: name, icalRole: icalRole, roles: written.isEmpty ? [derived] : written,
            required: icalRole != "OPT-PARTICIPANT", rsvp: rsvp,
            delegatedTo: parameterAddress(ICAL_DELEGATEDTO_PARAMETER, icalparameter_get_delegatedto),
            delegatedFrom: parameterAddress(ICAL_DELEGATEDFROM_PARAMETER, icalparameter_get_delegatedfrom),
            sentBy: parameterAddress(ICAL_SENTBY_PARAMETER, icalparameter_get_sentby))
    }
}
