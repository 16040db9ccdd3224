import EventModel

/// Builds subscribable calendars from events, serialising each event once: its VEVENT text is
/// kept and reused until the event changes, so regenerating a feed after one change costs one
/// serialisation plus a concatenation. Not Sendable: one owner (the feed writer) keeps it.
public final class FeedRenderer {
    private let writer = ICalendarWriter()
    private let reminders: [Int]
    private var cache: [String: (version: String, text: String)] = [:]
    /// How many events were serialised since the renderer was made (tests and benchmarks).
    public private(set) var serialised = 0

    public init(reminders: [Int]) {
        self.reminders = reminders
    }

    /// One VCALENDAR of `events` with NAME, X-WR-CALNAME, REFRESH-INTERVAL and X-PUBLISHED-TTL
    /// and one VTIMEZONE per zone used. `version(event)` says when an event changed.
    public func calendar(_ events: [Event], subscription: ICalendarWriter.Subscription, stamp: Instant) throws(CalendarError) -> String {
        var zones: [(identifier: String, around: Instant)] = []
        for event in events where !zones.contains(where: { $0.identifier == event.timeZone }) && !(event.allDay && event.sessions.isEmpty) {
            zones.append((event.timeZone, event.start))
        }
        let (head, tail) = try writer.envelope(zones: zones, method: .publish, subscription: subscription)
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
