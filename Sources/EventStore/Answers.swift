import EventModel
import Foundation
import GRDB

extension WriteContext {
    /// The event with this id as stored now, inside the transaction.
    public func event(id: Int64) throws -> Event {
        try SQLiteStore.loadEvent(db, id: id)
    }

    /// The event with this UID as stored now, inside the transaction.
    public func event(uid: String) throws -> Event? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM event WHERE uid = ?"), arguments: [uid]).map {
            try SQLiteStore.loadEvent(db, id: $0)
        }
    }

    /// Records a person's answer: for the whole event on each of their participations, or for one occurrence.
    public func record(_ answer: Answer, eventID: Int64, personID: Int64) throws {
        if let occurrence = answer.occurrence {
            try db.cachedStatement(
                sql: """
                    INSERT INTO occurrence_answer (event_id, person_id, occurrence, rsvp, comment, answered_at, via) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET rsvp = excluded.rsvp, comment = excluded.comment, answered_at = excluded.answered_at, via = excluded.via
                    """
            ).execute(arguments: [eventID, personID, occurrence.seconds, answer.rsvp.rawValue, answer.comment, now.seconds, answer.via])
        } else {
            try db.cachedStatement(
                sql: "UPDATE participation SET rsvp = ?, rsvp_at = ?, rsvp_comment = ?, rsvp_via = ? WHERE event_id = ? AND person_id = ?"
            ).execute(arguments: [answer.rsvp.rawValue, now.seconds, answer.comment, answer.via, eventID, personID])
        }
        let when = answer.occurrence.map { " for the occurrence at \($0.seconds)" } ?? ""
        try Audit.record(db, "answer \(answer.rsvp.rawValue) person \(personID)\(when) (\(answer.via))", eventID: eventID, now: now)
    }

    /// Keeps a COUNTER for the organizer to see.
    public func record(_ proposal: Proposal, eventID: Int64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO proposal (event_id, person_id, occurrence, start_at, end_at, comment, received_at, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            eventID, proposal.personID, proposal.occurrence?.seconds, proposal.start.seconds, proposal.end.seconds, proposal.comment, now.seconds,
            proposal.via,
        ])
        try Audit.record(db, "counter-proposal person \(proposal.personID) (\(proposal.via))", eventID: eventID, now: now)
    }
}

extension SQLiteStore {
    /// Answers for single occurrences of an event, by start.
    public func occurrenceAnswers(eventID: Int64) async throws -> [OccurrenceAnswer] {
        try await reading { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM occurrence_answer WHERE event_id = ? ORDER BY occurrence, person_id"), arguments: [eventID]
            ).map { row in
                OccurrenceAnswer(
                    personID: row["person_id"], occurrence: Instant(seconds: row["occurrence"]), rsvp: try Self.rsvp(row["rsvp"]),
                    comment: row["comment"], answeredAt: Instant(seconds: row["answered_at"]), via: row["via"])
            }
        }
    }

    /// COUNTER proposals for an event, oldest first.
    public func proposals(eventID: Int64) async throws -> [Proposal] {
        try await reading { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM proposal WHERE event_id = ? ORDER BY received_at, id"), arguments: [eventID]).map
            { row in
                Proposal(
                    id: row["id"], personID: row["person_id"], occurrence: (row["occurrence"] as Int64?).map(Instant.init(seconds:)),
                    start: Instant(seconds: row["start_at"]), end: Instant(seconds: row["end_at"]), comment: row["comment"],
                    receivedAt: Instant(seconds: row["received_at"]), via: row["via"])
            }
        }
    }

    static func rsvp(_ text: String) throws -> RSVPState { try stored(text, "answer") }

}

/// A participant's delegation of their part (RFC 5546 3.2.2.3), and the delegate's answer once it comes.
public struct AnswerDelegation: Sendable, Equatable {
    public var personID: Int64
    public var occurrence: Instant?
    public var delegate: String
    public var delegateName: String?
    public var rsvp: RSVPState?
    public var comment: String?
    public var answeredAt: Instant?
    public var via: String?
}

extension WriteContext {
    /// Whether `sender` may answer for person `personID`: the register names it as their assistant.
    public func mayAnswer(sender: String, for personID: Int64) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM person_assistant WHERE person_id = ? AND email = ?)"),
            arguments: [personID, sender.lowercased()]) ?? false
    }

    /// Records that `personID` delegated their part to `delegate` (for one occurrence, or all).
    public func recordDelegation(eventID: Int64, personID: Int64, occurrence: Instant?, delegate: String) throws {
        try db.cachedStatement(
            sql: "DELETE FROM delegation WHERE event_id = ? AND person_id = ? AND delegate = ? AND occurrence IS ?"
        ).execute(arguments: [eventID, personID, delegate.lowercased(), occurrence?.seconds])
        try db.cachedStatement(
            sql: "INSERT INTO delegation (event_id, person_id, occurrence, delegate) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [eventID, personID, occurrence?.seconds, delegate.lowercased()])
    }

    /// Sets the answer of a delegate whose delegation is recorded; false when none is.
    public func recordDelegateAnswer(
        eventID: Int64, delegator personID: Int64, delegate: String, name: String?, occurrence: Instant?, answer: Answer
    ) throws -> Bool {
        let statement = try db.cachedStatement(
            sql: """
                UPDATE delegation SET delegate_name = ?, rsvp = ?, comment = ?, answered_at = ?, via = ?
                WHERE event_id = ? AND person_id = ? AND delegate = ? AND (occurrence IS ? OR occurrence IS NULL)
                """)
        try statement.execute(arguments: [
            name, answer.rsvp.rawValue, answer.comment, now.seconds, answer.via, eventID, personID, delegate.lowercased(), occurrence?.seconds,
        ])
        guard db.changesCount > 0 else { return false }
        try Audit.record(db, "answer \(answer.rsvp.rawValue) of \(delegate.lowercased()), delegate of person \(personID) (\(answer.via))", eventID: eventID, now: now)
        return true
    }

    /// Replaces the addresses that may answer for a person.
    public func setAssistants(personID: Int64, _ emails: [String]) throws {
        try db.cachedStatement(sql: "DELETE FROM person_assistant WHERE person_id = ?").execute(arguments: [personID])
        for email in Set(emails.map { $0.lowercased() }).sorted() {
            try db.cachedStatement(sql: "INSERT INTO person_assistant (person_id, email) VALUES (?, ?)").execute(arguments: [personID, email])
        }
        try Audit.record(db, "assistants of person \(personID): \(emails.isEmpty ? "none" : emails.joined(separator: ", "))", now: now)
    }
}

extension SQLiteStore {
    /// The addresses that may answer for a person, sorted.
    public func assistants(personID: Int64) async throws -> [String] {
        try await reading { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT email FROM person_assistant WHERE person_id = ? ORDER BY email"), arguments: [personID])
        }
    }

    /// The delegations of an event's participants, with the delegates' answers.
    public func delegations(eventID: Int64) async throws -> [AnswerDelegation] {
        try await reading { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM delegation WHERE event_id = ? ORDER BY id"), arguments: [eventID]).map { row in
                AnswerDelegation(
                    personID: row["person_id"], occurrence: (row["occurrence"] as Int64?).map(Instant.init(seconds:)), delegate: row["delegate"],
                    delegateName: row["delegate_name"], rsvp: try (row["rsvp"] as String?).map(Self.rsvp), comment: row["comment"],
                    answeredAt: (row["answered_at"] as Int64?).map(Instant.init(seconds:)), via: row["via"])
            }
        }
    }
}
