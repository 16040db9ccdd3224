import ArgumentParser
import EventAPI

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find events by words in their titles, places, rooms, descriptions, sessions and people.",
        discussion: """
            Case and diacritics are ignored ("cuc phuong" finds Cúc Phương; d finds đ); every word must occur \
            somewhere in the event. With --from or --to each occurrence in the range is listed, as with list.
            """)

    @Argument(help: "The words to look for.") var text: [String]
    @OptionGroup var range: EventRange
    @OptionGroup var filter: EventFilter
    @OptionGroup var language: LangOption
    @OptionGroup var reader: ReaderZone
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        var query: [(String, String)] = [("q", text.joined(separator: " "))]
        query += range.query + filter.query + reader.query
        let path = "/v1/search" + queryString(query)
        let client = reader.client(connection)
        if output.json { return try client.printRaw("GET", path) }
        let events: [EventView] = try client.call("GET", path)
        if events.isEmpty { return printError("nothing found") }
        printEventTable(events, lang: language.lang.rawValue)
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the events of a range as one iCalendar file: eventctl export --from 1/7/2022 --to 31/7/2022 > month.ics",
        discussion: "Recurring events that start before --to come whole, with their rules; sessions come as related VEVENTs.")

    @Option(name: .long, help: ArgumentHelp("Start of the range.", valueName: "when")) var from: String
    @Option(name: .long, help: ArgumentHelp("End of the range (a date alone includes that day).", valueName: "when")) var to: String
    @OptionGroup var filter: EventFilter
    @OptionGroup var connection: Connection

    func run() throws {
        let query = [("from", from), ("to", to)] + filter.query
        FileHandleOutput.write(try connection.client.send("GET", "/v1/export" + queryString(query), body: nil as EventInput?, expect: 200))
    }
}
