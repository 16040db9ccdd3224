import EventModel

/// Builds subscribable calendars from events, serialising each event once: its VEVENT text is
/// kept and reused until the event changes, so regenerating a feed after one change costs one
/// serialisation plus a concatenation. Not Sendable: one owner (the feed writer) keeps it.
public final class FeedRenderer {
    private let writer: ICalendarWriter
    private let reminders: [Int]
    private var cache: [String: (version: String, text: String)] = [:]
    /// How many events were serialised since the renderer was made (tests and benchmarks).
    public private(set) var serialised = 0

    /// `emptyZone`: the VTIMEZONE a feed with no events carries (RFC 5545 3.6 wants one component).
    public init(reminders: [Int], emptyZone: String = "UTC") {
        self.reminders = reminders
        self.writer = ICalendarWriter(emptyCalendarZone: emptyZone)
    }

    /// One VCALENDAR of `events` with NAME, X-WR-CALNAME, REFRESH-INTERVAL and X-PUBLISHED-TTL
    /// and one VTIMEZONE per zone used, right for every instant of the events in that zone.
    public func calendar(_ events: [Event], subscription: ICalendarWriter.Subscription, stamp: Instant) throws(CalendarError) -> String {
        var byZone: [String: [Event]] = [:]
        var order: [String] = []
        for event in events where ICalendarWriter.needsTimeZone(event) {
            if byZone[event.timeZone] == nil { order.append(event.timeZone) }
            byZone[event.timeZone, default: []].append(event)
        }
        let zones = try LibICal.locked { () throws(CalendarError) in
            order.map { zone in
                let span = TimeZoneComponent.span(of: byZone[zone]!)
                return (identifier: zone, from: span.from, to: span.to)
            }
        }
        let (head, tail) = try writer.envelope(zones: zones, method: .publish, subscription: subscription, empty: events.isEmpty)
        var text = head
        for event in events { text += try vevents(event, stamp: stamp) }
        return text + tail
    }

    private func vevents(_ event: Event, stamp: Instant) throws(CalendarError) -> String {
        let version = "\(event.updated.seconds)/\(event.sequence)/\(event.participants.count)/\(event.sessions.count)"
        if let hit = cache[event.uid], hit.version == version { return hit.text }
        let text = try writer.vevents(event, method: .publish, stamp: stamp, reminders: reminders)
        cache[event.uid] = (version, text)
        serialised += 1
        return text
    }

    /// Drops events no longer in the register from the cache.
    public func keep(only uids: Set<String>) {
        cache = cache.filter { uids.contains($0.key) }
    }
}
