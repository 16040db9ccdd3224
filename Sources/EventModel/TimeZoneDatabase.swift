import Foundation

/// The zone and link names of the system tz database (tzdata's `tzdata.zi`), which Foundation's
/// `knownTimeZoneIdentifiers` (ICU's list) only partly covers: it lacks `Etc/GMT-7` and the newer
/// canonical names (`Asia/Kolkata`) while `TimeZone(identifier:)` reads them all.
public enum TimeZoneDatabase {
    /// Where tzdata keeps its compact source; Debian's `tzdata` package installs it.
    static let path = "/usr/share/zoneinfo/tzdata.zi"

    /// Names of zones (`Z` lines) and links (`L` lines), and each link's target.
    private static let table: (zones: Set<String>, links: [String: String]) = {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ([], [:]) }
        var zones = Set<String>()
        var links: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("Z ") || line.hasPrefix("L ") {
            let fields = line.split(separator: " ")
            if fields[0] == "Z", fields.count > 1 { zones.insert(String(fields[1])) }
            if fields[0] == "L", fields.count > 2 { links[String(fields[2])] = String(fields[1]) }
        }
        return (zones, links)
    }()

    /// Every zone and link name tzdata defines.
    public static var names: Set<String> { table.zones.union(table.links.keys) }

    /// The zone a link names (`US/Eastern` → `America/New_York`, `Asia/Saigon` → `Asia/Ho_Chi_Minh`);
    /// a zone name as it is; nil for a name tzdata does not know. The UTC family stays `UTC`.
    public static func canonical(_ name: String) -> String? {
        if ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal", "UCT", "Etc/UCT"].contains(name) {
            return "UTC"
        }
        var current = name
        for _ in 0..<4 {  // links point at zones, but follow a chain defensively
            if table.zones.contains(current) { return current }
            guard let next = table.links[current] else { break }
            current = next
        }
        return table.zones.contains(current) ? current : nil
    }

    /// Case-insensitive lookup of a tz name (`america/new_york`), as some producers lower-case TZIDs.
    public static func named(ignoringCase name: String) -> String? {
        let lower = name.lowercased()
        return table.zones.first { $0.lowercased() == lower } ?? table.links.keys.first { $0.lowercased() == lower }
    }
}
