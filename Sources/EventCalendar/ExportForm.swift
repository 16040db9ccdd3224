internal import CLibical
import EventModel

/// An event as it is written out: the same occurrences, said so that every reader reads them as
/// `RecurrenceRule.occurrences(of:)` does. RFC 5545 leaves room for several readings of what files
/// send us (a DATE EXDATE on a timed series, an UNTIL of another value type than DTSTART, an
/// override of no occurrence, a DTSTART the rule does not give); the register keeps what the file
/// said and resolves it one way, and the export says only that one way:
///
/// - an UNTIL is written in UTC for a zoned series, as a DATE for a whole-day one and floating for
///   a floating one (RFC 5545 3.3.10 wants its value type to be DTSTART's), at the instant eventd
///   stops at;
/// - a day excluded from a series with times is written as the EXDATEs of that day's occurrences,
///   in DTSTART's form (khal's import fails on a DATE EXDATE beside a DATE-TIME DTSTART); an
///   excluded start of a whole-day series is its day;
/// - an override whose RECURRENCE-ID is no occurrence (or an excluded one) is left out: eventd
///   ignores it, and readers that show it would show an occurrence eventd does not list;
/// - an RFC 7529 rule (RSCALE) is written as the RDATEs of its occurrences (200, within 50 years):
///   readers that do not know RSCALE otherwise fail on the whole calendar;
/// - a DTSTART the first rule does not give (RFC 5545 3.8.5.3 counts it, libical and dateutil read
///   COUNT differently around it) is written as an RDATE, with DTSTART at the rule's first
///   occurrence and COUNT one less: a set every reader expands alike.
enum ExportForm {
    static func of(_ event: Event) -> Event {
        guard let recurrence = event.recurrence, let zone = try? Zone(event.timeZone) else { return event }
        var out = event
        var r = recurrence
        // Whole-day series: an excluded start is its day's midnight, as `occurrences(of:)` compares it.
        if event.allDay {
            r.exceptions = r.exceptions.map { zone.instant(zone.civil($0).midnight) }
            r.exceptions += r.exceptionDates.compactMap { CivilDateTime(isoDate: $0).map { zone.instant($0) } }
            r.exceptionDates = []
        } else if !r.exceptionDates.isEmpty {
            var plain = event
            plain.recurrence?.exceptionDates = []
            plain.recurrence?.exceptions = []
            plain.recurrence?.overrides = []
            for text in r.exceptionDates {
                guard let day = CivilDateTime(isoDate: text) else { continue }
                let from = zone.instant(day), to = zone.instant(day.nextDay())
                let found = (try? RecurrenceRule.occurrences(of: plain, from: from, to: to, limit: 1000)) ?? []
                r.exceptions += found.map(\.recurrenceID).filter { RecurrenceRule.day(zone.civil($0)) == text }
            }
            r.exceptionDates = []
            r.exceptions = Array(Set(r.exceptions)).sorted()
        }
        // Overrides of no occurrence, or of an excluded one, change nothing in eventd: not written.
        if !r.overrides.isEmpty {
            var plain = event
            plain.recurrence?.overrides = []
            r.overrides = r.overrides.filter { o in
                let found = (try? RecurrenceRule.occurrences(of: plain, from: o.recurrenceID, to: o.recurrenceID.adding(seconds: 1), limit: 1000)) ?? []
                return found.contains { $0.recurrenceID == o.recurrenceID }
            }
        }
        var rules = ([r.rule] + r.moreRules).map { $0.isEmpty ? $0 : (untilWritten($0, event: event, zone: zone) ?? $0) }
        // An RFC 7529 rule (RSCALE=CHINESE, HEBREW…) is written as the RDATEs of its first 200
        // occurrences within 50 years: khal (icalendar 4) fails on RSCALE and then reads nothing
        // of the calendar, and dateutil-based readers cannot expand it.
        for (index, rule) in rules.enumerated() where rule.uppercased().contains("RSCALE=") {
            guard let starts = try? RecurrenceRule.starts(rrule: rule, start: event.start, zone: event.timeZone, before: event.start.adding(seconds: 50 * Limits.year),
                                                          includingStart: index == 0, dates: event.allDay)
            else { continue }
            r.dates = Array(Set(r.dates + starts.prefix(200).filter { $0 != event.start })).sorted()
            rules[index] = ""
        }
        r.rule = rules[0]
        r.moreRules = rules.dropFirst().filter { !$0.isEmpty }
        out.recurrence = r
        return startOnRule(out, zone: zone)
    }

    /// The rule with its UNTIL in the value type of DTSTART, at the instant eventd stops at.
    private static func untilWritten(_ text: String, event: Event, zone: Zone) -> String? {
        try? LibICal.locked { () throws(CalendarError) -> String? in
            var rule = try RecurrenceRule.parse(text)
            defer { free(rule.rscale) }
            guard icaltime_is_null_time(rule.until) == 0 else { return nil }
            let u = rule.until
            var civil = LibICal.civil(u)
            guard civil.isValid else { return nil }
            if event.allDay {
                // eventd takes a day whose midnight (read as UTC for a UTC UNTIL, on the series'
                // clock for a floating one) is not after UNTIL: UNTIL's own date is the last.
                rule.until = LibICal.date(year: civil.year, month: civil.month, day: civil.day)
            } else {
                let until: Instant
                if u.is_date != 0 {
                    (civil.hour, civil.minute, civil.second) = (23, 59, 59)
                    until = zone.instant(civil)
                } else if icaltime_is_utc(u) != 0 {
                    until = LibICal.instantUTC(civil)
                } else {
                    until = zone.instant(civil)
                }
                rule.until = event.floating ? LibICal.floating(zone.civil(until)) : LibICal.utc(until)
            }
            return LibICal.take(icalrecurrencetype_as_string_r(&rule))
        }
    }

    /// DTSTART off the first rule: written as an RDATE, DTSTART moved to the rule's first
    /// occurrence and a COUNT one less, when the rule gives the same from there.
    private static func startOnRule(_ event: Event, zone: Zone) -> Event {
        guard var r = event.recurrence, !r.rule.isEmpty else { return event }
        let horizon = event.start.adding(seconds: 10 * Limits.year)
        guard let matches = try? RecurrenceRule.starts(rrule: r.rule, start: event.start, zone: event.timeZone, before: horizon,
                                                       includingStart: false, dates: event.allDay),
            matches.first != event.start
        else { return event }
        let (count, bounded) = (try? LibICal.locked { () throws(CalendarError) -> (Int32, Bool) in
            let rule = try RecurrenceRule.parse(r.rule)
            defer { free(rule.rscale) }
            return (rule.count, icaltime_is_null_time(rule.until) == 0)
        }) ?? (0, false)
        var out = event
        if count == 1 || (bounded && matches.isEmpty) {
            // COUNT=1 off DTSTART, or an UNTIL before any occurrence: the set is DTSTART alone (and
            // any RDATEs), which readers that drop DTSTART with the rule would not show at all.
            r.rule = ""
            out.recurrence = r
            return out
        }
        guard let first = matches.first else { return event }
        var rule = r.rule
        if count > 1 {
            guard let adjusted = withCount(rule, Int(count) - 1) else { return event }
            rule = adjusted
        }
        // The same rule from its first occurrence must give the same starts, else leave it be.
        guard let again = try? RecurrenceRule.starts(rrule: rule, start: first, zone: event.timeZone, before: horizon, includingStart: true, dates: event.allDay)
        else { return event }
        let expected = count > 1 ? Array(matches.prefix(Int(count) - 1)) : matches
        let n = min(expected.count, again.count, 200)
        guard Array(again.prefix(n)) == Array(expected.prefix(n)), count == 0 || again.count == expected.count else { return event }
        r.rule = rule
        if !r.dates.contains(event.start) { r.dates.append(event.start) }
        r.dates.sort()
        out.recurrence = r
        out.start = first
        out.end = event.allDay ? zone.midnight(after: first, days: zone.days(from: event.start, to: event.end)) : first.adding(seconds: event.end.seconds - event.start.seconds)
        return out
    }

    private static func withCount(_ text: String, _ count: Int) -> String? {
        try? LibICal.locked { () throws(CalendarError) -> String? in
            var rule = try RecurrenceRule.parse(text)
            defer { free(rule.rscale) }
            rule.count = Int32(count)
            return LibICal.take(icalrecurrencetype_as_string_r(&rule))
        }
    }
}
