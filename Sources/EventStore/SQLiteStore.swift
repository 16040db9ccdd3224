import EventModel
import Foundation
import GRDB

/// The register in one SQLite file: WAL, foreign keys, `synchronous = FULL`, so a write that
/// returned is on disk, and one writer at a time (GRDB's `DatabasePool`).
///
/// Keep one open for the daemon's life: the last connection to close a WAL database checkpoints it.
public final class SQLiteStore: Sendable {
    public let path: String
    let pool: DatabasePool
    private let clock: @Sendable () -> Instant

    func now() -> Instant { clock() }

    /// Opens (and creates or migrates) `register.sqlite` in `directory`. The register and its
    /// `-wal` and `-shm` files get `fileMode` (SQLite gives the WAL and SHM the main file's mode),
    /// whatever the process umask; an existing register is brought to that mode.
    public init(directory: String, fileMode: UInt16 = 0o600, clock: @escaping @Sendable () -> Instant = SQLiteStore.systemClock) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        path = directory + "/register.sqlite"
        for file in [path, path + "-wal", path + "-shm"] {
            let fd = open(file, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (file == path ? O_CREAT : 0), mode_t(fileMode))
            if fd < 0 {
                if errno == ENOENT { continue }
                throw StoreError.io("cannot open \(file): \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            guard fchmod(fd, mode_t(fileMode)) == 0 else {
                throw StoreError.io("cannot set the mode of \(file): \(String(cString: strerror(errno)))")
            }
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: config)
        // GRDB puts the writer in WAL mode with synchronous = NORMAL, which may lose the last
        // commits on power loss. FULL syncs the WAL on every commit: a write that returned is on disk.
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
            guard try Int.fetchOne(db.cachedStatement(sql: "PRAGMA synchronous")) == 2 else {
                throw StoreError.io("SQLite refused PRAGMA synchronous = FULL")
            }
        }
        self.clock = clock
        try Schema.migrator.migrate(pool)
    }

    /// The writer connection's `PRAGMA synchronous` (2 = FULL), for the durability test.
    public func synchronousSetting() async throws -> Int {
        try await writing { db in try Int.fetchOne(db.cachedStatement(sql: "PRAGMA synchronous")) ?? -1 }
    }

    public static let systemClock: @Sendable () -> Instant = { Instant(seconds: Int64(Date().timeIntervalSince1970)) }

    // MARK: Events

    public func event(id: Int64) async throws -> Event {
        try await reading { db in try Self.loadEvent(db, id: id) }
    }

    /// Events that overlap [from, to), in order of start; either bound may be open.
    public func events(from: Instant?, to: Instant?, kind: EventKind?) async throws -> [Event] {
        try await reading { db in try Self.eventsOverlapping(db, from: from, to: to, kind: kind) }
    }

    /// Events that overlap [from, to) plus every recurring one that starts before `to`.
    /// Events last at most 366 days, so `from` also bounds `start_at` from below: one short range of `event_by_time`.
    static func eventsOverlapping(_ db: Database, from: Instant?, to: Instant?, kind: EventKind?) throws -> [Event] {
        try overlappingIDs(db, from: from, to: to, kind: kind).map { try loadEvent(db, id: $0) }
    }

    /// `booksRoom`: only events that book a room, themselves or in a session.
    static func overlappingIDs(_ db: Database, from: Instant?, to: Instant?, kind: EventKind?, booksRoom: Bool = false) throws -> [Int64] {
        var plain = ["1"]
        var recurring = ["rrule IS NOT NULL"]
        var plainArguments: StatementArguments = []
        var recurringArguments: StatementArguments = []
        if let from {
            plain += ["start_at > ?", "end_at > ?"]
            plainArguments += [from.seconds - Limits.year, from.seconds]
        }
        if let to {
            plain.append("start_at < ?")
            plainArguments += [to.seconds]
            recurring.append("start_at < ?")
            recurringArguments += [to.seconds]
        }
        if let kind {
            plain.append("kind = ?")
            plainArguments += [kind.rawValue]
            recurring.append("kind = ?")
            recurringArguments += [kind.rawValue]
        }
        // Events longer than a year (imported ones may be) escape the start_at bound: their own index finds them.
        var long = ["end_at - start_at > \(Limits.year)"]
        var longArguments: StatementArguments = []
        if let from {
            long.append("end_at > ?")
            longArguments += [from.seconds]
        }
        if let to {
            long.append("start_at < ?")
            longArguments += [to.seconds]
        }
        if let kind {
            long.append("kind = ?")
            longArguments += [kind.rawValue]
        }
        if booksRoom {
            let room = "(room IS NOT NULL OR EXISTS (SELECT 1 FROM session s WHERE s.event_id = event.id AND s.room IS NOT NULL))"
            plain.append(room)
            recurring.append(room)
            long.append(room)
        }
        let sql = """
            SELECT id, start_at FROM event WHERE \(plain.joined(separator: " AND "))
            UNION SELECT id, start_at FROM event WHERE \(recurring.joined(separator: " AND "))
            UNION SELECT id, start_at FROM event WHERE \(long.joined(separator: " AND "))
            ORDER BY start_at, id
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: plainArguments + recurringArguments + longArguments).map { $0["id"] as Int64 }
    }

    /// The events a person has any part in that overlap [from, to), and every recurring one they
    /// have a part in (its occurrences are the caller's to expand), in order of start.
    public func events(ofPerson personID: Int64, from: Instant, to: Instant) async throws -> [Event] {
        try await reading { db in
            try Self.eventIDs(db, ofPerson: personID, from: from, to: to).map { try Self.loadEvent(db, id: $0) }.sorted { $0.start < $1.start }
        }
    }

    /// The ids behind `events(ofPerson:)`, through the participation index.
    static func eventIDs(_ db: Database, ofPerson personID: Int64, from: Instant, to: Instant) throws -> [Int64] {
        var ids = try Int64.fetchAll(
            db.cachedStatement(sql: personEventsSQL), arguments: [personID, from.seconds - Limits.year, to.seconds, from.seconds])
        ids += try Int64.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT e.id FROM participation pa JOIN event e ON e.id = pa.event_id
                    WHERE pa.person_id = ? AND (e.rrule IS NOT NULL OR e.end_at - e.start_at > \(Limits.year)) AND e.start_at < ?
                    """), arguments: [personID, to.seconds])
        var seen = Set<Int64>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// The other events that may clash with `event` in [from, to): those of its people (through
    /// the participation index) and, only when it books a room, those in that time that book one.
    /// Recurring ones are included when they began before `to`: the caller expands them.
    static func clashCandidates(_ db: Database, for event: Event, from: Instant, to: Instant) throws -> [Event] {
        var ids = Set<Int64>()
        for person in Set(event.participants.compactMap(\.person.id)) {
            ids.formUnion(try eventIDs(db, ofPerson: person, from: from, to: to))
        }
        if event.room != nil || event.sessions.contains(where: { $0.room != nil }) {
            ids.formUnion(try overlappingIDs(db, from: from, to: to, kind: nil, booksRoom: true))
        }
        if let own = event.id { ids.remove(own) }
        return try ids.sorted().map { try loadEvent(db, id: $0) }
    }


    /// People a search names: an id, an email, the exact name, or else a name matched without regard
    /// to case or diacritics, first whole, then as the start of a word ("hieu" finds "Phan Chí Hiếu").
    public func people(matching text: String) async throws -> [Person] {
        try await reading { db in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let id = Int64(trimmed) {
                return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM person WHERE id = ?"), arguments: [id]).map(Self.person)
            }
            if trimmed.contains("@") {
                return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM person WHERE email = ?"), arguments: [trimmed.lowercased()]).map(
                    Self.person)
            }
            let named = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM person WHERE name = ? ORDER BY id"), arguments: [trimmed.precomposedStringWithCanonicalMapping]
            )
            if !named.isEmpty { return try named.map(Self.person) }
            let folded = foldedForSearch(trimmed)
            guard !folded.isEmpty else { return [] }
            let exact = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM person WHERE name_folded = ? ORDER BY id"), arguments: [folded])
            if !exact.isEmpty { return try exact.map(Self.person) }
            let escaped = folded.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                of: "_", with: "\\_")
            return try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT * FROM person WHERE name_folded LIKE ? ESCAPE '\\' OR name_folded LIKE ? ESCAPE '\\' ORDER BY name_folded, id LIMIT 50"
                ), arguments: [escaped + "%", "% " + escaped + "%"]
            ).map(Self.person)
        }
    }

    /// One person's events between two dates, in any role, in the event or one of its sessions.
    /// The lower bound on `start_at` (events last at most 366 days) keeps it one short range of
    /// `participation_by_person_time` instead of the person's whole history.
    public static let personEventsSQL = """
        SELECT event_id FROM participation
        WHERE person_id = ? AND start_at > ? AND start_at < ? AND end_at > ?
        GROUP BY event_id ORDER BY min(start_at), event_id
        """

    public func eventIDs(personID: Int64, from: Instant, to: Instant) async throws -> [Int64] {
        // Not GRDB's synchronous read: it blocks a cooperative thread while waiting for a reader,
        // and with every thread blocked so, the async reads holding the readers never finish.
        try await reading { db in
            try Int64.fetchAll(
                db.cachedStatement(sql: Self.personEventsSQL), arguments: [personID, from.seconds - Limits.year, to.seconds, from.seconds])
        }
    }

    // MARK: Sessions

    func insertSession(_ db: Database, eventID: Int64, event: Event, _ session: Session, participants: [ParticipantDraft]) throws -> Int64 {
        try EventChanges.checkTimes(start: session.start, end: session.end)
        guard session.start >= event.start, session.end <= event.end else {
            throw RegisterError.invalid(
                field: "start", message: "session \(session.title.debugDescription) must lie inside its event (see eventctl show \(eventID))")
        }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM session WHERE uid = ?"), arguments: [session.uid]) == true {
            throw RegisterError.conflict(field: "UID", message: "a session with UID \(session.uid) already belongs to another event")
        }
        try db.cachedStatement(sql: "INSERT INTO session (event_id, uid, title, start_at, end_at, room) VALUES (?, ?, ?, ?, ?, ?)").execute(
            arguments: [eventID, session.uid, session.title, session.start.seconds, session.end.seconds, session.room])
        let sessionID = db.lastInsertedRowID
        for draft in participants {
            try addParticipant(db, eventID: eventID, sessionID: sessionID, draft: draft, start: session.start, end: session.end)
        }
        return sessionID
    }

    // MARK: People

    public func addPerson(_ person: Person) async throws -> Person {
        try await writing { db in
            let stored = try self.insertPerson(db, person)
            try Audit.record(db, "add-person \(stored.id ?? 0) \(stored.name)", now: self.clock())
            return stored
        }
    }

    /// A person by id or email.
    public func person(key: String) async throws -> Person {
        try await reading { db in
            let row: Row?
            if let id = Int64(key) {
                row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM person WHERE id = ?"), arguments: [id])
            } else {
                row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM person WHERE email = ?"), arguments: [key.lowercased()])
            }
            guard let row else { throw RegisterError.notFound(what: "person with id or email", key: key) }
            return try Self.person(row)
        }
    }

    public func people() async throws -> [Person] {
        try await reading { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM person ORDER BY name_folded, id")).map(Self.person)
        }
    }

    public struct Counts: Sendable {
        public var events: Int, sessions: Int, people: Int
    }

    public func counts() async throws -> Counts {
        try await reading { db in
            Counts(
                events: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM event")) ?? 0,
                sessions: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM session")) ?? 0,
                people: try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM person")) ?? 0)
        }
    }

    // MARK: Inside a transaction

    func insertPerson(_ db: Database, _ person: Person) throws -> Person {
        if let email = person.email, try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM person WHERE email = ?"), arguments: [email]) == true {
            throw RegisterError.conflict(field: "email", message: "a person with email \(email) already exists (eventctl person show \(email))")
        }
        try db.cachedStatement(
            sql: "INSERT INTO person (name, name_folded, email, position, organisation, lang, tz, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            person.name, foldedForSearch(person.name), person.email, person.position, person.organisation,
            person.language.rawValue, person.timeZone, clock().seconds,
        ])
        var stored = person
        stored.id = db.lastInsertedRowID
        return stored
    }

    /// Finds the person a reference names; a new name (with or without email) creates one when `create` is set.
    /// A name with an email no one has, when people of that name are in the register, is refused
    /// listing them (the same person with another address, or someone new?) unless `forceNew`,
    /// or `fromFile` (a file cannot be asked; its address makes the person).
    func resolve(
        _ db: Database, _ reference: PersonReference, field: String, create: Bool, forceNew: Bool = false, fromFile: Bool = false
    ) throws -> Person {
        switch reference {
        case .id(let id):
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM person WHERE id = ?"), arguments: [id]) else {
                throw RegisterError.notFound(what: "person with id", key: String(id))
            }
            return try Self.person(row)
        case .email(let email):
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM person WHERE email = ?"), arguments: [email]) else {
                throw RegisterError.invalid(field: field, message: "no person has the email \(email); write \"Full Name <\(email)>\" to add one")
            }
            return try Self.person(row)
        case .named(let name, let email):
            if let email, let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM person WHERE email = ?"), arguments: [email]) {
                return try Self.person(row)
            }
            if email == nil, !(forceNew && create), let person = try Self.onePersonNamed(db, name, field: field) { return person }
            guard create else { throw RegisterError.notFound(what: "person named", key: name) }
            if let email, !forceNew, !fromFile {
                let namesakes = try Self.peopleNamed(db, name)
                if !namesakes.isEmpty {
                    throw RegisterError.conflict(
                        field: field,
                        message: "no person has the email \(email), but \(name.debugDescription) matches \(namesakes.count) \(namesakes.count == 1 ? "person" : "people"): "
                            + "\(peopleList(namesakes)); give their id or email (eventctl person update KEY --email \(email) gives one of them this address), "
                            + "or ask for a new person (--new-person)")
                }
            }
            return try insertPerson(db, Person(name: name, email: email))
        }
    }

    func addParticipant(_ db: Database, eventID: Int64, sessionID: Int64?, draft: ParticipantDraft, start: Instant, end: Instant) throws {
        let field = draft.role.rawValue
        let person = try resolve(db, draft.reference, field: field, create: true, forceNew: draft.forceNew, fromFile: draft.fromFile)
        // A file's CN for an address whose person has another name: kept here, not a rename.
        var nameInFile: String?
        if draft.fromFile, case .named(let name, _) = draft.reference, name.precomposedStringWithCanonicalMapping != person.name.precomposedStringWithCanonicalMapping,
            name.lowercased() != person.email
        {
            nameInFile = name
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO participation (event_id, session_id, person_id, role, required, rsvp, start_at, end_at, name_in_file)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET required = excluded.required
                """
        ).execute(arguments: [
            eventID, sessionID, person.id, draft.role.rawValue, draft.required, draft.rsvp.rawValue, start.seconds, end.seconds, nameInFile,
        ])
    }

    // MARK: Reading rows

    static func loadEvent(_ db: Database, id: Int64) throws -> Event {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM event WHERE id = ?"), arguments: [id]) else {
            throw RegisterError.notFound(what: "event with id", key: String(id))
        }
        let participants = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT p.*, pa.role, pa.required, pa.rsvp, pa.session_id, pa.rsvp_at, pa.rsvp_comment, pa.rsvp_via, pa.name_in_file FROM participation pa
                    JOIN person p ON p.id = pa.person_id WHERE pa.event_id = ? ORDER BY pa.id
                    """), arguments: [id]
        ).map { row in
            Participation(
                person: try person(row), role: try stored(row["role"], "role"), required: row["required"],
                rsvp: try rsvp(row["rsvp"]), sessionID: row["session_id"], answeredAt: (row["rsvp_at"] as Int64?).map(Instant.init(seconds:)),
                comment: row["rsvp_comment"], answeredVia: row["rsvp_via"], nameInFile: row["name_in_file"])
        }
        let sessions = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM session WHERE event_id = ? ORDER BY start_at, id"), arguments: [id])
            .map { row in
                Session(
                    id: row["id"], uid: row["uid"], title: row["title"], start: Instant(seconds: row["start_at"]),
                    end: Instant(seconds: row["end_at"]), room: row["room"])
            }
        let visiting: String? = row["visiting_org"]
        let host: String? = row["host_org"]
        let rule: String? = row["rrule"]
        var event = Event(
            id: row["id"], uid: row["uid"], kind: try stored(row["kind"], "event kind"), title: row["title"],
            description: row["description"], location: row["location"], room: row["room"], preparedBy: row["prepare_org"], link: row["link"],
            start: Instant(seconds: row["start_at"]), end: Instant(seconds: row["end_at"]), timeZone: row["tz"],
            allDay: row["all_day"], status: try stored(row["status"], "event status"), sequence: row["sequence"],
            delegation: visiting.flatMap { v in host.map { Delegation(visiting: v, host: $0) } },
            recurrence: try rule.map { Recurrence(rule: $0, exceptions: try StoredList.instants(row["exdates"], "excluded dates")) },
            reminders: try (row["reminders"] as String?).map { try StoredList.decode($0, "reminders") },
            created: Instant(seconds: row["created_at"]), updated: Instant(seconds: row["updated_at"]),
            participants: participants, sessions: sessions)
        try CalendarFields.load(db, row: row, into: &event)
        return event
    }

    static func person(_ row: Row) throws -> Person {
        Person(
            id: row["id"], name: row["name"], email: row["email"], position: row["position"],
            organisation: row["organisation"], language: try stored(row["lang"], "language"), timeZone: row["tz"])
    }
}
