import EventAPI
import EventCalendar
import EventModel
import Foundation

/// Turns the API's text inputs into checked domain values, naming the field at fault.
struct InputReader: Sendable {
    var defaultTimeZone: String
    var maxOccurrences: Int
    /// The daemon's clock: `created`, and days named from today (`ngày mai`), count from it.
    var clock: any DaemonClock

    static let defaultDuration: Int64 = 3600

    /// `text` read as a WHEN in `zone`, today being the clock's.
    func when(_ text: String, zone: Zone, field: String) throws(RegisterError) -> When {
        try WhenParser.parse(text, zone: zone, field: field, now: clock.instant)
    }

    func newEvent(_ input: EventInput) throws -> (Event, [ParticipantDraft]) {
        guard let kindText = input.kind else { throw RegisterError.invalid(field: "kind", message: "is required; one of \(Self.kinds)") }
        guard let titleText = input.title else { throw RegisterError.invalid(field: "title", message: "is required") }
        guard let startText = input.start else { throw RegisterError.invalid(field: "start", message: "is required; accepted: \(WhenParser.accepted)") }
        let kind = try Self.kind(kindText)
        let zone = try Zone(input.tz ?? defaultTimeZone)
        let start = try self.when(startText, zone: zone, field: "start")
        let end = try endInstant(input, start: start, zone: zone, fallback: Self.defaultDuration)
        let delegation = try delegation(input, kind: kind) ?? nil
        if kind == .visit, delegation == nil {
            throw RegisterError.invalid(field: "visiting", message: "a visit needs the visiting delegation and the host (--visiting ORG --host ORG)")
        }
        let now = clock.instant
        let event = Event(
            uid: UUID().uuidString.lowercased() + "@eventd", kind: kind, title: try TextRules.oneLine(titleText, field: "title"),
            description: try input.description.map { try TextRules.multiLine($0, field: "description") }.flatMap(Self.nonEmpty),
            location: try optionalLine(input.location, field: "location") ?? nil,
            room: try optionalLine(input.room, field: "room") ?? nil, preparedBy: try optionalLine(input.prepare, field: "prepare") ?? nil,
            link: try input.link.flatMap(Self.nonEmpty).map { try TextRules.link($0) },
            start: start.instant, end: end, timeZone: zone.identifier, allDay: start.dateOnly,
            status: try input.status.map(Self.status) ?? .confirmed, delegation: delegation,
            recurrence: try recurrence(input, zone: zone, old: nil, start: start) ?? nil, reminders: try reminders(input), created: now, updated: now)
        return (event, try participants(input.participants ?? []))
    }

    /// What an update asks for, read against the event as it is stored now.
    func changes(_ input: EventInput, to old: Event) throws -> EventChanges {
        var changes = EventChanges()
        let zone = try Zone(input.tz ?? old.timeZone)
        if input.occurrence != nil { return try occurrenceChange(input, to: old, zone: zone) }
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
        let newStart = try input.start.map { try self.when($0, zone: zone, field: "start") }
        changes.recurrence = try recurrence(input, zone: zone, old: old.recurrence, event: old, start: newStart)
        if input.reminders != nil { changes.reminders = .some(try reminders(input)) }
        if let startText = input.start {
            let start = try self.when(startText, zone: zone, field: "start")
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
        let start = try self.when(input.start, zone: zone, field: "start")
        let end = try self.when(input.end, zone: zone, field: "end")
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
        let start = try from.map { text in try self.when(text, zone: zone, field: "from").instant }
        var end: Instant?
        if let to {
            // A date alone as the upper bound includes that whole day; a half-day, that half-day.
            end = try self.when(to, zone: zone, field: "to").endOfRange(in: zone)
        }
        // Issue 20: a reversed range answered "no events", as if the register were empty there.
        if let start, let end, let from, let to, end <= start {
            throw RegisterError.invalid(
                field: "to",
                message: "the range ends before it starts: to \(to.debugDescription) is not after from \(from.debugDescription); give the earlier time as from")
        }
        return (start, end)
    }

    /// One instant, written as WHEN, in `zone` (an event's).
    func instant(_ text: String, field: String, zone: String) throws -> Instant {
        try self.when(text, zone: try Zone(zone), field: field).instant
    }

    // MARK: Pieces

    private func reminders(_ input: EventInput) throws -> [Reminder]? {
        try input.reminders.map { texts in
            try texts.filter { $0 != "none" }.map { text in
                let reminder = try Reminder(parsing: text)
                guard reminder.offset <= Limits.year else {
                    throw RegisterError.invalid(field: "remind", message: "\(text.debugDescription) is more than 366 days before the start")
                }
                return reminder
            }
        }
    }

    /// nil: no change; .some(nil): no longer recurring; else the rule (checked and normalised
    /// by libical) and the excluded occurrences, read in the event's zone: `exdates` replaces
    /// them, `addExdates` and `removeExdates` add and take out single ones. A date alone on a
    /// series with times takes out every occurrence that day; a time must be an occurrence's.
    private func recurrence(_ input: EventInput, zone: Zone, old: Recurrence?, event: Event? = nil, start: When? = nil) throws -> Recurrence?? {
        guard input.rrule != nil || input.exdates != nil || input.addExdates != nil || input.removeExdates != nil else { return nil }
        var recurrence: Recurrence
        if let text = input.rrule {
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return .some(nil) }
            recurrence = old ?? Recurrence(rule: "")
            recurrence.rule = try Self.checkedRule(text, field: "rrule", maxCount: maxOccurrences)
        } else if let old {
            recurrence = old
        } else {
            throw RegisterError.invalid(field: "exdate", message: "only a recurring event (--rrule) has occurrences to exclude")
        }
        let allDay = start?.dateOnly ?? event?.allDay ?? false
        let seriesStart = start?.instant ?? event?.start
        // The exceptions held are on the stored series' times: a new start moves them first, and
        // those given here are read against the moved series.
        if let event, let seriesStart, seriesStart != event.start, let eventZone = try? Zone(event.timeZone) {
            recurrence = recurrence.shifted(from: event.start, to: seriesStart, in: eventZone)
        }
        var series = event ?? Event(uid: "", kind: .meeting, title: "", start: seriesStart ?? Instant(seconds: 0),
                                    end: seriesStart ?? Instant(seconds: 0), timeZone: zone.identifier, created: Instant(seconds: 0), updated: Instant(seconds: 0))
        if let seriesStart, seriesStart != series.start {
            series.end = seriesStart.adding(seconds: series.end.seconds - series.start.seconds)
            series.start = seriesStart
        }
        series.allDay = allDay
        series.timeZone = zone.identifier
        series.recurrence = Recurrence(rule: recurrence.rule, moreRules: recurrence.moreRules, dates: recurrence.dates)

        if let texts = input.exdates {
            recurrence.exceptions = []
            recurrence.exceptionDates = []
            for text in texts { try exclude(text, from: &recurrence, series: series, zone: zone, field: "exdate") }
        }
        for text in input.addExdates ?? [] { try exclude(text, from: &recurrence, series: series, zone: zone, field: "exdate") }
        for text in input.removeExdates ?? [] {
            let when = try self.when(text, zone: zone, field: "remove-exdate")
            let day = RecurrenceRule.day(zone.civil(when.instant))
            let before = (recurrence.exceptions.count, recurrence.exceptionDates.count)
            if when.dateOnly {
                recurrence.exceptionDates.removeAll { $0 == day }
                if allDay { recurrence.exceptions.removeAll { $0 == when.instant } }
            } else {
                recurrence.exceptions.removeAll { $0 == when.instant }
            }
            if before == (recurrence.exceptions.count, recurrence.exceptionDates.count) {
                throw RegisterError.invalid(field: "remove-exdate", message: "\(text.debugDescription) is not among the excluded occurrences (eventctl show lists them)")
            }
        }
        recurrence.exceptions = Array(Set(recurrence.exceptions)).sorted()
        recurrence.exceptionDates = Array(Set(recurrence.exceptionDates)).sorted()
        return .some(recurrence)
    }

    /// Adds one excluded occurrence: a day (a date alone on a series with times), or a start the
    /// series has, or refuses naming the occurrences of that day.
    private func exclude(_ text: String, from recurrence: inout Recurrence, series: Event, zone: Zone, field: String) throws {
        let when = try self.when(text, zone: zone, field: field)
        let dayStart = zone.instant(zone.civil(when.instant).midnight)
        let dayEnd = zone.instant(zone.civil(when.instant).nextDay())
        if when.dateOnly, !series.allDay {
            recurrence.exceptionDates.append(RecurrenceRule.day(zone.civil(when.instant)))
            return
        }
        let starts: [Instant]
        do {
            starts = try RecurrenceRule.occurrences(of: series, from: dayStart, to: dayEnd, limit: 100).map(\.recurrenceID).filter { $0 >= dayStart }
        } catch {
            throw RegisterError.invalid(field: field, message: error.description)
        }
        let wanted = series.allDay ? dayStart : when.instant
        guard starts.contains(wanted) else {
            let day = zone.display(when.instant, dateOnly: true)
            let list = starts.map { zone.display($0).suffix(5) }.joined(separator: ", ")
            throw RegisterError.invalid(
                field: field,
                message: "\(text.debugDescription): no occurrence starts then" + (list.isEmpty ? "; there is none on \(day)" : "; on \(day) they start at \(list)")
                    + " (a date alone takes out the whole day)")
        }
        recurrence.exceptions.append(wanted)
    }

    /// The change of one occurrence (`input.occurrence`): its start, end, title, place,
    /// description or status, kept as an override of the series (RECURRENCE-ID).
    private func occurrenceChange(_ input: EventInput, to old: Event, zone: Zone) throws -> EventChanges {
        guard let recurrence = old.recurrence, let text = input.occurrence else {
            throw RegisterError.invalid(field: "occurrence", message: "event \(old.id ?? 0) does not repeat; change the event itself")
        }
        let others: [(String, Bool)] = [
            ("kind", input.kind != nil), ("tz", input.tz != nil), ("link", input.link != nil), ("rrule", input.rrule != nil),
            ("exdate", input.exdates != nil || input.addExdates != nil || input.removeExdates != nil), ("visiting", input.visiting != nil || input.host != nil),
            ("remind", input.reminders != nil), ("participants", input.participants != nil || input.remove != nil),
        ]
        if let field = others.first(where: \.1)?.0 {
            throw RegisterError.invalid(
                field: field, message: "only --start, --end, --duration, --title, --location, --description and --status change one occurrence")
        }
        let when = try self.when(text, zone: zone, field: "occurrence")
        let day = zone.civil(when.instant)
        let found: [Occurrence]
        do {
            found = try RecurrenceRule.occurrences(
                of: old, from: zone.instant(day.midnight).adding(seconds: -Limits.year), to: zone.instant(day.nextDay()).adding(seconds: Limits.year), limit: 10_000)
        } catch {
            throw RegisterError.invalid(field: "occurrence", message: error.description)
        }
        let sameDay = found.filter { RecurrenceRule.day(zone.civil($0.start)) == RecurrenceRule.day(day) || RecurrenceRule.day(zone.civil($0.recurrenceID)) == RecurrenceRule.day(day) }
        let match = when.dateOnly ? (sameDay.count == 1 ? sameDay.first : nil) : found.first { $0.recurrenceID == when.instant || $0.start == when.instant }
        guard let occurrence = match else {
            let list = sameDay.map { zone.display($0.start) }.joined(separator: ", ")
            throw RegisterError.invalid(
                field: "occurrence",
                message: "\(text.debugDescription) is not the start of one occurrence of event \(old.id ?? 0)" + (list.isEmpty ? "" : "; that day: \(list)"))
        }
        var override = occurrence.override ?? OccurrenceOverride(recurrenceID: occurrence.recurrenceID, start: occurrence.start, end: occurrence.end)
        if let startText = input.start {
            let start = try self.when(startText, zone: zone, field: "start")
            let length = override.end.seconds - override.start.seconds
            let days = zone.days(from: override.start, to: override.end)
            override.start = start.instant
            // A whole-day occurrence keeps its days, not its seconds (a DST day is 23 or 25 hours).
            override.end = old.allDay ? zone.midnight(after: start.instant, days: days) : start.instant.adding(seconds: length)
        }
        if input.end != nil || input.duration != nil {
            override.end = try endInstant(input, start: When(instant: override.start, dateOnly: old.allDay), zone: zone, fallback: 0)
        }
        try EventChanges.checkTimes(start: override.start, end: override.end)
        if let title = input.title { override.title = try TextRules.oneLine(title, field: "title") }
        if let location = try optionalLine(input.location, field: "location") { override.location = location ?? "" }
        if let d = input.description { override.description = try TextRules.multiLine(d, field: "description") }
        if let status = input.status { override.status = try Self.status(status) }
        override.sequence = old.sequence + 1
        var changed = recurrence
        changed.setOverride(override)
        var changes = EventChanges()
        changes.recurrence = .some(changed)
        return changes
    }

    /// An RRULE libical reads, normalised; meetings repeat at most hourly, and a COUNT may not
    /// exceed what a listing expands (`max_occurrences`).
    static func checkedRule(_ text: String, field: String, maxCount: Int) throws -> String {
        try RecurrenceRule.checked(text, field: field, maxCount: maxCount)
    }

    private func endInstant(_ input: EventInput, start: When, zone: Zone, fallback: Int64) throws -> Instant {
        switch (input.end, input.duration) {
        case (.some, .some):
            throw RegisterError.invalid(field: "end", message: "give an end or a duration, not both")
        case (.some(let text), nil):
            let end = try self.when(text, zone: zone, field: "end")
            if end.dateOnly != start.dateOnly {
                throw RegisterError.invalid(field: "end", message: "the start and the end must both be dates (a whole-day event) or both have a time")
            }
            // For a whole-day event the end names its last day; store the midnight after it. A
            // half-day (`chiều 5/7/2022`) ends where that half-day ends.
            let instant = end.endOfRange(in: zone)
            try EventChanges.checkTimes(start: start.instant, end: instant)
            return instant
        case (nil, .some(let text)):
            let seconds = try DurationParser.seconds(text, field: "duration")
            // `--duration 2d` on a date is two calendar days: DST days are 23 or 25 hours long.
            if start.dateOnly, seconds % 86_400 == 0 { return zone.midnight(after: start.instant, days: Int(seconds / 86_400)) }
            return start.instant.adding(seconds: seconds)
        case (nil, nil):
            // A date alone is that one day: it ends at the next local midnight, not 24 h later.
            if start.dateOnly { return zone.midnight(after: start.instant) }
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
