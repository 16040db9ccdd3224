import ArgumentParser
import EventAPI

// MARK: Notices: the outbox, and invitations put into it

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
