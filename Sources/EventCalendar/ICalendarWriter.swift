internal import CLibical
import EventModel
import Foundation

/// The iTIP method (RFC 5546) of a calendar object.
public enum CalendarMethod: String, Sendable, CaseIterable {
    case publish = "PUBLISH", request = "REQUEST", cancel = "CANCEL"
}

/// Writes an `Event` as an RFC 5545 VCALENDAR with libical doing the escaping and folding.
///
/// The output holds: one VEVENT for the event; one VEVENT per session (UID
/// `<session id>.<event uid>`, RELATED-TO the event) unless `includeSessions` is false;
/// one minimal VTIMEZONE for the event's zone (none for UTC, whose times end in `Z`).
///
/// People: the first organizer becomes ORGANIZER; everybody else (and further organizers)
/// an ATTENDEE with ROLE from their part (chair → CHAIR; speaker and required attendee →
/// REQ-PARTICIPANT; optional attendee → OPT-PARTICIPANT; witness → REQ-PARTICIPANT), PARTSTAT from
/// their reply, `X-EVENTD-ROLE` with the domain role so a round trip keeps it, and RSVP=TRUE
/// in a REQUEST when they have an email. A person without email is written, by default, with
/// the address `urn:x-eventd:person:<id>` (or `urn:x-eventd:name:<name>` when unsaved) so that
/// their name still shows; `peopleWithoutEmail: .skip` leaves them out.
public struct ICalendarWriter: Sendable {
    /// PRODID of every calendar we write.
    public static let productID = "-//eventd//eventd 0.1//EN"

    /// How to write a participant who has no email address.
    public enum PeopleWithoutEmail: Sendable {
        /// As a `urn:x-eventd:` address with CN and RSVP absent.
        case urn
        /// Not at all.
        case skip
    }

    public var peopleWithoutEmail: PeopleWithoutEmail
    public var includeSessions: Bool
    /// The zone whose VTIMEZONE an empty calendar carries (RFC 5545 3.6: one component at least).
    public var emptyCalendarZone: String
    /// A CANCEL that takes attendees off an event that goes on (RFC 5546 3.2.5): it carries no STATUS.
    public var uninvites: Bool

    public init(peopleWithoutEmail: PeopleWithoutEmail = .urn, includeSessions: Bool = true, emptyCalendarZone: String = "UTC", uninvites: Bool = false) {
        self.peopleWithoutEmail = peopleWithoutEmail
        self.includeSessions = includeSessions
        self.emptyCalendarZone = emptyCalendarZone
        self.uninvites = uninvites
    }

    /// The VCALENDAR text (CRLF line ends) for `event`.
    /// - Parameters:
    ///   - stamp: DTSTAMP, normally now; passed in so output can be compared with golden files.
    ///   - reminders: seconds before the start at which a DISPLAY alarm fires (not written for CANCEL).
    public func write(_ event: Event, method: CalendarMethod, stamp: Instant, reminders: [Int] = []) throws(CalendarError) -> String {
        try write([event], method: method, stamp: stamp, reminders: reminders)
    }

    /// Names and refresh hints of a subscribable calendar (RFC 7986 and the common X-WR/X-PUBLISHED ones).
    public struct Subscription: Sendable, Equatable {
        public var name: String
        /// Seconds after which a subscriber should fetch the calendar again.
        public var refreshInterval: Int

        public init(name: String, refreshInterval: Int) {
            self.name = name
            self.refreshInterval = refreshInterval
        }
    }

    /// One VCALENDAR holding `events` (each with its sessions) and one VTIMEZONE per zone they use.
    public func write(
        _ events: [Event], method: CalendarMethod, stamp: Instant, reminders: [Int] = [], subscription: Subscription? = nil
    ) throws(CalendarError) -> String {
        if let bad = reminders.first(where: { $0 < 0 || $0 > Limits.year }) {
            throw .invalid(field: "reminders", message: "\(bad) is not a number of seconds between 0 and 366 days before the start")
        }
        // Every reader must read the occurrences eventd lists (see ExportForm).
        let events = events.map(ExportForm.of)
        var zones: [String: Zone] = [:]
        for event in events where zones[event.timeZone] == nil {
            do { zones[event.timeZone] = try Zone(event.timeZone) } catch { throw .unknownTimeZone(event.timeZone) }
        }
        return try LibICal.locked { () throws(CalendarError) -> String in
            let calendar = newCalendar(method: method, subscription: subscription)
            defer { icalcomponent_free(calendar) }
            // One VTIMEZONE per zone in use, right for every instant of the events using it; whole-day
            // and floating events are written without TZID and use none, unless sessions have times.
            var byZone: [String: [Event]] = [:]
            var order: [String] = []
            for event in events where Self.needsTimeZone(event, includeSessions: includeSessions) {
                if byZone[event.timeZone] == nil { order.append(event.timeZone) }
                byZone[event.timeZone, default: []].append(event)
            }
            for zone in order {
                let span = TimeZoneComponent.span(of: byZone[zone]!)
                icalcomponent_add_component(calendar, try TimeZoneComponent.make(identifier: zone, from: span.from, to: span.to))
            }
            var kept: [[String]] = []
            for event in events {
                try addEvent(event, zone: zones[event.timeZone]!, to: calendar, method: method, stamp: stamp, reminders: reminders, kept: &kept)
            }
            try addPlaceholderIfEmpty(calendar)
            guard let text = LibICal.take(icalcomponent_as_ical_string_r(calendar)) else {
                throw .invalid(field: "event", message: "libical could not serialise the calendar")
            }
            return Folding.refold(KeptProperties.splice(text, kept))
        }
    }

    /// Whether `event` is written with TZIDs (and so needs its zone's VTIMEZONE): not a UTC one,
    /// a whole-day one without timed sessions, or a floating one.
    static func needsTimeZone(_ event: Event, includeSessions: Bool = true) -> Bool {
        if LibICal.utcIdentifiers.contains(event.timeZone) { return false }
        if event.allDay, event.sessions.isEmpty || !includeSessions { return false }
        if event.floating, event.sessions.isEmpty || !includeSessions { return false }
        return true
    }

    /// RFC 5545 3.6 wants at least one component in a VCALENDAR: an empty calendar (a feed with
    /// no events yet) carries the VTIMEZONE of `emptyCalendarZone`, which clients accept and ignore.
    private func addPlaceholderIfEmpty(_ calendar: OpaquePointer) throws(CalendarError) {
        guard icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT) == nil else { return }
        let now = Instant(seconds: Int64(Date().timeIntervalSince1970))
        icalcomponent_add_component(calendar, try TimeZoneComponent.make(identifier: emptyCalendarZone, from: now, to: now))
    }

    /// The VEVENT text of `event` (and of its sessions), as libical serialises it, to be kept
    /// and spliced into feeds by `FeedRenderer` without serialising the event again.
    func vevents(_ event: Event, method: CalendarMethod, stamp: Instant, reminders: [Int]) throws(CalendarError) -> String {
        let event = ExportForm.of(event)
        let zone: Zone
        do { zone = try Zone(event.timeZone) } catch { throw .unknownTimeZone(event.timeZone) }
        return try LibICal.locked { () throws(CalendarError) -> String in
            let calendar = icalcomponent_new(ICAL_VCALENDAR_COMPONENT)!
            defer { icalcomponent_free(calendar) }
            var kept: [[String]] = []
            try addEvent(event, zone: zone, to: calendar, method: method, stamp: stamp, reminders: reminders, kept: &kept)
            let text = LibICal.children(calendar, ICAL_VEVENT_COMPONENT).compactMap { LibICal.take(icalcomponent_as_ical_string_r($0)) }.joined()
            return Folding.refold(KeptProperties.splice(text, kept))
        }
    }

    /// A VCALENDAR holding only its properties and the VTIMEZONEs of `zones`, split before its
    /// closing line: feeds put their cached VEVENTs in between.
    func envelope(zones: [(identifier: String, from: Instant, to: Instant?)], method: CalendarMethod, subscription: Subscription?, empty: Bool) throws(CalendarError) -> (head: String, tail: String) {
        try LibICal.locked { () throws(CalendarError) -> (head: String, tail: String) in
            let calendar = newCalendar(method: method, subscription: subscription)
            defer { icalcomponent_free(calendar) }
            for zone in zones where !LibICal.utcIdentifiers.contains(zone.identifier) {
                icalcomponent_add_component(calendar, try TimeZoneComponent.make(identifier: zone.identifier, from: zone.from, to: zone.to))
            }
            if empty { try addPlaceholderIfEmpty(calendar) }
            guard let raw = LibICal.take(icalcomponent_as_ical_string_r(calendar)) else {
                throw .invalid(field: "calendar", message: "libical could not serialise the calendar")
            }
            let text = Folding.refold(raw)
            guard let end = text.range(of: "END:VCALENDAR", options: .backwards) else {
                throw .invalid(field: "calendar", message: "libical could not serialise the calendar")
            }
            return (String(text[..<end.lowerBound]), String(text[end.lowerBound...]))
        }
    }

    /// The event's VEVENT (its kept properties and alarms back in it), one VEVENT per changed or
    /// cancelled occurrence (RECURRENCE-ID), and, with `includeSessions`, one VEVENT per session
    /// RELATED-TO it.
    private func addEvent(
        _ event: Event, zone: Zone, to calendar: OpaquePointer, method: CalendarMethod, stamp: Instant, reminders: [Int], kept blocks: inout [[String]]
    ) throws(CalendarError) {
        let times = Times(zone: zone, isUTC: LibICal.utcIdentifiers.contains(event.timeZone), floating: event.floating, allDay: event.allDay)
        let kept = KeptProperties.parse(event.keptProperties)
        defer { if let kept { icalcomponent_free(kept.component) } }
        let main = newEvent(uid: event.uid, event: event, method: method, stamp: stamp, categories: kept?.hasCategories != true)
        // The calendar owns it from the start: a throw below (a bad rule) frees it with the calendar.
        icalcomponent_add_component(calendar, main)
        // SUMMARY even when empty (RFC 5545 3.3.11 allows an empty TEXT): calcurse 4.7 crashes on a
        // VEVENT without one, and reads nothing more of the calendar.
        add(main, icalproperty_new_summary(oneLine(event.title)))
        if let text = descriptionWithTimetable(event, zone: zone) { add(main, icalproperty_new_description(text)) }
        if let place = Self.place(event.location, room: event.room) { add(main, icalproperty_new_location(place)) }
        // The room and the preparing unit travel as our own properties too, so an import keeps
        // them apart from the place (and the room's clashes with them).
        for (name, value) in [("X-EVENTD-ROOM", event.room), ("X-EVENTD-PREPARE", event.preparedBy)] {
            guard let value else { continue }
            let property = icalproperty_new_x(oneLine(value))!
            icalproperty_set_x_name(property, name)
            add(main, property)
        }
        if let delegation = event.delegation {
            // A working visit's two sides travel with the event, so an import keeps the visit whole.
            for (name, value) in [("X-EVENTD-VISITING", delegation.visiting), ("X-EVENTD-HOST", delegation.host)] {
                let property = icalproperty_new_x(oneLine(value))!
                icalproperty_set_x_name(property, name)
                add(main, property)
            }
        }
        addTimes(start: event.start, end: event.end, of: event, times: times, to: main)
        if let recurrence = event.recurrence {
            try addRecurrence(recurrence, to: main, event: event, times: times)
        }
        addPeople(event.participants.filter { $0.sessionID == nil }, to: main, method: method)
        if let kept {
            kept.lendParameters(to: main)
            addKept(event.keptProperties!, to: main, blocks: &blocks)
        }
        if method != .cancel, kept?.hasAlarms != true {
            // The file's own alarms, when it had some, replace the daemon's default ones.
            for seconds in reminders { addAlarm(to: main, seconds: seconds, text: event.title) }
        }
        for override in event.recurrence?.overrides ?? [] {
            if !event.allDay, let recurrence = event.recurrence, recurrence.dates.contains(override.recurrenceID),
                Self.periodOverride(recurrence, at: override.recurrenceID) != nil
            {
                continue  // written as RDATE;VALUE=PERIOD
            }
            addOverride(override, of: event, times: times, to: calendar, method: method, stamp: stamp, kept: &blocks)
        }
        guard includeSessions else { return }
        for session in event.sessions {
            let vevent = newEvent(uid: session.uid, event: event, method: method, stamp: stamp, categories: true)
            add(vevent, icalproperty_new_summary(oneLine(session.title)))
            let place = [session.room, event.location].compactMap { $0 }.map(oneLine).joined(separator: ", ")
            if !place.isEmpty { add(vevent, icalproperty_new_location(place)) }
            let sessionTimes = Times(zone: zone, isUTC: times.isUTC, floating: event.floating, allDay: false)
            add(vevent, sessionTimes.property(.start, session.start))
            add(vevent, sessionTimes.property(.end, session.end))
            let related = icalproperty_new_relatedto(event.uid)!
            icalproperty_add_parameter(related, icalparameter_new_reltype(ICAL_RELTYPE_PARENT))
            add(vevent, related)
            let organizers = event.participants.filter { $0.role == .organizer && $0.sessionID == nil }.prefix(1)
            addPeople(Array(organizers) + event.participants.filter { $0.sessionID == session.id && session.id != nil },
                      to: vevent, method: method)
            icalcomponent_add_component(calendar, vevent)
        }
    }

    /// DTSTART and DTEND: DATE values for a whole-day event; no DTEND when the event ends as it
    /// starts (RFC 5545 3.6.1: a DTSTART alone is such an event, and DTEND must come later).
    private func addTimes(start: Instant, end: Instant, of event: Event, times: Times, to vevent: OpaquePointer) {
        if event.allDay {
            let (first, afterLast) = allDayDates(start: start, end: end, zone: times.zone)
            add(vevent, icalproperty_new_dtstart(first))
            add(vevent, icalproperty_new_dtend(afterLast))
        } else {
            add(vevent, times.property(.start, start))
            if end > start { add(vevent, times.property(.end, end)) }
        }
    }

    /// A VEVENT for one changed or cancelled occurrence: the same UID, RECURRENCE-ID in the form
    /// of DTSTART, the occurrence's own times, and what the override changes.
    private func addOverride(
        _ override: OccurrenceOverride, of event: Event, times: Times, to calendar: OpaquePointer, method: CalendarMethod, stamp: Instant,
        kept blocks: inout [[String]]
    ) {
        let kept = KeptProperties.parse(override.keptProperties)
        defer { if let kept { icalcomponent_free(kept.component) } }
        var occurrence = event
        occurrence.sequence = max(event.sequence, override.sequence)
        if let status = override.status { occurrence.status = status }
        let vevent = newEvent(uid: event.uid, event: occurrence, method: method, stamp: stamp, categories: kept?.hasCategories != true)
        let title = override.title ?? event.title
        add(vevent, icalproperty_new_summary(oneLine(title)))
        if let text = (override.description ?? event.description).map(multiLine), !text.isEmpty { add(vevent, icalproperty_new_description(text)) }
        if let place = Self.place(override.location ?? event.location, room: event.room) { add(vevent, icalproperty_new_location(place)) }
        let recurrenceID = times.property(.recurrenceID, override.recurrenceID)
        if override.thisAndFuture { icalproperty_add_parameter(recurrenceID, icalparameter_new_range(ICAL_RANGE_THISANDFUTURE)) }
        add(vevent, recurrenceID)
        addTimes(start: override.start, end: override.end, of: event, times: times, to: vevent)
        addPeople(event.participants.filter { $0.sessionID == nil }, to: vevent, method: method)
        if let kept {
            kept.lendParameters(to: vevent)
            addKept(override.keptProperties!, to: vevent, blocks: &blocks)
        }
        icalcomponent_add_component(calendar, vevent)
    }

    /// Marks where the kept lines go: libical would reformat them, so they are spliced into its
    /// output as the file wrote them (`KeptProperties.splice`).
    private func addKept(_ text: String, to vevent: OpaquePointer, blocks: inout [[String]]) {
        let lines = KeptProperties.lines(text, organizerWritten: icalcomponent_get_first_property(vevent, ICAL_ORGANIZER_PROPERTY) != nil)
        guard !lines.isEmpty else { return }
        let marker = icalproperty_new_x(String(blocks.count))!
        icalproperty_set_x_name(marker, KeptProperties.placeholder)
        add(vevent, marker)
        blocks.append(lines)
    }

    /// A VCALENDAR with PRODID, VERSION, METHOD and, for a feed, its names and refresh hints. The caller frees it.
    private func newCalendar(method: CalendarMethod, subscription: Subscription?) -> OpaquePointer {
        let calendar = icalcomponent_new(ICAL_VCALENDAR_COMPONENT)!
        add(calendar, icalproperty_new_prodid(Self.productID))
        add(calendar, icalproperty_new_version("2.0"))
        add(calendar, icalproperty_new_method(method.ical))
        if let subscription { addSubscription(subscription, to: calendar) }
        return calendar
    }

    /// NAME and X-WR-CALNAME name the calendar in clients; REFRESH-INTERVAL (RFC 7986) and
    /// X-PUBLISHED-TTL (what Outlook and Google read) say how often to fetch it again.
    private func addSubscription(_ subscription: Subscription, to calendar: OpaquePointer) {
        let name = oneLine(subscription.name)
        add(calendar, icalproperty_new_name(name))
        let wrName = icalproperty_new_x(name)!
        icalproperty_set_x_name(wrName, "X-WR-CALNAME")
        add(calendar, wrName)
        let interval = icaldurationtype_from_int(Int32(clamping: subscription.refreshInterval))
        let refresh = icalproperty_new_refreshinterval(interval)!
        icalproperty_add_parameter(refresh, icalparameter_new_value(ICAL_VALUE_DURATION))
        add(calendar, refresh)
        let ttl = icalproperty_new_x(LibICal.take(icaldurationtype_as_ical_string_r(interval)) ?? "PT1H")!
        icalproperty_set_x_name(ttl, "X-PUBLISHED-TTL")
        add(calendar, ttl)
    }

    // MARK: parts

    /// A VEVENT with the properties every event and session VEVENT shares.
    private func newEvent(uid: String, event: Event, method: CalendarMethod, stamp: Instant, categories: Bool) -> OpaquePointer {
        let vevent = icalcomponent_new(ICAL_VEVENT_COMPONENT)!
        add(vevent, icalproperty_new_uid(oneLine(uid)))
        add(vevent, icalproperty_new_dtstamp(LibICal.utc(stamp)))
        add(vevent, icalproperty_new_sequence(Int32(clamping: event.sequence)))
        if !(method == .cancel && uninvites) {
            add(vevent, icalproperty_new_status(method == .cancel ? ICAL_STATUS_CANCELLED : event.status.ical))
        }
        add(vevent, icalproperty_new_created(LibICal.utc(event.created)))
        add(vevent, icalproperty_new_lastmodified(LibICal.utc(event.updated)))
        if categories {
            add(vevent, icalproperty_new_categories(event.kind.rawValue))
        } else {
            // The event keeps the CATEGORIES it came with; our kind goes beside them.
            let kind = icalproperty_new_x(event.kind.rawValue)!
            icalproperty_set_x_name(kind, "X-EVENTD-KIND")
            add(vevent, kind)
        }
        if let link = event.link { add(vevent, icalproperty_new_url(oneLine(link))) }
        return vevent
    }

    /// DTSTART/DTEND values. Zoned times are built as floating wall-clock fields plus a TZID
    /// parameter: `icaltime_from_timet_with_zone` in libical 3.0.16 would label the wall clock
    /// UTC (`TZID=…:…Z`), and `icalproperty_new_dtstart` does not add TZID by itself.
    private struct Times {
        enum Which { case start, end, exdate, rdate, recurrenceID }
        let zone: Zone
        let isUTC: Bool
        /// Written without TZID: the wall clock in `zone`, as the file it came from had it.
        let floating: Bool
        /// DATE values (RDATE, EXDATE and RECURRENCE-ID of a whole-day event).
        let allDay: Bool

        func property(_ which: Which, _ instant: Instant) -> OpaquePointer {
            let time: icaltimetype
            // An end in a fall-back overlap (01:30 on New York's November Sunday) names two
            // instants on the zone's clock: it is written in UTC, which names one. (A start stays
            // on the zone's clock: a series repeats on it, and RFC 5545 3.3.5 reads the first.)
            let utc = isUTC || (which == .end && !floating && !allDay && !zone.isUnambiguous(instant))
            if allDay, which != .start, which != .end {
                let c = zone.civil(instant)
                time = LibICal.date(year: c.year, month: c.month, day: c.day)
            } else {
                time = utc ? LibICal.utc(instant) : LibICal.floating(zone.civil(instant))
            }
            let property = switch which {
            case .start: icalproperty_new_dtstart(time)!
            case .end: icalproperty_new_dtend(time)!
            case .exdate: icalproperty_new_exdate(time)!
            case .recurrenceID: icalproperty_new_recurrenceid(time)!
            case .rdate:
                {
                    var value = icaldatetimeperiodtype()
                    value.time = time
                    value.period = icalperiodtype_null_period()
                    return icalproperty_new_rdate(value)!
                }()
            }
            if !utc, !floating, time.is_date == 0 { icalproperty_add_parameter(property, icalparameter_new_tzid(zone.identifier)) }
            if time.is_date != 0, which == .rdate || which == .recurrenceID {
                icalproperty_add_parameter(property, icalparameter_new_value(ICAL_VALUE_DATE))
            }
            return property
        }

        /// `RDATE;VALUE=PERIOD:start/end`, in the form of DTSTART.
        func period(_ start: Instant, _ end: Instant) -> OpaquePointer {
            var value = icaldatetimeperiodtype()
            value.time = icaltime_null_time()
            var period = icalperiodtype_null_period()
            period.start = isUTC ? LibICal.utc(start) : LibICal.floating(zone.civil(start))
            period.end = isUTC ? LibICal.utc(end) : LibICal.floating(zone.civil(end))
            value.period = period
            let property = icalproperty_new_rdate(value)!
            if !isUTC, !floating { icalproperty_add_parameter(property, icalparameter_new_tzid(zone.identifier)) }
            icalproperty_add_parameter(property, icalparameter_new_value(ICAL_VALUE_PERIOD))
            return property
        }
    }

    /// The override of an extra occurrence that changes nothing but its end: a PERIOD-valued RDATE.
    static func periodOverride(_ recurrence: EventModel.Recurrence, at date: Instant) -> OccurrenceOverride? {
        guard let o = recurrence.override(at: date), o.start == date, o.title == nil, o.location == nil, o.description == nil,
            o.status == nil, o.keptProperties == nil
        else { return nil }
        return o
    }

    /// RRULE as stored (libical checks and normalises it), and further RRULEs; one RDATE per extra
    /// occurrence and one EXDATE per excluded start, in the same form as DTSTART so clients match
    /// them to occurrences; a DATE-valued EXDATE per excluded day of a series with times.
    private func addRecurrence(_ recurrence: EventModel.Recurrence, to vevent: OpaquePointer, event: Event, times: Times) throws(CalendarError) {
        for text in [recurrence.rule] + recurrence.moreRules where !text.isEmpty {
            let rule = try RecurrenceRule.parse(text)
            defer { free(rule.rscale) }
            add(vevent, icalproperty_new_rrule(rule))
        }
        for date in recurrence.dates where date != event.start {
            if let period = Self.periodOverride(recurrence, at: date), !event.allDay {
                // An occurrence with only its own end was an RDATE;VALUE=PERIOD, and is written as one.
                add(vevent, times.period(period.start, period.end))
            } else {
                add(vevent, times.property(.rdate, date))
            }
        }
        for excluded in recurrence.exceptions {
            add(vevent, times.property(.exdate, excluded))
        }
        for day in recurrence.exceptionDates {
            let parts = day.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { continue }
            let property = icalproperty_new_exdate(LibICal.date(year: parts[0], month: parts[1], day: parts[2]))!
            icalproperty_add_parameter(property, icalparameter_new_value(ICAL_VALUE_DATE))
            add(vevent, property)
        }
    }

    /// First day and the day after the last, as DATE values: `end` is exclusive, so an end at
    /// midnight names the next day itself and any later time rounds up to the following midnight.
    private func allDayDates(start: Instant, end: Instant, zone: Zone) -> (icaltimetype, icaltimetype) {
        let s = zone.civil(start)
        let e = zone.civil(end)
        var after = LibICal.date(year: e.year, month: e.month, day: e.day)
        if (e.hour, e.minute, e.second) != (0, 0, 0) { icaltime_adjust(&after, 1, 0, 0, 0) }
        var first = LibICal.date(year: s.year, month: s.month, day: s.day)
        if icaltime_compare(after, first) <= 0 {
            after = first
            icaltime_adjust(&after, 1, 0, 0, 0)
        }
        first.is_date = 1
        after.is_date = 1
        return (first, after)
    }

    /// The description, then the timetable.
    private func descriptionWithTimetable(_ event: Event, zone: Zone) -> String? {
        let text = [event.description.map(multiLine), Self.preparerLine(event.preparedBy), Self.timetable(of: event, zone: zone)]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        return text.isEmpty ? nil : text
    }

    /// LOCATION: the room, then the place (`Hội trường A, Thái Nguyên`), as a session's is
    /// written; the room once where the place already names it, as clashes name it.
    public static func place(_ location: String?, room: String?) -> String? {
        guard let room else { return location.map(oneLine) }
        guard let location else { return oneLine(room) }
        if foldedForSearch(location).contains(foldedForSearch(room)) { return oneLine(location) }
        return oneLine(room) + ", " + oneLine(location)
    }

    /// The preparing unit as the DESCRIPTION shows it to calendar clients (the weekly schedule's
    /// word), between the description proper and the timetable; an importer takes it out again.
    public static func preparerLine(_ unit: String?) -> String? {
        unit.map { "Chuẩn bị: " + oneLine($0) }
    }

    /// One line per session, `08:00–09:30 Title (Room)`, with the date in front when the sessions
    /// span several days. Public so that an importer can tell it from the description proper.
    public static func timetable(of event: Event, zone: Zone) -> String? {
        let sessions = event.sessions.sorted { $0.start < $1.start }
        guard !sessions.isEmpty else { return nil }
        let days = Set(sessions.map { zone.display($0.start, dateOnly: true) })
        return sessions.map { s in
            let clock = { (i: Instant) in String(zone.display(i).suffix(5)) }
            let day = days.count > 1 ? zone.display(s.start, dateOnly: true) + " " : ""
            let room = s.room.map { " (\(oneLine($0)))" } ?? ""
            return "\(day)\(clock(s.start))–\(clock(s.end)) \(oneLine(s.title))\(room)"
        }.joined(separator: "\n")
    }

    /// One ORGANIZER or ATTENDEE per address (RFC 5545 allows no repeats): a person with several
    /// roles gets the ROLE of the most active one and all of them in `X-EVENTD-ROLE`.
    private func addPeople(_ people: [Participation], to vevent: OpaquePointer, method: CalendarMethod) {
        var order: [String] = []
        var byAddress: [String: [Participation]] = [:]
        for p in people {
            guard let address = address(of: p.person) else { continue }
            if byAddress[address.lowercased()] == nil { order.append(address) }
            byAddress[address.lowercased(), default: []].append(p)
        }
        var organizerWritten = false
        for address in order {
            let parts = byAddress[address.lowercased()]!
            let isOrganizer = parts.contains { $0.role == .organizer } && !organizerWritten
            if isOrganizer {
                organizerWritten = true
                let property = icalproperty_new_organizer(address)!
                icalproperty_add_parameter(property, icalparameter_new_cn(parameterText(parts[0].nameInFile ?? parts[0].person.name)))
                addDomainRoles(parts, to: property)
                add(vevent, property)
            }
            // The organizer who also attends (or chairs, or speaks) is an ATTENDEE as well, as
            // Outlook and Google write it; an organizer and nothing else is not.
            let attending = isOrganizer ? parts.filter { $0.role != .organizer } : parts
            guard let main = attending.min(by: { $0.roleRank < $1.roleRank }) else { continue }
            let property = icalproperty_new_attendee(address)!
            // The name a file gave this address here, where it gave another (one person per address).
            icalproperty_add_parameter(property, icalparameter_new_cn(parameterText(main.nameInFile ?? main.person.name)))
            icalproperty_add_parameter(property, icalparameter_new_role(main.icalRole))
            icalproperty_add_parameter(property, icalparameter_new_partstat(main.rsvp.ical))
            if method == .request, main.person.email != nil {
                icalproperty_add_parameter(property, icalparameter_new_rsvp(ICAL_RSVP_TRUE))
            }
            addDomainRoles(attending, to: property)
            add(vevent, property)
        }
    }

    /// `X-EVENTD-ROLE` with the domain roles, so that a round trip keeps them.
    private func addDomainRoles(_ parts: [Participation], to property: OpaquePointer) {
        let domainRoles = icalparameter_new_x(parts.map(\.role.rawValue).joined(separator: ","))!
        icalparameter_set_xname(domainRoles, "X-EVENTD-ROLE")
        icalproperty_add_parameter(property, domainRoles)
    }

    private func address(of person: Person) -> String? {
        if let email = person.email, !email.isEmpty { return "mailto:" + oneLine(email) }
        guard peopleWithoutEmail == .urn else { return nil }
        if let id = person.id { return "urn:x-eventd:person:\(id)" }
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return "urn:x-eventd:name:" + (oneLine(person.name).addingPercentEncoding(withAllowedCharacters: unreserved) ?? "unnamed")
    }

    private func addAlarm(to vevent: OpaquePointer, seconds: Int, text: String) {
        let alarm = icalcomponent_new(ICAL_VALARM_COMPONENT)!
        add(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY))
        var trigger = icaltriggertype()
        trigger.time = icaltime_null_time()
        trigger.duration = icaldurationtype_from_int(Int32(-seconds))
        add(alarm, icalproperty_new_trigger(trigger))
        add(alarm, icalproperty_new_description(oneLine(text)))
        icalcomponent_add_component(vevent, alarm)
    }

    private func add(_ component: OpaquePointer, _ property: OpaquePointer?) {
        if let property { icalcomponent_add_property(component, property) }
    }
}

// MARK: text hygiene

/// One line of text: line breaks and other control characters become spaces. libical escapes
/// `\n` but silently drops `\r`, so a hostile value must never reach it unchanged.
func oneLine(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
}

/// Multi-line text: CRLF and CR become LF (libical writes `\n`); other controls become spaces.
func multiLine(_ text: String) -> String {
    let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    return String(String.UnicodeScalarView(unified.unicodeScalars.map { $0 != "\n" && $0 != "\t" && isControl($0) ? " " : $0 }))
}

/// Parameter values (CN) are one line; libical quotes them and caret-encodes `"` (RFC 6868).
func parameterText(_ text: String) -> String { oneLine(text) }

private func isControl(_ s: Unicode.Scalar) -> Bool {
    s.value < 0x20 || s.value == 0x7F || (0x80...0x9F).contains(s.value) || s == "\u{2028}" || s == "\u{2029}"
}

// MARK: enum mappings

extension CalendarMethod {
    var ical: icalproperty_method {
        switch self {
        case .publish: ICAL_METHOD_PUBLISH
        case .request: ICAL_METHOD_REQUEST
        case .cancel: ICAL_METHOD_CANCEL
        }
    }
}

extension EventStatus {
    var ical: icalproperty_status {
        switch self {
        case .tentative: ICAL_STATUS_TENTATIVE
        case .confirmed: ICAL_STATUS_CONFIRMED
        case .cancelled: ICAL_STATUS_CANCELLED
        }
    }
}

extension RSVPState {
    var ical: icalparameter_partstat {
        switch self {
        case .needsAction: ICAL_PARTSTAT_NEEDSACTION
        case .accepted: ICAL_PARTSTAT_ACCEPTED
        case .declined: ICAL_PARTSTAT_DECLINED
        case .tentative: ICAL_PARTSTAT_TENTATIVE
        case .delegated: ICAL_PARTSTAT_DELEGATED
        }
    }
}

extension Participation {
    /// Which of a person's roles decides their ROLE: the most active first.
    var roleRank: Int {
        switch role {
        case .organizer: 0
        case .chair: 1
        case .speaker: 2
        case .attendee: required ? 3 : 4
        case .witness: 5
        }
    }

    var icalRole: icalparameter_role {
        switch role {
        case .organizer, .chair: ICAL_ROLE_CHAIR
        case .speaker: ICAL_ROLE_REQPARTICIPANT
        case .attendee: required ? ICAL_ROLE_REQPARTICIPANT : ICAL_ROLE_OPTPARTICIPANT
        // A witness takes part, and mail clients treat NON-PARTICIPANT as "for information":
        // REQ-PARTICIPANT, with `witness` kept in X-EVENTD-ROLE.
        case .witness: ICAL_ROLE_REQPARTICIPANT
        }
    }
}
