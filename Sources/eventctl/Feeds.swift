import ArgumentParser
import EventAPI

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
    if view.pending == true { printError("eventctl: note: the feed file is not written yet; the addresses answer once eventd's feed writer has written it") }
}
