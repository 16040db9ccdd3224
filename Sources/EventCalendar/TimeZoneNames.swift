internal import CLibical
import EventModel
import Foundation
import Synchronization

/// Turns the TZID a file names into the IANA zone the register stores. Senders write IANA names
/// (`Europe/Berlin`), old IANA links (`US/Eastern`, `Asia/Saigon`), Windows names
/// (`SE Asia Standard Time`, from Outlook and Exchange), vendor-prefixed IANA names
/// (`/freeassociation.sourceforge.net/Tzfile/Asia/Ho_Chi_Minh`, `/mozilla.org/20050126_1/Europe/Paris`),
/// or a VTIMEZONE of their own under any name at all.
enum TimeZoneNames {
    /// The IANA name for `tzid`, in this order: the name itself or the zone it links to; the
    /// Windows name through CLDR's table; the IANA name at the end of a vendor prefix; the
    /// VTIMEZONE's X-LIC-LOCATION; a zone whose offsets agree with the VTIMEZONE's at `instants`.
    /// Nil when nothing fits: the file's VTIMEZONE still gives the instants, but not the zone.
    /// Must be called under `LibICal.locked` when `vtimezone` is given.
    static func iana(for tzid: String, vtimezone: OpaquePointer? = nil, instants: [Instant] = []) -> String? {
        if let found = named(tzid, vtimezone: vtimezone) { return found }
        return vtimezone.flatMap { matching($0, instants: instants) }
    }

    /// The IANA zone `tzid` names, by its name (IANA, link, Windows, vendor prefix) or its
    /// VTIMEZONE's X-LIC-LOCATION; nil when only the VTIMEZONE's offsets could tell.
    static func named(_ tzid: String, vtimezone: OpaquePointer? = nil) -> String? {
        let name = tzid.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ").union(.whitespaces))
        if let found = known(name) { return found }
        if name.hasPrefix("/") {
            // The vendor's domain first, then perhaps a version or "Tzfile": try the trailing parts.
            let parts = name.split(separator: "/").map(String.init)
            for count in stride(from: min(3, parts.count), through: 1, by: -1) {
                if let found = known(parts.suffix(count).joined(separator: "/")) { return found }
            }
        }
        if let vtimezone {
            if let location = LibICal.properties(vtimezone, ICAL_X_PROPERTY)
                .first(where: { LibICal.copy(icalproperty_get_x_name($0))?.uppercased() == "X-LIC-LOCATION" })
                .flatMap({ LibICal.copy(icalproperty_get_x($0)) }), let found = known(location)
            {
                return found
            }
        }
        return nil
    }

    /// An IANA name, link or Windows name, resolved to the name the register stores. Remembered:
    /// a file names the same few zones in every DTSTART, and the lookup compares many names.
    static func known(_ name: String) -> String? {
        if name.isEmpty { return nil }
        if let remembered = resolved.withLock({ $0[name] }) { return remembered }
        let found: String?
        if let windows = WindowsZones.toIANA[name] ?? WindowsZones.toIANA.first(where: { $0.key.caseInsensitiveCompare(name) == .orderedSame })?.value {
            found = storable(windows)
        } else {
            found = storable(name) ?? TimeZoneDatabase.named(ignoringCase: name).flatMap(storable)
        }
        // Names come from outside: remember a bounded number of them.
        resolved.withLock { if $0.count < 1_000 { $0[name] = found } }
        return found
    }

    private static let resolved = Mutex<[String: String?]>([:])

    /// The canonical tzdata name of `name` when the register's `Zone` accepts it.
    private static func storable(_ name: String) -> String? {
        guard let canonical = TimeZoneDatabase.canonical(name) ?? ((try? Zone(name)) != nil ? name : nil) else { return nil }
        if (try? Zone(canonical)) != nil { return canonical }
        return (try? Zone(name)) != nil ? name : nil
    }

    /// A zone whose UTC offset agrees with the VTIMEZONE's at each of `instants` and half a year
    /// later (so both its standard and its daylight time are compared). A fixed offset of whole
    /// hours is `Etc/GMT±N`; otherwise the first zone, in name order, that fits.
    private static func matching(_ vtimezone: OpaquePointer, instants: [Instant]) -> String? {
        guard let zone = icaltimezone_new() else { return nil }
        defer { icaltimezone_free(zone, 1) }
        guard let copy = icalcomponent_new_clone(vtimezone) else { return nil }
        guard icaltimezone_set_component(zone, copy) != 0 else {
            icalcomponent_free(copy)
            return nil
        }
        let probes = (instants.isEmpty ? [Instant(seconds: 1_700_000_000)] : Array(instants.prefix(4))).flatMap { [$0, $0.adding(seconds: 182 * 86_400)] }
        let wanted = probes.map { LibICal.offset(of: zone, at: $0) }
        guard let first = wanted.first else { return nil }
        if wanted.allSatisfy({ $0 == first }), first % 3600 == 0, abs(first) <= 14 * 3600 {
            if first == 0 { return "UTC" }
            // POSIX signs: Etc/GMT-7 is seven hours ahead of UTC.
            let name = "Etc/GMT" + (first > 0 ? "-" : "+") + String(abs(first) / 3600)
            if (try? Zone(name)) != nil { return name }
        }
        // First the zones of Windows names sharing a word with the TZID ("US-Eastern", "Eastern Time"
        // → Eastern Standard Time), then CLDR's typical zone of every Windows zone, then any zone.
        let tzid = icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY).flatMap { LibICal.copy(icalproperty_get_tzid($0)) } ?? ""
        let words = Set(tzid.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)).subtracting(["standard", "time", "daylight", "zone"])
        let named = WindowsZones.toIANA.map { (name, zone) in
            (zone, Set(name.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)).intersection(words).count)
        }.filter { $0.1 > 0 }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.map(\.0)
        let typical = Set(WindowsZones.toIANA.values).sorted()
        for name in named + typical + TimeZoneDatabase.names.sorted() where !name.hasPrefix("Etc/") && name.contains("/") {
            guard let candidate = try? Zone(name) else { continue }
            if probes.map({ candidate.offset(at: $0) }) == wanted { return TimeZoneDatabase.canonical(name).flatMap { (try? Zone($0)) != nil ? $0 : nil } ?? name }
        }
        return nil
    }
}
