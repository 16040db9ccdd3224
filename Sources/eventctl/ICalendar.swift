import ArgumentParser
import EventAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
            an unknown one created; one the register already holds as the file has it is unchanged (nothing is \
            written or logged). VEVENTs RELATED-TO another VEVENT of the file become its sessions. \
            ORGANIZER and ATTENDEEs become people with their roles. A malformed file is refused, naming the \
            line or component at fault, and nothing is stored (exit 65). There is no limit on the number of events; \
            the file may be up to max_import_bytes (64 MiB by default). \
            An import sends no reminder emails unless --remind is given: new events get no reminders and \
            known ones keep theirs, so importing an old export mails nobody. Reminders can be set later \
            with eventctl update ID --remind. (Feeds still carry default_reminders as calendar alarms, \
            which ring on the subscriber's own device.)
            """)

    @Argument(help: "The .ics file, or - for standard input.") var file: String
    @Flag(help: "Send reminder emails for the imported events: default_reminders, or for events already in the register the reminders set on them (the file's VALARMs are its own device alarms, not emails).") var remind = false
    // Its own --json rather than JSONFlag's, to say what import prints each way.
    @Flag(name: .long, help: "Print eventd's answer as JSON for scripts (the UIDs created, updated and unchanged, and each UID skipped with the reason) instead of the line \"created N, updated N, unchanged N, skipped N\" and a line for each UID skipped.")
    var json = false
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
        let answer = try connection.client.send("POST", "/v1/import" + (remind ? "?remind=true" : ""), raw: bytes, contentType: "text/calendar; charset=utf-8", expect: 200, invalidInput: 65)
        if json { return FileHandleOutput.write(answer + [10]) }
        // A REPLY or COUNTER imported is answers recorded, as mail-in prints them.
        if let answers = try? JSONDecoder().decode([ReplyResult].self, from: Data(answer)) {
            for r in answers { print("\(r.method) from \(r.email) for event \(r.eventId): \(r.answer ?? "proposal kept")") }
            return
        }
        let result = try JSONDecoder().decode(ImportResult.self, from: Data(answer))
        print("created \(result.created.count), updated \(result.updated.count), unchanged \(result.unchanged.count), skipped \(result.skipped.count)")
        for skipped in result.skipped { print("  skipped \(skipped.uid): \(skipped.reason)") }
    }
}
