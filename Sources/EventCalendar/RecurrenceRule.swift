internal import CLibical
import EventModel

/// RRULE checking and expansion with libical's recurrence iterator.
public enum RecurrenceRule {
    /// Most occurrences `occurrences` returns, whatever `limit` the caller passes.
    public static let maxOccurrences = 10_000
    /// Most iterator steps taken before giving up on a window (guards FREQ=SECONDLY and the like).
    static let maxSteps = 200_000

    /// Checks that `rrule` (with or without the `RRULE:` prefix) is a rule libical can read,
    /// with a FREQ and not both COUNT and UNTIL.
    public static func validate(rrule: String) throws(CalendarError) {
        try LibICal.locked { () throws(CalendarError) in free(try parse(rrule).rscale) }
    }

    /// The starts of the occurrences of an event that overlap `from..<to`, at most `limit`
    /// (and at most `maxOccurrences`), in order, without those listed in `exdates`.
    ///
    /// The rule is expanded on the wall clock of `zone`, so a weekly 08:00 meeting stays at 08:00
    /// across a DST change; a local time that falls in a spring-forward gap moves forward by the
    /// gap (RFC 5545 3.3.5). A UTC `UNTIL` is compared as an instant; a date-only `UNTIL` includes
    /// that whole day in `zone`. `duration` (seconds) decides overlap: an occurrence that started
    /// before `from` but is still running is included. `start` itself is the first occurrence
    /// even when the rule does not give it, and counts towards COUNT (RFC 5545 3.8.5.3).
    public static func occurrences(
        rrule: String, exdates: [Instant], start: Instant, duration: Int64, zone: String,
        from: Instant, to: Instant, limit: Int
    ) throws(CalendarError) -> [Instant] {
        guard duration >= 0 else { throw .invalid(field: "duration", message: "must not be negative") }
        let cap = min(max(limit, 0), maxOccurrences)
        guard cap > 0, from < to else {
            try validate(rrule: rrule)
            return []
        }
        let excluded = Set(exdates)
        var out: [Instant] = []
        for s in try starts(rrule: rrule, start: start, zone: zone, before: to, includingStart: true) {
            if out.count >= cap { break }
            let overlaps = s >= from || s.seconds + duration > from.seconds
            if overlaps, !excluded.contains(s) { out.append(s) }
        }
        return out
    }

    /// Every start `rrule` gives from `start` (inclusive) until `before` (exclusive), in order, on
    /// the wall clock of `zone`; with `includingStart`, `start` first even when the rule does not
    /// give it, counted in COUNT as RFC 5545 says.
    /// With `dates` (a whole-day series), a UTC UNTIL is compared with each day's midnight read
    /// as UTC, as date-based readers do (Exchange writes the UNTIL of a whole-day series in UTC).
    static func starts(rrule: String, start: Instant, zone: String, before to: Instant, includingStart: Bool, dates: Bool = false) throws(CalendarError) -> [Instant] {
        try LibICal.locked { () throws(CalendarError) -> [Instant] in
            try startsLocked(rrule: rrule, start: start, zone: zone, before: to, includingStart: includingStart, dates: dates)
        }
    }

    /// `starts` for a caller that already holds `LibICal.locked`.
    static func startsLocked(rrule: String, start: Instant, zone: String, before to: Instant, includingStart: Bool, dates: Bool = false) throws(CalendarError) -> [Instant] {
        let z: Zone
        do { z = try Zone(zone) } catch { throw .unknownTimeZone(zone) }
        do {
            var rule = try parse(rrule)
            defer { free(rule.rscale) }  // RSCALE= is strdup'ed by libical and ours to free
            var until: Instant?
            var utcUntil = false
            if icaltime_is_null_time(rule.until) == 0 {
                // libical compares UNTIL field by field with the (floating) occurrences, so give it
                // the wall clock in `zone` and compare instants ourselves as well.
                let u = rule.until
                var civil = LibICal.civil(u)
                guard civil.isValid else { throw .invalidRule(rule: rrule, message: "UNTIL is not a valid date or time") }
                if u.is_date != 0 {
                    (civil.hour, civil.minute, civil.second) = (23, 59, 59)
                    until = z.instant(civil)
                } else if icaltime_is_utc(u) != 0 {
                    until = LibICal.instantUTC(civil)
                    if !dates { civil = z.civil(until!) }
                    utcUntil = dates
                } else {
                    until = z.instant(civil)
                }
                rule.until = LibICal.floating(civil)
            }
            guard let iterator = icalrecur_iterator_new(rule, LibICal.floating(z.civil(start))) else {
                throw .invalidRule(rule: rrule, message: "libical cannot expand it from \(z.iso8601(start)) (\(Self.why(rule)))")
            }
            defer { icalrecur_iterator_free(iterator) }

            var out: [Instant] = []
            var steps = 0
            var first = true
            var count = Int(rule.count)
            while start < to {
                let next = icalrecur_iterator_next(iterator)
                if icaltime_is_null_time(next) != 0 { break }
                let s = z.instant(LibICal.civil(next))
                let compared = utcUntil ? LibICal.instantUTC(LibICal.civil(next)) : s
                if first {
                    first = false
                    if includingStart, s != start {
                        // DTSTART is not on the rule: it is the first occurrence all the same, and one of COUNT.
                        out.append(start)
                        if count > 0 {
                            count -= 1
                            if count == 0 { break }
                        }
                    }
                }
                if let until, compared > until { break }
                if s >= to { break }
                steps += 1
                if steps % 4096 == 0, let reason = WorkBudget.exceeded() { throw .invalidRule(rule: rrule, message: reason) }
                if steps > maxSteps {
                    throw .invalidRule(rule: rrule, message: "more than \(maxSteps) occurrences before the end of the window; ask for a shorter window")
                }
                if s >= start { out.append(s) }
                if rule.count > 0, count > 0 {
                    count -= 1
                    if count == 0 { break }
                }
            }
            if first, includingStart, start < to { out.append(start) }  // a rule that gives nothing at all still has DTSTART
            return out
        }
    }

    /// Why libical refuses to iterate a rule it could read: a BY part out of range for the frequency.
    static func why(_ rule: icalrecurrencetype) -> String {
        var copy = rule
        return why(text: LibICal.take(icalrecurrencetype_as_string_r(&copy)) ?? "")
    }

    /// The same, from the rule's text (for rules libical will not even read).
    static func why(text: String) -> String {
        let text = text.uppercased()
        for part in text.split(separator: ";") {
            let (name, value) = (part.prefix { $0 != "=" }, part.drop { $0 != "=" }.dropFirst())
            let numbers = value.split(separator: ",").compactMap { Int(String($0.filter { $0.isNumber || $0 == "-" }.drop { $0 == "-" })) }
            switch name {
            case "BYMONTH" where numbers.contains { !(1...12).contains($0) }: return "BYMONTH must be 1 to 12"
            case "BYWEEKNO" where numbers.contains { !(1...53).contains($0) }: return "BYWEEKNO must be ±1 to ±53"
            case "BYYEARDAY" where numbers.contains { !(1...366).contains($0) }: return "BYYEARDAY must be ±1 to ±366"
            case "BYMONTHDAY" where numbers.contains { !(1...31).contains($0) }: return "BYMONTHDAY must be ±1 to ±31"
            case "BYDAY" where numbers.contains { $0 > 5 } && text.contains("FREQ=MONTHLY"): return "a month has at most 5 of each weekday"
            case "BYDAY" where numbers.contains { $0 > 53 }: return "a year has at most 53 of each weekday"
            default: continue
            }
        }
        if text.contains("BYMONTH=2"), text.contains("BYMONTHDAY=30") || text.contains("BYMONTHDAY=31") { return "February has no 30th or 31st" }
        return "no date can match it"
    }

    /// A rule the register takes, normalised: libical reads it, meetings repeat at most hourly, and
    /// a COUNT may not exceed what a listing expands (`maxCount`, the daemon's `max_occurrences`).
    public static func checked(_ text: String, field: String, maxCount: Int) throws(RegisterError) -> String {
        let rule: String
        let frequency: icalrecurrencetype_frequency
        let count: Int
        do {
            rule = try normalized(text)
            // Read from the parsed rule, not its text: libical's names and order are then no concern.
            (frequency, count) = try LibICal.locked { () throws(CalendarError) in
                let parsed = try parse(rule)
                defer { free(parsed.rscale) }
                return (parsed.freq, Int(parsed.count))
            }
        } catch {
            throw .invalid(field: field, message: error.description)
        }
        if frequency == ICAL_SECONDLY_RECURRENCE || frequency == ICAL_MINUTELY_RECURRENCE {
            throw .invalid(field: field, message: "\(rule): meetings repeat at most hourly (FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)")
        }
        // Several minutes or seconds of the hour are several occurrences an hour, whatever FREQ says
        // (FREQ=HOURLY;BYMINUTE=0,15,30,45 is every quarter of an hour).
        let perHour = ["BYMINUTE=", "BYSECOND="].map { part in
            rule.split(separator: ";").first { $0.hasPrefix(part) }.map { $0.split(separator: ",").count } ?? 1
        }.reduce(1, *)
        if perHour > 1 {
            throw .invalid(field: field, message: "\(rule): \(perHour) occurrences within an hour; meetings repeat at most hourly (one BYMINUTE and one BYSECOND)")
        }
        if count > maxCount {
            throw .invalid(field: field, message: "\(rule): COUNT=\(count) is more occurrences than the \(maxCount) eventd expands (max_occurrences)")
        }
        return rule
    }

    /// The rule as libical writes it back (`FREQ=WEEKLY;COUNT=10;BYDAY=MO`): what the register stores.
    public static func normalized(_ rrule: String) throws(CalendarError) -> String {
        try LibICal.locked { () throws(CalendarError) -> String in try normalizedLocked(rrule) }
    }

    /// `normalized` for a caller that already holds `LibICal.locked`.
    static func normalizedLocked(_ rrule: String) throws(CalendarError) -> String {
        var rule = try parse(rrule)
        defer { free(rule.rscale) }
        guard let text = LibICal.take(icalrecurrencetype_as_string_r(&rule)) else {
            throw .invalidRule(rule: rrule, message: "libical cannot write it back")
        }
        return text
    }

    /// Checks that libical can expand `rrule` from `start` (a floating wall-clock time): rules it
    /// reads but cannot iterate (BYMONTH=13, BYWEEKNO=54, BYDAY=6MO monthly, 30 February) are
    /// refused here rather than when an agenda expands them. Must be called under `LibICal.locked`.
    static func checkExpandable(_ rrule: String, from start: icaltimetype) throws(CalendarError) {
        let rule = try parse(rrule)
        defer { free(rule.rscale) }
        if icaltime_is_null_time(rule.until) == 0 {
            var u = LibICal.civil(rule.until)
            if u.second == 60 { u.second = 59 }
            guard u.isValid, LibICal.years.contains(u.year) else {
                throw .invalidRule(rule: rrule, message: "UNTIL \(LibICal.iso(u, date: rule.until.is_date != 0)) is not a valid date or time")
            }
        }
        clibical_clear_errno()
        guard let iterator = icalrecur_iterator_new(rule, start) else {
            clibical_clear_errno()
            throw .invalidRule(rule: rrule, message: "libical cannot expand it (\(why(rule)))")
        }
        icalrecur_iterator_free(iterator)
    }

    /// Checks that `rrule` can be expanded from `start` in `zone`.
    public static func validate(rrule: String, start: Instant, zone: String) throws(CalendarError) {
        let z: Zone
        do { z = try Zone(zone) } catch { throw .unknownTimeZone(zone) }
        try LibICal.locked { () throws(CalendarError) in try checkExpandable(rrule, from: LibICal.floating(z.civil(start))) }
    }

    /// Reads a rule; must be called under `LibICal.locked`.
    static func parse(_ text: String) throws(CalendarError) -> icalrecurrencetype {
        var body = text.trimmingPrefix("RRULE:")
        body = body.trimmingPrefix("rrule:")
        let example = "write e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10"
        guard !body.isEmpty, body.utf8.count <= 1000, !body.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .invalidRule(rule: text, message: "not a recurrence rule; \(example)")
        }
        clibical_clear_errno()
        let rule = icalrecurrencetype_from_string(String(body))
        let error = clibical_errno()
        clibical_clear_errno()
        if error != ICAL_NO_ERROR || rule.freq == ICAL_NO_RECURRENCE || (rule.count > 0 && icaltime_is_null_time(rule.until) == 0) {
            free(rule.rscale)
        }
        if error != ICAL_NO_ERROR || rule.freq == ICAL_NO_RECURRENCE {
            var reason = error != ICAL_NO_ERROR ? (LibICal.copy(icalerror_strerror(error)) ?? "error") : "no FREQ"
            let specific = why(text: String(body))
            if specific != "no date can match it" { reason = specific }
            throw .invalidRule(rule: text, message: "libical cannot read it (\(reason)); \(example)")
        }
        if rule.count > 0, icaltime_is_null_time(rule.until) == 0 {
            throw .invalidRule(rule: text, message: "COUNT and UNTIL must not both be given (RFC 5545 3.3.10)")
        }
        return rule
    }

    /// The first `count` wall-clock occurrences of a rule from a floating start;
    /// must be called under `LibICal.locked`. Used to check derived VTIMEZONE rules.
    static func expandLocal(rule text: String, start: CivilDateTime, count: Int) -> [CivilDateTime] {
        let rule = icalrecurrencetype_from_string(text)
        guard clibical_errno() == ICAL_NO_ERROR, let iterator = icalrecur_iterator_new(rule, LibICal.floating(start)) else {
            clibical_clear_errno()
            return []
        }
        defer { icalrecur_iterator_free(iterator) }
        var out: [CivilDateTime] = []
        while out.count < count {
            let next = icalrecur_iterator_next(iterator)
            if icaltime_is_null_time(next) != 0 { break }
            out.append(LibICal.civil(next))
        }
        return out
    }
}
