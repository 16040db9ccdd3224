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

    public init(
        person: Person, role: Role, required: Bool = true, rsvp: RSVPState = .needsAction, sessionID: Int64? = nil,
        answeredAt: Instant? = nil, comment: String? = nil, answeredVia: String? = nil
    ) {
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

/// How a recurring meeting repeats: an RFC 5545 RRULE, minus the excluded occurrences.
public struct Recurrence: Sendable, Equatable, Codable {
    /// The RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`, as libical normalises it.
    public var rule: String
    /// Start instants of occurrences that do not take place (EXDATE).
    public var exceptions: [Instant]

    public init(rule: String, exceptions: [Instant] = []) {
        self.rule = rule
        self.exceptions = exceptions
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

    public init(
        id: Int64? = nil, uid: String, kind: EventKind, title: String, description: String? = nil,
        location: String? = nil, room: String? = nil, preparedBy: String? = nil, link: String? = nil, start: Instant, end: Instant, timeZone: String,
        allDay: Bool = false, status: EventStatus = .confirmed, sequence: Int = 0,
        delegation: Delegation? = nil, recurrence: Recurrence? = nil, reminders: [Reminder]? = nil, created: Instant, updated: Instant,
        participants: [Participation] = [], sessions: [Session] = []
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
    }

    /// The attendee-visible facts; a change to any of them raises `sequence`.
    public var significantFacts: [String] {
        [
            String(start.seconds), String(end.seconds), timeZone, String(allDay), location ?? "", link ?? "", status.rawValue,
            recurrence?.rule ?? "", recurrence?.exceptions.map { String($0.seconds) }.joined(separator: ",") ?? "", room ?? "",
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
