import ArgumentParser
import EventAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

@main
enum Entry {
    static func main() {
        // Swift would quietly repair invalid UTF-8 in argv to U+FFFD; refuse it instead.
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) != nil else {
                printError("eventctl: argument \(index) is not valid UTF-8 text; nothing was changed")
                exit(65)  // EX_DATAERR
            }
        }
        Eventctl.main(GlobalOptions.moved(Array(CommandLine.arguments.dropFirst())))
    }
}

/// `--socket` and `--json` are options of each command, but people write them first as with
/// git -C or docker -H: those given before the command are moved behind its name.
enum GlobalOptions {
    static func moved(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--json" || first.hasPrefix("--socket=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--socket", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        // Walk down the command names (eventctl person add ...), then put the options there.
        var command: any ParsableCommand.Type = Eventctl.self
        var path: [String] = []
        while let next = rest.first,
            let sub = command.configuration.subcommands.first(where: { ($0.configuration.commandName ?? $0._commandName) == next })
        {
            path.append(next)
            rest = rest.dropFirst()
            command = sub
        }
        if !command.configuration.subcommands.isEmpty, let fallback = command.configuration.defaultSubcommand {
            path.append(fallback.configuration.commandName ?? fallback._commandName)
        }
        return path + leading + rest
    }
}

struct Eventctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventctl",
        abstract: "Put meetings into eventd's register and read them back.",
        discussion: """
            eventctl talks to eventd over its Unix socket (--socket, $EVENTD_SOCKET, or eventd's default).
            WHEN is ISO 8601 with an offset (2017-03-03T08:00:00+07:00), a local time in the event's zone \
            (2017-03-03 08:00), or day first as agencies write it (3/3/2017 8h30, 14h00 3/3/2017, 8g30 3/3/2017, \
            8 giờ 30 ngày 3/3/2017; 3/3/2017 alone for a whole day), a half-day (sáng 4/7/2022 = 08:00–12:00, \
            chiều 4/7/2022 = 13:00–17:00, 2h chiều 4/7/2022 = 14:00), or a day named from today (hôm nay, ngày mai, \
            thứ Hai tuần sau), with or without diacritics. A person P is "Full Name <email>", a bare name, or an \
            existing person's id or email; a bare name is matched without regard to case or diacritics: one match \
            is that person, several are refused and listed, none makes a new person (--new-person: always new).
            --socket and --json may also come before the command (eventctl --socket S list).
            Exit status: 0 on success; 1 eventd refused the request (nothing was changed); 64 bad usage; \
            65 invalid text; 66 an input file cannot be read; 69 eventd cannot be reached; 70 eventd's answer \
            cannot be read; 73 an output file cannot be written; 74 the connection broke mid-request (the \
            change may or may not have been made: check with show or log); 75 eventd cannot reach its \
            register just now (a full disk): try later; 77 you may not do this (eventd's writers and readers).
            """,
        version: DefaultPaths.version,
        subcommands: [
            Add.self, List.self, Show.self, Update.self, Cancel.self, Delete.self, SessionCommand.self,
            PersonCommand.self, Agenda.self, Conflicts.self, ICS.self, Import.self, Invite.self, Notices.self, Feed.self, Status.self,
            Log.self, Backup.self, RSVP.self, MailIn.self, Schedule.self, Search.self, Export.self,
        ])
}

// MARK: Shared options

struct Connection: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("eventd's Unix socket (default: $EVENTD_SOCKET or eventd's default path).", valueName: "path"))
    var socket: String?

    var client: APIClient { APIClient(http: UnixHTTPClient(socketPath: socket ?? DefaultPaths.socket())) }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts instead of a table.")
    var json = false
}

/// The options `add` and `update` share: every field of an event and its people.
struct EventOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("conference, signing, workshop, visit, ceremony, meeting or online.", valueName: "kind"),
            completion: .list(["conference", "signing", "workshop", "visit", "ceremony", "meeting", "online"]))
    var kind: String?
    @Option(name: .long, help: ArgumentHelp("When it starts (see WHEN above).", valueName: "when"))
    var start: String?
    @Option(name: .long, help: ArgumentHelp("When it ends; for a whole-day event, its last day.", valueName: "when"))
    var end: String?
    @Option(name: .long, help: ArgumentHelp("How long it lasts instead of --end: 2h, 90m, 1h30m, 2d (default 1h, or 1 day).", valueName: "duration"))
    var duration: String?
    @Option(name: .long, help: ArgumentHelp("IANA time zone of the times given (default: eventd's, Asia/Ho_Chi_Minh).", valueName: "zone"))
    var tz: String?
    @Option(name: .long, help: ArgumentHelp("Where it takes place.", valueName: "place"))
    var location: String?
    @Option(name: .long, help: ArgumentHelp("The room or hall it books; two events in one room at once clash.", valueName: "room"))
    var room: String?
    @Option(name: .long, help: ArgumentHelp("The unit that prepares it (chuẩn bị), shown in the weekly schedule.", valueName: "org"))
    var prepare: String?
    @Flag(name: .long, help: "A bare name makes a new person even when the register has someone of that name.")
    var newPerson = false
    @Option(name: .long, help: ArgumentHelp("Online join link (http or https).", valueName: "url"))
    var link: String?
    @Option(name: .long, help: ArgumentHelp("Longer text; may span lines.", valueName: "text"))
    var description: String?
    @Option(name: .long, help: ArgumentHelp("tentative, confirmed (default) or cancelled.", valueName: "status"),
            completion: .list(["tentative", "confirmed", "cancelled"]))
    var status: String?
    @Option(name: .long, help: ArgumentHelp("Organiser of the event.", valueName: "P"))
    var organizer: [String] = []
    @Option(name: .long, help: ArgumentHelp("Chairs (and heads of delegations on a visit).", valueName: "P"))
    var chair: [String] = []
    @Option(name: .long, help: ArgumentHelp("Speakers and presenters.", valueName: "P"))
    var speaker: [String] = []
    @Option(name: .long, help: ArgumentHelp("Witnesses (of a signing).", valueName: "P"))
    var witness: [String] = []
    @Option(name: .long, help: ArgumentHelp("Required attendees.", valueName: "P"))
    var attendee: [String] = []
    @Option(name: .long, help: ArgumentHelp("Optional attendees.", valueName: "P"))
    var optional: [String] = []
    @Option(name: .long, help: ArgumentHelp("Visiting delegation's organisation (kind visit).", valueName: "org"))
    var visiting: String?
    @Option(name: .long, help: ArgumentHelp("Host organisation (kind visit).", valueName: "org"))
    var host: String?
    @Option(name: .long, help: ArgumentHelp("Repeat by an RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10 (\"\" stops repeating).", valueName: "rule"))
    var rrule: String?
    @Option(name: .long, help: ArgumentHelp("An occurrence that does not take place: its start, or a date alone for every occurrence that day (repeat for more; on update, added to those already out).", valueName: "when"))
    var exdate: [String] = []
    @Flag(name: .long, help: "Refuse the change if it makes a clash (a person in two places, too little travel time, a room booked twice); default: warn.")
    var strict = false
    @Option(name: .long, help: ArgumentHelp("A reminder this long before each occurrence, for everyone or :speakers or :organizers (1d, 2h:speakers, 30s; 2d:unanswered sends the invitation again to whoever has not answered); repeat for more, \"none\" for none; replaces the list.", valueName: "offset"))
    var remind: [String] = []

    func input(title: String?) -> EventInput {
        var input = EventInput()
        input.title = title
        input.kind = kind
        input.start = start
        input.end = end
        input.duration = duration
        input.tz = tz
        input.location = location
        input.room = room
        input.prepare = prepare
        input.link = link
        input.description = description
        input.status = status
        input.visiting = visiting
        input.host = host
        input.rrule = rrule
        input.exdates = exdate.isEmpty ? nil : exdate
        input.strict = strict ? true : nil
        input.reminders = remind.isEmpty ? nil : remind
        let roles: [(String, [String], Bool)] = [
            ("organizer", organizer, true), ("chair", chair, true), ("speaker", speaker, true),
            ("witness", witness, true), ("attendee", attendee, true), ("attendee", optional, false),
        ]
        let people = roles.flatMap { role, people, required in
            people.map { ParticipantInput(person: $0, role: role, required: required ? nil : false, new: newPerson ? true : nil) }
        }
        input.participants = people.isEmpty ? nil : people
        return input
    }
}

// MARK: Events

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add an event; prints its id alone, so scripts can capture it.",
        discussion: "Example: eventctl add \"Hội nghị ...\" --kind conference --start \"3/3/2017 8h00\" --duration 3h30m --location \"Thái Nguyên\" --witness \"Phan Chí Hiếu <hieu@example.vn>\"")

    @Argument(help: "The event's title.") var title: String
    @OptionGroup var event: EventOptions
    @OptionGroup var connection: Connection

    func validate() throws {
        if event.kind == nil { throw ValidationError("--kind is required: conference, signing, workshop, visit, ceremony, meeting or online") }
        if event.start == nil { throw ValidationError("--start is required, e.g. --start \"3/3/2017 8h30\"") }
    }

    func run() throws {
        let created: EventView = try connection.client.call("POST", "/v1/events", body: event.input(title: title), expect: 201)
        warn(created.conflicts)
        print(created.id)
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List events in order of start, optionally in a time range.")

    @OptionGroup var range: EventRange
    @OptionGroup var filter: EventFilter
    @OptionGroup var paging: Paging
    @OptionGroup var language: LangOption
    @OptionGroup var reader: ReaderZone
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let path = "/v1/events" + queryString(range.query + filter.query + paging.query(json: output.json) + reader.query)
        let client = reader.client(connection)
        if output.json {
            try client.printRaw("GET", path)
            return
        }
        let events = paging.shown(try client.call("GET", path) as [EventView], what: "events by start", narrow: "--from and --to")
        if events.isEmpty {
            printError("no events")
            return
        }
        printEventTable(events, lang: language.lang)
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one event with its people and sessions.")

    @Argument(help: "The event's id.") var id: Int64
    @Flag(name: .long, help: "Print the event's timetable: each session with its speakers and chairs.")
    var agenda = false
    @OptionGroup var reader: ReaderZone
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let path = "/v1/events/\(id)" + queryString(reader.query)
        let client = reader.client(connection)
        if output.json {
            try client.printRaw("GET", path)
        } else {
            let event: EventView = try client.call("GET", path)
            print(agenda ? timetable(event) : describe(event))
        }
    }
}

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change an event: only the options given change; people given are added.",
        discussion: "Moving --start keeps the duration and moves the sessions with it. An empty value (--location \"\") clears a field. Changes of time, place or status raise the event's sequence.")

    @Argument(help: "The event's id.") var id: Int64
    @Option(name: .long, help: ArgumentHelp("New title.", valueName: "title")) var title: String?
    @OptionGroup var event: EventOptions
    @Option(name: .long, help: ArgumentHelp("Take this person off the event.", valueName: "P")) var remove: [String] = []
    @Option(name: .long, help: ArgumentHelp("Put back an occurrence taken out with --exdate (as it was given).", valueName: "when"))
    var removeExdate: [String] = []
    @Option(name: .long, help: ArgumentHelp("Change only the occurrence of a recurring event that starts then: its --start, --end, --duration, --title, --location, --description or --status.", valueName: "when"))
    var occurrence: String?
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        var input = event.input(title: title)
        input.remove = remove.isEmpty ? nil : remove
        // On update --exdate adds to the occurrences already out; the API's `exdates` would replace them.
        input.addExdates = input.exdates
        input.exdates = nil
        input.removeExdates = removeExdate.isEmpty ? nil : removeExdate
        input.occurrence = occurrence
        let updated: EventView = try connection.client.call("PATCH", "/v1/events/\(id)", body: input)
        warn(updated.conflicts)
        try printEvent(updated, json: output.json)
    }
}

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mark an event cancelled (it stays in the register; its sequence goes up).")

    @Argument(help: "The event's id.") var id: Int64
    @Option(name: .long, help: ArgumentHelp("Cancel only the occurrence of a recurring event that starts then.", valueName: "when"))
    var occurrence: String?
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        if let occurrence {
            var input = EventInput()
            input.occurrence = occurrence
            input.status = "cancelled"
            let event: EventView = try connection.client.call("PATCH", "/v1/events/\(id)", body: input)
            if output.json { try printEvent(event, json: true) } else { print("cancelled the occurrence \(occurrence) of event \(event.id) (sequence \(event.sequence))") }
            return
        }
        let event: EventView = try connection.client.call("POST", "/v1/events/\(id)/cancel")
        if output.json { try printEvent(event, json: true) } else { print("cancelled event \(event.id) (sequence \(event.sequence))") }
    }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove an event and its sessions from the register for good.")

    @Argument(help: "The event's id.") var id: Int64
    @OptionGroup var connection: Connection

    func run() throws {
        try connection.client.call("DELETE", "/v1/events/\(id)", expect: 204)
        print("deleted event \(id)")
    }
}

// MARK: Sessions and people

struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "Timetable slots inside an event.", subcommands: [SessionAdd.self, SessionUpdate.self, SessionDelete.self])
}

struct SessionAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a session to an event; prints the session's id.")

    @Argument(help: "The event's id.") var eventID: Int64
    @Argument(help: "The session's title.") var title: String
    @Option(name: .long, help: ArgumentHelp("When it starts, in the event's zone.", valueName: "when")) var start: String
    @Option(name: .long, help: ArgumentHelp("When it ends.", valueName: "when")) var end: String
    @Option(name: .long, help: ArgumentHelp("Room or hall.", valueName: "room")) var room: String?
    @Option(name: .long, help: ArgumentHelp("Speakers in this slot.", valueName: "P")) var speaker: [String] = []
    @Option(name: .long, help: ArgumentHelp("Who chairs this slot.", valueName: "P")) var chair: [String] = []
    @Option(name: .long, help: ArgumentHelp("Who attends this slot.", valueName: "P")) var attendee: [String] = []
    @Flag(name: .long, help: "A bare name makes a new person even when the register has someone of that name.") var newPerson = false
    @Flag(name: .long, help: "Refuse the session if it makes a clash; default: warn.") var strict = false
    @OptionGroup var connection: Connection

    func run() throws {
        let new: Bool? = newPerson ? true : nil
        let people = chair.map { ParticipantInput(person: $0, role: "chair", new: new) } + speaker.map { ParticipantInput(person: $0, role: "speaker", new: new) }
            + attendee.map { ParticipantInput(person: $0, role: "attendee", new: new) }
        let input = SessionInput(title: title, start: start, end: end, room: room, participants: people.isEmpty ? nil : people, strict: strict ? true : nil)
        let session: SessionView = try connection.client.call("POST", "/v1/events/\(eventID)/sessions", body: input, expect: 201)
        warn(session.conflicts)
        print(session.id)
    }
}

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person", abstract: "People in the register.",
        subcommands: [PersonAdd.self, PersonList.self, PersonShow.self, PersonUpdate.self, PersonMerge.self, PersonDelete.self])
}

struct PersonAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a person; prints the new id.")

    @Argument(help: "Full name, with diacritics.") var name: String
    @Option(name: .long, help: ArgumentHelp("Email address (unique).", valueName: "email")) var email: String?
    @Option(name: .long, help: ArgumentHelp("Position, e.g. \"Thứ trưởng Bộ Tư pháp\".", valueName: "title")) var position: String?
    @Option(name: .long, help: ArgumentHelp("Organisation.", valueName: "org")) var org: String?
    @Option(name: .long, help: ArgumentHelp("Language of their notices: vi (default) or en.", valueName: "lang")) var lang: String?
    @Option(name: .long, help: ArgumentHelp("IANA zone their agenda is shown in (default: eventd's).", valueName: "zone")) var tz: String?
    @OptionGroup var connection: Connection

    func run() throws {
        let person: PersonView = try connection.client.call(
            "POST", "/v1/people", body: PersonInput(name: name, email: email, position: position, organisation: org, lang: lang, tz: tz), expect: 201)
        print(person.id)
    }
}

struct PersonList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List everyone in the register.")

    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        if output.json { return try connection.client.printRaw("GET", "/v1/people") }
        let people: [PersonView] = try connection.client.call("GET", "/v1/people")
        printTable(
            header: ["ID", "NAME", "EMAIL", "POSITION", "ORGANISATION", "LANG"],
            rows: people.map { [String($0.id), $0.name, $0.email ?? "", $0.position ?? "", $0.organisation ?? "", $0.lang] })
    }
}

struct PersonShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one person: by id, email, or name without regard to case or diacritics (as agenda).")

    @Argument(help: "The person: id, email or name.") var key: String
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let path = "/v1/people/" + percentEncoded(key)
        if output.json { return try connection.client.printRaw("GET", path) }
        let p: PersonView = try connection.client.call("GET", path)
        print(
            """
            Person \(p.id)
            Name:          \(p.name)
            Email:         \(p.email ?? "-")
            Position:      \(p.position ?? "-")
            Organisation:  \(p.organisation ?? "-")
            Language:      \(p.lang)
            Zone:          \(p.tz ?? "-")
            """)
    }
}

// MARK: Agendas and clashes

struct Agenda: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A person's events and sessions, in time order, grouped by day in their zone.",
        discussion: """
            PERSON is an id, an email, or a name matched without regard to case or diacritics \
            ("phan chi hieu" finds "Phan Chí Hiếu"); a name several people share fails and lists them. \
            Default range: from now, four weeks. A speaker's entries show their slot, the slots before \
            and after it, and who else speaks in it. Recurring events appear once per occurrence.
            """)

    @Argument(help: "The person: id, email or name.") var person: String
    @Option(name: .long, help: ArgumentHelp("Start of the range (default: now).", valueName: "when")) var from: String?
    @Option(name: .long, help: ArgumentHelp("End of the range (default: four weeks after the start).", valueName: "when")) var to: String?
    @Option(name: .long, help: ArgumentHelp("Only entries in this role; speaker gives the speaker agenda.", valueName: "role"),
            completion: .list(["organizer", "chair", "speaker", "witness", "attendee"])) var role: String?
    @Option(name: .long, help: ArgumentHelp("text (default), json or ics.", valueName: "format")) var format = AgendaFormat.text
    @Option(name: .long, help: ArgumentHelp("Language of the text's labels: vi or en (default: the person's).", valueName: "lang"),
            completion: .list(["vi", "en"])) var lang: String?
    @OptionGroup var connection: Connection

    func validate() throws {
        if let lang, !["vi", "en"].contains(lang) { throw ValidationError("--lang must be vi or en") }
    }

    func run() throws {
        var query: [(String, String)] = [("format", format == .ics ? "ics" : "json")]
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        if let role { query.append(("role", role)) }
        let path = "/v1/people/\(percentEncoded(person))/agenda" + queryString(query)
        if format != .text {
            var body = try connection.client.send("GET", path, body: nil as EventInput?, expect: 200)
            if format == .json { body.append(10) }
            return FileHandleOutput.write(body)
        }
        let agenda: AgendaView = try connection.client.call("GET", path)
        print(describe(agenda, lang: lang))
    }
}

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every clash: a person in two places at once, too little travel time between places, a room booked twice.")

    @Option(name: .long, help: ArgumentHelp("Start of the range (default: now).", valueName: "when")) var from: String?
    @Option(name: .long, help: ArgumentHelp("End of the range (default: a year after the start).", valueName: "when")) var to: String?
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        var query: [(String, String)] = []
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        let path = "/v1/conflicts" + queryString(query)
        if output.json { return try connection.client.printRaw("GET", path) }
        let clashes: [ConflictView] = try connection.client.call("GET", path)
        if clashes.isEmpty { return printError("no clashes") }
        for clash in clashes { print("\(clash.kind): \(clash.message)") }
    }
}

// MARK: Notices

struct Invite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send an iMIP invitation (METHOD:REQUEST) to every participant with an email, through the mail hook.")

    @Argument(help: "The event's id.") var id: Int64
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let result: InviteView = try connection.client.call("POST", "/v1/events/\(id)/invite", body: nil as EventInput?, expect: 202)
        if output.json { return try printJSON(result) }
        print("queued \(result.queued.count) invitation(s): \(result.queued.map(\.recipient).joined(separator: ", "))")
        if !result.notInvited.isEmpty { print("not invited (no email): \(result.notInvited.joined(separator: ", "))") }
    }
}

struct Notices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The outbox: reminders, invitations, updates and cancellations, with their state.",
        discussion: "States: pending (waiting for its time or a retry), sending, sent, failed (attempts used up; see the error), skipped (too late, or cancelled).",
        subcommands: [NoticesList.self, NoticesRetry.self, NoticesCancel.self], defaultSubcommand: NoticesList.self)
}

struct NoticesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List notices (the default).")

    @Option(name: .long, help: ArgumentHelp("pending, sending, sent, failed or skipped.", valueName: "state")) var state: NoticeStateChoice?
    @Option(name: .long, help: ArgumentHelp("Only the notices of this event.", valueName: "id")) var event: Int64?
    @OptionGroup var paging: Paging
    @OptionGroup var reader: ReaderZone
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        var query: [(String, String)] = []
        if let state { query.append(("state", state.rawValue)) }
        if let event { query.append(("event", String(event))) }
        let path = "/v1/notices" + queryString(query + paging.query(json: output.json) + reader.query)
        let client = reader.client(connection)
        if output.json { return try client.printRaw("GET", path) }
        let notices = paging.shown(try client.call("GET", path) as [NoticeView], what: "notices by time due", narrow: "--state and --event")
        if notices.isEmpty { return printError("no notices") }
        func seconds(_ iso: String) -> String { displayTime(iso) + ":" + String(iso.dropFirst(17).prefix(2)) }
        printTable(
            header: ["ID", "KIND", "DUE", "STATE", "TRIES", "EVENT", "TO", "LAST ERROR"],
            rows: notices.map { n in
                // Due in the reader's zone, eventd's own time and zone beside when they differ.
                let due = n.readerDue.map { "\(seconds($0)) (\(ownTime(n.due, beside: $0)) \(n.tz ?? ""))" }
                return [String(n.id), n.kind, due ?? seconds(n.due), n.state, String(n.attempts),
                 n.eventId.map(String.init) ?? "-", n.recipient, n.lastError ?? ""]
            })
    }
}

struct NoticesRetry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Send a failed or skipped notice again now.")

    @Argument(help: "The notice's id.") var id: Int64
    @OptionGroup var connection: Connection

    func run() throws { try changeNotice(id, "retry", connection, suffix: " again") }
}

struct NoticesCancel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Withdraw a notice that has not gone out.")

    @Argument(help: "The notice's id.") var id: Int64
    @OptionGroup var connection: Connection

    func run() throws { try changeNotice(id, "cancel", connection) }
}

func changeNotice(_ id: Int64, _ action: String, _ connection: Connection, suffix: String = "") throws {
    let notice: NoticeView = try connection.client.call("POST", "/v1/notices/\(id)/\(action)", body: nil as EventInput?)
    print("notice \(notice.id) is \(notice.state)\(suffix)")
}

// MARK: Feeds

struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A person's subscribable calendar (their agenda in every role), behind an unguessable token.",
        subcommands: [FeedURL.self, FeedRotate.self])
}

struct FeedURL: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "url", abstract: "Print the person's webcal:// and https:// feed addresses.")

    @Argument(help: "The person: id, email or name.") var person: String
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws { try feedURL(person, rotate: false, json: output.json, connection: connection) }
}

struct FeedRotate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rotate", abstract: "Revoke the person's feed token and print the new addresses.")

    @Argument(help: "The person: id, email or name.") var person: String
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws { try feedURL(person, rotate: true, json: output.json, connection: connection) }
}

func feedURL(_ person: String, rotate: Bool, json: Bool, connection: Connection) throws {
    let path = "/v1/people/\(percentEncoded(person))/feed" + (rotate ? "/rotate" : "")
    let view: FeedURLView = try connection.client.call("POST", path, body: nil as EventInput?)
    if json { return try printJSON(view) }
    print(view.webcal)
    print(view.https)
}

// MARK: iCalendar

struct ICS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ics", abstract: "Print an event as an iCalendar object (what calendar clients import or are invited with).")

    @Argument(help: "The event's id.") var id: Int64
    @Option(name: .long, help: ArgumentHelp("publish (default), request (an invitation) or cancel.", valueName: "method"))
    var method = ICSMethod.publish
    @OptionGroup var connection: Connection

    func run() throws {
        let body = try connection.client.send("GET", "/v1/events/\(id).ics" + queryString([("method", method.rawValue)]), body: nil as EventInput?, expect: 200)
        FileHandleOutput.write(body)
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import the VEVENTs of an .ics file in one transaction.",
        discussion: """
            Events are matched by UID: a known UID is updated (unless the register holds a newer SEQUENCE), \
            an unknown one created. VEVENTs RELATED-TO another VEVENT of the file become its sessions. \
            ORGANIZER and ATTENDEEs become people with their roles. A malformed file is refused, naming the \
            line or component at fault, and nothing is stored. There is no limit on the number of events; \
            the file may be up to max_import_bytes (64 MiB by default). \
            An import sends no reminder emails unless --remind is given: new events get no reminders and \
            known ones keep theirs, so importing an old export mails nobody. Reminders can be set later \
            with eventctl update ID --remind. (Feeds still carry default_reminders as calendar alarms, \
            which ring on the subscriber's own device.)
            """)

    @Argument(help: "The .ics file, or - for standard input.") var file: String
    @Flag(help: "Send reminder emails for the imported events: default_reminders, or for events already in the register the reminders set on them (the file's VALARMs are its own device alarms, not emails).") var remind = false
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let bytes: [UInt8]
        if file == "-" {
            bytes = readAllStandardInput()
        } else if let data = FileManager.default.contents(atPath: file) {
            bytes = Array(data)
        } else {
            printError("eventctl: cannot read \(file)")
            throw ExitCode(66)  // EX_NOINPUT
        }
        let answer = try connection.client.send("POST", "/v1/import" + (remind ? "?remind=true" : ""), raw: bytes, contentType: "text/calendar; charset=utf-8", expect: 200)
        if output.json { return FileHandleOutput.write(answer + [10]) }
        let result = try JSONDecoder().decode(ImportResult.self, from: Data(answer))
        print("created \(result.created.count), updated \(result.updated.count), skipped \(result.skipped.count)")
        for skipped in result.skipped { print("  skipped \(skipped.uid): \(skipped.reason)") }
    }
}
