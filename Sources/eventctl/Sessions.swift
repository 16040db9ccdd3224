import ArgumentParser
import EventAPI

// MARK: Sessions: timetable slots inside an event

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
    @Flag(name: .long, help: "A bare name, or a name with an email no one has, makes a new person even when the register has someone of that name.") var newPerson = false
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

struct SessionUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a session: only the options given change; people given are added.",
        discussion: "Moving --start alone keeps the session's length. The session must stay inside its event.")

    @Argument(help: "The event's id.") var eventID: Int64
    @Argument(help: "The session's id (see eventctl show).") var sessionID: Int64
    @Option(name: .long, help: ArgumentHelp("New title.", valueName: "title")) var title: String?
    @Option(name: .long, help: ArgumentHelp("When it starts, in the event's zone.", valueName: "when")) var start: String?
    @Option(name: .long, help: ArgumentHelp("When it ends.", valueName: "when")) var end: String?
    @Option(name: .long, help: ArgumentHelp("Room or hall (\"\" clears it).", valueName: "room")) var room: String?
    @Option(name: .long, help: ArgumentHelp("Speakers to add.", valueName: "P")) var speaker: [String] = []
    @Option(name: .long, help: ArgumentHelp("Chairs to add.", valueName: "P")) var chair: [String] = []
    @Option(name: .long, help: ArgumentHelp("Attendees to add.", valueName: "P")) var attendee: [String] = []
    @Option(name: .long, help: ArgumentHelp("Take this person off the session.", valueName: "P")) var remove: [String] = []
    @Flag(name: .long, help: "A bare name, or a name with an email no one has, makes a new person even when the register has someone of that name.") var newPerson = false
    @Flag(name: .long, help: "Refuse the change if it makes a clash; default: warn.") var strict = false
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        var patch = SessionPatch()
        patch.title = title
        patch.start = start
        patch.end = end
        patch.room = room
        let new: Bool? = newPerson ? true : nil
        let people = chair.map { ParticipantInput(person: $0, role: "chair", new: new) } + speaker.map { ParticipantInput(person: $0, role: "speaker", new: new) }
            + attendee.map { ParticipantInput(person: $0, role: "attendee", new: new) }
        patch.participants = people.isEmpty ? nil : people
        patch.remove = remove.isEmpty ? nil : remove
        patch.strict = strict ? true : nil
        let session: SessionView = try connection.client.call("PATCH", "/v1/events/\(eventID)/sessions/\(sessionID)", body: patch)
        warn(session.conflicts)
        if output.json { return try printJSON(session) }
        print("updated session \(session.id): \(displayTime(session.start)) – \(String(displayTime(session.end).suffix(5)))  \(session.title)")
    }
}

struct SessionDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a session from its event.")

    @Argument(help: "The event's id.") var eventID: Int64
    @Argument(help: "The session's id.") var sessionID: Int64
    @OptionGroup var connection: Connection

    func run() throws {
        try connection.client.call("DELETE", "/v1/events/\(eventID)/sessions/\(sessionID)", expect: 204)
        print("deleted session \(sessionID) of event \(eventID)")
    }
}
