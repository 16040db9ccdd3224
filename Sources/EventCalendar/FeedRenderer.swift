import EventModel

/// Builds subscribable calendars: each event is serialised once into a `FeedEntry` (kept by
/// the register until the event changes), and a feed is an envelope (VCALENDAR with its
/// VTIMEZONEs) around the entries' text, which the feed writer streams to disk.
public struct FeedRenderer: Sendable {
    private let writer: ICalendarWriter
    private let reminders: [Int]

    /// `emptyZone`: the VTIMEZONE a feed with no events carries (RFC 5545 3.6 wants one component).
    public init(reminders: [Int], emptyZone: String = "UTC") {
        self.reminders = reminders
        self.writer = ICalendarWriter(emptyCalendarZone: emptyZone)
    }

    /// The event's VEVENTs as every feed carries them, and what its VTIMEZONE must cover.
    public func entry(_ event: Event, stamp: Instant) throws(CalendarError) -> FeedEntry {
        let text = try writer.vevents(event, method: .publish, stamp: stamp, reminders: reminders)
        guard ICalendarWriter.needsTimeZone(event) else { return FeedEntry(text: text, zone: nil, from: event.start, to: event.end) }
        let span = try LibICal.locked { () throws(CalendarError) in TimeZoneComponent.span(of: [event]) }
        return FeedEntry(text: text, zone: event.timeZone, from: span.from, to: span.to)
    }

    /// The text before and after the entries of a feed: NAME, X-WR-CALNAME, REFRESH-INTERVAL and
    /// X-PUBLISHED-TTL, and one VTIMEZONE per zone, right for every instant it must cover.
    public func envelope(zones: [FeedZone], empty: Bool, subscription: ICalendarWriter.Subscription) throws(CalendarError) -> (head: String, tail: String) {
        try writer.envelope(
            zones: zones.map { (identifier: $0.identifier, from: $0.from, to: $0.to) }, method: .publish, subscription: subscription, empty: empty)
    }

    /// One whole VCALENDAR of `events`, as the feed writer would write it (tests, benchmarks).
    public func calendar(_ events: [Event], subscription: ICalendarWriter.Subscription, stamp: Instant) throws(CalendarError) -> String {
        var entries: [FeedEntry] = []
        for event in events { entries.append(try entry(event, stamp: stamp)) }
        let (head, tail) = try envelope(zones: FeedZone.covering(entries), empty: entries.isEmpty, subscription: subscription)
        return head + entries.map(\.text).joined() + tail
    }
}
