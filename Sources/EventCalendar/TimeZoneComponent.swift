internal import CLibical
import EventModel
import Foundation

/// Builds a minimal VTIMEZONE from the system tz database (through Foundation) instead of
/// libical's builtin zones, which carry a `/freeassociation.sourceforge.net/` TZID prefix
/// and the zone's whole history back to local mean time.
enum TimeZoneComponent {
    private static let year: Int64 = 366 * 86_400

    /// A new, caller-owned VTIMEZONE for `identifier` holding only the rules in force
    /// around `instant`: one STANDARD for zones without daylight saving time; a STANDARD
    /// and a DAYLIGHT with yearly RRULEs when the transitions follow an nth-weekday or
    /// fixed-date rule; otherwise the transitions from a year before to two years after.
    /// Must be called under `LibICal.locked`.
    static func make(identifier: String, around instant: Instant) throws(CalendarError) -> OpaquePointer {
        guard let tz = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
        let transitions = self.transitions(tz, from: instant.adding(seconds: -year), to: instant.adding(seconds: 2 * year))
        let vtimezone = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT)!
        icalcomponent_add_property(vtimezone, icalproperty_new_tzid(identifier))

        guard let first = transitions.first else {
            let offset = tz.secondsFromGMT(for: instant.date)
            addObservance(to: vtimezone, daylight: false, start: epochStart, from: offset, to: offset, rule: nil)
            return vtimezone
        }
        if let rules = yearlyRules(transitions) {
            for r in rules {
                addObservance(to: vtimezone, daylight: r.transition.daylight, start: r.transition.localStart,
                              from: r.transition.from, to: r.transition.to, rule: r.rule)
            }
        } else {
            // Irregular zones (e.g. Morocco's Ramadan breaks): list the nearby transitions.
            addObservance(to: vtimezone, daylight: false, start: epochStart, from: first.from, to: first.from, rule: nil)
            for t in transitions {
                addObservance(to: vtimezone, daylight: t.daylight, start: t.localStart, from: t.from, to: t.to, rule: nil)
            }
        }
        return vtimezone
    }

    private static let epochStart = CivilDateTime(year: 1970, month: 1, day: 1)

    struct Transition {
        var at: Instant
        var from: Int
        var to: Int
        var daylight: Bool
        /// The wall clock at the change, read with the offset in force before it (RFC 5545 3.6.5).
        var localStart: CivilDateTime { LibICal.civilUTC(at.adding(seconds: Int64(from))) }
    }

    private static func transitions(_ tz: TimeZone, from: Instant, to: Instant) -> [Transition] {
        var out: [Transition] = []
        var cursor = from.date
        while out.count < 16, let next = tz.nextDaylightSavingTimeTransition(after: cursor), Instant(next) <= to {
            let at = Instant(next)
            out.append(Transition(
                at: at, from: tz.secondsFromGMT(for: at.adding(seconds: -1).date), to: tz.secondsFromGMT(for: next),
                daylight: tz.isDaylightSavingTime(for: next)))
            cursor = next
        }
        return out
    }

    /// Two observances whose yearly RRULEs reproduce every transition found, or nil.
    private static func yearlyRules(_ all: [Transition]) -> [(transition: Transition, rule: String)]? {
        guard all.count >= 4 else { return nil }
        var result: [(transition: Transition, rule: String)] = []
        for first in all.prefix(2) {
            let same = all.filter { $0.from == first.from && $0.to == first.to }
            guard same.count >= 2 else { return nil }
            let start = first.localStart
            let expected = same.map(\.localStart)
            let found = candidates(start).first { rule in
                RecurrenceRule.expandLocal(rule: rule, start: start, count: expected.count) == expected
            }
            guard let found else { return nil }
            result.append((first, found))
        }
        // Exactly two kinds of change, alternating: anything else is not a simple DST zone.
        guard Set(all.map { "\($0.from)>\($0.to)" }).count == 2 else { return nil }
        return result
    }

    /// `FREQ=YEARLY` rules that could describe a change at `start`: nth (or last) weekday, or fixed date.
    private static func candidates(_ start: CivilDateTime) -> [String] {
        let t = LibICal.date(year: start.year, month: start.month, day: start.day)
        let weekday = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][Int(icaltime_day_of_week(t)) - 1]
        let days = Int(icaltime_days_in_month(Int32(start.month), Int32(start.year)))
        let nth = start.day + 7 > days ? -1 : (start.day - 1) / 7 + 1
        return [
            "FREQ=YEARLY;BYMONTH=\(start.month);BYDAY=\(nth)\(weekday)",
            "FREQ=YEARLY;BYMONTH=\(start.month);BYMONTHDAY=\(start.day)",
        ]
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
