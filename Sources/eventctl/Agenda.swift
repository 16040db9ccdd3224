import ArgumentParser
import EventAPI

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
    @Option(name: .long, help: ArgumentHelp("Only entries in this role; speaker gives the speaker agenda.", valueName: "role")) var role: RoleChoice?
    @Option(name: .long, help: ArgumentHelp("text (default), json or ics.", valueName: "format")) var format = AgendaFormat.text
    @Option(name: .long, help: ArgumentHelp("Language of the text's labels (default: the person's).", valueName: "lang")) var lang: LangChoice?
    @OptionGroup var connection: Connection

    func run() throws {
        var query: [(String, String)] = [("format", format == .ics ? "ics" : "json")]
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        if let role { query.append(("role", role.rawValue)) }
        let path = "/v1/people/\(percentEncoded(person))/agenda" + queryString(query)
        if format != .text {
            var body = try connection.client.send("GET", path, body: nil as EventInput?, expect: 200)
            if format == .json { body.append(10) }
            return FileHandleOutput.write(body)
        }
        let agenda: AgendaView = try connection.client.call("GET", path)
        print(describe(agenda, lang: lang?.rawValue))
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
        // On a terminal, a clash's message wraps between words under its start.
        print(fitted(clashes.map { "\($0.kind): \($0.message)" }) { _, _ in 2 })
    }
}
