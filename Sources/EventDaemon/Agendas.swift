import EventAPI
import EventCalendar
import EventModel
import EventStore

/// Occurrences, bookings, agendas and clashes: what eventd computes from stored events.
struct Scheduling: Sendable {
    let config: DaemonConfig

    /// Starts of the event's occurrences that overlap [from, to): its own start for a plain event.
    /// An occurrence cancelled on its own (a cancelled RECURRENCE-ID) has none: no reminder, no clash.
    func starts(of event: Event, from: Instant, to: Instant) throws -> [Instant] {
        try RecurrenceRule.occurrences(of: event, from: from, to: to, limit: config.maxOccurrences)
            .filter { $0.override?.status != .cancelled || event.status == .cancelled }.map(\.start)
    }

    /// Each of `events` once per occurrence in [from, to), as it is at that occurrence (a changed
    /// occurrence's title, place, length and status), with the occurrence's start; nil for a plain
    /// event's own start.
    func occurrences(of events: [Event], from: Instant, to: Instant) throws -> [(event: Event, occurrence: Instant?)] {
        try events.flatMap { event in
            try RecurrenceRule.occurrences(of: event, from: from, to: to, limit: config.maxOccurrences).map { o in
                (event.applying(o.override), event.recurrence == nil ? nil : o.start)
            }
        }
    }

    /// Every booking of `events` in [from, to), recurring ones once per occurrence.
    func bookings(in events: [Event], from: Instant, to: Instant) throws -> [Booking] {
        try occurrences(of: events, from: from, to: to).flatMap { Booking.all(in: $0.event, occurrence: $0.occurrence) }
            .filter { $0.start < to && $0.end > from }
    }

    /// The clashes `event` takes part in: its people against their other events, its sessions'
    /// rooms against other sessions. `others` lists the stored events overlapping a range.
    func clashes(involving event: Event, others: (Instant, Instant) throws -> [Event]) throws -> [Clash] {
        let (from, to) = clashWindow(of: event)
        let events = try others(from, to) + [event]
        let people = Set(event.participants.compactMap(\.person.id))
        let bookings = try self.bookings(in: events, from: from, to: to).filter { people.contains($0.person.id ?? 0) }
        let clashes = ClashFinder.people(bookings, travelBuffer: config.travelBuffer)
            + ClashFinder.rooms(try occurrences(of: events, from: from, to: to))
        return clashes.filter { $0.eventIDs.contains(event.id ?? 0) }
    }

    /// Where a clash with `event` can lie: its time widened by the travel buffer, or for a
    /// recurring event the recurrence horizon.
    func clashWindow(of event: Event) -> (Instant, Instant) {
        let from = event.start.adding(seconds: -config.travelBuffer)
        let to = event.recurrence == nil
            ? event.end.adding(seconds: config.travelBuffer)
            : event.start.adding(seconds: Int64(config.recurrenceHorizonDays) * 86_400)
        return (from, to)
    }

    /// Every clash among `events` in [from, to).
    func clashes(among events: [Event], from: Instant, to: Instant) throws -> [Clash] {
        ClashFinder.people(try bookings(in: events, from: from, to: to), travelBuffer: config.travelBuffer)
            + ClashFinder.rooms(try occurrences(of: events, from: from, to: to))
    }

    // MARK: Agendas

    /// The person's bookings in [from, to), in time order, grouped by day in their zone.
    func agenda(of person: Person, events: [Event], from: Instant, to: Instant, role: Role?) throws -> AgendaView {
        let zone = try Zone(person.timeZone ?? config.defaultTimeZone)
        let mine = try bookings(in: events, from: from, to: to)
            .filter { $0.person.id == person.id && (role == nil || $0.roles.contains(role!)) }
            .sorted { ($0.start, $0.session == nil ? 0 : 1, $0.end) < ($1.start, $1.session == nil ? 0 : 1, $1.end) }
        var days: [AgendaDay] = []
        for booking in mine {
            // A whole-day event keeps its own dates (5 July in Cúc Phương is 5 July in Paris too).
            let shown = booking.event.allDay ? (try? Zone(booking.event.timeZone)) ?? zone : zone
            let day = shown.civil(booking.start)
            let date = "\(day.year)-\(pad(day.month))-\(pad(day.day))"
            if let index = days.firstIndex(where: { $0.date == date }) {
                days[index].entries.append(entry(booking, zone: shown))
            } else {
                days.append(AgendaDay(date: date, label: "\(weekday(day, person.language)), \(shown.display(booking.start, dateOnly: true))", entries: [entry(booking, zone: shown)]))
            }
        }
        days.sort { $0.date < $1.date }
        return AgendaView(person: Views.person(person), from: zone.iso8601(from), to: zone.iso8601(to), tz: zone.identifier, days: days)
    }

    private func entry(_ b: Booking, zone: Zone) -> AgendaEntry {
        let shift = (b.occurrence?.seconds ?? b.event.start.seconds) - b.event.start.seconds
        func slot(_ s: Session) -> SlotView {
            SlotView(
                id: s.id ?? 0, title: s.title, start: zone.iso8601(s.start.adding(seconds: shift)), end: zone.iso8601(s.end.adding(seconds: shift)),
                room: s.room, speakers: b.event.participants.filter { $0.sessionID == s.id && $0.role == .speaker }.map(\.person.name))
        }
        var previous: SlotView?, next: SlotView?, coSpeakers: [String]?
        if let session = b.session, let index = b.event.sessions.firstIndex(where: { $0.id == session.id }) {
            previous = index > 0 ? slot(b.event.sessions[index - 1]) : nil
            next = index + 1 < b.event.sessions.count ? slot(b.event.sessions[index + 1]) : nil
            coSpeakers = slot(session).speakers.filter { $0 != b.person.name }
        }
        return AgendaEntry(
            eventId: b.event.id ?? 0, uid: b.event.uid, kind: b.event.kind.rawValue, title: b.event.title, status: b.event.status.rawValue,
            start: zone.iso8601(b.start), end: zone.iso8601(b.end), location: b.event.location, link: b.event.link,
            roles: b.roles.map(\.rawValue), recurrenceId: b.occurrence.map(zone.iso8601), session: b.session.map(slot),
            previous: previous, next: next, coSpeakers: coSpeakers, allDay: b.event.allDay && b.session == nil ? true : nil)
    }

    private func weekday(_ day: CivilDateTime, _ language: Language) -> String {
        // 1970-01-01 was a Thursday.
        let index = Int(((day.secondsSinceEpochAtMidnight / 86_400) % 7 + 7 + 4) % 7)
        let vi = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"]
        let en = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        return language == .vi ? vi[index] : en[index]
    }

    private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

extension Clash {
    var view: ConflictView { ConflictView(kind: kind.rawValue, message: message, eventIds: eventIDs) }
}
