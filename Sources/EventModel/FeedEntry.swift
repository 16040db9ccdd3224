/// One event as feeds carry it: its VEVENTs, serialised once and kept in the register, and the
/// time its zone's VTIMEZONE must cover, so a feed of any size is streamed from stored text.
public struct FeedEntry: Sendable, Equatable {
    public var text: String
    /// The zone whose VTIMEZONE the VEVENTs name; nil for UTC, whole-day and floating events.
    public var zone: String?
    public var from: Instant
    /// nil: the event repeats without end.
    public var to: Instant?

    public init(text: String, zone: String?, from: Instant, to: Instant?) {
        self.text = text
        self.zone = zone
        self.from = from
        self.to = to
    }
}

/// A VTIMEZONE a feed needs, and the time it must cover (nil `to`: without end).
public struct FeedZone: Sendable, Equatable {
    public var identifier: String
    public var from: Instant
    public var to: Instant?

    public init(identifier: String, from: Instant, to: Instant?) {
        self.identifier = identifier
        self.from = from
        self.to = to
    }

    /// The zones of `entries` in the order they first appear, each covering all its entries.
    public static func covering(_ entries: [FeedEntry]) -> [FeedZone] {
        var zones: [FeedZone] = []
        var index: [String: Int] = [:]
        for entry in entries {
            guard let zone = entry.zone else { continue }
            guard let i = index[zone] else {
                index[zone] = zones.count
                zones.append(FeedZone(identifier: zone, from: entry.from, to: entry.to))
                continue
            }
            zones[i].from = min(zones[i].from, entry.from)
            zones[i].to = zones[i].to.flatMap { current in entry.to.map { max(current, $0) } }
        }
        return zones
    }
}
