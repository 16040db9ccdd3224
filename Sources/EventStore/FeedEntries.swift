import EventModel
import GRDB

/// Which events a feed holds.
public enum FeedSelection: Sendable, Hashable {
    case all
    case kind(EventKind)
    case event(Int64)
    /// The events a person takes part in, through the participation index.
    case person(Int64)

    fileprivate var filter: (sql: String, arguments: StatementArguments) {
        switch self {
        case .all: ("", [])
        case .kind(let kind): ("WHERE e.kind = ?", [kind.rawValue])
        case .event(let id): ("WHERE e.id = ?", [id])
        case .person(let id): ("WHERE e.id IN (SELECT event_id FROM participation WHERE person_id = ?)", [id])
        }
    }
}

extension SQLiteStore {
    /// Up to `limit` events whose feed text is missing or older than the event (nil: the event is
    /// gone), with the mark that `saveFeedEntries` settles them with.
    public func staleFeedEvents(limit: Int) async throws -> [(id: Int64, mark: Int64, event: Event?)] {
        try await reading { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT s.event_id, s.mark, e.id IS NOT NULL AS present FROM feed_stale s LEFT JOIN event e ON e.id = s.event_id ORDER BY s.event_id LIMIT ?"),
                arguments: [limit]
            ).map { row in
                let id: Int64 = row["event_id"]
                return (id, row["mark"], row["present"] ? try Self.loadEvent(db, id: id) : nil)
            }
        }
    }

    /// Stores the feed text of events (nil: the event is gone). An event changed again since it
    /// was read keeps its newer mark and stays stale.
    public func saveFeedEntries(_ entries: [(id: Int64, mark: Int64, entry: FeedEntry?)]) async throws {
        try await writing { db in
            for (id, mark, entry) in entries {
                try db.cachedStatement(sql: "DELETE FROM feed_stale WHERE event_id = ? AND mark = ?").execute(arguments: [id, mark])
                guard let entry, db.changesCount > 0 else { continue }
                try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO feed_entry (event_id, text, zone, span_from, span_to) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM event WHERE id = ?)"
                ).execute(arguments: [id, entry.text, entry.zone, entry.from.seconds, entry.to?.seconds, id])
            }
        }
    }

    /// Every event's feed text is to be made again (the settings that shape it changed).
    public func markAllFeedEntriesStale() async throws {
        try await writing { db in
            try db.execute(
                sql: "INSERT INTO feed_stale (event_id, mark) SELECT id, 1 FROM event WHERE true ON CONFLICT (event_id) DO UPDATE SET mark = mark + 1")
        }
    }

    /// Reads one feed in one read transaction: the zones it needs and whether it holds no event,
    /// then (through `next`) each event's feed text in order of start, one at a time, so a feed
    /// of any size is written without being held in memory.
    public func readFeed<T: Sendable>(
        _ selection: FeedSelection, _ body: @Sendable (_ zones: [FeedZone], _ empty: Bool, _ next: () throws -> String?) throws -> T
    ) async throws -> T {
        try await reading { db in
            let filter = selection.filter
            let from = "FROM feed_entry f JOIN event e ON e.id = f.event_id \(filter.sql)"
            let zones = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT f.zone, MIN(f.span_from) AS span_from, CASE WHEN COUNT(f.span_to) < COUNT(*) THEN NULL ELSE MAX(f.span_to) END AS span_to
                        \(from) \(filter.sql.isEmpty ? "WHERE" : "AND") f.zone IS NOT NULL GROUP BY f.zone ORDER BY MIN(e.start_at), f.zone
                        """), arguments: filter.arguments
            ).map { FeedZone(identifier: $0["zone"], from: Instant(seconds: $0["span_from"]), to: ($0["span_to"] as Int64?).map(Instant.init(seconds:))) }
            let texts = try String.fetchCursor(db.cachedStatement(sql: "SELECT f.text \(from) ORDER BY e.start_at, e.id"), arguments: filter.arguments)
            // The first text is read ahead to tell an empty feed, then handed out first.
            var first = try texts.next()
            return try body(zones, first == nil) {
                defer { first = nil }
                return try first ?? texts.next()
            }
        }
    }

    /// The titles of these events (nil: of every event), by id; an id that is gone is left out.
    public func eventTitles(_ ids: [Int64]?) async throws -> [(id: Int64, title: String)] {
        try await reading { db in
            guard let ids else {
                return try Row.fetchAll(db.cachedStatement(sql: "SELECT id, title FROM event ORDER BY id")).map { ($0["id"], $0["title"]) }
            }
            return try ids.compactMap { id in
                try String.fetchOne(db.cachedStatement(sql: "SELECT title FROM event WHERE id = ?"), arguments: [id]).map { (id, $0) }
            }
        }
    }
}
