import EventModel
import Foundation
import GRDB

/// One write transaction (`SQLiteStore.write`): what its body may read and write. Valid only
/// inside the body: it holds the transaction's connection.
public struct WriteContext {
    let db: Database
    let store: SQLiteStore
    public let now: Instant

    /// The other events that may clash with `event` in [from, to) (`SQLiteStore.clashCandidates`).
    public func clashCandidates(for event: Event, from: Instant, to: Instant) throws -> [Event] {
        try SQLiteStore.clashCandidates(db, for: event, from: from, to: to)
    }

    /// Puts notices in the outbox. The letters of one change are one letter to many people:
    /// each is encoded once.
    public func queue(_ drafts: [NoticeDraft]) throws {
        var encoded: (letter: NoticeLetter, json: String)?
        for draft in drafts {
            if let letter = draft.letter, encoded?.letter != letter { encoded = (letter, StoredList.json(letter)) }
            try Outbox.insert(db, draft, letter: draft.letter == nil ? nil : encoded?.json, now: now)
        }
    }

    /// The reminders of the event the outbox holds, in every state, for `NoticePlanner` to compare
    /// with the ones the event now calls for.
    public func reminders(eventUID: String) throws -> [Notice] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM notice WHERE event_uid = ? AND kind = 'reminder'"), arguments: [eventUID])
            .map(Outbox.notice)
    }

    /// Takes notices that are still pending out of the outbox; one in any other state stays.
    public func withdraw(noticeIDs: [Int64]) throws {
        for id in noticeIDs {
            try db.cachedStatement(sql: "DELETE FROM notice WHERE id = ? AND state = 'pending'").execute(arguments: [id])
        }
    }

    /// Records a change that is not an event's write (such as `invite`) in the audit log.
    public func audit(_ action: String, eventID: Int64?) throws {
        try Audit.record(db, action, eventID: eventID, now: now)
    }

    /// Whether invitations (or updates) for the event were ever put in the outbox.
    public func wasInvited(eventUID: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM notice WHERE event_uid = ? AND kind IN ('invitation', 'update') LIMIT 1"), arguments: [eventUID])
            == true
    }
}

enum Outbox {
    static func insert(_ db: Database, _ d: NoticeDraft, letter: String?, now: Instant) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO notice (message_id, kind, event_uid, event_id, person_id, recipient, due_at, starts_at, reminder_offset,
                    sequence, message, letter, next_attempt_at, created_at, updated_at, audience)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            d.messageID ?? "<\(UUID().uuidString.lowercased())@eventd>", d.kind.rawValue, d.eventUID, d.eventID, d.personID, d.recipient,
            d.due.seconds, d.startsAt.seconds, d.offset, d.sequence, d.message, letter, d.due.seconds, now.seconds, now.seconds, d.audience?.rawValue,
        ])
    }

    static func notice(_ row: Row) throws -> Notice {
        Notice(
            id: row["id"], messageID: row["message_id"],
            draft: NoticeDraft(
                kind: try stored(row["kind"], "notice kind"), eventUID: row["event_uid"], eventID: row["event_id"],
                personID: row["person_id"], recipient: row["recipient"], due: Instant(seconds: row["due_at"]),
                startsAt: Instant(seconds: row["starts_at"]), offset: row["reminder_offset"], sequence: row["sequence"], message: row["message"],
                letter: try (row["letter"] as String?).map { try StoredList.value($0, "letter") },
                audience: try (row["audience"] as String?).map { try stored($0, "reminder audience") }),
            state: try stored(row["state"], "notice state"), attempts: row["attempts"], nextAttempt: Instant(seconds: row["next_attempt_at"]),
            lastError: row["last_error"], updated: Instant(seconds: row["updated_at"]))
    }
}

extension SQLiteStore {
    /// Runs `body` in one write transaction: everything it writes commits together, on disk when
    /// this returns, or not at all if it throws.
    public func write<T: Sendable>(_ body: @escaping @Sendable (WriteContext) throws -> T) async throws -> T {
        try await writing { db in try body(WriteContext(db: db, store: self, now: self.now())) }
    }

    /// Events that have not ended, or recur (those whose reminders may still be due), by id:
    /// up to `limit` of them with ids above `idAbove`, so a large register is read a page at a time.
    public func eventsStill(runningAfter instant: Instant, idAbove: Int64, limit: Int) async throws -> [Event] {
        try await reading { db in
            let ids = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM event WHERE id > ? AND (end_at > ? OR rrule IS NOT NULL) ORDER BY id LIMIT ?"),
                arguments: [idAbove, instant.seconds, limit])
            return try ids.map { try Self.loadEvent(db, id: $0) }
        }
    }

    /// After a crash or kill, notices left `sending` may or may not have gone out: send them
    /// again (at least once; the repeat carries the same Message-ID).
    public func requeueInterruptedNotices() async throws -> Int {
        try await writing { db in
            try db.cachedStatement(sql: "UPDATE notice SET state = 'pending', updated_at = ? WHERE state = 'sending'").execute(arguments: [
                self.now().seconds
            ])
            return db.changesCount
        }
    }

    /// Marks up to `limit` pending notices due by `now` as `sending` and returns them: the
    /// claim is committed before any hook runs, so a crash leaves them visible as interrupted.
    public func claimDueNotices(now: Instant, limit: Int) async throws -> [Notice] {
        guard limit > 0 else { return [] }
        return try await writing { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE notice SET state = 'sending', attempts = attempts + 1, updated_at = ?
                        WHERE id IN (SELECT id FROM notice WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
                        RETURNING *
                        """), arguments: [now.seconds, now.seconds, limit])
            return try rows.map(Outbox.notice).sorted { ($0.nextAttempt, $0.id) < ($1.nextAttempt, $1.id) }
        }
    }

    /// When the next pending notice is due, if any.
    public func nextNoticeDue() async throws -> Instant? {
        try await reading { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(next_attempt_at) FROM notice WHERE state = 'pending'")).map(Instant.init(seconds:))
        }
    }

    /// Records how an attempt ended: `sent`, `failed`, `skipped`, or `pending` again at `retryAt`.
    public func finishNotice(id: Int64, state: NoticeState, retryAt: Instant? = nil, error: String? = nil) async throws {
        try await writing { db in
            try db.cachedStatement(
                sql: """
                    UPDATE notice SET state = ?, next_attempt_at = coalesce(?, next_attempt_at), last_error = coalesce(?, last_error), updated_at = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [state.rawValue, retryAt?.seconds, error, self.now().seconds, id])
        }
    }

    /// Notices in order of time due, at most `limit` of them.
    public func notices(state: NoticeState?, eventID: Int64?, limit: Int = Int.max) async throws -> [Notice] {
        try await reading { db in
            var conditions = ["1"]
            var arguments: StatementArguments = []
            if let state {
                conditions.append("state = ?")
                arguments += [state.rawValue]
            }
            if let eventID {
                conditions.append("event_uid = (SELECT uid FROM event WHERE id = ?)")
                arguments += [eventID]
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM notice WHERE \(conditions.joined(separator: " AND ")) ORDER BY due_at, id LIMIT ?", arguments: arguments + [limit]
            )
            .map(Outbox.notice)
        }
    }

    public func notice(id: Int64) async throws -> Notice {
        try await reading { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM notice WHERE id = ?"), arguments: [id]) else {
                throw RegisterError.notFound(what: "notice with id", key: String(id))
            }
            return try Outbox.notice(row)
        }
    }

    /// Sends a failed, skipped or pending notice again now, with a fresh count of attempts.
    public func retryNotice(id: Int64) async throws -> Notice {
        try await changeNotice(
            id: id, action: "notice-retry", from: ["failed", "skipped", "pending"], sql: "state = 'pending', attempts = 0, next_attempt_at = ?",
            now: true)
    }

    /// Withdraws a notice that has not gone out.
    public func cancelNotice(id: Int64) async throws -> Notice {
        try await changeNotice(
            id: id, action: "notice-cancel", from: ["pending", "failed"],
            sql: "state = 'skipped', last_error = 'cancelled by eventctl notices cancel'", now: false)
    }

    private func changeNotice(id: Int64, action: String, from states: [String], sql: String, now: Bool) async throws -> Notice {
        try await writing { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT state FROM notice WHERE id = ?"), arguments: [id]) else {
                throw RegisterError.notFound(what: "notice with id", key: String(id))
            }
            let state: String = row["state"]
            guard states.contains(state) else {
                throw RegisterError.conflict(
                    field: "state", message: "notice \(id) is \(state); only a notice that is \(states.joined(separator: ", ")) can be changed so")
            }
            let time = self.now().seconds
            try db.execute(sql: "UPDATE notice SET \(sql), updated_at = ? WHERE id = ?", arguments: now ? [time, time, id] : [time, id])
            let notice = try Outbox.notice(Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM notice WHERE id = ?"), arguments: [id])!)
            try Audit.record(db, "\(action) \(id) \(notice.draft.recipient)", eventID: notice.draft.eventID, now: self.now())
            return notice
        }
    }

    /// The event with this id, or nil when it is gone.
    public func eventIfPresent(id: Int64) async throws -> Event? {
        try await reading { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM event WHERE id = ?"), arguments: [id]) == true
                ? try Self.loadEvent(db, id: id) : nil
        }
    }

    /// Personal feed tokens, and the names of their holders, by person id.
    public func feedTokens() async throws -> [Int64: (token: String, name: String)] {
        try await reading { db in
            var tokens: [Int64: (token: String, name: String)] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, feed_token, name FROM person WHERE feed_token IS NOT NULL")) {
                tokens[row["id"]] = (row["feed_token"], row["name"])
            }
            return tokens
        }
    }

    /// The person's feed token, made on first use; `rotate` replaces it (the old one stops
    /// working). `new`: this call made it, so the person's feed moves to it.
    public func feedToken(personID: Int64, rotate: Bool) async throws -> (token: String, new: Bool) {
        try await writing { db in
            if !rotate, let token = try String.fetchOne(db.cachedStatement(sql: "SELECT feed_token FROM person WHERE id = ?"), arguments: [personID])
            {
                return (token, false)
            }
            var bytes = [UInt8](repeating: 0, count: 24)
            var generator = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = generator.next() }
            // 192 random bits, URL-safe: unguessable, and a file name as it is.
            let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            try db.cachedStatement(sql: "UPDATE person SET feed_token = ? WHERE id = ?").execute(arguments: [token, personID])
            try Audit.record(db, "\(rotate ? "feed-rotate" : "feed-token") person \(personID)", now: self.now())
            return (token, true)
        }
    }

    /// A person by id, for composing a reminder when it is sent.
    public func person(id: Int64) async throws -> Person {
        try await person(key: String(id))
    }

    /// The event with this UID, if it is still in the register.
    public func event(uid: String) async throws -> Event? {
        try await reading { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM event WHERE uid = ?"), arguments: [uid]).map { try Self.loadEvent(db, id: $0) }
        }
    }
}

extension SQLiteStore {
    /// How many notices are in each state, for `eventctl status`.
    public func noticeCounts() async throws -> [String: Int] {
        try await reading { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT state, count(*) AS n FROM notice GROUP BY state")) {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }
}
