import EventAPI
import EventCalendar
import EventModel
import EventStore
import Foundation
import Hummingbird

/// Events and their sessions: add, list, show, change, cancel, delete, invite, and the clashes
/// among them. Every change goes through the `EventWriter`.
extension Routes {
    func registerEvents(on v1: RouterGroup<APIContext>) {
        v1.get("events") { request, _ in
            let query = request.uri.queryParameters
            let readersZone = try readerZone(query)
            let (from, to) = try reader.range(from: query.get("from"), to: query.get("to"))
            let kind = try query.get("kind").map { text in
                guard let kind = EventKind(rawValue: text) else {
                    throw RegisterError.invalid(
                        field: "kind", message: "unknown kind \(text.debugDescription); one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
            let limit = try self.limit(query)
            let events = try await filtered(try await store.events(from: from, to: to, kind: kind), query)
            guard from != nil || to != nil else { return try json(events.prefix(limit).map { Views.event($0, reader: readersZone) }) }
            return try json(Array(try occurrences(of: events, from: from, to: to, reader: readersZone).prefix(limit)))
        }
        v1.post("events") { request, _ in
            try json(view(try await writer.create(try await decode(EventInput.self, from: request))), status: .created)
        }
        v1.get("events/:id") { request, context in
            let key = try context.parameters.require("id")
            guard key.hasSuffix(".ics") else {
                let readersZone = try readerZone(request.uri.queryParameters)
                return try json(Views.event(try await store.event(id: try id(key)), reader: readersZone))
            }
            return try await calendar(eventID: try id(String(key.dropLast(4))), method: request.uri.queryParameters.get("method"))
        }
        v1.patch("events/:id") { request, context in
            try json(view(try await writer.update(id: try id(context), try await decode(EventInput.self, from: request))))
        }
        v1.post("events/:id/cancel") { _, context in
            try json(Views.event(try await writer.cancel(id: try id(context))))
        }
        v1.delete("events/:id") { _, context in
            try await writer.delete(id: try id(context))
            return Response(status: .noContent)
        }
        v1.post("events/:id/sessions") { request, context in
            let (written, session) = try await writer.addSession(eventID: try id(context), try await decode(SessionInput.self, from: request))
            return try json(view(session, written), status: .created)
        }
        v1.patch("events/:id/sessions/:sid") { request, context in
            let (written, session) = try await writer.updateSession(
                eventID: try id(context), sessionID: try sessionKey(context), try await decode(SessionPatch.self, from: request))
            return try json(try view(session, written))
        }
        v1.delete("events/:id/sessions/:sid") { _, context in
            try await writer.deleteSession(eventID: try id(context), sessionID: try sessionKey(context))
            return Response(status: .noContent)
        }
        v1.post("events/:id/invite") { _, context in
            let (event, drafts) = try await writer.invite(eventID: try id(context))
            let messageIDs = Set(drafts.compactMap(\.messageID))
            let queued = try await store.notices(state: nil, eventID: event.id).filter { messageIDs.contains($0.messageID) }.map { noticeView($0) }
            return try json(InviteView(queued: queued, notInvited: writer.planner.uninvitable(event).map(\.name)), status: .accepted)
        }
        v1.get("conflicts") { request, _ in
            let query = request.uri.queryParameters
            let (from, to) = try agendaRange(from: query.get("from"), to: query.get("to"), days: config.recurrenceHorizonDays)
            let events = try await store.events(from: from, to: to, kind: nil)
            return try json(try scheduling.clashes(among: events, from: from, to: to).map(\.view))
        }
    }

    /// The event as an iCalendar object: PUBLISH by default, REQUEST or CANCEL on asking.
    private func calendar(eventID: Int64, method text: String?) async throws -> Response {
        guard let method = CalendarMethod(rawValue: (text ?? "publish").uppercased()) else {
            throw RegisterError.invalid(field: "method", message: "unknown method \(text!.debugDescription); one of publish, request, cancel")
        }
        let event = try await store.event(id: eventID)
        let ics = try ICalendarWriter().write(event, method: method, stamp: clock.instant, reminders: config.defaultReminders.map { Int($0) })
        return calendarResponse(ics, method: method)
    }

    /// An event as a command left it, with the clashes its change made.
    private func view(_ written: EventWriter.Written) -> EventView {
        var view = Views.event(written.event)
        view.conflicts = written.clashes.map(\.view)
        return view
    }

    /// A session as a command left it, with the clashes its change made.
    func view(_ session: Session, _ written: EventWriter.Written) throws -> SessionView {
        var view = Views.session(session, of: written.event, zone: try Zone(written.event.timeZone))
        view.conflicts = written.clashes.map(\.view)
        return view
    }
}
