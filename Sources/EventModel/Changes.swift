/// A person to put on an event or session, as the command named them.
public struct ParticipantDraft: Sendable, Equatable {
    public var reference: PersonReference
    public var role: Role
    public var required: Bool
    public var rsvp: RSVPState
    /// A bare name makes a new person even when the register has someone of that name, and so
    /// does a name with an email no one has.
    public var forceNew: Bool
    /// Read from an iCalendar file, which cannot be asked: an address no one has is a new person
    /// whatever their name, and a CN that differs from the name of the address's person is kept
    /// on this participation (`Participation.nameInFile`).
    public var fromFile: Bool

    public init(
        reference: PersonReference, role: Role, required: Bool = true, rsvp: RSVPState = .needsAction, forceNew: Bool = false, fromFile: Bool = false
    ) {
        self.fromFile = fromFile
        self.reference = reference
        self.role = role
        self.required = required
        self.rsvp = rsvp
        self.forceNew = forceNew
    }
}

/// One event read from an iCalendar file, ready to be stored under its own UID and SEQUENCE.
public struct EventImport: Sendable, Equatable {
    /// The event's facts; its `participants` and `sessions` are ignored in favour of the drafts below.
    public var event: Event
    public var participants: [ParticipantDraft]
    public var sessions: [SessionImport]
    /// The file held only changed occurrences of this UID (RECURRENCE-ID), no series: a series the
    /// register knows takes them in and keeps the rest of itself; else `event` is made of them.
    public var overridesOnly: Bool

    public init(event: Event, participants: [ParticipantDraft], sessions: [SessionImport], overridesOnly: Bool = false) {
        self.event = event
        self.participants = participants
        self.sessions = sessions
        self.overridesOnly = overridesOnly
    }
}

public struct SessionImport: Sendable, Equatable {
    public var session: Session
    public var participants: [ParticipantDraft]

    public init(session: Session, participants: [ParticipantDraft]) {
        self.session = session
        self.participants = participants
    }
}

/// One event's change as a write made it: `before` is nil for a new event, `after` for a deleted one.
public struct EventChange: Sendable {
    public var before: Event?
    public var after: Event?

    public init(before: Event?, after: Event?) {
        self.before = before
        self.after = after
    }
}

/// What importing one event did.
public enum ImportStep: Sendable {
    case created(EventChange)
    case updated(EventChange)
    /// The register held the event exactly as the file has it: nothing was written.
    case unchanged(uid: String)
    case skipped(uid: String, reason: String)

    public var change: EventChange? {
        switch self {
        case .created(let change), .updated(let change): change
        case .unchanged, .skipped: nil
        }
    }
}

/// What an import did, by UID.
public struct ImportOutcome: Sendable, Equatable {
    public var created: [String] = []
    public var updated: [String] = []
    public var unchanged: [String] = []
    public var skipped: [(uid: String, reason: String)] = []

    public init() {}

    public mutating func add(_ step: ImportStep) {
        switch step {
        case .created(let change): created.append(change.after!.uid)
        case .updated(let change): updated.append(change.after!.uid)
        case .unchanged(let uid): unchanged.append(uid)
        case .skipped(let uid, let reason): skipped.append((uid, reason))
        }
    }

    public static func == (a: ImportOutcome, b: ImportOutcome) -> Bool {
        a.created == b.created && a.updated == b.updated && a.unchanged == b.unchanged && a.skipped.map(\.uid) == b.skipped.map(\.uid)
    }
}

/// The facts of an event that a command may set, already read and checked.
/// `nil` leaves a fact as it is; for the clearable ones, `.some(nil)` clears it.
public struct EventChanges: Sendable, Equatable {
    public var kind: EventKind?
    public var title: String?
    public var description: String??
    public var location: String??
    public var room: String??
    public var preparedBy: String??
    public var link: String??
    public var start: Instant?
    public var end: Instant?
    public var timeZone: String?
    public var allDay: Bool?
    public var status: EventStatus?
    public var delegation: Delegation??
    public var recurrence: Recurrence??
    public var reminders: [Reminder]??

    public init() {}

    /// Applies the changes: moving the start keeps the duration unless an end is given,
    /// sessions move with their event, and `sequence` goes up when an attendee-visible fact changes.
    public func applied(to event: Event, now: Instant) throws(RegisterError) -> Event {
        var new = event
        if let kind { new.kind = kind }
        if let title { new.title = title }
        if let description { new.description = description }
        if let location { new.location = location }
        if let room { new.room = room }
        if let preparedBy { new.preparedBy = preparedBy }
        if let link { new.link = link }
        if let timeZone { new.timeZone = timeZone }
        if let allDay { new.allDay = allDay }
        if let status { new.status = status }
        if let delegation { new.delegation = delegation }
        if let recurrence { new.recurrence = recurrence }
        if let reminders { new.reminders = reminders }
        if let start {
            let shift = start.seconds - event.start.seconds
            new.start = start
            if let end {
                new.end = end
            } else if new.allDay, let zone = try? Zone(new.timeZone) {
                // A whole-day event keeps its number of days, whatever the clock does on them.
                let days = event.allDay ? (try? Zone(event.timeZone)).map { $0.days(from: event.start, to: event.end) } ?? 1 : 1
                new.end = zone.midnight(after: start, days: days)
            } else {
                new.end = event.end.adding(seconds: shift)
            }
            for i in new.sessions.indices {
                new.sessions[i].start = new.sessions[i].start.adding(seconds: shift)
                new.sessions[i].end = new.sessions[i].end.adding(seconds: shift)
            }
            // A series' exceptions are anchored to its occurrences' times: they move with it. A
            // recurrence given with the change is already on the new times (InputReader).
            if recurrence == nil, let series = new.recurrence, let zone = try? Zone(event.timeZone) {
                new.recurrence = series.shifted(from: event.start, to: start, in: zone)
            }
        } else if let end {
            new.end = end
        }
        // Times given are checked; times kept were checked when stored (an imported event may end as
        // it starts, or last longer than a year, as its file said).
        if start != nil || end != nil { try Self.checkTimes(start: new.start, end: new.end) }
        if new.kind == .visit, event.kind != .visit || delegation != nil, new.delegation == nil {
            throw .invalid(field: "visiting", message: "a visit needs the visiting delegation and the host (--visiting ORG --host ORG)")
        }
        if new.significantFacts != event.significantFacts { new.sequence += 1 }
        new.updated = now
        return new
    }

    /// The end comes after the start, and the event lasts at most 366 days; with `imported`, what
    /// an iCalendar file may say: an end equal to the start (RFC 5545 3.6.1's event with a DTSTART
    /// alone) and any length (the register finds such long events through `event_long`).
    public static func checkTimes(start: Instant, end: Instant, field: String = "end", imported: Bool = false) throws(RegisterError) {
        if end < start || (end == start && !imported) {
            throw .invalid(field: field, message: "the end must come after the start")
        }
        if end.seconds - start.seconds > Limits.year, !imported {
            throw .invalid(field: field, message: "an event may last at most 366 days")
        }
        for (name, instant) in [("start", start), (field, end)] where !Limits.instants.contains(instant) {
            throw .invalid(field: name, message: "falls outside the years \(Limits.years.lowerBound) to \(Limits.years.upperBound) in some time zone; eventd takes times from 02/01/0001 to 30/12/3000")
        }
    }
}
