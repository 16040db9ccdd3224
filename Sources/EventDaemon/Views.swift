import EventAPI
import EventModel

/// Domain values as the API shows them: times in ISO 8601 with the event zone's offset.
enum Views {
    /// The event, or with `occurrence` one occurrence of it: then `start` and `end` are that
    /// occurrence's and `recurrenceId` names it. With a `reader` zone other than the event's, the
    /// times in it too (`readerStart`, `readerEnd`, and its sessions'); never for a whole-day event,
    /// whose days are the same days wherever it is read.
    static func event(_ event: Event, occurrence: Instant? = nil, reader: Zone? = nil) -> EventView {
        let zone = (try? Zone(event.timeZone)) ?? (try! Zone("UTC"))
        let eventLevel = event.participants.filter { $0.sessionID == nil }
        let start = occurrence ?? event.start
        let end = event.end(ofOccurrenceAt: start)
        var view = EventView(
            id: event.id ?? 0, uid: event.uid, kind: event.kind.rawValue, title: event.title, description: event.description,
            location: event.location, link: event.link, start: zone.iso8601(start), end: zone.iso8601(end),
            tz: event.timeZone, allDay: event.allDay, status: event.status.rawValue, sequence: event.sequence,
            visiting: event.delegation?.visiting, host: event.delegation?.host, rrule: event.recurrence.flatMap { $0.rule.isEmpty ? nil : $0.rule },
            exdates: event.recurrence.map { $0.exceptions.map(zone.iso8601) + $0.exceptionDates }, recurrenceId: occurrence.map(zone.iso8601),
            created: zone.iso8601(event.created),
            updated: zone.iso8601(event.updated), participants: eventLevel.map { participant($0, zone: zone) },
            sessions: event.sessions.map { session($0, of: event, zone: zone) })
        view.room = event.room
        view.prepare = event.preparedBy
        view.reminders = event.reminders?.map(\.shorthand)
        if let reader = readerZone(reader, of: event) {
            view.readerTz = reader.identifier
            view.readerStart = reader.iso8601(start)
            view.readerEnd = reader.iso8601(end)
            for (index, session) in event.sessions.enumerated() {
                view.sessions[index].readerStart = reader.iso8601(session.start)
                view.sessions[index].readerEnd = reader.iso8601(session.end)
            }
        }
        return view
    }

    /// The reader's zone when the event's times must be given in it as well: a zone other than
    /// the event's, for an event with times of day.
    static func readerZone(_ reader: Zone?, of event: Event) -> Zone? {
        guard let reader, reader.identifier != event.timeZone, !event.allDay else { return nil }
        return reader
    }

    static func session(_ session: Session, of event: Event, zone: Zone) -> SessionView {
        SessionView(
            id: session.id ?? 0, uid: session.uid, title: session.title, start: zone.iso8601(session.start), end: zone.iso8601(session.end),
            room: session.room, participants: event.participants.filter { $0.sessionID == session.id && session.id != nil }.map { participant($0, zone: zone) })
    }

    static func participant(_ p: Participation, zone: Zone) -> ParticipantView {
        var view = ParticipantView(
            personId: p.person.id ?? 0, name: p.person.name, email: p.person.email, position: p.person.position,
            organisation: p.person.organisation, role: p.role.rawValue, required: p.required, rsvp: p.rsvp.rawValue)
        view.answeredAt = p.answeredAt.map(zone.iso8601)
        view.comment = p.comment
        view.answeredVia = p.answeredVia
        view.nameInFile = p.nameInFile
        return view
    }

    static func person(_ p: Person) -> PersonView {
        PersonView(id: p.id ?? 0, name: p.name, email: p.email, position: p.position, organisation: p.organisation, lang: p.language.rawValue, tz: p.timeZone)
    }
}
