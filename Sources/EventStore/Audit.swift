import EventModel
import Foundation
import GRDB

/// The audit log: who changed what, written inside the transaction of each change, so a change
/// and its record are committed together or not at all. Only what is asked for through the
/// API is recorded (it carries a `Caller`): changes, and backups, which copy every feed token;
/// eventd's own bookkeeping is not.
enum Audit {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func record(_ db: Database, _ action: String, event: (before: Event?, after: Event?) = (nil, nil), eventID: Int64? = nil, now: Instant)
        throws
    {
        guard let caller = Caller.current else { return }
        let some = event.after ?? event.before
        try db.cachedStatement(
            sql: """
                INSERT INTO audit (at, uid, gid, pid, user_name, action, event_id, event_uid, before, after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            now.seconds, caller.uid, caller.gid, caller.pid, caller.user, action, some?.id ?? eventID, some?.uid,
            try event.before.map(json), try event.after.map(json),
        ])
    }

    private static func json(_ event: Event) throws -> String {
        String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    /// What a change did, from the event before and after it.
    static func action(before: Event?, after: Event?) -> String {
        switch (before, after) {
        case (nil, _): "create"
        case (_, nil): "delete"
        case (let b?, let a?) where a.status == .cancelled && b.status != .cancelled: "cancel"
        default: "update"
        }
    }
}

extension SQLiteStore {
    /// The audit log, oldest first: of one event, since an instant, at most `limit` entries (the newest).
    public func auditLog(eventID: Int64?, since: Instant?, limit: Int) async throws -> [AuditEntry] {
        try await reading { db in
            var conditions = ["1"]
            var arguments: StatementArguments = []
            if let eventID {
                conditions.append("event_id = ?")
                arguments += [eventID]
            }
            if let since {
                conditions.append("at >= ?")
                arguments += [since.seconds]
            }
            arguments += [limit]
            return try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: arguments
            ).map { row in
                AuditEntry(
                    id: row["id"], at: Instant(seconds: row["at"]),
                    caller: Caller(uid: row["uid"], gid: row["gid"], pid: row["pid"], user: row["user_name"]),
                    action: row["action"], eventID: row["event_id"], eventUID: row["event_uid"], before: row["before"], after: row["after"])
            }
        }
    }
}

extension SQLiteStore {
    /// A consistent copy of the register, taken while writes go on (SQLite's online backup), into
    /// a new file at `path` with mode 0600.
    public func backup(to path: String) async throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StoreError.io("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        do {
            let copy = try DatabaseQueue(path: path)
            try pool.backup(to: copy)
            try copy.close()
        } catch {
            unlink(path)
            throw StoreError.translating(error)
        }
    }

    /// Records that the caller took a backup of `bytes`, and where they said they would write it
    /// (eventd only hands the copy over; `eventctl backup` names its file).
    public func auditBackup(bytes: Int, destination: String?) async throws {
        try await writing { db in
            try Audit.record(db, "backup \(bytes) bytes" + (destination.map { " to \($0)" } ?? ""), now: self.now())
        }
    }
}
