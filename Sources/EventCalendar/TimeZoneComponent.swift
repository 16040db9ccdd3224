internal import CLibical
import EventModel
import Foundation

/// Builds a minimal VTIMEZONE from the system tz database (through Foundation) instead of
/// libical's builtin zones, which carry a `/freeassociation.sourceforge.net/` TZID prefix
/// and the zone's whole history back to local mean time.
///
/// Minimal means the rules in force over the span of instants the calendar holds, and all of
/// them: a calendar with events from 2005 to 2030 in New York gets the 1987–2006 rule (first
/// Sunday in April, last in October) with an UNTIL and the rule in force since 2007, so every
/// instant reads the same in a client as in eventd. Outlook takes a VTIMEZONE's rules literally.
enum TimeZoneComponent {
    private static let year: Int64 = 366 * 86_400  // a year of transitions around a span, not an event limit
    /// How far an open-ended span (an endless RRULE) is looked at: the tz database knows no
    /// future but today's rules, which the last observance repeats without an UNTIL.
    private static let openEnd = Instant(seconds: 4_102_444_800)  // 2100-01-01

    /// The span of instants `events` hold in their own zone: from their first start to their
    /// last end, an endless series reaching `nil` (open-ended). Under `LibICal.locked`.
    static func span(of events: [Event]) -> (from: Instant, to: Instant?) {
        var from = events.map(\.start).min() ?? Instant(seconds: 0)
        var to: Instant? = events.map(\.end).max() ?? from
        for event in events {
            for session in event.sessions {
                from = min(from, session.start)
                to = to.map { max($0, session.end) }
            }
            guard let recurrence = event.recurrence else { continue }
            for o in recurrence.overrides {
                from = min(from, o.start, o.recurrenceID)
                to = to.map { max($0, o.end, o.recurrenceID) }
            }
            for d in recurrence.dates + recurrence.exceptions {
                from = min(from, d)
                to = to.map { max($0, d.adding(seconds: event.end.seconds - event.start.seconds)) }
            }
            for rule in [recurrence.rule] + recurrence.moreRules where !rule.isEmpty {
                to = to.flatMap { current in lastInstant(of: rule, event: event).map { max(current, $0) } }
            }
        }
        return (from, to)
    }

    /// The end of the last occurrence of a rule with COUNT or UNTIL; nil for an endless one.
    private static func lastInstant(of rule: String, event: Event) -> Instant? {
        let parts = rule.uppercased().split(separator: ";")
        guard parts.contains(where: { $0.hasPrefix("COUNT=") || $0.hasPrefix("UNTIL=") }) else { return nil }
        let starts = (try? RecurrenceRule.startsLocked(rrule: rule, start: event.start, zone: event.timeZone, before: openEnd, includingStart: true)) ?? []
        return starts.last.map { $0.adding(seconds: event.end.seconds - event.start.seconds) } ?? event.end
    }

    /// A new, caller-owned VTIMEZONE for `identifier` right for every instant from `from` to `to`
    /// (nil: without end): one STANDARD for a zone without changes; for each stretch of years in
    /// which the changes follow an nth-weekday or fixed-date rule, a STANDARD and a DAYLIGHT with
    /// yearly RRULEs (with an UNTIL where the stretch ends); other changes one by one.
    /// Must be called under `LibICal.locked`.
    static func make(identifier: String, from: Instant, to: Instant?) throws(CalendarError) -> OpaquePointer {
        guard let tz = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
        let lower = from.adding(seconds: -year)
        let upper = min(to.map { $0.adding(seconds: year) } ?? openEnd, openEnd)
        let all = transitions(tz, from: lower, to: max(upper, lower))
        let vtimezone = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT)!
        icalcomponent_add_property(vtimezone, icalproperty_new_tzid(identifier))

        guard let first = all.first else {
            let offset = tz.secondsFromGMT(for: from.date)
            addObservance(to: vtimezone, daylight: false, start: origin(before: from), from: offset, to: offset, rule: nil)
            return vtimezone
        }
        if first.at > from {
            // The offset in force before the first change the span sees (none within a year before it).
            addObservance(to: vtimezone, daylight: tz.isDaylightSavingTime(for: from.date), start: origin(before: from),
                          from: first.from, to: first.from, rule: nil)
        }
        for run in runs(all) {
            for (kind, members) in run.byKind {
                let head = members[0]
                var rule: String?
                if members.count > 1, let base = run.rules[kind] {
                    // The rule still in force at the end of the span goes on without an UNTIL: right for
                    // every later instant the calendar holds (an endless series), and no longer than needed.
                    let reachesEnd = run.isLast && members.last!.at.seconds > upper.seconds - 2 * year
                    rule = reachesEnd ? base : base + ";UNTIL=" + LibICal.iso(LibICal.civilUTC(members.last!.at), date: false) + "Z"
                }
                addObservance(to: vtimezone, daylight: head.daylight, start: head.localStart, from: head.from, to: head.to, rule: rule)
            }
        }
        return vtimezone
    }

    /// A DTSTART before `instant` for an observance that holds from the beginning.
    private static func origin(before instant: Instant) -> CivilDateTime {
        let c = LibICal.civilUTC(instant)
        return c.year > 1970 ? epochStart : CivilDateTime(year: max(1, c.year - 1), month: 1, day: 1)
    }

    private static let epochStart = CivilDateTime(year: 1970, month: 1, day: 1)

    struct Transition {
        var at: Instant
        var from: Int
        var to: Int
        var daylight: Bool
        /// The wall clock at the change, read with the offset in force before it (RFC 5545 3.6.5).
        var localStart: CivilDateTime { LibICal.civilUTC(at.adding(seconds: Int64(from))) }
        var kind: String { "\(from)>\(to)" }
    }

    private static func transitions(_ tz: TimeZone, from: Instant, to: Instant) -> [Transition] {
        var out: [Transition] = []
        var cursor = from.date
        while out.count < 1000, let next = tz.nextDaylightSavingTimeTransition(after: cursor), Instant(next) <= to {
            let at = Instant(next)
            let before = tz.secondsFromGMT(for: at.adding(seconds: -1).date), after = tz.secondsFromGMT(for: next)
            // Foundation also reports changes of DST flag alone; only a change of offset is an observance.
            if before != after {
                out.append(Transition(at: at, from: before, to: after, daylight: tz.isDaylightSavingTime(for: next)))
            }
            cursor = next
        }
        return out
    }

    /// Consecutive transitions that yearly rules describe: each kind of change (from → to) once a
    /// year, at the same wall-clock time, on a date one rule gives every year.
    struct Run {
        var byKind: [(String, [Transition])] = []
        var rules: [String: String] = [:]
        var isLast = false

        func members(_ kind: String) -> [Transition]? { byKind.first { $0.0 == kind }?.1 }
    }

    private static func runs(_ all: [Transition]) -> [Run] {
        var runs: [Run] = []
        var current = Run()
        func accepts(_ t: Transition, _ run: Run) -> (rule: String?, ok: Bool) {
            guard let previous = run.members(t.kind)?.last else {
                // A new kind joins while the run has at most one other kind.
                return (nil, run.byKind.count < 2)
            }
            let p = previous.localStart, c = t.localStart
            guard c.year == p.year + 1, (c.hour, c.minute, c.second) == (p.hour, p.minute, p.second) else { return (nil, false) }
            let shared = Set(candidates(p)).intersection(candidates(c))
            if let rule = run.rules[t.kind] { return (rule, shared.contains(rule)) }
            // The rule both years agree on: the last weekday of the month before the nth (the 5th
            // Sunday of October 2016 and 2017 is the last, which 2018 shows), before a fixed date.
            let preferred = candidates(p).filter { $0.contains("BYDAY=-1") } + candidates(p)
            return (preferred.first { shared.contains($0) }, !shared.isEmpty)
        }
        for t in all {
            let (rule, ok) = accepts(t, current)
            if !ok {
                runs.append(current)
                current = Run()
            }
            if let index = current.byKind.firstIndex(where: { $0.0 == t.kind }) {
                current.byKind[index].1.append(t)
                if let rule, current.rules[t.kind] == nil { current.rules[t.kind] = rule }
            } else {
                current.byKind.append((t.kind, [t]))
            }
        }
        if !current.byKind.isEmpty {
            current.isLast = true
            runs.append(current)
        }
        return runs.filter { !$0.byKind.isEmpty }
    }

    /// `FREQ=YEARLY` rules that could describe a change at `start`: nth weekday, last weekday, fixed date.
    private static func candidates(_ start: CivilDateTime) -> [String] {
        let t = LibICal.date(year: start.year, month: start.month, day: start.day)
        let weekday = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][Int(icaltime_day_of_week(t)) - 1]
        let days = CivilDateTime.daysIn(month: start.month, year: start.year)
        var out = ["FREQ=YEARLY;BYMONTH=\(start.month);BYDAY=\((start.day - 1) / 7 + 1)\(weekday)"]
        if start.day + 7 > days { out.append("FREQ=YEARLY;BYMONTH=\(start.month);BYDAY=-1\(weekday)") }
        out.append("FREQ=YEARLY;BYMONTH=\(start.month);BYMONTHDAY=\(start.day)")
        return out
    }

    private static func addObservance(
        to vtimezone: OpaquePointer, daylight: Bool, start: CivilDateTime, from: Int, to: Int, rule: String?
    ) {
        let observance = icalcomponent_new(daylight ? ICAL_XDAYLIGHT_COMPONENT : ICAL_XSTANDARD_COMPONENT)!
        icalcomponent_add_property(observance, icalproperty_new_dtstart(LibICal.floating(start)))
        icalcomponent_add_property(observance, icalproperty_new_tzoffsetfrom(Int32(from)))
        icalcomponent_add_property(observance, icalproperty_new_tzoffsetto(Int32(to)))
        if let rule {
            icalcomponent_add_property(observance, icalproperty_new_rrule(icalrecurrencetype_from_string(rule)))
        }
        icalcomponent_add_component(vtimezone, observance)
    }
}
