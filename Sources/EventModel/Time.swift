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

    /// Midnight at the start of this day.
    public var midnight: CivilDateTime { CivilDateTime(year: year, month: month, day: day) }

    /// Midnight at the start of the following day.
    public func nextDay() -> CivilDateTime {
        var next = CivilDateTime(year: year, month: month, day: day + 1)
        if next.day > Self.daysIn(month: month, year: year) {
            (next.day, next.month) = (1, month + 1)
            if next.month > 12 { (next.month, next.year) = (1, year + 1) }
        }
        return next
    }

    /// A real date (1 to 12, a day the month has) and time (00:00:00 to 23:59:59).
    public var isValid: Bool {
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

    /// ICU's list and every tzdata zone and link name (ICU's lacks Etc/GMT-7 and Asia/Kolkata).
    private static let known: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"]).union(TimeZoneDatabase.names)

    /// Offset from UTC in seconds at `instant`.
    public func offset(at instant: Instant) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.seconds)))
    }

    public func civil(_ instant: Instant) -> CivilDateTime {
        CivilDateTime(secondsSinceEpoch: instant.seconds + Int64(offset(at: instant)))
    }

    /// The instant at which this zone's clocks show `civil`, as RFC 5545 3.3.5 reads a local time:
    /// in a spring-forward gap the offset in force before the gap is used, so the time moves forward
    /// by the gap's length (New York 02:30 on the day clocks go to 03:00 is 03:30 EDT); in a fall-back
    /// overlap the first of the two instants is taken (01:30 EDT, not 01:30 EST). The same in every
    /// zone, whichever side of UTC it lies.
    public func instant(_ civil: CivilDateTime) -> Instant {
        Zone.resolve(civil) { offset(at: $0) }
    }

    /// The RFC 5545 3.3.5 reading of a local time for any zone whose offset at an instant is
    /// `offsetAt` (the system tz database, or a VTIMEZONE from a file). Zones change their offset
    /// at most once within a day and a half, so the offsets a day and a half either side of the
    /// wall clock are the two candidates.
    public static func resolve(_ civil: CivilDateTime, offsetAt: (Instant) -> Int) -> Instant {
        let local = civil.secondsSinceEpoch
        let before = Int64(offsetAt(Instant(seconds: local - 129_600)))
        let after = Int64(offsetAt(Instant(seconds: local + 129_600)))
        // Every offset whose instant shows this wall clock; two in an overlap, none in a gap.
        let fitting = Set([before, after]).map { local - $0 }.filter { Int64(offsetAt(Instant(seconds: $0))) == local - $0 }
        if let first = fitting.min() { return Instant(seconds: first) }
        return Instant(seconds: local - before)
    }

    /// The local midnight `days` days after the day `instant` falls on: where a whole-day event
    /// that starts then ends. Days that change the clock are 23 or 25 hours long, so a whole day is
    /// never start + 86 400 s (New York's 10 March 2024 ends at 11 March 00:00 EDT, 23 h later).
    public func midnight(after instant: Instant, days: Int = 1) -> Instant {
        self.instant(civil(instant).midnight.adding(days: days))
    }

    /// Whole local days from the day of `start` to that of `end`: a whole-day event's length in days,
    /// at least one.
    public func days(from start: Instant, to end: Instant) -> Int {
        let (s, e) = (civil(start).midnight, civil(end))
        var days = Int((e.midnight.secondsSinceEpochAtMidnight - s.secondsSinceEpochAtMidnight) / 86_400)
        if (e.hour, e.minute, e.second) != (0, 0, 0) { days += 1 }  // an end inside a day takes that day in
        return max(days, 1)
    }

    /// Whether this zone's wall clock at `instant` names it alone: false for either instant of a
    /// fall-back overlap (01:30 in New York on 3 November 2024 is 05:30 and 06:30 UTC). A reader
    /// given such a local time must guess; RFC 5545 3.3.5 says the first, calcurse drops the event.
    public func isUnambiguous(_ instant: Instant) -> Bool {
        let local = civil(instant).secondsSinceEpoch
        let offsets = Set([offset(at: Instant(seconds: local - 129_600)), offset(at: Instant(seconds: local + 129_600)), offset(at: instant)])
        return offsets.filter { Int64(offset(at: Instant(seconds: local - Int64($0)))) == Int64($0) }.count <= 1
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
    /// Set when a half-day was written alone (`sáng 4/7/2022`): where that half-day ends. As a
    /// start it also gives the end; as an end or the top of a range it stands for this instant.
    public var halfDayEnd: Instant?

    public init(instant: Instant, dateOnly: Bool, halfDayEnd: Instant? = nil) {
        self.instant = instant
        self.dateOnly = dateOnly
        self.halfDayEnd = halfDayEnd
    }

    /// Where a range that ends at this WHEN stops: after the whole day for a date alone, at the
    /// end of the half-day for a half-day, else at the instant itself.
    public func endOfRange(in zone: Zone) -> Instant {
        if let halfDayEnd { return halfDayEnd }
        return dateOnly ? zone.instant(zone.civil(instant).nextDay()) : instant
    }
}

/// The parts of a working day as schedules write them: sáng (morning), chiều (afternoon), tối
/// (evening). Alone, a part stands for its office hours: 08:00–12:00, 13:00–17:00, 18:00–21:00.
public enum HalfDay: String, Sendable, CaseIterable {
    case morning, afternoon, evening

    public var hours: (start: Int, end: Int) {
        switch self {
        case .morning: (8, 12)
        case .afternoon: (13, 17)
        case .evening: (18, 21)
        }
    }
}

extension CivilDateTime {
    /// The same wall-clock time `days` days later (earlier when negative).
    public func adding(days: Int) -> CivilDateTime {
        CivilDateTime(secondsSinceEpoch: secondsSinceEpoch + Int64(days) * 86_400)
    }

    /// 0 for Monday … 6 for Sunday, as ISO 8601 counts (1970-01-01 was a Thursday).
    public var weekdayIndex: Int {
        let days = secondsSinceEpochAtMidnight / 86_400
        return Int(((days % 7) + 7 + 3) % 7)
    }

    /// The date alone, midnight.
    public var date: CivilDateTime { CivilDateTime(year: year, month: month, day: day) }

    /// The day `text` names as `2017-03-03` (how excluded days are kept), at midnight; nil if it names none.
    public init?(isoDate text: String) {
        guard let (year, month, day) = WhenParser.isoDate(text) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `2017-03-03`
    public var isoDate: String { "\(pad(year, 4))-\(pad(month))-\(pad(day))" }

    /// `03/03/2017`, day first.
    public var dayFirst: String { "\(pad(day))/\(pad(month))/\(pad(year, 4))" }
}

/// ISO 8601 weeks (`2017-W09`): Monday to Sunday; week 1 holds the year's first Thursday.
public enum ISOWeek {
    /// Year and week of `text` such as `2017-W09` or `2017W9`; nil if it is not one.
    public static func parse(_ text: String) -> (year: Int, week: Int)? {
        let upper = text.trimmingCharacters(in: .whitespaces).uppercased()
        let parts = upper.split(separator: "W", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let yearText = parts[0].hasSuffix("-") ? parts[0].dropLast() : parts[0]
        guard yearText.count == 4, let year = Int(yearText), (1900...2200).contains(year),
            (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let week = Int(parts[1]),
            (1...weeks(in: year)).contains(week)
        else { return nil }
        return (year, week)
    }

    /// The Monday of week `week` of `year`.
    public static func monday(year: Int, week: Int) -> CivilDateTime {
        let january4 = CivilDateTime(year: year, month: 1, day: 4)
        return january4.adding(days: -january4.weekdayIndex + 7 * (week - 1))
    }

    /// The ISO year and week a date falls in.
    public static func of(_ date: CivilDateTime) -> (year: Int, week: Int) {
        let thursday = date.date.adding(days: 3 - date.weekdayIndex)
        let first = monday(year: thursday.year, week: 1)
        let week = Int((thursday.secondsSinceEpochAtMidnight - first.secondsSinceEpochAtMidnight) / (7 * 86_400)) + 1
        return (thursday.year, week)
    }

    /// 52 or 53.
    public static func weeks(in year: Int) -> Int {
        of(CivilDateTime(year: year, month: 12, day: 28)).week
    }

    /// `2017-W09`
    public static func label(year: Int, week: Int) -> String { "\(year)-W\(pad(week))" }
}

/// Reads WHEN arguments: ISO 8601 with an offset, `2017-03-03 08:00` in the event's zone,
/// and what Vietnamese agencies write, day first: `3/3/2017 8h30`, `14h00 3/3/2017`, `3/3/2017`,
/// `8g30`, `8 giờ 30`, half-days (`sáng 4/7/2022`, `14h00 chiều 4/7/2022`) and days named from
/// today (`ngày mai`, `thứ Hai tuần sau`). Words are matched with or without diacritics.
public enum WhenParser {
    public static let accepted =
        "ISO 8601 with an offset (2017-03-03T08:00:00+07:00); a local time in the event's zone (2017-03-03 08:00); "
        + "day first (3/3/2017 8h30, 03/03/2017 14:00, 8g30 3/3/2017, 8 giờ 30 ngày 3/3/2017, 3/3 for this year, 3/3/2017 alone for the whole day); "
        + "a half-day (sáng 4/7/2022 is 08:00–12:00, chiều 4/7/2022 13:00–17:00, tối 18:00–21:00; 2h chiều 4/7/2022 or 14h00 chiều 4/7/2022 is 14:00); "
        + "or a day named from today (hôm nay, ngày mai, ngày kia, thứ Hai, thứ 2 tuần sau, chủ nhật tuần này, thứ Sáu tuần trước, tuần sau for its Monday; "
        + "a weekday before a date must be that date's: thứ Sáu 3/3/2017), "
        + "with or without diacritics"

    /// Reads `text` in `zone`; days named from today (`ngày mai`) count from `now` (default: the clock).
    public static func parse(_ text: String, zone: Zone, field: String, now: Instant? = nil) throws(RegisterError) -> When {
        let today = zone.civil(now ?? Instant(seconds: Int64(Date().timeIntervalSince1970))).date
        guard let when = try parseOrNil(text.trimmingCharacters(in: .whitespaces), zone: zone, today: today, field: field) else {
            throw .invalid(field: field, message: "cannot read \(text.debugDescription) as a date and time; accepted: \(accepted)")
        }
        return when
    }

    /// nil for what is not a date and time; throws for a date outside `Limits.years`.
    private static func parseOrNil(_ text: String, zone: Zone, today: CivilDateTime, field: String) throws(RegisterError) -> When? {
        let raw = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if raw.count == 1, let when = try iso8601(raw[0], zone: zone, field: field) { return when }
        // Words are compared folded: "Thứ Hai", "thu hai" and "THỨ HAI" read alike.
        let words = raw.map(foldedForSearch).filter { $0 != "ngay" && $0 != "luc" && $0 != "vao" }
        var date: (y: Int, m: Int, d: Int)?
        var time: (h: Int, m: Int, s: Int)?
        var half: HalfDay?
        func setDate(_ civil: CivilDateTime) -> Bool {
            guard date == nil else { return false }
            date = (civil.year, civil.month, civil.day)
            return true
        }
        var i = 0
        func next() -> String? { i + 1 < words.count ? words[i + 1] : nil }
        /// `tuần này`, `tuần sau`/`tuần tới`, `tuần trước` after a weekday or alone: weeks from this one.
        func weekOffset() -> Int? {
            guard next() == "tuan", i + 2 < words.count else { return nil }
            let offset: Int? = switch words[i + 2] {
            case "nay": 0
            case "sau", "toi": 1
            case "truoc": -1
            default: nil
            }
            if offset != nil { i += 2 }
            return offset
        }
        // A weekday named: resolved at the end, against a date if one is written too (`thứ Sáu 3/3/2017`).
        var named: (index: Int, weeks: Int?)?
        func weekday(_ index: Int) -> Bool {
            guard named == nil else { return false }
            let weeks = weekOffset()
            if weeks == nil, next() == "tuan" { return false }
            named = (index, weeks)
            return true
        }
        while i < words.count {
            let word = words[i]
            switch word {
            case "sang", "chieu", "toi":
                guard half == nil else { return nil }
                half = word == "sang" ? .morning : word == "chieu" ? .afternoon : .evening
            case "mai":
                guard setDate(today.adding(days: 1)) else { return nil }
            case "kia":
                guard setDate(today.adding(days: 2)) else { return nil }
            case "hom":
                guard next() == "nay", setDate(today) else { return nil }
                i += 1
            case "thu":
                let days = ["hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3, "sau": 4, "6": 4, "bay": 5, "7": 5]
                guard let name = next(), let index = days[name] else { return nil }
                i += 1
                guard weekday(index) else { return nil }
            case "chu", "cn":
                if word == "chu" {
                    guard next() == "nhat" else { return nil }
                    i += 1
                }
                guard weekday(6) else { return nil }
            case "tuan":
                // `tuần sau` alone: the Monday of next week.
                i -= 1
                guard let weeks = weekOffset(), setDate(today.adding(days: -today.weekdayIndex + 7 * weeks)) else { return nil }
            default:
                if time == nil, let h = digits(Substring(word), 1...2), next() == "gio" {
                    // `8 giờ`, `8 giờ 30`, `8 giờ 30 phút`
                    i += 1
                    var m = 0
                    if let text = next(), let minutes = digits(Substring(text), 1...2) {
                        m = minutes
                        i += 1
                        if next() == "phut" { i += 1 }
                    }
                    guard h < 24, m < 60 else { return nil }
                    time = (h, m, 0)
                } else if date == nil, let d = isoDate(word) ?? dayFirstDate(word) ?? dayMonth(word, year: today.year) {
                    date = d
                } else if time == nil, let t = clock(word) {
                    time = t
                } else {
                    return nil
                }
            }
            i += 1
        }
        if let named {
            if let date {
                // The weekday must be the date's, as a check on what was typed; a mismatch names both.
                guard named.weeks == nil else { return nil }
                try realDate(date, text, field: field)
                let actual = CivilDateTime(year: date.y, month: date.m, day: date.d).weekdayIndex
                guard actual == named.index else {
                    throw .invalid(
                        field: field,
                        message: "\(text.debugDescription): \(pad(date.d))/\(pad(date.m))/\(date.y) is a \(weekdays[actual].en) (\(weekdays[actual].vi)), "
                            + "not a \(weekdays[named.index].en) (\(weekdays[named.index].vi)); write the date alone, or its own weekday")
                }
            } else if let weeks = named.weeks {
                _ = setDate(today.adding(days: -today.weekdayIndex + 7 * weeks + named.index))
            } else {
                // Alone, the next such day: today if it is that day.
                _ = setDate(today.adding(days: (named.index - today.weekdayIndex + 7) % 7))
            }
        }
        guard let date else { return nil }
        if let half, var t = time {
            // `2h chiều` is 14:00; `14h00 chiều` stays 14:00; `14h sáng` is a slip, not a time.
            if half != .morning, t.h < 12 { t.h += 12 }
            if half == .morning, t.h >= 12 { return nil }
            time = t
        }
        try realDate(date, text, field: field)
        let day = CivilDateTime(year: date.y, month: date.m, day: date.d)
        guard day.isValid else { return nil }
        try within(day.year, text, field: field)
        if let half, time == nil {
            let (from, to) = half.hours
            return When(
                instant: zone.instant(CivilDateTime(year: date.y, month: date.m, day: date.d, hour: from)), dateOnly: false,
                halfDayEnd: zone.instant(CivilDateTime(year: date.y, month: date.m, day: date.d, hour: to)))
        }
        let civil = CivilDateTime(
            year: date.y, month: date.m, day: date.d, hour: time?.h ?? 0, minute: time?.m ?? 0, second: time?.s ?? 0)
        guard civil.isValid else { return nil }
        return When(instant: zone.instant(civil), dateOnly: time == nil)
    }

    /// `2017-03-03T08:00:00+07:00`, `2017-03-03T01:00Z`, or `2017-03-03T08:00` (in the zone).
    private static func iso8601(_ word: String, zone: Zone, field: String) throws(RegisterError) -> When? {
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
        guard let t = clock(clockText), !clockText.contains("h"), !clockText.contains("g") else { return nil }
        try realDate(date, word, field: field)
        let civil = CivilDateTime(year: date.y, month: date.m, day: date.d, hour: t.h, minute: t.m, second: t.s)
        guard civil.isValid else { return nil }
        try within(civil.year, word, field: field)
        if let offset { return When(instant: Instant(seconds: civil.secondsSinceEpoch - Int64(offset)), dateOnly: false) }
        return When(instant: zone.instant(civil), dateOnly: false)
    }

    static let weekdays: [(en: String, vi: String)] = [
        ("Monday", "thứ Hai"), ("Tuesday", "thứ Ba"), ("Wednesday", "thứ Tư"), ("Thursday", "thứ Năm"), ("Friday", "thứ Sáu"),
        ("Saturday", "thứ Bảy"), ("Sunday", "chủ nhật"),
    ]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// A date that reads as one but is no day of the calendar (`31/2/2027`, `3/13/2027`, `0/3/2027`):
    /// said exactly what is wrong, not the whole list of forms.
    private static func realDate(_ date: (y: Int, m: Int, d: Int), _ text: String, field: String) throws(RegisterError) {
        guard (1...12).contains(date.m) else {
            throw .invalid(field: field, message: "\(text.debugDescription): there is no month \(date.m); months run from 1 to 12, and the day comes first (3/7/2022 is 3 July)")
        }
        guard Limits.years.contains(date.y) else { return }  // `within` names the years eventd takes
        let days = CivilDateTime.daysIn(month: date.m, year: date.y)
        guard (1...days).contains(date.d) else {
            throw .invalid(field: field, message: "\(text.debugDescription): \(months[date.m - 1]) \(date.y) has \(days) days")
        }
    }

    /// A date read, but in a year eventd does not take: said so, not "cannot read".
    private static func within(_ year: Int, _ text: String, field: String) throws(RegisterError) {
        guard Limits.years.contains(year) else {
            throw .invalid(
                field: field,
                message: "\(text.debugDescription) is in the year \(year); eventd takes the years \(Limits.years.lowerBound) to \(Limits.years.upperBound)")
        }
    }

    static func isoDate(_ s: String) -> (y: Int, m: Int, d: Int)? {
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

    /// `3/7`: day and month of this year, as schedules write within a week (`sáng 3/7`).
    private static func dayMonth(_ s: String, year: Int) -> (y: Int, m: Int, d: Int)? {
        let p = s.split(separator: "/", omittingEmptySubsequences: false)
        guard p.count == 2, let d = digits(p[0], 1...2), let m = digits(p[1], 1...2) else { return nil }
        return (year, m, d)
    }

    /// `08:00`, `8:30:15`, `8h30`, `08h30`, `14h00`, `14h`, `8g30`, `8g`.
    private static func clock(_ s: String) -> (h: Int, m: Int, s: Int)? {
        let lower = s.lowercased()
        if let hIndex = lower.firstIndex(where: { $0 == "h" || $0 == "g" }) {
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
