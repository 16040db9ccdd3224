import ArgumentParser
import EventAPI

// MARK: Events: add, list, show, update, cancel, delete

/// The options `add` and `update` share: every field of an event and its people.
struct EventOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("What kind of event it is.", valueName: "kind"))
    var kind: KindChoice?
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
    @Flag(name: .long, help: "A bare name, or a name with an email no one has, makes a new person even when the register has someone of that name.")
    var newPerson = false
    @Option(name: .long, help: ArgumentHelp("Online join link (http or https).", valueName: "url"))
    var link: String?
    @Option(name: .long, help: ArgumentHelp("Longer text; may span lines.", valueName: "text"))
    var description: String?
    @Option(name: .long, help: ArgumentHelp("Its status; a new event is confirmed unless this says otherwise.", valueName: "status"))
    var status: StatusChoice?
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
        input.kind = kind?.rawValue
        input.start = start
        input.end = end
        input.duration = duration
        input.tz = tz
        input.location = location
        input.room = room
        input.prepare = prepare
        input.link = link
        input.description = description
        input.status = status?.rawValue
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
        printEventTable(events, lang: language.lang.rawValue)
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
