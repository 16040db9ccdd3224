import EventAPI
import EventCalendar
import EventMail
import EventModel
import EventStore
import Foundation

/// What attendees send back (iTIP, RFC 5546): a REPLY sets that attendee's answer, a COUNTER
/// is kept as a proposal for the organizer. Neither ever rewrites the event. Each is checked
/// inside the transaction that records it: the event must exist, the attendee must be on it (or
/// be the delegate of one who is), the SEQUENCE must not be older than the event's, an
/// occurrence must be one the series has, and the sender (when the answer came by mail) must be
/// the attendee, or named by them in SENT-BY *and* known to the register as one who may answer
/// for them (their assistant): the sender's own claim is no authority.
///
/// Answers are written through `EventWriter.answer`, the write path of every change, so the
/// feeds (PARTSTAT in each ATTENDEE line) are marked once the answer is committed.
struct ReplyDesk: Sendable {
    let writer: EventWriter
    let maxOccurrences: Int

    /// `vouched`: the receiving server's Authentication-Results passed for the sender.
    func receive(_ message: ParsedMessage, sender: String?, vouched: Bool = false) async throws -> [ReplyResult] {
        let method = message.method ?? ""
        guard method == "REPLY" || method == "COUNTER" else {
            throw RegisterError.invalid(field: "METHOD", message: "expected REPLY or COUNTER, found \(message.method ?? "none")")
        }
        guard !message.events.isEmpty else { throw RegisterError.invalid(field: "VEVENT", message: "the \(method) holds no VEVENT") }
        let maxOccurrences = maxOccurrences
        // Every VEVENT of one message in one transaction: one refused leaves the others unwritten too.
        return try await writer.answer { context in
            let results = try message.events.flatMap { parsed in
                try Self.apply(parsed, method: method, sender: sender, vouched: vouched, maxOccurrences: maxOccurrences, context: context)
            }
            // A COUNTER is a proposal for the organizer: no feed shows it.
            return (results, results.filter { $0.answer != nil }.map(\.eventId))
        }
    }

    private static func apply(
        _ parsed: ParsedEvent, method: String, sender: String?, vouched: Bool, maxOccurrences: Int, context: WriteContext
    ) throws -> [ReplyResult] {
        guard let event = try context.event(uid: parsed.uid), let eventID = event.id else {
            throw RegisterError.notFound(what: "event with UID", key: parsed.uid)
        }
        guard parsed.sequence >= event.sequence else {
            throw RegisterError.conflict(
                field: "SEQUENCE",
                message: "the \(method) answers SEQUENCE \(parsed.sequence) of event \(eventID), which is now at SEQUENCE \(event.sequence); an answer to an older version changes nothing")
        }
        if let occurrence = parsed.recurrenceID { try checkOccurrence(occurrence, day: parsed.recurrenceIDDay, of: event, maxOccurrences: maxOccurrences) }
        let attendees = parsed.attendees.filter { $0.email != nil }
        guard !attendees.isEmpty else { throw RegisterError.invalid(field: "ATTENDEE", message: "the \(method) names no attendee with an email") }
        return try attendees.compactMap { attendee in
            let email = attendee.email!.lowercased()
            guard let person = event.participants.first(where: { $0.person.email?.lowercased() == email })?.person, let personID = person.id else {
                if method == "REPLY", let from = attendee.delegatedFrom?.lowercased() {
                    // The delegator's own REPLY may name the delegate too, not yet answering
                    // (RFC 5546 4.2.5): that line only says to whom, which the delegator's own says.
                    if sender?.lowercased() == from || sender == nil, attendee.rsvp == nil || attendee.rsvp == .needsAction,
                        parsed.attendees.contains(where: { $0.email?.lowercased() == from && $0.rsvp == .delegated })
                    {
                        return nil
                    }
                    return try delegateAnswer(attendee, email: email, delegator: from, parsed: parsed, event: event, sender: sender, vouched: vouched, context: context)
                }
                throw RegisterError.notFound(what: "invited person of event \(eventID) with the address", key: email)
            }
            let via = try self.via(sender: sender, answering: email, personID: personID, sentBy: attendee.sentBy, vouched: vouched, context: context)
            var result = ReplyResult(method: method, eventId: eventID, uid: event.uid, person: person.name, email: email, via: via)
            if method == "COUNTER" {
                guard parsed.startGiven else { throw RegisterError.invalid(field: "DTSTART", message: "a COUNTER proposes a time; it needs DTSTART") }
                try context.record(
                    Proposal(personID: personID, occurrence: parsed.recurrenceID, start: parsed.start, end: parsed.end, comment: parsed.comment, receivedAt: context.now, via: via),
                    eventID: eventID)
                result.proposedStart = parsed.start.seconds
                result.proposedEnd = parsed.end.seconds
                return result
            }
            guard let rsvp = attendee.rsvp, rsvp != .needsAction else {
                throw RegisterError.invalid(field: "PARTSTAT", message: "the REPLY of \(email) says neither ACCEPTED, DECLINED, TENTATIVE nor DELEGATED")
            }
            var comment = parsed.comment
            if rsvp == .delegated, let to = attendee.delegatedTo {
                let delegates = MailAddress.list(to.replacingOccurrences(of: "mailto:", with: "", options: .caseInsensitive))
                for delegate in delegates {
                    try context.recordDelegation(eventID: eventID, personID: personID, occurrence: parsed.recurrenceID, delegate: delegate)
                }
                comment = ["delegated to \(delegates.joined(separator: ", "))", comment].compactMap { $0 }.joined(separator: "; ")
            }
            try context.record(Answer(rsvp: rsvp, comment: comment, occurrence: parsed.recurrenceID, via: via), eventID: eventID, personID: personID)
            result.answer = rsvp.rawValue
            result.occurrence = parsed.recurrenceID?.seconds
            return result
        }
    }

    /// How an answer came, or a refusal: by mail it must come from the attendee, or from an
    /// address the attendee names in SENT-BY that the register knows may answer for them.
    private static func via(sender: String?, answering email: String, personID: Int64, sentBy: String?, vouched: Bool, context: WriteContext) throws -> String {
        let checked = vouched ? ", sender checked by the mail server" : ""
        guard let from = sender?.lowercased() else { return "import by \(Caller.current?.user ?? "eventd")" }
        if from == email { return "mail from \(email)\(checked)" }
        guard sentBy?.lowercased() == from else {
            throw RegisterError.forbidden(
                field: "From", message: "the answer for \(email) came from \(from), who is neither that attendee nor named by them in SENT-BY")
        }
        guard try context.mayAnswer(sender: from, for: personID) else {
            throw RegisterError.forbidden(
                field: "SENT-BY",
                message: "\(from) may answer for \(email) only once the register says so (eventctl person update \(email) --assistant \(from)); a SENT-BY alone is the sender's own claim")
        }
        return "mail from \(from) for \(email)\(checked)"
    }

    /// A REPLY from someone a participant delegated to (DELEGATED-FROM): recorded beside the
    /// delegation, which the delegator's own REPLY must have recorded first.
    private static func delegateAnswer(
        _ attendee: ParsedPerson, email: String, delegator: String, parsed: ParsedEvent, event: Event, sender: String?, vouched: Bool,
        context: WriteContext
    ) throws -> ReplyResult {
        let eventID = event.id ?? 0
        guard let from = event.participants.first(where: { $0.person.email?.lowercased() == delegator })?.person, let fromID = from.id else {
            throw RegisterError.notFound(what: "invited person of event \(eventID) with the address", key: "\(delegator) (named in DELEGATED-FROM by \(email))")
        }
        if let sender, sender.lowercased() != email {
            throw RegisterError.forbidden(field: "From", message: "the answer of the delegate \(email) came from \(sender); a delegate answers for themselves")
        }
        guard let rsvp = attendee.rsvp, rsvp != .needsAction, rsvp != .delegated else {
            throw RegisterError.invalid(field: "PARTSTAT", message: "the REPLY of the delegate \(email) says neither ACCEPTED, DECLINED nor TENTATIVE")
        }
        let via = sender == nil ? "import by \(Caller.current?.user ?? "eventd")" : "mail from \(email)\(vouched ? ", sender checked by the mail server" : ""), delegate of \(delegator)"
        let answer = Answer(rsvp: rsvp, comment: parsed.comment, occurrence: parsed.recurrenceID, via: via)
        guard try context.recordDelegateAnswer(eventID: eventID, delegator: fromID, delegate: email, name: attendee.name, occurrence: parsed.recurrenceID, answer: answer) else {
            throw RegisterError.conflict(
                field: "DELEGATED-FROM",
                message: "\(from.name) <\(delegator)> has not delegated event \(eventID) to \(email); their REPLY with PARTSTAT=DELEGATED;DELEGATED-TO must come first")
        }
        var result = ReplyResult(method: "REPLY", eventId: eventID, uid: event.uid, person: attendee.name ?? email, email: email, via: via)
        result.answer = rsvp.rawValue
        result.occurrence = parsed.recurrenceID?.seconds
        return result
    }

    /// A RECURRENCE-ID must name an occurrence the event has: one of its rule or RDATEs, as
    /// first planned (a moved occurrence keeps its first start as its RECURRENCE-ID), or the start of
    /// an event that does not repeat.
    private static func checkOccurrence(_ occurrence: Instant, day: String?, of event: Event, maxOccurrences: Int) throws {
        let zone = try Zone(event.timeZone)
        let name = zone.display(occurrence, dateOnly: event.allDay)
        guard event.recurrence != nil else {
            if occurrence == event.start || (event.allDay && day == RecurrenceRule.day(zone.civil(event.start))) { return }
            throw RegisterError.notFound(what: "occurrence of event \(event.id ?? 0) (it does not repeat) at", key: name)
        }
        // A moved occurrence keeps its first start as its RECURRENCE-ID, wherever it went.
        if event.recurrence?.overrides.contains(where: { $0.recurrenceID == occurrence }) == true { return }
        let found: [Occurrence]
        do {
            found = try RecurrenceRule.occurrences(of: event, from: occurrence.adding(seconds: -86_400), to: occurrence.adding(seconds: 2 * 86_400), limit: maxOccurrences)
        } catch {
            throw RegisterError.invalid(field: "RECURRENCE-ID", message: error.description)
        }
        let matches = found.contains { o in
            o.recurrenceID == occurrence || (event.allDay && day.map { $0 == RecurrenceRule.day(zone.civil(o.recurrenceID)) } ?? false)
        }
        guard matches else { throw RegisterError.notFound(what: "occurrence of event \(event.id ?? 0) at", key: name) }
    }
}

