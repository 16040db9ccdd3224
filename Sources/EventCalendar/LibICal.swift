internal import CLibical
import EventModel
import Foundation
import Synchronization

/// Serialises every use of libical. libical 3.0 keeps global state (the error number,
/// the error-fatality switch, its string ring buffer, lazily built time zones), so all
/// calls go through one lock and never suspend while holding it.
enum LibICal {
    private static let state = Mutex(false)

    static func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try state.withLock { (initialised: inout Bool) throws(E) -> T in
            if !initialised {
                // Default builds may abort() on a malformed value; we report errors instead.
                icalerror_set_errors_are_fatal(0)
                initialised = true
            }
            clibical_clear_errno()
            return try body()
        }
    }

    /// The years libical 3.0 writes (it writes 00000000T000000 for any later one): `Limits.years`.
    static let years = Limits.years

    static let utcIdentifiers: Set<String> = ["UTC", "Etc/UTC", "Etc/UCT", "UCT", "GMT", "Etc/GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"]

    /// Takes a malloc'd string from a libical `_r` function, copies it and frees it.
    static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// A string owned by libical (valid until its owner changes), copied.
    static func copy(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    // MARK: times

    /// A floating (zone-less) local time: libical writes no `Z` and no offset for it.
    static func floating(_ c: CivilDateTime) -> icaltimetype {
        var t = icaltime_null_time()
        t.year = Int32(c.year)
        t.month = Int32(c.month)
        t.day = Int32(c.day)
        t.hour = Int32(c.hour)
        t.minute = Int32(c.minute)
        t.second = Int32(c.second)
        t.is_date = 0
        t.zone = nil
        return t
    }

    static func date(year: Int, month: Int, day: Int) -> icaltimetype {
        var t = icaltime_null_date()
        t.year = Int32(year)
        t.month = Int32(month)
        t.day = Int32(day)
        t.is_date = 1
        t.zone = nil
        return t
    }

    /// A UTC time built from the instant's UTC fields (written with a trailing `Z`).
    static func utc(_ instant: Instant) -> icaltimetype {
        var t = floating(civilUTC(instant))
        t.zone = icaltimezone_get_utc_timezone()
        return t
    }

    static func civil(_ t: icaltimetype) -> CivilDateTime {
        CivilDateTime(
            year: Int(t.year), month: Int(t.month), day: Int(t.day),
            hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second))
    }

    static func civilUTC(_ instant: Instant) -> CivilDateTime { utcZone.civil(instant) }

    /// `20171303T080000` or `20171303` as the file wrote it, for messages about impossible values.
    static func iso(_ c: CivilDateTime, date: Bool) -> String {
        func pad(_ n: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
        let day = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2)
        return date ? day : day + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2)
    }

    static func instantUTC(_ c: CivilDateTime) -> Instant { utcZone.instant(c) }

    static let utcZone: Zone = try! Zone("UTC")

    /// The UTC offset, in seconds, of a libical zone (a VTIMEZONE from a file) at an instant.
    static func offset(of zone: OpaquePointer, at instant: Instant) -> Int {
        var t = floating(civilUTC(instant))
        var daylight: Int32 = 0
        return Int(icaltimezone_get_utc_offset_of_utc_time(zone, &t, &daylight))
    }

    /// The instant a wall-clock time names in a libical zone, read as RFC 5545 3.3.5 says (the
    /// offset before a gap; the first of two in an overlap), like `Zone.instant`. libical's own
    /// `icaltime_as_timet_with_zone` takes the offset after a gap and the second of an overlap.
    static func instant(_ civil: CivilDateTime, in zone: OpaquePointer) -> Instant {
        Zone.resolve(civil) { offset(of: zone, at: $0) }
    }

    // MARK: walking

    /// The direct children of `component` of `kind`, in document order.
    static func children(_ component: OpaquePointer, _ kind: icalcomponent_kind) -> [OpaquePointer] {
        var out: [OpaquePointer] = []
        var child = icalcomponent_get_first_component(component, kind)
        while let c = child {
            out.append(c)
            child = icalcomponent_get_next_component(component, kind)
        }
        return out
    }

    static func properties(_ component: OpaquePointer, _ kind: icalproperty_kind) -> [OpaquePointer] {
        var out: [OpaquePointer] = []
        var property = icalcomponent_get_first_property(component, kind)
        while let p = property {
            out.append(p)
            property = icalcomponent_get_next_property(component, kind)
        }
        return out
    }

    static func parameters(_ property: OpaquePointer, _ kind: icalparameter_kind) -> [OpaquePointer] {
        var out: [OpaquePointer] = []
        var parameter = icalproperty_get_first_parameter(property, kind)
        while let p = parameter {
            out.append(p)
            parameter = icalproperty_get_next_parameter(property, kind)
        }
        return out
    }

    static func kindName(_ component: OpaquePointer) -> String {
        copy(icalcomponent_kind_to_string(icalcomponent_isa(component))) ?? "?"
    }
}

extension Instant {
    var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    init(_ date: Date) { self.init(seconds: Int64(date.timeIntervalSince1970.rounded(.down))) }
}
