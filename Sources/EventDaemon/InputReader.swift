import EventAPI
import EventCalendar
import EventModel
import Foundation

/// Turns the API's text inputs into checked domain values, naming the field at fault.
struct InputReader: Sendable {
    var defaultTimeZone: String
    var maxOccurrences: Int
    var clock: @Sendable () -> Instant

    static let defaultDuration: Int64 = 3600

    func newEvent(_ input: EventInput) throws -> (Event, [ParticipantDraft]) {
        guard let kindText = input.kind else { throw RegisterError.invalid(field: "kind", message: "is required; one of \(Self.kinds)") }
        guard let titleText = input.title else { throw RegisterError.invalid(field: "title", message: "is required") }
        guard let startText = input.start else { throw RegisterError.invalid(field: "start", message: "is required; accepted: \(WhenParser.accepted)") }
        let kind = try Self.kind(kindText)
        let zone = try Zone(input.tz ?? defaultTimeZone)
        let start = try WhenParser.parse(startText, zone: zone, field: "start")
        let end = try endInstant(input, start: start, zone: zone, fallback: start.dateOnly ? 86_400 : Self.defaultDuration)
        let delegation = try delegation(input, kind: kind) ?? nil
        if kind == .visit, delegation == nil {
            throw RegisterError.invalid(field: "visiting", message: "a visit needs the visiting delegation and the host (--visiting ORG --host ORG)")
        }
        let now = clock()
        let event = Event(
            uid: UUID().uuidString.lowercased() + "@eventd", kind: kind, title: try TextRules.oneLine(titleText, field: "title"),
            description: try input.description.map { try TextRules.multiLine($0, field: "description") }.flatMap(Self.nonEmpty),
            location: try optionalLine(input.location, field: "location") ?? nil,
            room: try optionalLine(input.room, field: "room") ?? nil, preparedBy: try optionalLine(input.prepare, field: "prepare") ?? nil,
            link: try input.link.flatMap(Self.nonEmpty).map { try TextRules.link($0) },
            start: start.instant, end: end, timeZone: zone.identifier, allDay: start.dateOnly,
            status: try input.status.map(Self.status) ?? .confirmed, delegation: delegation,
            recurrence: try recurrence(input, zone: zone, old: nil) ?? nil, reminders: try reminders(input), created: now, updated: now)
        return (event, try participants(input.participants ?? []))
    }

    /// What an update asks for, read against the event as it is stored now.
    func changes(_ input: EventInput, to old: Event) throws -> EventChanges {
        var changes = EventChanges()
        let zone = try Zone(input.tz ?? old.timeZone)
        if input.tz != nil { changes.timeZone = zone.identifier }
        changes.kind = try input.kind.map(Self.kind)
        changes.title = try input.title.map { try TextRules.oneLine($0, field: "title") }
        if let d = input.description { changes.description = .some(try Self.nonEmpty(TextRules.multiLine(d, field: "description"))) }
        changes.location = try optionalLine(input.location, field: "location")
        changes.room = try optionalLine(input.room, field: "room")
        changes.preparedBy = try optionalLine(input.prepare, field: "prepare")
        if let l = input.link { changes.link = .some(try Self.nonEmpty(l).map { try TextRules.link($0) }) }
        changes.status = try input.status.map(Self.status)
        if let delegation = try delegation(input, kind: changes.kind ?? old.kind) { changes.delegation = delegation }
        changes.recurrence = try recurrence(input, zone: zone, old: old.recurrence)
        if input.reminders != nil { changes.reminders = .some(try reminders(input)) }
        if let startText = input.start {
            let start = try WhenParser.parse(startText, zone: zone, field: "start")
            changes.start = start.instant
            changes.allDay = start.dateOnly
            if input.end != nil || input.duration != nil {
                changes.end = try endInstant(input, start: start, zone: zone, fallback: 0)
            } else if let end = start.halfDayEnd {
                // `--start "chiều 4/7/2022"` alone: the whole afternoon.
                changes.end = end
            }
        } else if input.end != nil || input.duration != nil {
            let start = When(instant: old.start, dateOnly: old.allDay)
            changes.end = try endInstant(input, start: start, zone: zone, fallback: 0)
        }
        return changes
    }

    func session(_ input: SessionInput, zone: String) throws -> (Session, [ParticipantDraft]) {
        let zone = try Zone(zone)
        let start = try WhenParser.parse(input.start, zone: zone, field: "start")
        let end = try WhenParser.parse(input.end, zone: zone, field: "end")
        let session = Session(
            uid: UUID().uuidString.lowercased() + "@eventd", title: try TextRules.oneLine(input.title, field: "title"), start: start.instant,
            end: end.halfDayEnd ?? end.instant,
            room: try optionalLine(input.room, field: "room") ?? nil)
        return (session, try participants(input.participants ?? []))
    }

    func person(_ input: PersonInput) throws -> Person {
        let lang: Language
        if let text = input.lang {
            guard let l = Language(rawValue: text) else { throw RegisterError.invalid(field: "lang", message: "must be vi or en") }
            lang = l
        } else {
            lang = .vi
        }
        return Person(
            name: try TextRules.oneLine(input.name, field: "name"),
            email: try input.email.flatMap(Self.nonEmpty).map { try TextRules.email($0) },
            position: try optionalLine(input.position, field: "position") ?? nil,
            organisation: try optionalLine(input.organisation, field: "organisation") ?? nil, language: lang,
            timeZone: try input.tz.map { try Zone($0).identifier })
    }

    func participants(_ inputs: [ParticipantInput]) throws -> [ParticipantDraft] {
        var drafts: [ParticipantDraft] = []
        for input in inputs {
            guard let role = Role(rawValue: input.role) else {
                throw RegisterError.invalid(field: "role", message: "unknown role \(input.role.debugDescription); one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            drafts.append(
                ParticipantDraft(
                    reference: try PersonReference(parsing: input.person, field: role.rawValue), role: role, required: input.required ?? true,
                    forceNew: input.new ?? false))
        }
        return drafts
    }

    /// A time range filter from query parameters, read in the default zone.
    func range(from: String?, to: String?) throws -> (Instant?, Instant?) {
        let zone = try Zone(defaultTimeZone)
        let start = try from.map { text in try WhenParser.parse(text, zone: zone, field: "from").instant }
        var end: Instant?
        if let to {
            // A date alone as the upper bound includes that whole day; a half-day, that half-day.
            end = try WhenParser.parse(to, zone: zone, field: "to").endOfRange(in: zone)
        }
        return (start, end)
    }

    /// One instant, written as WHEN, in `zone` (an event's).
    func instant(_ text: String, field: String, zone: String) throws -> Instant {
        try WhenParser.parse(text, zone: try Zone(zone), field: field).instant
    }

    // MARK: Pieces

    private func reminders(_ input: EventInput) throws -> [Reminder]? {
        try input.reminders.map { texts in
            try texts.filter { $0 != "none" }.map { text in
                let reminder = try Reminder(parsing: text)
                guard reminder.offset <= 366 * 86_400 else {
                    throw RegisterError.invalid(field: "remind", message: "\(text.debugDescription) is more than 366 days before the start")
                }
                return reminder
            }
        }
    }

    /// nil: no change; .some(nil): no longer recurring; else the rule (checked and normalised
    /// by libical) and the excluded starts, read in the event's zone.
    private func recurrence(_ input: EventInput, zone: Zone, old: Recurrence?) throws -> Recurrence?? {
        guard input.rrule != nil || input.exdates != nil else { return nil }
        let rule: String
        if let text = input.rrule {
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return .some(nil) }
            rule = try Self.checkedRule(text, field: "rrule", maxCount: maxOccurrences)
        } else if let old {
            rule = old.rule
        } else {
            throw RegisterError.invalid(field: "exdate", message: "only a recurring event (--rrule) has occurrences to exclude")
        }
        let exceptions = try input.exdates.map { texts in
            try texts.map { try WhenParser.parse($0, zone: zone, field: "exdate").instant }
        } ?? old?.exceptions ?? []
        return .some(Recurrence(rule: rule, exceptions: exceptions.sorted()))
    }

    /// An RRULE libical reads, normalised; meetings repeat at most hourly, and a COUNT may not
    /// exceed what a listing expands (`max_occurrences`).
    static func checkedRule(_ text: String, field: String, maxCount: Int) throws -> String {
        let rule: String
        do {
            rule = try RecurrenceRule.normalized(text)
        } catch {
            throw RegisterError.invalid(field: field, message: error.description)
        }
        if rule.contains("FREQ=SECONDLY") || rule.contains("FREQ=MINUTELY") {
            throw RegisterError.invalid(field: field, message: "\(rule): meetings repeat at most hourly (FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)")
        }
        let count = rule.split(separator: ";").first { $0.hasPrefix("COUNT=") }.flatMap { Int($0.dropFirst(6)) }
        if let count, count > maxCount {
            throw RegisterError.invalid(field: field, message: "\(rule): COUNT=\(count) is more occurrences than the \(maxCount) eventd expands (max_occurrences)")
        }
        return rule
    }

    private func endInstant(_ input: EventInput, start: When, zone: Zone, fallback: Int64) throws -> Instant {
        switch (input.end, input.duration) {
        case (.some, .some):
            throw RegisterError.invalid(field: "end", message: "give an end or a duration, not both")
        case (.some(let text), nil):
            let end = try WhenParser.parse(text, zone: zone, field: "end")
            if end.dateOnly != start.dateOnly {
                throw RegisterError.invalid(field: "end", message: "the start and the end must both be dates (a whole-day event) or both have a time")
            }
            // For a whole-day event the end names its last day; store the midnight after it. A
            // half-day (`chiều 5/7/2022`) ends where that half-day ends.
            let instant = end.endOfRange(in: zone)
            try EventChanges.checkTimes(start: start.instant, end: instant)
            return instant
        case (nil, .some(let text)):
            return start.instant.adding(seconds: try DurationParser.seconds(text, field: "duration"))
        case (nil, nil):
            return start.halfDayEnd ?? start.instant.adding(seconds: fallback)
        }
    }

    private func delegation(_ input: EventInput, kind: EventKind) throws -> Delegation?? {
        switch (input.visiting, input.host) {
        case (nil, nil):
            return nil
        case (.some(let visiting), .some(let host)):
            guard kind == .visit else { throw RegisterError.invalid(field: "visiting", message: "--visiting and --host are for events of kind visit") }
            return .some(Delegation(visiting: try TextRules.oneLine(visiting, field: "visiting"), host: try TextRules.oneLine(host, field: "host")))
        default:
            throw RegisterError.invalid(field: input.visiting == nil ? "visiting" : "host", message: "a visit needs both the visiting delegation and the host")
        }
    }

    /// nil: not given; .some(nil): clear it; .some(text): set it.
    private func optionalLine(_ text: String?, field: String) throws -> String?? {
        guard let text else { return nil }
        return .some(try Self.nonEmpty(text).map { try TextRules.oneLine($0, field: field) })
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }

    private static let kinds = EventKind.allCases.map(\.rawValue).joined(separator: ", ")

    private static func kind(_ text: String) throws -> EventKind {
        guard let kind = EventKind(rawValue: text) else { throw RegisterError.invalid(field: "kind", message: "unknown kind \(text.debugDescription); one of \(kinds)") }
        return kind
    }

    private static func status(_ text: String) throws -> EventStatus {
        guard let status = EventStatus(rawValue: text) else {
            throw RegisterError.invalid(field: "status", message: "unknown status \(text.debugDescription); one of \(EventStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}
