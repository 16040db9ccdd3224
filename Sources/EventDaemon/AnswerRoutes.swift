import EventAPI
import EventCalendar
import EventMail
import EventModel
import EventStore
import Foundation
import Hummingbird

/// Calendars coming in: an import (PUBLISH, REQUEST, or a CANCEL), the answers attendees send
/// (REPLY, COUNTER, by file or by mail), and answers recorded by hand.
extension Routes {
    func registerAnswers(on v1: RouterGroup<APIContext>) {
        v1.post("import") { request, _ in
            let text = String(decoding: try await body(of: request, limit: config.maxImportBytes, setting: "max_import_bytes"), as: UTF8.self)
            let config = self.config
            let remind = try request.uri.queryParameters.get("remind").map { text in
                guard let value = ["true": true, "1": true, "false": false, "0": false][text] else {
                    throw RegisterError.invalid(field: "remind", message: "must be true or false")
                }
                return value
            } ?? false
            // One budget for the whole request: reading, planning and storing.
            let budget = WorkBudget(what: "POST /v1/import", seconds: config.maxRequestSeconds)
            let message = try await work.run(budget) {
                try Self.parseCalendar(text, limit: config.maxImportBytes, zone: config.defaultTimeZone)
            }
            switch message.method {
            // Answers to our invitations: they set answers or keep proposals, never rewrite the event.
            case "REPLY"?, "COUNTER"?: return try json(try await replies.receive(message, sender: nil))
            case "CANCEL"?: return try json(try await writer.cancelImported(message))
            case "REFRESH"?, "DECLINECOUNTER"?, "ADD"?:
                throw RegisterError.invalid(field: "METHOD", message: "\(message.method!) is not supported; import a REQUEST, PUBLISH, REPLY, COUNTER or CANCEL")
            default: break
            }
            let plan = try await work.run(budget) {
                do {
                    return try Importer(defaultZone: try Zone(config.defaultTimeZone), maxOccurrences: config.maxOccurrences).plan(message.events)
                } catch let error as CalendarError {
                    throw RegisterError.invalid(field: "calendar", message: error.description)
                }
            }
            let outcome = try await WorkBudget.$current.withValue(budget) {
                try await writer.importEvents(plan.imports, remind: remind)
            }
            Memory.giveBack()
            return try json(
                ImportResult(
                    created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged,
                    skipped: (plan.ignored + outcome.skipped).map { ImportResult.Skipped(uid: $0.uid, reason: $0.reason) }))
        }
        // One RFC 5322 message as an MTA delivers it (eventctl mail-in): its text/calendar part is
        // an answer, and its one From: address must be the attendee who answers (or one the
        // register lets answer for them), vouched for by the receiving server where so configured.
        v1.post("mail-in") { request, _ in
            let bytes = try await body(of: request, limit: config.maxBodyBytes * 8, setting: "eight times max_body_bytes", anyEncoding: true)
            let config = self.config
            let budget = WorkBudget(what: "POST /v1/mail-in", seconds: config.maxRequestSeconds)
            let (mail, message) = try await work.run(budget) {
                let mail: IncomingMail
                do { mail = try IncomingMail(bytes) } catch let error as MailError { throw RegisterError.invalid(field: error.field, message: error.message) }
                guard let calendar = mail.calendar else {
                    throw RegisterError.invalid(field: "message", message: "the message has no text/calendar part")
                }
                return (mail, try Self.parseCalendar(calendar, limit: config.maxBodyBytes, zone: config.defaultTimeZone))
            }
            guard let from = mail.from.first else { throw RegisterError.invalid(field: "From", message: "the message has no From: address") }
            guard mail.from.count == 1 else {
                throw RegisterError.forbidden(
                    field: "From", message: "the message names \(mail.from.count) senders (\(mail.from.joined(separator: ", "))); an answer must come from one address")
            }
            if let refusal = config.mailRequirePass.refusal(from: from, results: mail.authenticationResults, trusted: config.mailAuthservIDs) {
                throw RegisterError.forbidden(field: "From", message: refusal)
            }
            let vouched = SenderCheck.dkimOrSPF.refusal(from: from, results: mail.authenticationResults, trusted: config.mailAuthservIDs) == nil
            let results = try await WorkBudget.$current.withValue(budget) {
                try await replies.receive(message, sender: from, vouched: vouched && !config.mailAuthservIDs.isEmpty)
            }
            return try json(results)
        }
        v1.post("events/:id/rsvp") { request, context in
            let eventID = try id(context)
            let input = try await decode(RSVPInput.self, from: request)
            guard let rsvp = RSVPState(rawValue: input.answer), rsvp != .needsAction else {
                throw RegisterError.invalid(field: "answer", message: "unknown answer \(input.answer.debugDescription); one of accepted, declined, tentative, delegated")
            }
            let comment = try input.comment.map { try TextRules.oneLine($0, field: "comment") }
            let event = try await store.event(id: eventID)
            let occurrence = try input.occurrence.map { text in
                try reader.instant(text, field: "occurrence", zone: event.timeZone)
            }
            let person = try onePerson(matching: input.person, in: event)
            let via = "by hand (\(Caller.current?.user ?? "eventd"))"
            try await writer.answer { context in
                try context.record(Answer(rsvp: rsvp, comment: comment, occurrence: occurrence, via: via), eventID: eventID, personID: person.id!)
                return ((), [eventID])
            }
            var result = ReplyResult(method: "RSVP", eventId: eventID, uid: event.uid, person: person.name, email: person.email ?? "", via: via)
            result.answer = rsvp.rawValue
            result.occurrence = occurrence?.seconds
            return try json(result)
        }
        v1.get("events/:id/answers") { _, context in
            let eventID = try id(context)
            let event = try await store.event(id: eventID)
            let zone = try Zone(event.timeZone)
            var seen = Set<Int64>()
            let people = event.participants.filter { seen.insert($0.person.id ?? 0).inserted }
            let names = Dictionary(people.map { ($0.person.id ?? 0, $0.person.name) }) { a, _ in a }
            let occurrences = try await store.occurrenceAnswers(eventID: eventID).map {
                AnswersView.Occurrence(
                    personId: $0.personID, name: names[$0.personID] ?? "?", occurrence: zone.iso8601($0.occurrence), answer: $0.rsvp.rawValue,
                    comment: $0.comment, answeredAt: zone.iso8601($0.answeredAt), via: $0.via)
            }
            let proposals = try await store.proposals(eventID: eventID).map {
                AnswersView.Proposal(
                    id: $0.id ?? 0, personId: $0.personID, name: names[$0.personID] ?? "?", occurrence: $0.occurrence.map(zone.iso8601),
                    start: zone.iso8601($0.start), end: zone.iso8601($0.end), comment: $0.comment, receivedAt: zone.iso8601($0.receivedAt), via: $0.via)
            }
            let delegates = try await store.delegations(eventID: eventID).map {
                AnswersView.Delegate(
                    personId: $0.personID, name: names[$0.personID] ?? "?", delegate: $0.delegate, delegateName: $0.delegateName,
                    occurrence: $0.occurrence.map(zone.iso8601), answer: $0.rsvp?.rawValue, comment: $0.comment, answeredAt: $0.answeredAt.map(zone.iso8601),
                    via: $0.via)
            }
            return try json(
                AnswersView(
                    eventId: eventID, participants: people.map { Views.participant($0, zone: zone) }, occurrences: occurrences, proposals: proposals,
                    delegates: delegates))
        }
    }

    /// The calendar of an import or an answer, read as eventd reads every calendar.
    private static func parseCalendar(_ text: String, limit: Int, zone: String) throws -> ParsedMessage {
        do {
            return try ICalendarReader(defaultZone: try Zone(zone), maxBytes: limit).parseMessage(text)
        } catch let error as CalendarError {
            throw RegisterError.invalid(field: "calendar", message: error.description)
        }
    }

    private var replies: ReplyDesk { ReplyDesk(writer: writer, maxOccurrences: config.maxOccurrences) }

    /// A participant of `event` named by id, email or name (folded as agendas fold it).
    private func onePerson(matching key: String, in event: Event) throws -> Person {
        var seen = Set<Int64>()
        let people = event.participants.map(\.person).filter { seen.insert($0.id ?? 0).inserted }
        let folded = foldedForSearch(key)
        let matches = people.filter {
            String($0.id ?? 0) == key || $0.email?.lowercased() == key.lowercased() || foldedForSearch($0.name) == folded
        }
        guard matches.count == 1 else {
            if matches.isEmpty { throw RegisterError.notFound(what: "participant of event \(event.id ?? 0) matching", key: key) }
            throw RegisterError.conflict(field: "person", message: "\(key.debugDescription) matches \(matches.count) participants; give an id or an email")
        }
        return matches[0]
    }
}
