import EventCalendar
import EventModel
import Foundation

/// Turns the VEVENTs of an iCalendar file into events of the register, under the same rules
/// as eventctl input. VEVENTs RELATED-TO another VEVENT of the file become its sessions.
struct Importer {
    let defaultZone: Zone
    let maxOccurrences: Int

    struct Plan {
        var imports: [EventImport] = []
        /// VEVENTs left out on purpose, with the reason.
        var ignored: [(uid: String, reason: String)] = []
    }

    func plan(_ parsed: [ParsedEvent]) throws -> Plan {
        var plan = Plan()
        let overrides = parsed.filter { $0.recurrenceID != nil }
        for o in overrides {
            plan.ignored.append((o.uid, "a changed single occurrence (RECURRENCE-ID) is not supported; the series is imported as its RRULE says"))
        }
        let plain = parsed.filter { $0.recurrenceID == nil }
        let uids = Set(plain.map(\.uid))
        func parentUID(_ p: ParsedEvent) -> String? { p.relatedTo.first { uids.contains($0) && $0 != p.uid } }
        let sessionsByParent = Dictionary(grouping: plain.filter { parentUID($0) != nil }) { parentUID($0)! }
        for p in plain where parentUID(p) == nil {
            plan.imports.append(try eventImport(p, sessions: sessionsByParent[p.uid] ?? []))
        }
        return plan
    }

    private func eventImport(_ p: ParsedEvent, sessions: [ParsedEvent]) throws -> EventImport {
        let uid = try TextRules.oneLine(p.uid, field: "UID", maxLength: 255)
        let at = "VEVENT \(uid.debugDescription)"
        guard let summary = p.summary else { throw RegisterError.invalid(field: "SUMMARY", message: "\(at) has no SUMMARY") }
        let zone = p.timeZone.flatMap { try? Zone($0) } ?? defaultZone
        var event = Event(
            uid: uid, kind: p.categories.lazy.compactMap { EventKind(rawValue: $0.lowercased()) }.first ?? .meeting,
            title: try TextRules.oneLine(summary, field: "SUMMARY of \(at)"),
            location: try p.location.flatMap(nonEmpty).map { try TextRules.oneLine($0, field: "LOCATION of \(at)") },
            link: try p.url.flatMap(nonEmpty).map { try TextRules.link($0, field: "URL of \(at)") },
            start: p.start, end: p.end, timeZone: zone.identifier, allDay: p.allDay, status: p.status ?? .confirmed,
            sequence: p.sequence, created: p.start, updated: p.start)
        if let visiting = p.visiting.flatMap(nonEmpty), let host = p.host.flatMap(nonEmpty) {
            event.delegation = Delegation(
                visiting: try TextRules.oneLine(visiting, field: "X-EVENTD-VISITING of \(at)"), host: try TextRules.oneLine(host, field: "X-EVENTD-HOST of \(at)"))
        }
        if let rule = p.rrule {
            event.recurrence = Recurrence(rule: try InputReader.checkedRule(rule, field: "RRULE of \(at)", maxCount: maxOccurrences), exceptions: p.exdates.sorted())
        }
        let parts = try sessions.map { s in
            let title = try TextRules.oneLine(s.summary ?? "", field: "SUMMARY of session \(s.uid.debugDescription)")
            let room = roomOf(s.location, eventLocation: event.location)
            let session = Session(
                uid: try TextRules.oneLine(s.uid, field: "UID", maxLength: 255), title: title, start: s.start, end: s.end,
                room: try room.map { try TextRules.oneLine($0, field: "LOCATION of session \(s.uid.debugDescription)") })
            // Our writer repeats the event's organizer in each session; that is not a session role.
            return SessionImport(session: session, participants: try drafts(s, at: "session \(s.uid.debugDescription)").filter { $0.role != .organizer })
        }
        event.sessions = parts.map(\.session)
        if let description = p.description.flatMap(nonEmpty) {
            event.description = try TextRules.multiLine(withoutTimetable(description, of: event, zone: zone), field: "DESCRIPTION of \(at)")
            if event.description?.isEmpty == true { event.description = nil }
        }
        return EventImport(event: event, participants: try drafts(p, at: at), sessions: parts)
    }

    /// ORGANIZER and ATTENDEEs as people: by email when they have one, else by name.
    private func drafts(_ p: ParsedEvent, at: String) throws -> [ParticipantDraft] {
        try ([p.organizer].compactMap { $0 } + p.attendees).flatMap { person -> [ParticipantDraft] in
            let field = "ATTENDEE of \(at)"
            let name = try person.name.flatMap(nonEmpty).map { try TextRules.oneLine($0, field: field) }
            let reference: PersonReference
            if let email = person.email.flatMap(nonEmpty) {
                let address = try TextRules.email(email, field: field)
                reference = .named(name: name ?? address, email: address)
            } else if let name {
                reference = .named(name: name, email: nil)
            } else {
                return []  // neither an email nor a name: nobody to put in the register
            }
            return person.roles.map { ParticipantDraft(reference: reference, role: $0, required: person.required, rsvp: person.rsvp ?? .needsAction) }
        }
    }

    /// Our writer puts "room, event location" in a session's LOCATION.
    private func roomOf(_ location: String?, eventLocation: String?) -> String? {
        guard let location = location.flatMap(nonEmpty) else { return nil }
        guard let eventLocation else { return location }
        if location == eventLocation { return nil }
        if location.hasSuffix(", " + eventLocation) { return String(location.dropLast(eventLocation.count + 2)) }
        return location
    }

    /// Our writer appends the timetable to DESCRIPTION; reading it back as description would double it.
    private func withoutTimetable(_ text: String, of event: Event, zone: Zone) -> String {
        guard let timetable = ICalendarWriter.timetable(of: event, zone: zone), text.hasSuffix(timetable) else { return text }
        var rest = String(text.dropLast(timetable.count))
        while rest.hasSuffix("\n") { rest.removeLast() }
        return rest
    }

    private func nonEmpty(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}
