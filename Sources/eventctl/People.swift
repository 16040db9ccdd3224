import ArgumentParser
import EventAPI

// People kept straight (update, merge, delete) and sessions changed or removed.

struct PersonUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a person's name, email, position, organisation, zone or language (\"\" clears one).")

    @Argument(help: "The person: id, email or name.") var key: String
    @Option(name: .long, help: ArgumentHelp("Full name, with diacritics.", valueName: "name")) var name: String?
    @Option(name: .long, help: ArgumentHelp("Email address (unique).", valueName: "email")) var email: String?
    @Option(name: .long, help: ArgumentHelp("Position.", valueName: "title")) var position: String?
    @Option(name: .long, help: ArgumentHelp("Organisation.", valueName: "org")) var org: String?
    @Option(name: .long, help: ArgumentHelp("Language of their notices: vi or en.", valueName: "lang")) var lang: String?
    @Option(name: .long, help: ArgumentHelp("IANA zone their agenda is shown in.", valueName: "zone")) var tz: String?
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let patch = PersonPatch(name: name, email: email, position: position, organisation: org, lang: lang, tz: tz)
        let person: PersonView = try connection.client.call("PATCH", "/v1/people/" + percentEncoded(key), body: patch)
        if output.json { return try printJSON(person) }
        print("updated person \(person.id): \(person.name)\(person.email.map { " <\($0)>" } ?? "")")
    }
}

struct PersonMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Join a duplicate into the person to keep, in one transaction.",
        discussion: """
            Every part DUPLICATE has in events and sessions (with their answers), their notices and their feed token \
            move to KEEP, who also takes DUPLICATE's email, position, organisation and zone where KEEP has none; \
            then DUPLICATE is removed. Where both had the same part, KEEP's stays, with DUPLICATE's answer if KEEP had none.
            """)

    @Argument(help: "The duplicate, which goes: id, email or name.") var duplicate: String
    @Argument(help: "The person to keep: id, email or name.") var keep: String
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let person: PersonView = try connection.client.call("POST", "/v1/people/\(percentEncoded(duplicate))/merge", body: MergeInput(into: keep))
        if output.json { return try printJSON(person) }
        print("merged \(duplicate) into person \(person.id): \(person.name)\(person.email.map { " <\($0)>" } ?? "")")
    }
}

struct PersonDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Remove a person; refused while they take part in an event, unless --force.")

    @Argument(help: "The person: id, email or name.") var key: String
    @Flag(name: .long, help: "Take them off every event and session first.") var force = false
    @OptionGroup var connection: Connection

    func run() throws {
        try connection.client.call("DELETE", "/v1/people/\(percentEncoded(key))" + (force ? "?force=1" : ""), expect: 204)
        print("deleted person \(key)")
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
    @Flag(name: .long, help: "A bare name makes a new person even when the register has someone of that name.") var newPerson = false
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
