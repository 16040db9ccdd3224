import Foundation

/// A wall-clock date and time with no zone attached.
public struct CivilDateTime: Sendable, Equatable, Hashable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// Seconds since 1970-01-01T00:00:00 on the same wall clock (Howard Hinnant's days_from_civil).
    var secondsSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    init(secondsSinceEpoch s: Int64) {
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let secs = Int(s - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day, hour: secs / 3600, minute: secs % 3600 / 60, second: secs % 60)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Seconds since 1970-01-01 of this date's midnight, on the same wall clock.
    public var secondsSinceEpochAtMidnight: Int64 {
        CivilDateTime(year: year, month: month, day: day).secondsSinceEpoch
    }

    /// Midnight at the start of the following day.
    public func nextDay() -> CivilDateTime {
        var next = CivilDateTime(year: year, month: month, day: day + 1)
        if next.day > Self.daysIn(month: month, year: year) {
            (next.day, next.month) = (1, month + 1)
            if next.month > 12 { (next.month, next.year) = (1, year + 1) }
        }
        return next
    }

    var isValid: Bool {
        (1...12).contains(month) && (1...Self.daysIn(month: month, year: year)).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
    }
}

/// An IANA time zone, checked against the system's tz database.
public struct Zone: Sendable, Hashable {
    public let identifier: String
    private let timeZone: TimeZone

    /// The zone named `identifier`, or `RegisterError.invalid` naming `field`.
    public init(_ identifier: String, field: String = "tz") throws(RegisterError) {
        // TimeZone(identifier:) also takes abbreviations such as "ICT"; only real IANA names are stored.
        guard Self.known.contains(identifier), let tz = TimeZone(identifier: identifier) else {
            throw .invalid(
                field: field,
                message: "unknown time zone \(identifier.debugDescription); use an IANA name such as Asia/Ho_Chi_Minh (is the tzdata package installed?)")
        }
        self.identifier = identifier
        self.timeZone = tz
    }

    private static let known: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])

    /// Offset from UTC in seconds at `instant`.
    public func offset(at instant: Instant) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.seconds)))
    }

    public func civil(_ instant: Instant) -> CivilDateTime {
        CivilDateTime(secondsSinceEpoch: instant.seconds + Int64(offset(at: instant)))
    }

    /// The instant at which this zone's clocks show `civil`. In a spring-forward gap the
    /// earlier offset is used; in a fall-back overlap, the first of the two instants.
    public func instant(_ civil: CivilDateTime) -> Instant {
        let local = civil.secondsSinceEpoch
        let firstGuess = Int64(offset(at: Instant(seconds: local)))
        let candidate = local - firstGuess
        let corrected = Int64(offset(at: Instant(seconds: candidate)))
        return Instant(seconds: local - corrected)
    }

    /// ISO 8601 with this zone's offset: `2017-03-03T08:00:00+07:00`.
    public func iso8601(_ instant: Instant) -> String {
        let c = civil(instant)
        let off = offset(at: instant)
        let sign = off < 0 ? "-" : "+"
        let a = abs(off)
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
            + "\(sign)\(pad(a / 3600)):\(pad(a % 3600 / 60))"
    }

    /// A short wall-clock form for tables: `03/03/2017 08:00`, day first as Vietnamese agencies write.
    public func display(_ instant: Instant, dateOnly: Bool = false) -> String {
        let c = civil(instant)
        let date = "\(pad(c.day))/\(pad(c.month))/\(pad(c.year, 4))"
        return dateOnly ? date : "\(date) \(pad(c.hour)):\(pad(c.minute))"
    }
}

private func pad(_ n: Int, _ width: Int = 2) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// A point in time read from what a person typed.
public struct When: Sendable, Equatable {
    public var instant: Instant
    /// True when only a date was given: the event is an all-day one.
    public var dateOnly: Bool

    public init(instant: Instant, dateOnly: Bool) {
        self.instant = instant
        self.dateOnly = dateOnly
    }
}

/// Reads WHEN arguments: ISO 8601 with an offset, `2017-03-03 08:00` in the event's zone,
/// and what Vietnamese agencies write, day first: `3/3/2017 8h30`, `14h00 3/3/2017`, `3/3/2017`.
public enum WhenParser {
    public static let accepted =
        "ISO 8601 with an offset (2017-03-03T08:00:00+07:00), a local time in the event's zone (2017-03-03 08:00), or day first (3/3/2017 8h30, 03/03/2017 14:00, 3/3/2017 for the whole day)"

    public static func parse(_ text: String, zone: Zone, field: String) throws(RegisterError) -> When {
        guard let when = parseOrNil(text.trimmingCharacters(in: .whitespaces), zone: zone) else {
            throw .invalid(field: field, message: "cannot read \(text.debugDescription) as a date and time; accepted: \(accepted)")
        }
        return when
    }

    private static func parseOrNil(_ text: String, zone: Zone) -> When? {
        var words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        words.removeAll { $0.lowercased() == "ngày" || $0.lowercased() == "lúc" }
        if words.count == 1, let when = iso8601(words[0], zone: zone) { return when }
        var date: (y: Int, m: Int, d: Int)?
        var time: (h: Int, m: Int, s: Int)?
        for word in words {
            if date == nil, let d = isoDate(word) ?? dayFirstDate(word) {
                date = d
            } else if time == nil, let t = clock(word) {
                time = t
            } else {
                return nil
            }
        }
        guard let date else { return nil }
        let civil = CivilDateTime(
            year: date.y, month: date.m, day: date.d, hour: time?.h ?? 0, minute: time?.m ?? 0, second: time?.s ?? 0)
        guard civil.isValid, (1900...2200).contains(civil.year) else { return nil }
        return When(instant: zone.instant(civil), dateOnly: time == nil)
    }

    /// `2017-03-03T08:00:00+07:00`, `2017-03-03T01:00Z`, or `2017-03-03T08:00` (in the zone).
    private static func iso8601(_ word: String, zone: Zone) -> When? {
        let parts = word.split(separator: "T", maxSplits: 1).map(String.init)
        guard parts.count == 2, let date = isoDate(parts[0]) else { return nil }
        var clockText = parts[1]
        var offset: Int?
        if clockText.hasSuffix("Z") || clockText.hasSuffix("z") {
            offset = 0
            clockText.removeLast()
        } else if let signIndex = clockText.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let o = clockText[clockText.index(after: signIndex)...].split(separator: ":")
            guard (1...2).contains(o.count), let h = digits(o[0], 2...2), let m = o.count == 2 ? digits(o[1], 2...2) : 0,
                h <= 14, m <= 59
            else { return nil }
            offset = (h * 3600 + m * 60) * (clockText[signIndex] == "-" ? -1 : 1)
            clockText = String(clockText[..<signIndex])
        }
        guard let t = clock(clockText), !clockText.contains("h") else { return nil }
        let civil = CivilDateTime(year: date.y, month: date.m, day: date.d, hour: t.h, minute: t.m, second: t.s)
        guard civil.isValid, (1900...2200).contains(civil.year) else { return nil }
        if let offset { return When(instant: Instant(seconds: civil.secondsSinceEpoch - Int64(offset)), dateOnly: false) }
        return When(instant: zone.instant(civil), dateOnly: false)
    }

    private static func isoDate(_ s: String) -> (y: Int, m: Int, d: Int)? {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, let y = digits(p[0], 4...4), let m = digits(p[1], 1...2), let d = digits(p[2], 1...2) else { return nil }
        return (y, m, d)
    }

    /// `3/3/2017`, `03-03-2017`, `3.3.2017`: day, month, four-digit year.
    private static func dayFirstDate(_ s: String) -> (y: Int, m: Int, d: Int)? {
        for separator: Character in ["/", "-", "."] {
            let p = s.split(separator: separator, omittingEmptySubsequences: false)
            if p.count == 3, let d = digits(p[0], 1...2), let m = digits(p[1], 1...2), let y = digits(p[2], 4...4) {
                return (y, m, d)
            }
        }
        return nil
    }

    /// `08:00`, `8:30:15`, `8h30`, `08h30`, `14h00`, `14h`.
    private static func clock(_ s: String) -> (h: Int, m: Int, s: Int)? {
        let lower = s.lowercased()
        if let hIndex = lower.firstIndex(of: "h") {
            let hours = lower[..<hIndex]
            let minutes = lower[lower.index(after: hIndex)...]
            guard let h = digits(hours, 1...2), let m = minutes.isEmpty ? 0 : digits(minutes, 2...2), h < 24, m < 60 else { return nil }
            return (h, m, 0)
        }
        let p = lower.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(p.count), let h = digits(p[0], 1...2), let m = digits(p[1], 2...2),
            let sec = p.count == 3 ? digits(p[2], 2...2) : 0, h < 24, m < 60, sec < 60
        else { return nil }
        return (h, m, sec)
    }

    private static func digits(_ s: Substring, _ widths: ClosedRange<Int>) -> Int? {
        guard widths.contains(s.count), s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }
}

/// Reads durations such as `2h`, `90m`, `1h30m`, `2d` and `30s`.
public enum DurationParser {
    public static func seconds(_ text: String, field: String) throws(RegisterError) -> Int64 {
        var total: Int64 = 0
        var number = ""
        var sawUnit = false
        for ch in text.lowercased() where ch != " " {
            if ch.isASCII && ch.isNumber {
                number.append(ch)
                continue
            }
            let unit: Int64? = switch ch {
            case "w": 604_800
            case "d": 86_400
            case "h": 3600
            case "m": 60
            case "s": 1
            default: nil
            }
            guard let unit, let n = Int64(number), n <= 100_000 else {
                throw .invalid(field: field, message: "cannot read \(text.debugDescription) as a duration; write e.g. 2h, 90m, 1h30m, 2d or 30s")
            }
            total += n * unit
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total > 0 else {
            throw .invalid(field: field, message: "cannot read \(text.debugDescription) as a duration; write e.g. 2h, 90m, 1h30m, 2d or 30s")
        }
        return total
    }
}
