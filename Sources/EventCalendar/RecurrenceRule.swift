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
    /// across a DST change; a local time that falls in a spring-forward gap takes the earlier offset.
    /// A UTC `UNTIL` is compared as an instant; a date-only `UNTIL` includes that whole day in `zone`.
    /// `duration` (seconds) decides overlap: an occurrence that started before `from` but is still
    /// running is included.
    public static func occurrences(
        rrule: String, exdates: [Instant], start: Instant, duration: Int64, zone: String,
        from: Instant, to: Instant, limit: Int
    ) throws(CalendarError) -> [Instant] {
        let z: Zone
        do { z = try Zone(zone) } catch { throw .unknownTimeZone(zone) }
        guard duration >= 0 else { throw .invalid(field: "duration", message: "must not be negative") }
        let cap = min(max(limit, 0), maxOccurrences)
        let excluded = Set(exdates)

        return try LibICal.locked { () throws(CalendarError) -> [Instant] in
            var rule = try parse(rrule)
            defer { free(rule.rscale) }  // RSCALE= is strdup'ed by libical and ours to free
            guard cap > 0, from < to else { return [] }
            var until: Instant?
            if icaltime_is_null_time(rule.until) == 0 {
                // libical compares UNTIL field by field with the (floating) occurrences, so give it
                // the wall clock in `zone` and compare instants ourselves as well.
                let u = rule.until
                var civil = LibICal.civil(u)
                if u.is_date != 0 {
                    (civil.hour, civil.minute, civil.second) = (23, 59, 59)
                    until = z.instant(civil)
                } else if icaltime_is_utc(u) != 0 {
                    until = LibICal.instantUTC(civil)
                    civil = z.civil(until!)
                } else {
                    until = z.instant(civil)
                }
                rule.until = LibICal.floating(civil)
            }
            guard let iterator = icalrecur_iterator_new(rule, LibICal.floating(z.civil(start))) else {
                throw .invalidRule(rule: rrule, message: "libical cannot expand it from \(z.iso8601(start))")
            }
            defer { icalrecur_iterator_free(iterator) }

            var out: [Instant] = []
            var steps = 0
            while out.count < cap {
                let next = icalrecur_iterator_next(iterator)
                if icaltime_is_null_time(next) != 0 { break }
                let s = z.instant(LibICal.civil(next))
                if let until, s > until { break }
                if s >= to { break }
                steps += 1
                if steps > maxSteps {
                    throw .invalidRule(rule: rrule, message: "more than \(maxSteps) occurrences before the end of the window; ask for a shorter window")
                }
                let overlaps = s >= from || s.seconds + duration > from.seconds
                if overlaps, !excluded.contains(s) { out.append(s) }
            }
            return out
        }
    }

    /// The rule as libical writes it back (`FREQ=WEEKLY;COUNT=10;BYDAY=MO`): what the register stores.
    public static func normalized(_ rrule: String) throws(CalendarError) -> String {
        try LibICal.locked { () throws(CalendarError) -> String in
            var rule = try parse(rrule)
            defer { free(rule.rscale) }
            guard let text = LibICal.take(icalrecurrencetype_as_string_r(&rule)) else {
                throw .invalidRule(rule: rrule, message: "libical cannot write it back")
            }
            return text
        }
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
            let why = error != ICAL_NO_ERROR ? (LibICal.copy(icalerror_strerror(error)) ?? "error") : "no FREQ"
            throw .invalidRule(rule: text, message: "libical cannot read it (\(why)); \(example)")
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
