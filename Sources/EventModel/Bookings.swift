/// One stretch of a person's time: an event they take part in, or one session of it, at one
/// occurrence. Agendas list bookings; clashes are found between them.
public struct Booking: Sendable, Equatable {
    public var person: Person
    public var event: Event
    /// Set when the booking is for one session (a speaker's slot, a chair's session).
    public var session: Session?
    /// The person's roles here, in the order they were given.
    public var roles: [Role]
    /// For a recurring event, the start of this occurrence.
    public var occurrence: Instant?
    public var start: Instant
    public var end: Instant

    /// Every person's bookings in `event` at the occurrence starting at `occurrence` (nil: the
    /// event's own times): one for their part in the event, one per session they have a part in.
    public static func all(in event: Event, occurrence: Instant? = nil) -> [Booking] {
        let shift = occurrence.map { $0.seconds - event.start.seconds } ?? 0
        var bookings: [Booking] = []
        var index: [String: Int] = [:]
        for p in event.participants {
            guard let personID = p.person.id else { continue }
            let session = p.sessionID.flatMap { id in event.sessions.first { $0.id == id } }
            let key = "\(personID)/\(session?.id ?? 0)"
            if let i = index[key] {
                if !bookings[i].roles.contains(p.role) { bookings[i].roles.append(p.role) }
                continue
            }
            index[key] = bookings.count
            bookings.append(
                Booking(
                    person: p.person, event: event, session: session, roles: [p.role], occurrence: occurrence,
                    start: (session?.start ?? event.start).adding(seconds: shift),
                    end: session.map { $0.end.adding(seconds: shift) } ?? event.end(ofOccurrenceAt: event.start.adding(seconds: shift))))
        }
        return bookings
    }

    /// Where the person has to be: the event's location; nil for an event with only a join link.
    public var place: String? { event.location }
}

/// Two bookings that cannot both be kept.
public struct Clash: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable {
        /// One person in two places at once.
        case overlap
        /// One person with too little time to travel between two places.
        case travel
        /// One room booked twice at once (two events, two sessions, or an event and another's session).
        case room
    }

    public var kind: Kind
    public var message: String
    /// The events involved, to tell which clashes a change caused.
    public var eventIDs: [Int64]
    /// What clashes, by id: the kind, the person or room, and each side's event, session and
    /// occurrence. A change that keeps a clash keeps its key, whatever it does to titles or times.
    public var key: String
}

/// Finds clashes between bookings. Pure: the caller gathers the bookings (with recurring events
/// expanded) and says which events it cares about.
public enum ClashFinder {
    /// People in two places at once, or with less than `travelBuffer` seconds between events in
    /// different places. A person's part in an event never clashes with their sessions in it.
    public static func people(_ bookings: [Booking], travelBuffer: Int64) -> [Clash] {
        var clashes: [Clash] = []
        let live = bookings.filter { $0.event.status != .cancelled }
        for (_, mine) in Dictionary(grouping: live, by: { $0.person.id ?? 0 }) {
            let sorted = mine.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
            for i in sorted.indices {
                var j = i + 1
                while j < sorted.count, sorted[j].start.seconds < sorted[i].end.seconds + travelBuffer {
                    if let clash = clash(sorted[i], sorted[j], travelBuffer: travelBuffer) { clashes.append(clash) }
                    j += 1
                }
            }
        }
        return clashes.sorted { $0.message < $1.message }
    }

    private static func clash(_ a: Booking, _ b: Booking, travelBuffer: Int64) -> Clash? {
        let sameOccurrence = a.event.id == b.event.id && a.occurrence == b.occurrence
        if sameOccurrence, a.session == nil || b.session == nil { return nil }
        let zone = (try? Zone(a.event.timeZone)) ?? (try! Zone("UTC"))
        let ids = [a.event.id ?? 0, b.event.id ?? 0]
        func key(_ kind: Clash.Kind) -> String { "\(kind.rawValue)|person \(a.person.id ?? 0)|\(side(a.event, a.session, a.occurrence))|\(side(b.event, b.session, b.occurrence))" }
        if b.start < a.end {
            return Clash(
                kind: .overlap,
                message: "\(a.person.name) is in two places at once: \(describe(a, zone)) and \(describe(b, zone))", eventIDs: ids, key: key(.overlap))
        }
        guard let from = a.place, let to = b.place, foldedForSearch(from) != foldedForSearch(to) else { return nil }
        let gap = (b.start.seconds - a.end.seconds) / 60
        return Clash(
            kind: .travel,
            message: "\(a.person.name) has \(gap) min to get from \(from) to \(to) between \(describe(a, zone)) and \(describe(b, zone)); "
                + "the travel buffer is \(travelBuffer / 60) min",
            eventIDs: ids, key: key(.travel))
    }

    /// Events and sessions in the same room of the same place at the same time. `occurrences`
    /// are events with the start of one occurrence each (nil: the event's own start). A session
    /// in its own event's room is not a clash with that event.
    public static func rooms(_ occurrences: [(event: Event, occurrence: Instant?)]) -> [Clash] {
        struct Slot { var event: Event, session: Session?, room: String, start: Instant, end: Instant, occurrence: Instant? }
        var slots: [String: [Slot]] = [:]
        for (event, occurrence) in occurrences where event.status != .cancelled {
            let shift = occurrence.map { $0.seconds - event.start.seconds } ?? 0
            let place = foldedForSearch(event.location ?? "")
            if let room = event.room {
                slots[foldedForSearch(room) + "|" + place, default: []].append(
                    Slot(event: event, session: nil, room: room, start: event.start.adding(seconds: shift), end: event.end.adding(seconds: shift), occurrence: occurrence))
            }
            for session in event.sessions {
                guard let room = session.room else { continue }
                slots[foldedForSearch(room) + "|" + place, default: []].append(
                    Slot(event: event, session: session, room: room, start: session.start.adding(seconds: shift), end: session.end.adding(seconds: shift), occurrence: occurrence))
            }
        }
        func what(_ slot: Slot, _ zone: Zone) -> String {
            let name = slot.session.map { "session \($0.id ?? 0) \"\($0.title)\" of event \(slot.event.id ?? 0)" }
                ?? "event \(slot.event.id ?? 0) \"\(slot.event.title)\""
            return "\(name) \(span(slot.start, slot.end, zone))"
        }
        var clashes: [Clash] = []
        for (room, list) in slots {
            let sorted = list.sorted { ($0.start, $0.session == nil ? 0 : 1) < ($1.start, $1.session == nil ? 0 : 1) }
            for i in sorted.indices {
                var j = i + 1
                while j < sorted.count, sorted[j].start < sorted[i].end {
                    let a = sorted[i], b = sorted[j]
                    j += 1
                    // An event and its own sessions share the room by design.
                    if a.event.id == b.event.id, a.session == nil || b.session == nil { continue }
                    let zone = (try? Zone(a.event.timeZone)) ?? (try! Zone("UTC"))
                    // The room once, and the place only where it adds something ("Hội trường A, Thái Nguyên").
                    var place = a.room
                    if let location = a.event.location, !foldedForSearch(location).contains(foldedForSearch(a.room)) {
                        place += ", " + location
                    }
                    clashes.append(
                        Clash(
                            kind: .room, message: "\(place) is booked twice: \(what(a, zone)) and \(what(b, zone))",
                            eventIDs: [a.event.id ?? 0, b.event.id ?? 0],
                            key: "room|\(room)|\(side(a.event, a.session, a.occurrence))|\(side(b.event, b.session, b.occurrence))"))
                }
            }
        }
        return clashes.sorted { $0.message < $1.message }
    }

    /// One side of a clash in its key: event, session and occurrence ids.
    private static func side(_ event: Event, _ session: Session?, _ occurrence: Instant?) -> String {
        "event \(event.id ?? 0) session \(session?.id ?? 0) at \(occurrence?.seconds ?? 0)"
    }

    private static func describe(_ b: Booking, _ zone: Zone) -> String {
        let what = b.session.map { "session \"\($0.title)\" of event \(b.event.id ?? 0)" } ?? "event \(b.event.id ?? 0) \"\(b.event.title)\""
        let place = b.place.map { " in \($0)" } ?? ""
        return "\(what)\(place) \(span(b.start, b.end, zone))"
    }

    private static func span(_ start: Instant, _ end: Instant, _ zone: Zone) -> String {
        let s = zone.display(start), e = zone.display(end)
        return s.prefix(10) == e.prefix(10) ? "\(s)–\(e.suffix(5))" : "\(s)–\(e)"
    }
}
