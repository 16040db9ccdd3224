import EventModel

/// One occurrence of an event: when the recurrence puts it (`recurrenceID`, what RECURRENCE-ID
/// names) and when it takes place, which an override may have changed.
public struct Occurrence: Sendable, Equatable {
    public var recurrenceID: Instant
    public var start: Instant
    public var end: Instant
    /// The change made to this one occurrence, if any (a cancelled one has status `cancelled`).
    public var override: OccurrenceOverride?
}

extension RecurrenceRule {
    /// The occurrences of `event` that overlap `from..<to`, in order of start, at most `limit`
    /// (and `maxOccurrences`): RFC 5545's recurrence set. DTSTART is always the first (and one of
    /// COUNT); then every RRULE's starts and the RDATEs, less EXDATEs (by instant, or by day for a
    /// DATE-valued one on a series with times); an overridden occurrence takes place when its
    /// override says, so an override moved into the window is found and one moved out is not.
    /// A plain event has one occurrence, itself.
    public static func occurrences(of event: Event, from: Instant, to: Instant, limit: Int) throws(CalendarError) -> [Occurrence] {
        let duration = event.end.seconds - event.start.seconds
        guard let recurrence = event.recurrence else {
            return event.start < to && (event.end > from || (duration == 0 && event.start >= from))
                ? [Occurrence(recurrenceID: event.start, start: event.start, end: event.end, override: nil)] : []
        }
        let cap = min(max(limit, 0), maxOccurrences)
        guard cap > 0, from < to else { return [] }
        let zone: Zone
        do { zone = try Zone(event.timeZone) } catch { throw .unknownTimeZone(event.timeZone) }

        // Overrides may move an occurrence from anywhere into the window: expand far enough to
        // reach every overridden start, however late.
        let horizon = max(to, recurrence.overrides.map { $0.recurrenceID.adding(seconds: 1) }.max() ?? to)
        var starts: Set<Instant> = [event.start]
        // DTSTART counts in the first RRULE's COUNT (RFC 5545 3.8.5.3); a further RRULE (RFC 2445)
        // counts its own occurrences only, as the readers that still take several do.
        for (index, rule) in ([recurrence.rule] + recurrence.moreRules).enumerated() where !rule.isEmpty {
            starts.formUnion(try self.starts(rrule: rule, start: event.start, zone: event.timeZone, before: horizon,
                                             includingStart: index == 0, dates: event.allDay))
        }
        starts.formUnion(recurrence.dates)
        let excluded = Set(recurrence.exceptions)
        let excludedDays = Set(recurrence.exceptionDates)
        // A whole-day series' excluded start is a day, however the file wrote it (Outlook writes
        // a DATE-TIME EXDATE at midnight, perhaps UTC's): the day of it on the series' clock.
        let excludedWholeDays = event.allDay ? Set(recurrence.exceptions.map { Self.day(zone.civil($0)) }) : []
        func isExcluded(_ s: Instant) -> Bool {
            if excluded.contains(s) { return true }
            if event.allDay, excludedWholeDays.contains(Self.day(zone.civil(s))) { return true }
            guard !excludedDays.isEmpty else { return false }
            let c = zone.civil(s)
            return excludedDays.contains(Self.day(c))
        }
        // A whole-day series' occurrences last whole local days: each ends at the midnight its
        // number of days later, not DTSTART's length in seconds later (DST days are 23 or 25 h).
        let days = event.allDay ? zone.days(from: event.start, to: event.end) : 0
        func end(of start: Instant) -> Instant { event.allDay ? zone.midnight(after: start, days: days) : start.adding(seconds: duration) }
        let overrides = Dictionary(recurrence.overrides.map { ($0.recurrenceID, $0) }, uniquingKeysWith: { a, b in a.sequence >= b.sequence ? a : b })
        // An override changes an occurrence the set has; one naming no occurrence (RFC 5545 3.8.4.4
        // wants it to name one) changes nothing, as recurring-ical-events and Google read it.

        // RANGE=THISANDFUTURE changes hold from their occurrence on, each until the next one.
        let fromHereOn = recurrence.overrides.filter(\.thisAndFuture).sorted { $0.recurrenceID < $1.recurrenceID }
        var out: [Occurrence] = []
        for s in starts where !isExcluded(s) {
            var occurrence = Occurrence(recurrenceID: s, start: s, end: end(of: s), override: nil)
            if overrides[s] == nil, let f = fromHereOn.last(where: { $0.recurrenceID < s }) {
                let start = s.adding(seconds: f.start.seconds - f.recurrenceID.seconds)
                let o = OccurrenceOverride(
                    recurrenceID: s, start: start, end: start.adding(seconds: f.end.seconds - f.start.seconds), status: f.status, title: f.title,
                    location: f.location, description: f.description, sequence: f.sequence)
                occurrence.start = o.start
                occurrence.end = o.end
                occurrence.override = o
            }
            if let o = overrides[s] {
                occurrence.start = o.start
                occurrence.end = o.end
                occurrence.override = o
            }
            let length = occurrence.end.seconds - occurrence.start.seconds
            let overlaps = occurrence.start < to && (occurrence.end > from || (length == 0 && occurrence.start >= from))
            if overlaps { out.append(occurrence) }
        }
        out.sort { ($0.start, $0.recurrenceID) < ($1.start, $1.recurrenceID) }
        return Array(out.prefix(cap))
    }

    /// `YYYY-MM-DD`, the form of `Recurrence.exceptionDates`.
    public static func day(_ c: CivilDateTime) -> String {
        func pad(_ n: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }
}
