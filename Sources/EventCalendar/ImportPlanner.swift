import EventModel
import Foundation

/// Turns the VEVENTs of an iCalendar file into events of the register, under the same rules
/// as eventctl input. In a file eventd wrote, VEVENTs RELATED-TO another VEVENT of the file
/// become its sessions; VEVENTs with a RECURRENCE-ID become changed occurrences of their series.
/// Pure (no store): eventd's import, the tests and the fuzzer run the same planning.
public struct ImportPlanner: Sendable {
    public let defaultZone: Zone
    public let maxOccurrences: Int

    public init(defaultZone: Zone, maxOccurrences: Int) {
        self.defaultZone = defaultZone
        self.maxOccurrences = maxOccurrences
    }

    public struct Plan: Sendable {
        public var imports: [EventImport] = []
        /// VEVENTs left out on purpose, with the reason.
        public var ignored: [(uid: String, reason: String)] = []
    }

    /// Every error is a `RegisterError` naming the line and VEVENT at fault.
    public func plan(_ parsed: [ParsedEvent]) throws -> Plan {
        var plan = Plan()
        var masters: [String: ParsedEvent] = [:]
        var order: [String] = []
        var overrides: [String: [ParsedEvent]] = [:]
        for p in parsed {
            if p.recurrenceID != nil {
                if overrides[p.uid] == nil, masters[p.uid] == nil { order.append(p.uid) }
                overrides[p.uid, default: []].append(p)
            } else if let earlier = masters[p.uid] {
                // The same UID twice: the later SEQUENCE wins, as an update would.
                let (kept, dropped) = p.sequence >= earlier.sequence ? (p, earlier) : (earlier, p)
                masters[p.uid] = kept
                plan.ignored.append((p.uid, "\(dropped.at()) repeats the UID of \(kept.at()); the one with the higher SEQUENCE is imported"))
            } else {
                if overrides[p.uid] == nil { order.append(p.uid) }
                masters[p.uid] = p
            }
        }
        let uids = Set(masters.keys)
        // Only eventd writes its sessions as VEVENTs RELATED-TO their event; elsewhere RELATED-TO
        // links events that stand on their own (RFC 9253), and is kept as it is.
        func parentUID(_ p: ParsedEvent) -> String? {
            guard p.writtenByEventd else { return nil }
            return p.relatedTo.first { uids.contains($0) && $0 != p.uid }
        }
        var sessionsByParent: [String: [ParsedEvent]] = [:]
        for uid in order {
            guard let p = masters[uid], let parent = parentUID(p), overrides[uid] == nil else { continue }
            sessionsByParent[parent, default: []].append(p)
        }
        // One event the register cannot take (FREQ=MINUTELY, a COUNT beyond max_occurrences, a
        // title too long) is skipped with the reason and the rest of the file stored; a file none
        // of whose events can be taken is refused with the first reason.
        var refused: [(uid: String, error: RegisterError)] = []
        for uid in order {
            let changed = (overrides[uid] ?? []).sorted { $0.recurrenceID! < $1.recurrenceID! }
            do {
                if let p = masters[uid] {
                    if parentUID(p) != nil, changed.isEmpty { continue }
                    plan.imports.append(try eventImport(p, overrides: changed, sessions: sessionsByParent[p.uid] ?? []))
                } else if let first = changed.first {
                    // Changed occurrences without their series (an invitation to one occurrence, a
                    // calendar of exceptions): a known series takes them in, an unknown one is made
                    // of them, each occurrence where its RECURRENCE-ID and its own times put it.
                    var item = try eventImport(first, overrides: changed, sessions: [], series: false)
                    item.overridesOnly = true
                    plan.imports.append(item)
                }
            } catch let error as RegisterError {
                refused.append((uid, error))
            }
        }
        if plan.imports.isEmpty, let first = refused.first { throw first.error }
        plan.ignored += refused.map { ($0.uid, $0.error.message) }
        return plan
    }

    /// The event for `p` with its changed occurrences; with `series` false, `p` is itself the
    /// first changed occurrence and the event is the set of `overrides` (no RRULE).
    private func eventImport(_ p: ParsedEvent, overrides: [ParsedEvent], sessions: [ParsedEvent], series: Bool = true) throws -> EventImport {
        let uid = try TextRules.oneLine(p.uid, field: "UID of \(p.at("UID"))", maxLength: 255)
        let zone = p.timeZone.flatMap { try? Zone($0) } ?? defaultZone
        var kept = p.keptProperties.map { [Self.markUnlisted($0, people: [p.organizer].compactMap { $0 } + p.attendees)] } ?? []
        var link: String?
        if let url = p.url.flatMap(nonEmpty) {
            if let checked = try? TextRules.link(url) { link = checked } else { kept.append("URL:" + url) }  // webcal:, mailto:, a relative URL
        }
        let kind = (p.kind.flatMap { EventKind(rawValue: $0.lowercased()) })
            ?? p.categories.lazy.compactMap { EventKind(rawValue: $0.lowercased()) }.first ?? .meeting
        var start = p.start, end = p.end
        if !series, let rid = p.recurrenceID {
            start = rid
            end = rid.adding(seconds: p.end.seconds - p.start.seconds)
        }
        try Self.checkYears([start, end], at: p.at("DTEND"))
        let room = try p.room.flatMap(nonEmpty).map { try TextRules.oneLine($0, field: "X-EVENTD-ROOM of \(p.at())") }
        var event = Event(
            uid: uid, kind: kind, title: try Self.line(p.summary, field: "SUMMARY of \(p.at("SUMMARY"))") ?? "",
            location: Self.withoutRoom(try Self.line(p.location, field: "LOCATION of \(p.at("LOCATION"))", joiner: ", "), room: room),
            link: link, start: start, end: end, timeZone: zone.identifier, allDay: p.allDay, status: p.status ?? .confirmed,
            sequence: p.sequence, created: p.start, updated: p.start, floating: p.floating,
            keptProperties: kept.isEmpty ? nil : kept.joined(separator: "\r\n"))
        event.room = room
        event.preparedBy = try p.prepare.flatMap(nonEmpty).map { try TextRules.oneLine($0, field: "X-EVENTD-PREPARE of \(p.at())") }
        if let visiting = p.visiting.flatMap(nonEmpty), let host = p.host.flatMap(nonEmpty) {
            event.delegation = Delegation(
                visiting: try TextRules.oneLine(visiting, field: "X-EVENTD-VISITING of \(p.at())"),
                host: try TextRules.oneLine(host, field: "X-EVENTD-HOST of \(p.at())"))
        }
        if series, let rule = p.rrule {
            let field = "RRULE of \(p.at("RRULE"))"
            event.recurrence = Recurrence(
                rule: try RecurrenceRule.checked(rule, field: field, maxCount: maxOccurrences),
                moreRules: try p.moreRules.map { try RecurrenceRule.checked($0, field: field, maxCount: maxOccurrences) })
        }
        if series, !p.rdates.isEmpty || !p.rdatePeriods.isEmpty || !p.exdates.isEmpty || !p.exceptionDates.isEmpty || !overrides.isEmpty {
            var recurrence = event.recurrence ?? Recurrence(rule: "")
            recurrence.dates = Array(Set(p.rdates + p.rdatePeriods.map(\.start))).sorted()
            recurrence.exceptions = p.exdates.sorted()
            recurrence.exceptionDates = Array(Set(p.exceptionDates)).sorted()
            // A PERIOD RDATE is an occurrence with its own end: an override of itself.
            for period in p.rdatePeriods where period.end.seconds - period.start.seconds != end.seconds - start.seconds {
                recurrence.overrides.append(OccurrenceOverride(recurrenceID: period.start, start: period.start, end: period.end, sequence: p.sequence))
            }
            event.recurrence = recurrence
        }
        if !overrides.isEmpty {
            var recurrence = event.recurrence ?? Recurrence(rule: "")
            for o in overrides {
                // Without their series, the changes carry all they say: the series they join may differ.
                let changed = try occurrenceOverride(o, series: event, whole: !series)
                recurrence.setOverride(changed)
                if !series { recurrence.dates.append(changed.recurrenceID) }
            }
            recurrence.dates = Array(Set(recurrence.dates)).sorted()
            event.recurrence = recurrence
        }
        let parts = try sessions.map { s in
            let title = try TextRules.oneLine(s.summary ?? "", field: "SUMMARY of session \(s.at("SUMMARY"))")
            let room = roomOf(s.location, eventLocation: event.location)
            let session = Session(
                uid: try TextRules.oneLine(s.uid, field: "UID", maxLength: 255), title: title, start: s.start, end: s.end,
                room: try room.map { try TextRules.oneLine($0, field: "LOCATION of session \(s.at("LOCATION"))") })
            // Our writer repeats the event's organizer in each session; that is not a session role.
            return SessionImport(session: session, participants: try drafts(s, at: "session \(s.at())").filter { $0.role != .organizer })
        }
        event.sessions = parts.map(\.session)
        if let description = p.description.flatMap(nonEmpty) {
            let proper = withoutPreparer(withoutTimetable(description, of: event, zone: zone), unit: event.preparedBy)
            event.description = try Self.text(proper, field: "DESCRIPTION of \(p.at("DESCRIPTION"))")
            if event.description?.isEmpty == true { event.description = nil }
        }
        return EventImport(event: event, participants: try drafts(p, at: p.at()), sessions: parts)
    }

    /// A VEVENT with a RECURRENCE-ID as a change to that occurrence: what differs from the series.
    private func occurrenceOverride(_ o: ParsedEvent, series: Event, whole: Bool = false) throws -> OccurrenceOverride {
        let title = try Self.line(o.summary, field: "SUMMARY of \(o.at("SUMMARY"))")
        let location = Self.withoutRoom(try Self.line(o.location, field: "LOCATION of \(o.at("LOCATION"))", joiner: ", "), room: series.room)
        let description = try o.description.flatMap(nonEmpty).map { try Self.text($0, field: "DESCRIPTION of \(o.at("DESCRIPTION"))") }
        try Self.checkYears([o.start, o.end], at: o.at("DTEND"))
        var recurrenceID = o.recurrenceID!
        if series.allDay, let day = o.recurrenceIDDay, let zone = try? Zone(series.timeZone) {
            // A whole-day series' occurrence named by a local midnight in some zone (Exchange): that day.
            let parts = day.split(separator: "-").compactMap { Int($0) }
            if parts.count == 3 { recurrenceID = zone.instant(CivilDateTime(year: parts[0], month: parts[1], day: parts[2])) }
        }
        return OccurrenceOverride(
            recurrenceID: recurrenceID, start: o.start, end: o.end,
            status: o.status.flatMap { $0 == series.status && !whole ? nil : $0 },
            title: title == series.title && !whole ? nil : title, location: location == series.location && !whole ? nil : location,
            description: description == series.description && !whole ? nil : description, sequence: o.sequence,
            keptProperties: o.keptProperties.map { Self.markUnlisted($0, people: [o.organizer].compactMap { $0 } + o.attendees) },
            thisAndFuture: o.thisAndFuture)
    }

    /// ORGANIZER and ATTENDEEs as people: by email when they have one, else by name. An address
    /// that is not an email (`urn:`, a bad mailto) is a person by name, or nobody without one.
    private func drafts(_ p: ParsedEvent, at: String) throws -> [ParticipantDraft] {
        try ([p.organizer].compactMap { $0 } + p.attendees).flatMap { person -> [ParticipantDraft] in
            let field = "ATTENDEE of \(at)"
            let name = try Self.line(person.name, field: field)
            let reference: PersonReference
            if let email = person.email.flatMap(nonEmpty).flatMap({ try? TextRules.email($0, field: field) }) {
                reference = .named(name: name ?? email, email: email)
            } else if let name {
                reference = .named(name: name, email: nil)
            } else {
                return []  // neither an email nor a name: nobody to put in the register
            }
            return person.roles.map {
                ParticipantDraft(reference: reference, role: $0, required: person.required, rsvp: person.rsvp ?? .needsAction, fromFile: true)
            }
        }
    }

    /// Times the register can write back: libical 3 writes no year after 3000.
    static func checkYears(_ instants: [Instant], at place: String) throws {
        let utc = try Zone("UTC")
        for instant in instants where !LibICal.years.contains(utc.civil(instant).year) {
            throw RegisterError.invalid(
                field: "calendar", message: "\(place): \(utc.iso8601(instant)) lies outside the years \(LibICal.years.lowerBound) to \(LibICal.years.upperBound) that eventd handles")
        }
    }

    /// People eventd cannot put in the register (an address that is no email, and no name: `ORGANIZER:aaa`,
    /// `ATTENDEE:urn:uuid:…`) keep their line as it is, marked so that the writer writes it back.
    static func markUnlisted(_ kept: String, people: [ParsedPerson]) -> String {
        let unlisted = Set(people.filter { person in
            person.email.flatMap({ try? TextRules.email($0) }) == nil && (person.name?.trimmingCharacters(in: .whitespaces).isEmpty ?? true)
        }.map { $0.address.lowercased() })
        guard !unlisted.isEmpty else { return kept }
        return kept.components(separatedBy: "\r\n").map { line in
            let upper = line.uppercased()
            guard upper.hasPrefix("ATTENDEE") || upper.hasPrefix("ORGANIZER"), let colon = Self.valueStart(line) else { return line }
            let address = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces).lowercased()
            guard unlisted.contains(address) else { return line }
            return String(line[..<colon]) + ";\(KeptProperties.asIsParameter)=TRUE" + String(line[colon...])
        }.joined(separator: "\r\n")
    }

    /// Where a content line's value starts: the first `:` outside a quoted parameter value.
    private static func valueStart(_ line: String) -> String.Index? {
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if c == "\"" { quoted.toggle() } else if c == ":", !quoted { return index }
            index = line.index(after: index)
        }
        return nil
    }

    /// A one-line field from a file: line breaks become `joiner` (a LOCATION written on several
    /// lines is an address), other control characters go, and it is cut at the register's length.
    static func line(_ text: String?, field: String, joiner: String = " ") throws -> String? {
        guard let text else { return nil }
        // Most values are one clean line: no control character and no line or paragraph separator.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }), !text.contains("\u{2028}"), !text.contains("\u{2029}"), text.utf8.count <= TextRules.maxLineLength {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : try TextRules.oneLine(trimmed, field: field)
        }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" })
        var joined = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: joiner)
        joined = String(String.UnicodeScalarView(joined.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        if joined.count > TextRules.maxLineLength { joined = String(joined.prefix(TextRules.maxLineLength - 1)) + "…" }
        guard !joined.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return try TextRules.oneLine(joined, field: field)
    }

    /// A multi-line field from a file, cut at the register's length.
    static func text(_ text: String, field: String) throws -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var value = String(String.UnicodeScalarView(unified.unicodeScalars.map { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F ? " " : $0 }))
        if value.count > TextRules.maxDescriptionLength { value = String(value.prefix(TextRules.maxDescriptionLength - 1)) + "…" }
        return try TextRules.multiLine(value, field: field)
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
    /// Our writer puts "room, place" in an event's LOCATION when it books a room (X-EVENTD-ROOM)
    /// that the place does not name; a LOCATION without that prefix is the place itself.
    static func withoutRoom(_ location: String?, room: String?) -> String? {
        guard let location, let room, location.hasPrefix(room + ", ") else { return location }
        return String(location.dropFirst(room.count + 2))
    }

    /// Our writer puts the preparing unit (X-EVENTD-PREPARE) on a line of the DESCRIPTION.
    private func withoutPreparer(_ text: String, unit: String?) -> String {
        guard let line = ICalendarWriter.preparerLine(unit), text.hasSuffix(line) else { return text }
        var rest = String(text.dropLast(line.count))
        while rest.hasSuffix("\n") { rest.removeLast() }
        return rest
    }

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
