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
    /// DELEGATED-TO and SENT-BY addresses, without `mailto:`.
    public var delegatedTo: String? = nil
    public var sentBy: String? = nil
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
    public var status: EventStatus?
    public var start: Instant
    /// DTEND, or DTSTART + DURATION, or the next day for a date-only event, or `start`.
    public var end: Instant
    /// DTSTART's zone: the TZID (without libical's `/freeassociation.sourceforge.net/` prefix),
    /// `UTC` for a `Z` time, nil for floating times and dates, which are read in the default zone.
    public var timeZone: String?
    /// DTSTART is a DATE; `start` and `end` are midnights in the reader's default zone.
    public var allDay: Bool
    public var organizer: ParsedPerson?
    public var attendees: [ParsedPerson]
    /// The RRULE value as libical writes it back (`FREQ=WEEKLY;COUNT=5;BYDAY=MO`).
    public var rrule: String?
    public var exdates: [Instant]
    /// RELATED-TO values: for our session VEVENTs, the UID of their event.
    public var relatedTo: [String]
    public var recurrenceID: Instant?
    /// COMMENT: what an attendee wrote with a REPLY or COUNTER.
    public var comment: String? = nil
    /// X-EVENTD-VISITING and X-EVENTD-HOST: the two sides of a working visit, as we write them.
    public var visiting: String? = nil
    public var host: String? = nil
}

/// An iTIP message (RFC 5546): the calendar's METHOD and its VEVENTs.
public struct ParsedMessage: Sendable, Equatable {
    /// `REQUEST`, `REPLY`, `COUNTER`, `CANCEL`, `PUBLISH`…; nil when the calendar has none.
    public var method: String?
    public var events: [ParsedEvent]
}

/// Reads iCalendar text with libical, refusing what libical flags as broken.
public struct ICalendarReader: Sendable {
    /// Zone for floating times and DATE values.
    public var defaultZone: Zone
    /// Longest text accepted, in UTF-8 bytes.
    public var maxBytes: Int
    /// Most components (BEGIN lines, VTIMEZONE parts and VALARMs included) accepted.
    public var maxComponents: Int

    public init(defaultZone: Zone, maxBytes: Int = 1 << 20, maxComponents: Int = 5_000) {
        self.defaultZone = defaultZone
        self.maxBytes = maxBytes
        self.maxComponents = maxComponents
    }

    /// Every VEVENT of every VCALENDAR in `text`, in document order.
    ///
    /// Refused, with the line and component at fault: input over the limits, unbalanced
    /// BEGIN/END, anything libical marks with X-LIC-ERROR (a bad date, a bad parameter value)
    /// except unknown property and parameter names, which are ignored; a VEVENT without UID
    /// or DTSTART; a TZID neither defined by a VTIMEZONE in the file nor an IANA name.
    public func parse(_ text: String) throws(CalendarError) -> [ParsedEvent] {
        try parseMessage(text).events
    }

    /// The METHOD of the (first) calendar and every VEVENT, as `parse` reads them.
    public func parseMessage(_ text: String) throws(CalendarError) -> ParsedMessage {
        let bytes = text.utf8.count
        guard bytes <= maxBytes else { throw .tooLarge(bytes: bytes, limit: maxBytes) }
        let outline = try Outline(text, maxComponents: maxComponents)

        return try LibICal.locked { () throws(CalendarError) -> ParsedMessage in
            guard let root = icalparser_parse_string(text) else {
                throw .malformed(line: nil, component: nil, message: "libical could not read the calendar")
            }
            defer { icalcomponent_free(root) }
            let places = Places(root: root, outline: outline)
            try places.checkErrors()

            let calendars = icalcomponent_isa(root) == ICAL_XROOT_COMPONENT
                ? LibICal.children(root, ICAL_VCALENDAR_COMPONENT) : [root]
            var events: [ParsedEvent] = []
            var method: String?
            for calendar in calendars where icalcomponent_isa(calendar) == ICAL_VCALENDAR_COMPONENT {
                if method == nil, let property = icalcomponent_get_first_property(calendar, ICAL_METHOD_PROPERTY) {
                    method = LibICal.take(icalproperty_get_value_as_string_r(property))?.uppercased()
                }
                for vevent in LibICal.children(calendar, ICAL_VEVENT_COMPONENT) {
                    events.append(try EventReading(vevent: vevent, calendar: calendar, zone: defaultZone, places: places).read())
                }
            }
            return ParsedMessage(method: method, events: events)
        }
    }
}

/// Maps libical components back to outline lines for error messages.
private struct Places {
    let root: OpaquePointer
    let outline: Outline
    private var byComponent: [OpaquePointer: Outline.Component] = [:]

    init(root: OpaquePointer, outline: Outline) {
        self.root = root
        self.outline = outline
        // libical builds components in document order, so the nth VEVENT it holds is the nth BEGIN:VEVENT.
        let byName = Dictionary(grouping: outline.components, by: \.name)
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

    /// `VEVENT "uid"` or the kind alone.
    func describe(_ component: OpaquePointer) -> String {
        let name = LibICal.kindName(component)
        if let uid = LibICal.copy(icalcomponent_get_uid(component)) { return "\(name) \(uid.debugDescription)" }
        return name
    }

    func error(_ component: OpaquePointer, property: String?, _ message: String) -> CalendarError {
        let place = byComponent[component]
        let line = property.flatMap { p in place.flatMap { outline.line(of: p, in: $0) } } ?? place?.begin
        return .malformed(line: line, component: describe(component), message: message)
    }

    /// Throws for the first X-LIC-ERROR that libical put in while parsing, in document order.
    func checkErrors() throws(CalendarError) {
        for component in Self.preorder(root) {
            for property in LibICal.properties(component, ICAL_XLICERROR_PROPERTY) {
                let message = LibICal.copy(icalproperty_get_xlicerror(property)) ?? "libical reported an error"
                let type = icalproperty_get_first_parameter(property, ICAL_XLICERRORTYPE_PARAMETER)
                    .map { icalparameter_get_xlicerrortype($0) } ?? ICAL_XLICERRORTYPE_NONE
                // Unknown names (a newer RFC's property, a vendor's parameter) are dropped by libical; tolerate them.
                if type == ICAL_XLICERRORTYPE_PARAMETERNAMEPARSEERROR { continue }
                if type == ICAL_XLICERRORTYPE_PROPERTYPARSEERROR, message.hasPrefix("Parse error in property name") { continue }
                // RFC 5545 §3.3.11 allows an empty TEXT value (Google writes `DESCRIPTION:`); libical drops the property.
                if message.hasPrefix("No value for"), let name = Self.propertyNamed(in: message), Self.emptyAllowed.contains(name) { continue }
                throw error(component, property: Self.propertyNamed(in: message), message)
            }
        }
    }

    /// Properties whose value is TEXT (or a list of TEXT), which may be empty.
    static let emptyAllowed: Set<String> = ["DESCRIPTION", "LOCATION", "SUMMARY", "COMMENT", "CATEGORIES", "CONTACT", "RESOURCES", "X"]

    /// The property a libical message is about ("… in DTSTART property …", "… property name: FOO").
    private static func propertyNamed(in message: String) -> String? {
        let words = message.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "." }).map(String.init)
        if let i = words.firstIndex(of: "property"), i > 0, words[i - 1] != "entire", words[i - 1].uppercased() == words[i - 1] {
            return words[i - 1]
        }
        return nil
    }
}

/// Reads one VEVENT; runs under `LibICal.locked`.
private struct EventReading {
    let vevent: OpaquePointer
    let calendar: OpaquePointer
    let zone: Zone
    let places: Places

    func read() throws(CalendarError) -> ParsedEvent {
        guard let uid = LibICal.copy(icalcomponent_get_uid(vevent)), !uid.isEmpty else {
            throw places.error(vevent, property: nil, "a VEVENT needs a UID")
        }
        guard let dtstart = icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY) else {
            throw places.error(vevent, property: nil, "a VEVENT needs a DTSTART")
        }
        let start = try resolve(dtstart, icalproperty_get_dtstart(dtstart), "DTSTART")
        var end: Instant
        if let dtend = icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY) {
            end = try resolve(dtend, icalproperty_get_dtend(dtend), "DTEND").instant
        } else if let duration = icalcomponent_get_first_property(vevent, ICAL_DURATION_PROPERTY) {
            end = start.instant.adding(seconds: Int64(icaldurationtype_as_int(icalproperty_get_duration(duration))))
        } else {
            end = start.instant.adding(seconds: start.allDay ? 86_400 : 0)
        }
        if start.allDay, end > start.instant {
            // Dates are midnights in the default zone; DST days are not 86 400 s long.
            end = zone.instant(zone.civil(end))
        }

        let people = LibICal.properties(vevent, ICAL_ATTENDEE_PROPERTY).compactMap { person($0, organizer: false) }
        let exdates = try LibICal.properties(vevent, ICAL_EXDATE_PROPERTY).map { (p) throws(CalendarError) in
            try resolve(p, icalproperty_get_exdate(p), "EXDATE").instant
        }
        let recurrenceID = try icalcomponent_get_first_property(vevent, ICAL_RECURRENCEID_PROPERTY).map { (p) throws(CalendarError) in
            try resolve(p, icalproperty_get_recurrenceid(p), "RECURRENCE-ID").instant
        }
        return ParsedEvent(
            uid: uid,
            sequence: Int(icalcomponent_get_sequence(vevent)),
            summary: LibICal.copy(icalcomponent_get_summary(vevent)),
            description: LibICal.copy(icalcomponent_get_description(vevent)),
            location: LibICal.copy(icalcomponent_get_location(vevent)),
            url: icalcomponent_get_first_property(vevent, ICAL_URL_PROPERTY).flatMap { LibICal.copy(icalproperty_get_url($0)) },
            categories: LibICal.properties(vevent, ICAL_CATEGORIES_PROPERTY).flatMap { p in
                (LibICal.copy(icalproperty_get_categories(p)) ?? "").split(separator: ",").map(String.init)
            },
            status: status,
            start: start.instant, end: end, timeZone: start.zone, allDay: start.allDay,
            organizer: icalcomponent_get_first_property(vevent, ICAL_ORGANIZER_PROPERTY).flatMap { person($0, organizer: true) },
            attendees: people,
            rrule: icalcomponent_get_first_property(vevent, ICAL_RRULE_PROPERTY).flatMap { LibICal.take(icalproperty_get_value_as_string_r($0)) },
            exdates: exdates,
            relatedTo: LibICal.properties(vevent, ICAL_RELATEDTO_PROPERTY).compactMap { LibICal.copy(icalproperty_get_relatedto($0)) },
            recurrenceID: recurrenceID,
            comment: icalcomponent_get_first_property(vevent, ICAL_COMMENT_PROPERTY).flatMap { LibICal.copy(icalproperty_get_comment($0)) },
            visiting: xProperty("X-EVENTD-VISITING"), host: xProperty("X-EVENTD-HOST"))
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

    /// An instant for a DATE-TIME or DATE value: UTC as is; a TZID through the file's VTIMEZONE
    /// when it has one (the sender's definition wins), else through the system tz database;
    /// floating times and dates in the default zone.
    private func resolve(_ property: OpaquePointer, _ time: icaltimetype, _ name: String) throws(CalendarError)
        -> (instant: Instant, zone: String?, allDay: Bool)
    {
        // libical accepts 20170230 and 25:00; check the fields ourselves.
        let days = time.month >= 1 && time.month <= 12 ? icaltime_days_in_month(time.month, time.year) : 0
        if icaltime_is_null_time(time) != 0 || icaltime_is_valid_time(time) == 0 || !(1...days).contains(time.day)
            || !(0...23).contains(time.hour) || !(0...59).contains(time.minute) || !(0...60).contains(time.second)
        {
            throw places.error(vevent, property: name, "\(name) is not a valid date or time")
        }
        let civil = LibICal.civil(time)
        if time.is_date != 0 { return (zone.instant(civil), nil, true) }
        if icaltime_is_utc(time) != 0 { return (LibICal.instantUTC(civil), "UTC", false) }
        guard let parameter = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER),
            let tzid = LibICal.copy(icalparameter_get_tzid(parameter))
        else { return (zone.instant(civil), nil, false) }

        let iana = Self.ianaName(tzid)
        if let vtimezone = icalcomponent_get_timezone(calendar, tzid) {
            var local = time
            local.zone = nil
            return (Instant(seconds: Int64(icaltime_as_timet_with_zone(local, vtimezone))), iana, false)
        }
        if let z = try? Zone(iana) { return (z.instant(civil), iana, false) }
        throw places.error(vevent, property: name,
                           "\(name) names the time zone \(tzid.debugDescription), which is neither defined by a VTIMEZONE in the file nor an IANA zone")
    }

    /// `/freeassociation.sourceforge.net/Tzfile/Asia/Ho_Chi_Minh` → `Asia/Ho_Chi_Minh`.
    static func ianaName(_ tzid: String) -> String {
        guard tzid.hasPrefix("/") else { return tzid }
        var parts = tzid.split(separator: "/").dropFirst()  // the vendor's domain
        if parts.first == "Tzfile" { parts = parts.dropFirst() }
        return parts.joined(separator: "/")
    }

    private func person(_ property: OpaquePointer, organizer: Bool) -> ParsedPerson? {
        let raw = organizer ? icalproperty_get_organizer(property) : icalproperty_get_attendee(property)
        guard let address = LibICal.copy(raw), !address.isEmpty else { return nil }
        let email = address.lowercased().hasPrefix("mailto:") ? String(address.dropFirst(7)) : nil
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
            sentBy: parameterAddress(ICAL_SENTBY_PARAMETER, icalparameter_get_sentby))
    }
}
