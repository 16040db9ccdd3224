import ArgumentParser
import EventAPI

// MARK: People in the register: add, list, show, update, merge, delete

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
    @Option(name: .long, help: ArgumentHelp("Language of their notices (default: vi).", valueName: "lang")) var lang: LangChoice?
    @Option(name: .long, help: ArgumentHelp("IANA zone their agenda is shown in (default: eventd's).", valueName: "zone")) var tz: String?
    @OptionGroup var connection: Connection

    func run() throws {
        let person: PersonView = try connection.client.call(
            "POST", "/v1/people", body: PersonInput(name: name, email: email, position: position, organisation: org, lang: lang?.rawValue, tz: tz), expect: 201)
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
            Assistants:    \(p.assistants.flatMap { $0.isEmpty ? nil : $0.joined(separator: ", ") } ?? "-")
            """)
    }
}

struct PersonUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a person's name, email, position, organisation, zone or language (\"\" clears email, position, organisation or zone).")

    @Argument(help: "The person: id, email or name.") var key: String
    @Option(name: .long, help: ArgumentHelp("Full name, with diacritics.", valueName: "name")) var name: String?
    @Option(name: .long, help: ArgumentHelp("Email address (unique).", valueName: "email")) var email: String?
    @Option(name: .long, help: ArgumentHelp("Position.", valueName: "title")) var position: String?
    @Option(name: .long, help: ArgumentHelp("Organisation.", valueName: "org")) var org: String?
    @Option(name: .long, help: ArgumentHelp("Language of their notices.", valueName: "lang")) var lang: LangChoice?
    @Option(name: .long, help: ArgumentHelp("IANA zone their agenda is shown in.", valueName: "zone")) var tz: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "An address that may answer invitations for them (an assistant, named in SENT-BY); repeat for several, \"\" for none. Replaces the list.",
            valueName: "email"))
    var assistant: [String] = []
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let patch = PersonPatch(
            name: name, email: email, position: position, organisation: org, lang: lang?.rawValue, tz: tz, assistants: assistant.isEmpty ? nil : assistant)
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
