/// The kinds of meeting public bodies hold; see docs/domain.md for the Vietnamese words.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case conference, signing, workshop, visit, ceremony, meeting, online
}

public enum EventStatus: String, Sendable, Codable, CaseIterable {
    case tentative, confirmed, cancelled
}

/// The part a person plays in an event or a session.
public enum Role: String, Sendable, Codable, CaseIterable {
    case organizer, chair, speaker, witness, attendee
}

/// RFC 5545 PARTSTAT values that a participant's reply can take.
public enum RSVPState: String, Sendable, Codable, CaseIterable {
    case needsAction = "needs-action", accepted, declined, tentative, delegated
}

public enum Language: String, Sendable, Codable, CaseIterable {
    case vi, en
}

/// A person in the register. Names keep their diacritics; `foldedName` is for look-ups.
public struct Person: Sendable, Equatable, Hashable, Codable {
    public var id: Int64?
    public var name: String
    public var email: String?
    public var position: String?
    public var organisation: String?
    public var language: Language
    /// The zone their agenda is grouped by days in; nil: the daemon's default zone.
    public var timeZone: String?

    public init(
        id: Int64? = nil, name: String, email: String? = nil, position: String? = nil,
        organisation: String? = nil, language: Language = .vi, timeZone: String? = nil
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.position = position
        self.organisation = organisation
        self.language = language
        self.timeZone = timeZone
    }
}

/// A person's part in an event, or in one session of it when `sessionID` is set.
public struct Participation: Sendable, Equatable, Hashable, Codable {
    public var person: Person
    public var role: Role
    /// Only meaningful for attendees: optional attendees are invited but not expected.
    public var required: Bool
    public var rsvp: RSVPState
    public var sessionID: Int64?
    /// When the answer in `rsvp` came, its COMMENT, and how (`mail from …`, `by hand by …`).
    public var answeredAt: Instant?
    public var comment: String?
    public var answeredVia: String?
    /// The CN an imported file gave this address in this event, where it differs from the
    /// person's name: one person per address, and the file's name written back where it stood.
    public var nameInFile: String?

    public init(
        person: Person, role: Role, required: Bool = true, rsvp: RSVPState = .needsAction, sessionID: Int64? = nil,
        answeredAt: Instant? = nil, comment: String? = nil, answeredVia: String? = nil, nameInFile: String? = nil
    ) {
        self.nameInFile = nameInFile
        self.person = person
        self.role = role
        self.required = required
        self.rsvp = rsvp
        self.sessionID = sessionID
        self.answeredAt = answeredAt
        self.comment = comment
        self.answeredVia = answeredVia
    }
}

/// A timetable slot inside an event. In iCalendar it is a VEVENT of its own, RELATED-TO its event.
public struct Session: Sendable, Equatable, Codable {
    public var id: Int64?
    /// Stable across export and import, like an event's UID.
    public var uid: String
    public var title: String
    public var start: Instant
    public var end: Instant
    public var room: String?

    public init(id: Int64? = nil, uid: String, title: String, start: Instant, end: Instant, room: String? = nil) {
        self.id = id
        self.uid = uid
        self.title = title
        self.start = start
        self.end = end
        self.room = room
    }
}

/// How a recurring meeting repeats: RFC 5545's recurrence set. The occurrences are DTSTART, those of
/// `rule` (and of `moreRules`) and the `dates`, less the `exceptions` and `exceptionDates`; an
/// occurrence with an entry in `overrides` takes place as the override says.
public struct Recurrence: Sendable, Equatable, Codable {
    /// The RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`, as libical normalises it; empty when
    /// the occurrences are only listed (RDATE) or only overridden (a file of changed occurrences).
    public var rule: String
    /// Start instants of occurrences that do not take place (EXDATE).
    public var exceptions: [Instant]
    /// Further RRULEs (RFC 2445 allowed several; some servers still write them).
    public var moreRules: [String]
    /// Extra occurrences (RDATE), by start.
    public var dates: [Instant]
    /// Days without an occurrence, `YYYY-MM-DD` in the event's zone: a DATE-valued EXDATE on a
    /// series with times, or `--exdate 7/12/2026` on one, takes out every occurrence that day.
    public var exceptionDates: [String]
    /// Single occurrences changed or cancelled (RECURRENCE-ID), by the start the rule gives them.
    public var overrides: [OccurrenceOverride]

    public init(
        rule: String, exceptions: [Instant] = [], moreRules: [String] = [], dates: [Instant] = [], exceptionDates: [String] = [],
        overrides: [OccurrenceOverride] = []
    ) {
        self.rule = rule
        self.exceptions = exceptions
        self.moreRules = moreRules
        self.dates = dates
        self.exceptionDates = exceptionDates
        self.overrides = overrides
    }

    // Audit rows written before these fields existed hold only `rule` and `exceptions`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rule = try c.decode(String.self, forKey: .rule)
        exceptions = try c.decodeIfPresent([Instant].self, forKey: .exceptions) ?? []
        moreRules = try c.decodeIfPresent([String].self, forKey: .moreRules) ?? []
        dates = try c.decodeIfPresent([Instant].self, forKey: .dates) ?? []
        exceptionDates = try c.decodeIfPresent([String].self, forKey: .exceptionDates) ?? []
        overrides = try c.decodeIfPresent([OccurrenceOverride].self, forKey: .overrides) ?? []
    }

    /// The override of the occurrence the rule starts at `recurrenceID`, if any.
    public func override(at recurrenceID: Instant) -> OccurrenceOverride? {
        overrides.first { $0.recurrenceID == recurrenceID }
    }

    /// Puts `override` in place of any the same occurrence had, keeping them in order.
    public mutating func setOverride(_ override: OccurrenceOverride) {
        overrides.removeAll { $0.recurrenceID == override.recurrenceID }
        overrides.append(override)
        overrides.sort { $0.recurrenceID < $1.recurrenceID }
    }

    /// The same set for a series whose first start moved from `old` to `new`: excluded and added
    /// occurrences and changed ones move by the same wall-clock amount in `zone`, so an excluded
    /// occurrence stays excluded and a moved one stays moved, on the series' new times.
    public func shifted(from old: Instant, to new: Instant, in zone: Zone) -> Recurrence {
        let (from, to) = (zone.civil(old), zone.civil(new))
        let delta = to.secondsSinceEpoch - from.secondsSinceEpoch
        func move(_ instant: Instant) -> Instant { zone.instant(CivilDateTime(secondsSinceEpoch: zone.civil(instant).secondsSinceEpoch + delta)) }
        var moved = self
        moved.exceptions = exceptions.map(move)
        moved.dates = dates.map(move)
        // An excluded day is the day of the occurrence that started at the old time of day on it.
        moved.exceptionDates = exceptionDates.map { text in
            guard let day = CivilDateTime(isoDate: text) else { return text }
            let occurrence = CivilDateTime(year: day.year, month: day.month, day: day.day, hour: from.hour, minute: from.minute, second: from.second)
            return CivilDateTime(secondsSinceEpoch: occurrence.secondsSinceEpoch + delta).isoDate
        }
        moved.overrides = overrides.map { override in
            var override = override
            override.recurrenceID = move(override.recurrenceID)
            override.start = move(override.start)
            override.end = move(override.end)
            return override
        }
        return moved
    }
}

/// One occurrence of a recurring event changed or cancelled (a VEVENT with RECURRENCE-ID).
/// Fields left nil are as the series says.
public struct OccurrenceOverride: Sendable, Equatable, Codable {
    /// The start the recurrence gives this occurrence: what RECURRENCE-ID names.
    public var recurrenceID: Instant
    public var start: Instant
    public var end: Instant
    public var status: EventStatus?
    public var title: String?
    public var location: String?
    public var description: String?
    public var sequence: Int
    /// The override VEVENT's properties eventd does not model, as iCalendar content lines.
    public var keptProperties: String?
    /// RANGE=THISANDFUTURE: the change (its shift of time, its length, title, place, status) holds
    /// for every later occurrence too, until another such change.
    public var thisAndFuture: Bool

    public init(
        recurrenceID: Instant, start: Instant, end: Instant, status: EventStatus? = nil, title: String? = nil, location: String? = nil,
        description: String? = nil, sequence: Int = 0, keptProperties: String? = nil, thisAndFuture: Bool = false
    ) {
        self.recurrenceID = recurrenceID
        self.start = start
        self.end = end
        self.status = status
        self.title = title
        self.location = location
        self.description = description
        self.sequence = sequence
        self.keptProperties = keptProperties
        self.thisAndFuture = thisAndFuture
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            recurrenceID: try c.decode(Instant.self, forKey: .recurrenceID), start: try c.decode(Instant.self, forKey: .start),
            end: try c.decode(Instant.self, forKey: .end), status: try c.decodeIfPresent(EventStatus.self, forKey: .status),
            title: try c.decodeIfPresent(String.self, forKey: .title), location: try c.decodeIfPresent(String.self, forKey: .location),
            description: try c.decodeIfPresent(String.self, forKey: .description), sequence: try c.decodeIfPresent(Int.self, forKey: .sequence) ?? 0,
            keptProperties: try c.decodeIfPresent(String.self, forKey: .keptProperties),
            thisAndFuture: try c.decodeIfPresent(Bool.self, forKey: .thisAndFuture) ?? false)
    }
}

/// An organisation on one side of a working-group visit.
public struct Delegation: Sendable, Equatable, Codable {
    public var visiting: String
    public var host: String

    public init(visiting: String, host: String) {
        self.visiting = visiting
        self.host = host
    }
}

/// One meeting in the register. Times are instants; `timeZone` is the IANA zone they are shown in.
public struct Event: Sendable, Equatable, Codable {
    public var id: Int64?
    public var uid: String
    public var kind: EventKind
    public var title: String
    public var description: String?
    public var location: String?
    /// The room or hall inside `location` the event books; two events in one room at once clash.
    public var room: String?
    /// The unit that prepares the meeting (đơn vị chuẩn bị), shown in the weekly schedule.
    public var preparedBy: String?
    public var link: String?
    public var start: Instant
    /// Exclusive end; for all-day events the midnight after the last day.
    public var end: Instant
    public var timeZone: String
    public var allDay: Bool
    public var status: EventStatus
    /// Raised on every change that matters to attendees (time, place, status), as RFC 5545 asks.
    public var sequence: Int
    public var delegation: Delegation?
    public var recurrence: Recurrence?
    /// Reminders sent before each occurrence; nil: the daemon's defaults.
    public var reminders: [Reminder]?
    public var created: Instant
    public var updated: Instant
    public var participants: [Participation]
    public var sessions: [Session]
    /// Times were floating in the file it came from (no zone): they are read, and shown, in
    /// `timeZone` (the file's X-WR-TIMEZONE or the daemon's zone) and written back floating.
    public var floating: Bool
    /// Properties and alarms of the VEVENT it was imported from that eventd does not model
    /// (TRANSP, CLASS, GEO, ATTACH, X- properties, the file's VALARMs, …), as iCalendar text,
    /// written back on export so that a round trip keeps them.
    public var keptProperties: String?

    public init(
        id: Int64? = nil, uid: String, kind: EventKind, title: String, description: String? = nil,
        location: String? = nil, room: String? = nil, preparedBy: String? = nil, link: String? = nil, start: Instant, end: Instant, timeZone: String,
        allDay: Bool = false, status: EventStatus = .confirmed, sequence: Int = 0,
        delegation: Delegation? = nil, recurrence: Recurrence? = nil, reminders: [Reminder]? = nil, created: Instant, updated: Instant,
        participants: [Participation] = [], sessions: [Session] = [], floating: Bool = false, keptProperties: String? = nil
    ) {
        self.id = id
        self.uid = uid
        self.kind = kind
        self.title = title
        self.description = description
        self.location = location
        self.room = room
        self.preparedBy = preparedBy
        self.link = link
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.allDay = allDay
        self.status = status
        self.sequence = sequence
        self.delegation = delegation
        self.recurrence = recurrence
        self.reminders = reminders
        self.created = created
        self.updated = updated
        self.participants = participants
        self.sessions = sessions
        self.floating = floating
        self.keptProperties = keptProperties
    }

    // Audit rows written before `floating` and `keptProperties` existed lack them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(Int64.self, forKey: .id), uid: try c.decode(String.self, forKey: .uid),
            kind: try c.decode(EventKind.self, forKey: .kind), title: try c.decode(String.self, forKey: .title),
            description: try c.decodeIfPresent(String.self, forKey: .description), location: try c.decodeIfPresent(String.self, forKey: .location),
            room: try c.decodeIfPresent(String.self, forKey: .room), preparedBy: try c.decodeIfPresent(String.self, forKey: .preparedBy),
            link: try c.decodeIfPresent(String.self, forKey: .link), start: try c.decode(Instant.self, forKey: .start),
            end: try c.decode(Instant.self, forKey: .end), timeZone: try c.decode(String.self, forKey: .timeZone),
            allDay: try c.decode(Bool.self, forKey: .allDay), status: try c.decode(EventStatus.self, forKey: .status),
            sequence: try c.decode(Int.self, forKey: .sequence), delegation: try c.decodeIfPresent(Delegation.self, forKey: .delegation),
            recurrence: try c.decodeIfPresent(Recurrence.self, forKey: .recurrence),
            reminders: try c.decodeIfPresent([Reminder].self, forKey: .reminders), created: try c.decode(Instant.self, forKey: .created),
            updated: try c.decode(Instant.self, forKey: .updated), participants: try c.decode([Participation].self, forKey: .participants),
            sessions: try c.decode([Session].self, forKey: .sessions), floating: try c.decodeIfPresent(Bool.self, forKey: .floating) ?? false,
            keptProperties: try c.decodeIfPresent(String.self, forKey: .keptProperties))
    }

    /// The event as it is at one occurrence: an override's title, place, description and status,
    /// and its length (`end` is set so that `end - start` is the occurrence's duration; `start`
    /// stays the series' own, so callers shift by `occurrenceStart - start` as for any occurrence).
    public func applying(_ override: OccurrenceOverride?) -> Event {
        guard let override else { return self }
        var event = self
        if let title = override.title { event.title = title }
        if let location = override.location { event.location = location }
        if let description = override.description { event.description = description }
        if let status = override.status { event.status = status }
        event.end = start.adding(seconds: override.end.seconds - override.start.seconds)
        return event
    }

    /// Where the occurrence that starts at `start` ends: as many whole local days later as the
    /// event has for a whole-day event (a DST day is 23 or 25 hours), else the event's length later.
    public func end(ofOccurrenceAt start: Instant) -> Instant {
        if allDay, let zone = try? Zone(timeZone) { return zone.midnight(after: start, days: zone.days(from: self.start, to: end)) }
        return start.adding(seconds: end.seconds - self.start.seconds)
    }

    /// The attendee-visible facts; a change to any of them raises `sequence`.
    public var significantFacts: [String] {
        [
            String(start.seconds), String(end.seconds), timeZone, String(allDay), location ?? "", link ?? "", status.rawValue,
            recurrence?.rule ?? "", recurrence?.exceptions.map { String($0.seconds) }.joined(separator: ",") ?? "", room ?? "",
            recurrence?.exceptionDates.joined(separator: ",") ?? "", recurrence?.dates.map { String($0.seconds) }.joined(separator: ",") ?? "",
            recurrence?.overrides.map { "\($0.recurrenceID.seconds):\($0.start.seconds)-\($0.end.seconds):\($0.status?.rawValue ?? "")" }
                .joined(separator: ",") ?? "",
        ]
        // Reminders are ours to send, not attendee-visible facts: they do not raise SEQUENCE.
    }
}

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
public struct Instant: Sendable, Hashable, Comparable, Codable {
    public var seconds: Int64
    public init(seconds: Int64) { self.seconds = seconds }
    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }
    public func adding(seconds delta: Int64) -> Instant { Instant(seconds: seconds + delta) }
}
