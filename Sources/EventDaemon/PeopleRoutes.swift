import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird

/// People: added, found, changed, merged and deleted; their agendas and their feed addresses.
extension Routes {
    func registerPeople(on v1: RouterGroup<APIContext>) {
        v1.get("people") { _, _ in try json(try await store.people().map(Views.person)) }
        v1.post("people") { request, _ in
            let person = try reader.person(try await decode(PersonInput.self, from: request))
            return try json(Views.person(try await store.addPerson(person)), status: .created)
        }
        v1.get("people/:key") { _, context in
            let person = try await onePerson(matching: try key(context))
            var view = Views.person(person)
            view.assistants = try await store.assistants(personID: person.id!)
            return try json(view)
        }

        v1.patch("people/:key") { request, context in
            let person = try await onePerson(matching: try key(context))
            let patch = try await decode(PersonPatch.self, from: request)
            let changes = try personChanges(patch)
            let assistants = try patch.assistants.map { list in
                try list.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { try TextRules.email($0, field: "assistants").lowercased() }
            }
            let (updated, events) = try await store.updatePerson(id: person.id!, changes)
            if let assistants { try await store.write { context in try context.setAssistants(personID: person.id!, assistants) } }
            feeds.touched(FeedMarks(events: events, people: [person.id!]))
            var view = Views.person(updated)
            view.assistants = try await store.assistants(personID: person.id!)
            return try json(view)
        }
        v1.post("people/:key/merge") { request, context in
            let duplicate = try await onePerson(matching: try key(context))
            let input = try await decode(MergeInput.self, from: request)
            let kept = try await onePerson(matching: input.into)
            let (merged, events) = try await store.mergePeople(duplicate: duplicate.id!, into: kept.id!)
            feeds.touched(FeedMarks(events: events, people: [kept.id!]))
            return try json(Views.person(merged))
        }
        v1.delete("people/:key") { request, context in
            let person = try await onePerson(matching: try key(context))
            let force = request.uri.queryParameters.get("force").map { $0 == "1" || $0 == "true" } ?? false
            let events = try await store.deletePerson(id: person.id!, force: force)
            feeds.touched(FeedMarks(events: events, people: [person.id!]))
            return Response(status: .noContent)
        }
        v1.get("people/:key/agenda") { request, context in
            let person = try await onePerson(matching: try key(context))
            let query = request.uri.queryParameters
            let (from, to) = try agendaRange(from: query.get("from"), to: query.get("to"))
            let role = try query.get("role").map { text in
                guard let role = Role(rawValue: text) else {
                    throw RegisterError.invalid(field: "role", message: "unknown role \(text.debugDescription); one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return role
            }
            let events = try await store.events(ofPerson: person.id!, from: from, to: to)
            let agenda = try scheduling.agenda(of: person, events: events, from: from, to: to, role: role)
            switch query.get("format") ?? "json" {
            case "json": return try json(agenda)
            case "ics":
                let ids = Set(agenda.days.flatMap(\.entries).map(\.eventId))
                let subscription = ICalendarWriter.Subscription(name: "Lịch công tác — \(person.name)", refreshInterval: 3600)
                return try calendarResponse(
                    ICalendarWriter().write(
                        events.filter { ids.contains($0.id ?? 0) }, method: .publish, stamp: clock.instant,
                        reminders: config.defaultReminders.map { Int($0) }, subscription: subscription),
                    method: .publish)
            case let other: throw RegisterError.invalid(field: "format", message: "unknown format \(other.debugDescription); json or ics")
            }
        }
        v1.post("people/:key/feed") { _, context in try await feedURL(context, rotate: false) }
        v1.post("people/:key/feed/rotate") { _, context in try await feedURL(context, rotate: true) }
    }

    /// The person's feed addresses; `rotate` revokes the old token first.
    private func feedURL(_ context: APIContext, rotate: Bool) async throws -> Response {
        let person = try await onePerson(matching: try key(context))
        let (token, new) = try await store.feedToken(personID: person.id!, rotate: rotate)
        if new { feeds.touched(FeedMarks(people: [person.id!])) }
        let https = "\(config.feedsBase)/feeds/people/\(token).ics"
        let webcal = "webcal://" + https.drop { $0 != ":" }.dropFirst(3)
        var view = FeedURLView(person: Views.person(person), token: token, https: https, webcal: String(webcal))
        // Issue 20: a new token's address was a 404 until the next feed pass wrote the file
        // (feeds_delay later). The answer waits for the file, as long as a pass may wait for
        // quiet (ten delays) and a little more; past that it says the file is still to come.
        let file = feeds.directory + "/people/\(token).ics"
        let deadline = clock.now().addingTimeInterval(min(60, 10 * config.feedsDelay + 5))
        while access(file, F_OK) != 0 {
            guard clock.now() < deadline else {
                view.pending = true
                break
            }
            try await clock.sleep(seconds: 0.02)
        }
        return try json(view)
    }

    /// The person a route names in its path: an id, an email or a name, percent-decoded.
    private func key(_ context: APIContext) throws -> String {
        let key = try context.parameters.require("key")
        return key.removingPercentEncoding ?? key
    }
}
