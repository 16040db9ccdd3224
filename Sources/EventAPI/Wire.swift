/// The JSON bodies of the `/v1` API, shared by eventd and eventctl.
///
/// Inputs carry text as people typed it (dates as WHEN strings, people as references);
/// the daemon reads and checks them, so `curl` users get the same rules as eventctl users.

/// A new event, or the fields of an update (absent fields stay as they are; an empty
/// string clears an optional field).
public struct EventInput: Codable, Sendable, Equatable {
    public var kind: String?
    public var title: String?
    public var description: String?
    public var location: String?
    /// The room or hall the event books (inside `location`).
    public var room: String?
    /// The unit that prepares it (chuẩn bị), for the weekly schedule.
    public var prepare: String?
    public var link: String?
    public var start: String?
    public var end: String?
    public var duration: String?
    public var tz: String?
    public var allDay: Bool?
    public var status: String?
    public var visiting: String?
    public var host: String?
    /// An RFC 5545 RRULE such as `FREQ=WEEKLY;BYDAY=MO;COUNT=10`; empty clears it.
    public var rrule: String?
    /// Start times (WHEN) of occurrences that do not take place; replaces the list. A date alone
    /// on a series with times takes out every occurrence that day.
    public var exdates: [String]?
    /// Occurrences to take out, added to those already out (update only).
    public var addExdates: [String]?
    /// Occurrences to put back (update only): WHENs as they were given to `exdates`/`addExdates`.
    public var removeExdates: [String]?
    /// The start (WHEN) of one occurrence of a recurring event: the update changes that occurrence
    /// alone (its start, end, title, place, description or status), as a RECURRENCE-ID does.
    public var occurrence: String?
    /// People to add, or whose role to set.
    public var participants: [ParticipantInput]?
    /// People to take off the event (update only).
    public var remove: [String]?
    /// Refuse the change, rather than warn, when it makes a clash.
    public var strict: Bool?
    /// Reminders before each occurrence: `1d`, `2h:speakers`, `30s:organizers`; empty: none;
    /// absent: the daemon's defaults (on add) or no change (on update).
    public var reminders: [String]?

    public init() {}
}

/// A person's part: `person` is `"Full Name <email>"`, a bare name, an email or an id.
public struct ParticipantInput: Codable, Sendable, Equatable {
    public var person: String
    public var role: String
    /// For attendees: false for optional ones. Defaults to true.
    public var required: Bool?
    /// A bare name makes a new person even when someone of that name is in the register.
    public var new: Bool?

    public init(person: String, role: String, required: Bool? = nil, new: Bool? = nil) {
        self.person = person
        self.role = role
        self.required = required
        self.new = new
    }
}

public struct SessionInput: Codable, Sendable, Equatable {
    public var title: String
    public var start: String
    public var end: String
    public var room: String?
    public var participants: [ParticipantInput]?
    /// Refuse the session, rather than warn, when it makes a clash.
    public var strict: Bool?

    public init(title: String, start: String, end: String, room: String? = nil, participants: [ParticipantInput]? = nil, strict: Bool? = nil) {
        self.strict = strict
        self.title = title
        self.start = start
        self.end = end
        self.room = room
        self.participants = participants
    }
}

public struct PersonInput: Codable, Sendable, Equatable {
    public var name: String
    public var email: String?
    public var position: String?
    public var organisation: String?
    public var lang: String?
    /// IANA zone the person's agenda is shown in (default: eventd's).
    public var tz: String?

    public init(name: String, email: String? = nil, position: String? = nil, organisation: String? = nil, lang: String? = nil, tz: String? = nil) {
        self.tz = tz
        self.name = name
        self.email = email
        self.position = position
        self.organisation = organisation
        self.lang = lang
    }
}

public struct PersonView: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var email: String?
    public var position: String?
    public var organisation: String?
    public var lang: String
    public var tz: String?
    /// Who may answer invitations for them; given by `GET /v1/people/{key}` and `PATCH`.
    public var assistants: [String]?

    public init(id: Int64, name: String, email: String?, position: String?, organisation: String?, lang: String, tz: String?, assistants: [String]? = nil) {
        self.assistants = assistants
        self.tz = tz
        self.id = id
        self.name = name
        self.email = email
        self.position = position
        self.organisation = organisation
        self.lang = lang
    }
}

public struct ParticipantView: Codable, Sendable, Equatable {
    public var personId: Int64
    public var name: String
    public var email: String?
    public var position: String?
    public var organisation: String?
    public var role: String
    public var required: Bool
    /// `needs-action`, `accepted`, `declined`, `tentative` or `delegated`.
    public var rsvp: String
    /// When the answer came (ISO 8601), with its comment and how it came (`mail from …`, `by hand (…)`).
    public var answeredAt: String?
    public var comment: String?
    public var answeredVia: String?
    /// The name an imported file gave this address here, where it differs from the person's
    /// (one person per address; the file's CN is written back in this event's ATTENDEE line).
    public var nameInFile: String?

    public init(personId: Int64, name: String, email: String?, position: String?, organisation: String?, role: String, required: Bool, rsvp: String) {
        self.personId = personId
        self.name = name
        self.email = email
        self.position = position
        self.organisation = organisation
        self.role = role
        self.required = required
        self.rsvp = rsvp
    }
}

public struct SessionView: Codable, Sendable, Equatable {
    public var id: Int64
    public var uid: String
    public var title: String
    public var start: String
    public var end: String
    public var room: String?
    public var participants: [ParticipantView]
    /// Only in the answer to adding it: the clashes it makes.
    public var conflicts: [ConflictView]?
    /// `start` and `end` in the reader's zone (the event's `readerTz`); absent when it is the event's.
    public var readerStart: String?
    public var readerEnd: String?

    public init(id: Int64, uid: String, title: String, start: String, end: String, room: String?, participants: [ParticipantView]) {
        self.id = id
        self.uid = uid
        self.title = title
        self.start = start
        self.end = end
        self.room = room
        self.participants = participants
    }
}

/// An event as the API shows it: times in ISO 8601 with the offset of `tz`.
public struct EventView: Codable, Sendable, Equatable {
    public var id: Int64
    public var uid: String
    public var kind: String
    public var title: String
    public var description: String?
    public var location: String?
    public var link: String?
    public var start: String
    public var end: String
    public var tz: String
    public var allDay: Bool
    public var status: String
    public var sequence: Int
    public var visiting: String?
    public var host: String?
    /// The room the event books, and the unit that prepares it.
    public var room: String?
    public var prepare: String?
    public var rrule: String?
    public var exdates: [String]?
    /// In a listing of a range, the start of this occurrence of a recurring event
    /// (then `start` and `end` are the occurrence's); absent otherwise.
    public var recurrenceId: String?
    public var created: String
    public var updated: String
    public var participants: [ParticipantView]
    public var sessions: [SessionView]
    /// Only in answers to add and update: the clashes the change makes (a warning; `strict` refuses instead).
    public var conflicts: [ConflictView]?
    /// The reminders it sends, as `--remind` takes them (`1d`, `2h:speakers`); `[]`: none; absent:
    /// eventd's `default_reminders`.
    public var reminders: [String]?
    /// In readings (list, search, show) for a reader whose zone (`tz=`, default eventd's) is not the
    /// event's: the zone, and `start` and `end` in it. `start` and `end` stay in the event's own zone;
    /// a whole-day event never has these (its days are the same days everywhere).
    public var readerTz: String?
    public var readerStart: String?
    public var readerEnd: String?

    public init(
        id: Int64, uid: String, kind: String, title: String, description: String?, location: String?, link: String?,
        start: String, end: String, tz: String, allDay: Bool, status: String, sequence: Int, visiting: String?, host: String?,
        rrule: String?, exdates: [String]?, recurrenceId: String?,
        created: String, updated: String, participants: [ParticipantView], sessions: [SessionView]
    ) {
        self.id = id
        self.uid = uid
        self.kind = kind
        self.title = title
        self.description = description
        self.location = location
        self.link = link
        self.start = start
        self.end = end
        self.tz = tz
        self.allDay = allDay
        self.status = status
        self.sequence = sequence
        self.visiting = visiting
        self.host = host
        self.rrule = rrule
        self.exdates = exdates
        self.recurrenceId = recurrenceId
        self.created = created
        self.updated = updated
        self.participants = participants
        self.sessions = sessions
    }
}

/// Two bookings that cannot both be kept: a person in two places at once (`overlap`), too little
/// time to travel between places (`travel`), or a room booked twice (`room`).
public struct ConflictView: Codable, Sendable, Equatable {
    public var kind: String
    public var message: String
    public var eventIds: [Int64]

    public init(kind: String, message: String, eventIds: [Int64]) {
        self.kind = kind
        self.message = message
        self.eventIds = eventIds
    }
}

/// A person's agenda: their events and sessions in a range, grouped by day in their zone.
public struct AgendaView: Codable, Sendable, Equatable {
    public var person: PersonView
    public var from: String
    public var to: String
    public var tz: String
    public var days: [AgendaDay]

    public init(person: PersonView, from: String, to: String, tz: String, days: [AgendaDay]) {
        self.person = person
        self.from = from
        self.to = to
        self.tz = tz
        self.days = days
    }
}

public struct AgendaDay: Codable, Sendable, Equatable {
    /// `2017-03-03`
    public var date: String
    /// `Thứ Sáu, 03/03/2017` or `Friday, 03/03/2017`, in the person's language.
    public var label: String
    public var entries: [AgendaEntry]

    public init(date: String, label: String, entries: [AgendaEntry]) {
        self.date = date
        self.label = label
        self.entries = entries
    }
}

/// One event, or one session of it, in which the person has a part.
public struct AgendaEntry: Codable, Sendable, Equatable {
    public var eventId: Int64
    public var uid: String
    public var kind: String
    public var title: String
    public var status: String
    /// The entry's times, in the person's zone: the session's for a session entry.
    public var start: String
    public var end: String
    public var location: String?
    public var link: String?
    public var roles: [String]
    /// For a recurring event, which occurrence.
    public var recurrenceId: String?
    /// For a session entry: the slot, the slots before and after it, and who else speaks in it.
    public var session: SlotView?
    public var previous: SlotView?
    public var next: SlotView?
    public var coSpeakers: [String]?
    /// A whole-day event's entry: `start` and `end` are its first day's midnight and the one after its
    /// last day, in the event's own zone.
    public var allDay: Bool?

    public init(
        eventId: Int64, uid: String, kind: String, title: String, status: String, start: String, end: String, location: String?,
        link: String?, roles: [String], recurrenceId: String?, session: SlotView?, previous: SlotView?, next: SlotView?, coSpeakers: [String]?,
        allDay: Bool? = nil
    ) {
        self.allDay = allDay
        self.eventId = eventId
        self.uid = uid
        self.kind = kind
        self.title = title
        self.status = status
        self.start = start
        self.end = end
        self.location = location
        self.link = link
        self.roles = roles
        self.recurrenceId = recurrenceId
        self.session = session
        self.previous = previous
        self.next = next
        self.coSpeakers = coSpeakers
    }
}

public struct SlotView: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var start: String
    public var end: String
    public var room: String?
    public var speakers: [String]

    public init(id: Int64, title: String, start: String, end: String, room: String?, speakers: [String]) {
        self.id = id
        self.title = title
        self.start = start
        self.end = end
        self.room = room
        self.speakers = speakers
    }
}

/// A notice in the outbox: one message to one recipient.
public struct NoticeView: Codable, Sendable, Equatable {
    public var id: Int64
    public var messageId: String
    /// reminder, invitation, update or cancellation.
    public var kind: String
    public var eventUid: String
    public var eventId: Int64?
    public var recipient: String
    public var due: String
    /// `due` as seconds since 1970, for scripts that compare times.
    public var dueEpoch: Int64
    /// pending, sending, sent, failed or skipped.
    public var state: String
    public var attempts: Int
    public var nextAttempt: String
    public var lastError: String?
    public var sequence: Int
    /// The zone `due` and `nextAttempt` are written in: eventd's.
    public var tz: String?
    /// For a reader whose zone (`tz=`) is not eventd's: that zone, and `due` in it.
    public var readerTz: String?
    public var readerDue: String?

    public init(
        id: Int64, messageId: String, kind: String, eventUid: String, eventId: Int64?, recipient: String, due: String, dueEpoch: Int64,
        state: String, attempts: Int, nextAttempt: String, lastError: String?, sequence: Int
    ) {
        self.id = id
        self.messageId = messageId
        self.kind = kind
        self.eventUid = eventUid
        self.eventId = eventId
        self.recipient = recipient
        self.due = due
        self.dueEpoch = dueEpoch
        self.state = state
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastError = lastError
        self.sequence = sequence
    }
}

/// A person's feed: `webcal://` for calendar apps, `https://` for the rest.
public struct FeedURLView: Codable, Sendable, Equatable {
    public var person: PersonView
    public var token: String
    public var https: String
    public var webcal: String
    /// True when the feed file was not yet written as eventd answered: the address works once
    /// the feed writer's next pass is done. Absent: the file is there.
    public var pending: Bool?

    public init(person: PersonView, token: String, https: String, webcal: String) {
        self.person = person
        self.token = token
        self.https = https
        self.webcal = webcal
    }
}

/// How often a feed file was replaced since eventd started.
public struct FeedView: Codable, Sendable, Equatable {
    public var path: String
    public var writes: Int

    public init(path: String, writes: Int) {
        self.path = path
        self.writes = writes
    }
}

/// What `POST /v1/import` did with each VEVENT, by UID.
public struct ImportResult: Codable, Sendable, Equatable {
    public var created: [String]
    public var updated: [String]
    /// UIDs the register already held exactly as the file has them: nothing written, no audit row.
    public var unchanged: [String]
    /// UIDs left alone, with the reason (an older SEQUENCE than the one stored).
    public var skipped: [Skipped]

    public struct Skipped: Codable, Sendable, Equatable {
        public var uid: String
        public var reason: String

        public init(uid: String, reason: String) {
            self.uid = uid
            self.reason = reason
        }
    }

    public init(created: [String] = [], updated: [String] = [], unchanged: [String] = [], skipped: [Skipped] = []) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.skipped = skipped
    }
}

public struct StatusView: Codable, Sendable, Equatable {
    public var version: String
    public var pid: Int32
    public var uptimeSeconds: Int64
    public var events: Int
    public var sessions: Int
    public var people: Int
    public var database: String
    public var socket: String
    public var defaultTimeZone: String
    /// The config file in use; nil: eventd runs on its defaults (and flags).
    public var configFile: String?
    /// The last reload (SIGHUP): when, and why it was refused, if it was.
    public var lastReload: String?
    public var lastReloadError: String?
    /// The caller as eventd sees it, and what it may do: `write`, `read`.
    public var you: String?
    public var access: String?
    /// Notices by state: pending, sending, sent, failed, skipped.
    public var notices: [String: Int]?
    public var feeds: FeedsStatus?

    public struct FeedsStatus: Codable, Sendable, Equatable {
        public var directory: String
        /// ISO 8601 time of the last feed write, and the last error (cleared by the next good write).
        public var lastWrite: String?
        public var lastError: String?
        /// Every change so far is written: no change waits and no pass is under way.
        public var settled: Bool?

        public init(directory: String, lastWrite: String?, lastError: String?, settled: Bool?) {
            self.directory = directory
            self.lastWrite = lastWrite
            self.lastError = lastError
            self.settled = settled
        }
    }

    public init(version: String, pid: Int32, uptimeSeconds: Int64, events: Int, sessions: Int, people: Int, database: String, socket: String, defaultTimeZone: String) {
        self.version = version
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.events = events
        self.sessions = sessions
        self.people = people
        self.database = database
        self.socket = socket
        self.defaultTimeZone = defaultTimeZone
    }
}

/// One change in the audit log (`GET /v1/log`, `eventctl log`).
public struct AuditView: Codable, Sendable, Equatable {
    public var id: Int64
    /// ISO 8601 in eventd's default zone.
    public var at: String
    public var uid: UInt32
    public var user: String
    public var pid: Int32
    public var action: String
    public var eventId: Int64?
    public var eventUid: String?
    /// The event before and after the change.
    public var before: EventView?
    public var after: EventView?

    public init(id: Int64, at: String, uid: UInt32, user: String, pid: Int32, action: String, eventId: Int64?, eventUid: String?, before: EventView?, after: EventView?) {
        self.id = id
        self.at = at
        self.uid = uid
        self.user = user
        self.pid = pid
        self.action = action
        self.eventId = eventId
        self.eventUid = eventUid
        self.before = before
        self.after = after
    }
}

/// Every 4xx and 5xx answer has this body: `{"error": {"code": ..., "message": ..., "field": ...}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// One of `invalid`, `not_found`, `conflict`, `too_large`, `bad_request`, `internal`.
        public var code: String
        public var message: String
        public var field: String?

        public init(code: String, message: String, field: String? = nil) {
            self.code = code
            self.message = message
            self.field = field
        }
    }
    public var error: Detail

    public init(code: String, message: String, field: String? = nil) {
        self.error = Detail(code: code, message: message, field: field)
    }
}

/// What one iTIP answer did (`POST /v1/mail-in`, or `POST /v1/import` of a REPLY or COUNTER).
public struct ReplyResult: Codable, Sendable, Equatable {
    /// `REPLY` or `COUNTER`.
    public var method: String
    public var eventId: Int64
    public var uid: String
    public var person: String
    public var email: String
    /// For a REPLY: the answer recorded, and the occurrence (epoch seconds) it is for, if one.
    public var answer: String?
    public var occurrence: Int64?
    /// For a COUNTER: the proposed start and end (epoch seconds), kept for the organizer.
    public var proposedStart: Int64?
    public var proposedEnd: Int64?
    public var via: String

    public init(method: String, eventId: Int64, uid: String, person: String, email: String, via: String) {
        self.method = method
        self.eventId = eventId
        self.uid = uid
        self.person = person
        self.email = email
        self.via = via
    }
}

/// `POST /v1/events/{id}/rsvp`: an answer given by phone or in person.
public struct RSVPInput: Codable, Sendable, Equatable {
    /// Who answered: id, email or name.
    public var person: String
    /// `accepted`, `declined` or `tentative`.
    public var answer: String
    public var comment: String?
    /// One occurrence of a series (WHEN); absent: the whole event.
    public var occurrence: String?

    public init(person: String, answer: String, comment: String? = nil, occurrence: String? = nil) {
        self.person = person
        self.answer = answer
        self.comment = comment
        self.occurrence = occurrence
    }
}

/// `GET /v1/events/{id}/answers`: every participant's answer, answers for single occurrences,
/// and COUNTER proposals.
public struct AnswersView: Codable, Sendable, Equatable {
    public struct Occurrence: Codable, Sendable, Equatable {
        public var personId: Int64
        public var name: String
        public var occurrence: String
        public var answer: String
        public var comment: String?
        public var answeredAt: String
        public var via: String

        public init(personId: Int64, name: String, occurrence: String, answer: String, comment: String?, answeredAt: String, via: String) {
            self.personId = personId
            self.name = name
            self.occurrence = occurrence
            self.answer = answer
            self.comment = comment
            self.answeredAt = answeredAt
            self.via = via
        }
    }

    public struct Proposal: Codable, Sendable, Equatable {
        public var id: Int64
        public var personId: Int64
        public var name: String
        public var occurrence: String?
        public var start: String
        public var end: String
        public var comment: String?
        public var receivedAt: String
        public var via: String

        public init(id: Int64, personId: Int64, name: String, occurrence: String?, start: String, end: String, comment: String?, receivedAt: String, via: String) {
            self.id = id
            self.personId = personId
            self.name = name
            self.occurrence = occurrence
            self.start = start
            self.end = end
            self.comment = comment
            self.receivedAt = receivedAt
            self.via = via
        }
    }

    /// A participant's delegation, and the delegate's answer once it came (nil until then).
    public struct Delegate: Codable, Sendable, Equatable {
        public var personId: Int64
        public var name: String
        public var delegate: String
        public var delegateName: String?
        public var occurrence: String?
        public var answer: String?
        public var comment: String?
        public var answeredAt: String?
        public var via: String?

        public init(
            personId: Int64, name: String, delegate: String, delegateName: String?, occurrence: String?, answer: String?, comment: String?,
            answeredAt: String?, via: String?
        ) {
            self.personId = personId
            self.name = name
            self.delegate = delegate
            self.delegateName = delegateName
            self.occurrence = occurrence
            self.answer = answer
            self.comment = comment
            self.answeredAt = answeredAt
            self.via = via
        }
    }

    public var eventId: Int64
    /// One per person: their answer to the whole event.
    public var participants: [ParticipantView]
    public var occurrences: [Occurrence]
    public var proposals: [Proposal]
    public var delegates: [Delegate]?

    public init(eventId: Int64, participants: [ParticipantView], occurrences: [Occurrence], proposals: [Proposal], delegates: [Delegate]? = nil) {
        self.delegates = delegates
        self.eventId = eventId
        self.participants = participants
        self.occurrences = occurrences
        self.proposals = proposals
    }
}

/// `POST /v1/events/{id}/invite`: the invitations queued, and who could not be invited.
public struct InviteView: Codable, Sendable, Equatable {
    public var queued: [NoticeView]
    /// Participants without an email, by name.
    public var notInvited: [String]

    public init(queued: [NoticeView], notInvited: [String]) {
        self.queued = queued
        self.notInvited = notInvited
    }
}

// MARK: The secretary's week: people, sessions, schedules

/// `PATCH /v1/people/{key}`: absent fields stay; `""` clears email, position, organisation or tz.
public struct PersonPatch: Codable, Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var position: String?
    public var organisation: String?
    public var lang: String?
    public var tz: String?
    /// The addresses that may answer invitations for the person (SENT-BY); [] clears them.
    public var assistants: [String]?

    public init(
        name: String? = nil, email: String? = nil, position: String? = nil, organisation: String? = nil, lang: String? = nil, tz: String? = nil,
        assistants: [String]? = nil
    ) {
        self.assistants = assistants
        self.name = name
        self.email = email
        self.position = position
        self.organisation = organisation
        self.lang = lang
        self.tz = tz
    }
}

/// `POST /v1/people/{key}/merge`: the person `into` (id, email or name) keeps everything of `{key}`.
public struct MergeInput: Codable, Sendable, Equatable {
    public var into: String

    public init(into: String) { self.into = into }
}

/// `PATCH /v1/events/{id}/sessions/{sid}`: absent fields stay; `room: ""` clears the room.
public struct SessionPatch: Codable, Sendable, Equatable {
    public var title: String?
    public var start: String?
    public var end: String?
    public var room: String?
    /// People to add to the session, or whose role in it to set.
    public var participants: [ParticipantInput]?
    /// People to take off the session.
    public var remove: [String]?
    public var strict: Bool?

    public init() {}
}

/// A weekly work schedule (lịch công tác tuần): the chosen people's or organisation's events
/// and sessions in a range, by day and by part of the day, with what changed since the last
/// published version marked.
public struct ScheduleView: Codable, Sendable, Equatable {
    /// `LỊCH CÔNG TÁC TUẦN 09/2017` or `WEEKLY SCHEDULE, WEEK 09/2017`
    public var title: String
    /// `Từ ngày 27/02/2017 đến ngày 05/03/2017`
    public var subtitle: String
    /// Whose schedule: the organisation, the people's names, or empty for the whole register.
    public var scope: String
    public var org: String?
    public var people: [PersonView]
    /// `2017-W09` when the range is one ISO week.
    public var week: String?
    public var from: String
    public var to: String
    public var tz: String
    /// `vi` or `en`: every label in the view is in this language.
    public var lang: String
    /// The publication changes are marked against; nil: never published.
    public var published: PublishedView?
    /// How many entries are new, moved or cancelled since `published`.
    public var changes: Int
    public var days: [ScheduleDay]
    /// The column headings and marks, in `lang`, so every renderer uses the same words.
    public var labels: [String: String]

    public init(
        title: String, subtitle: String, scope: String, org: String?, people: [PersonView], week: String?, from: String, to: String, tz: String,
        lang: String, published: PublishedView?, changes: Int, days: [ScheduleDay], labels: [String: String]
    ) {
        self.title = title
        self.subtitle = subtitle
        self.scope = scope
        self.org = org
        self.people = people
        self.week = week
        self.from = from
        self.to = to
        self.tz = tz
        self.lang = lang
        self.published = published
        self.changes = changes
        self.days = days
        self.labels = labels
    }
}

public struct PublishedView: Codable, Sendable, Equatable {
    /// ISO 8601.
    public var at: String
    /// 1 for the first publication of this scope and range, 2 for the first amendment, ...
    public var revision: Int

    public init(at: String, revision: Int) {
        self.at = at
        self.revision = revision
    }
}

public struct ScheduleDay: Codable, Sendable, Equatable {
    /// `2017-03-03`
    public var date: String
    /// `Thứ Sáu` or `Friday`
    public var weekday: String
    /// `03/03/2017`
    public var dayFirst: String
    /// Saturday or Sunday: left out of the text and the page when it has nothing.
    public var weekend: Bool
    /// `allday`, `morning` and `afternoon`, each only when it has entries.
    public var parts: [SchedulePart]

    public init(date: String, weekday: String, dayFirst: String, weekend: Bool, parts: [SchedulePart]) {
        self.date = date
        self.weekday = weekday
        self.dayFirst = dayFirst
        self.weekend = weekend
        self.parts = parts
    }
}

public struct SchedulePart: Codable, Sendable, Equatable {
    /// `allday`, `morning` (before noon) or `afternoon`.
    public var part: String
    /// `Cả ngày`, `Sáng`, `Chiều` or `All day`, `Morning`, `Afternoon`.
    public var label: String
    public var entries: [ScheduleEntry]

    public init(part: String, label: String, entries: [ScheduleEntry]) {
        self.part = part
        self.label = label
        self.entries = entries
    }
}

/// One line of the schedule: an event, or a session of it shown on its own day or part.
public struct ScheduleEntry: Codable, Sendable, Equatable {
    /// Stable across versions: the event's UID, the session's UID, the occurrence.
    public var key: String
    /// The day (`2017-03-03`) and part (`allday`, `morning`, `afternoon`) it is listed under.
    public var date: String
    public var part: String
    public var eventId: Int64
    public var sessionId: Int64?
    public var kind: String
    /// What takes place: the event's title, or the session's.
    public var title: String
    /// For a session entry, the event it belongs to.
    public var eventTitle: String?
    public var status: String
    public var start: String
    public var end: String
    public var allDay: Bool
    /// `08:00–11:30`, `14:00`, or `Cả ngày`.
    public var time: String
    public var location: String?
    public var room: String?
    public var link: String?
    /// Who chairs (chủ trì), and everyone else taking part (thành phần), with their positions.
    public var chairs: [String]
    public var attendees: [String]
    /// The preparing unit (chuẩn bị).
    public var prepare: String?
    /// Sessions of the event in the same day and part: time, title, room and speakers.
    public var sessions: [ScheduleSlot]
    /// `new`, `moved` or `cancelled` since the last publication; nil: as published (or never published).
    public var change: String?
    /// For a moved entry, when and where it was: `08:00, Thái Nguyên`; for one moved out of the range, where it went.
    public var was: String?
    public var movedTo: String?

    public init(
        key: String, date: String, part: String, eventId: Int64, sessionId: Int64?, kind: String, title: String, eventTitle: String?, status: String, start: String, end: String,
        allDay: Bool, time: String, location: String?, room: String?, link: String?, chairs: [String], attendees: [String], prepare: String?,
        sessions: [ScheduleSlot]
    ) {
        self.key = key
        self.date = date
        self.part = part
        self.eventId = eventId
        self.sessionId = sessionId
        self.kind = kind
        self.title = title
        self.eventTitle = eventTitle
        self.status = status
        self.start = start
        self.end = end
        self.allDay = allDay
        self.time = time
        self.location = location
        self.room = room
        self.link = link
        self.chairs = chairs
        self.attendees = attendees
        self.prepare = prepare
        self.sessions = sessions
    }
}

public struct ScheduleSlot: Codable, Sendable, Equatable {
    public var time: String
    public var title: String
    public var room: String?
    public var speakers: [String]

    public init(time: String, title: String, room: String?, speakers: [String]) {
        self.time = time
        self.title = title
        self.room = room
        self.speakers = speakers
    }
}

/// `POST /v1/schedule/publish`: the schedule's selection (as the query of `GET /v1/schedule`).
public struct PublishInput: Codable, Sendable, Equatable {
    public var week: String?
    public var from: String?
    public var to: String?
    public var person: [String]?
    public var org: String?

    public init(week: String? = nil, from: String? = nil, to: String? = nil, person: [String]? = nil, org: String? = nil) {
        self.week = week
        self.from = from
        self.to = to
        self.person = person
        self.org = org
    }
}

/// What `POST /v1/schedule/publish` recorded, and the address the schedule is served at.
public struct PublishResult: Codable, Sendable, Equatable {
    public var scope: String
    public var range: String
    public var revision: Int
    public var at: String
    public var entries: Int
    /// Entries marked new, moved or cancelled against the previous publication.
    public var changes: Int
    /// Where the HTTP listener serves this schedule (when `http` is set and it is an organisation's or everyone's).
    public var url: String?

    public init(scope: String, range: String, revision: Int, at: String, entries: Int, changes: Int, url: String?) {
        self.scope = scope
        self.range = range
        self.revision = revision
        self.at = at
        self.entries = entries
        self.changes = changes
        self.url = url
    }
}
