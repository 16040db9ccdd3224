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

// MARK: Answers to invitations

struct RSVP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsvp",
        abstract: "Record an answer given by phone or in person, or list the answers.",
        discussion: """
            eventctl rsvp EVENT PERSON accepted|declined|tentative [--comment TEXT] [--occurrence WHEN] records an answer. \
            eventctl rsvp EVENT lists every participant's answer, answers for single occurrences and counter-proposals; \
            --missing lists only those who have not answered. Answers by mail arrive through eventctl mail-in.
            """)

    @Argument(help: "The event's id.") var event: Int64
    @Argument(help: "The person: id, email or name.") var person: String?
    @Argument(help: "accepted, declined, tentative (or delegated).") var answer: String?
    @Option(name: .long, help: ArgumentHelp("What they said with it.", valueName: "text")) var comment: String?
    @Option(name: .long, help: ArgumentHelp("The answer is for this occurrence of a series only.", valueName: "when")) var occurrence: String?
    @Flag(name: .long, help: "List who has not answered (those with an email are the ones a 2d:unanswered reminder reaches).") var missing = false
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func validate() throws {
        if person != nil, answer == nil { throw ValidationError("give an answer after the person: accepted, declined or tentative") }
        if missing, person != nil { throw ValidationError("--missing lists answers; it takes no person or answer") }
    }

    func run() throws {
        if let person, let answer {
            let input = RSVPInput(person: person, answer: answer, comment: comment, occurrence: occurrence)
            let result: ReplyResult = try connection.client.call("POST", "/v1/events/\(self.event)/rsvp", body: input)
            if output.json { return try printJSON(result) }
            print("\(result.person): \(result.answer ?? answer)\(occurrence.map { " (for \($0))" } ?? "")")
            return
        }
        let answers: AnswersView = try connection.client.call("GET", "/v1/events/\(event)/answers")
        let shown = missing ? answers.participants.filter { $0.rsvp == "needs-action" } : answers.participants
        if output.json {
            var view = answers
            view.participants = shown
            if missing { view.occurrences = []; view.proposals = []; view.delegates = [] }
            return try printJSON(view)
        }
        if shown.isEmpty { return printError(missing ? "everyone has answered" : "nobody takes part in event \(event)") }
        printTable(
            header: ["ID", "NAME", "EMAIL", "ANSWER", "WHEN", "COMMENT", "VIA"],
            rows: shown.map { p in
                [String(p.personId), p.name, p.email ?? "(no email)", p.rsvp, p.answeredAt.map { displayTime($0) } ?? "", p.comment ?? "", p.answeredVia ?? ""]
            })
        guard !missing else { return }
        var lines: [String] = []
        for o in answers.occurrences {
            lines.append("for \(displayTime(o.occurrence)): \(o.name) \(o.answer)\(o.comment.map { " \"\($0)\"" } ?? "") (\(o.via))")
        }
        for d in answers.delegates ?? [] {
            let answer = d.answer.map { "\($0)\(d.comment.map { " \"\($0)\"" } ?? "") (\(d.via ?? ""))" } ?? "no answer yet"
            lines.append("\(d.name) delegated\(d.occurrence.map { " \(displayTime($0))" } ?? "") to \(d.delegateName.map { "\($0) " } ?? "")<\(d.delegate)>: \(answer)")
        }
        for p in answers.proposals {
            lines.append("proposal \(p.id) from \(p.name): \(displayTime(p.start)) – \(displayTime(p.end))\(p.comment.map { " \"\($0)\"" } ?? "") (\(p.via); not applied)")
        }
        // On a terminal these wrap between words, never inside an email.
        if !lines.isEmpty { print(fitted(lines) { _, _ in 2 }) }
    }
}

struct MailIn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail-in",
        abstract: "Read one mail on stdin, as an MTA delivers it to a program, and apply the calendar answer in it.",
        discussion: """
            For a Postfix alias ("lich: |/usr/local/bin/eventctl mail-in"), a .forward pipe, procmail or fetchmail --mda. \
            The message's text/calendar part must be a REPLY (sets that attendee's answer, for the whole event or the \
            occurrence it names) or a COUNTER (kept as a proposal, never applied), in any charset. Its From: must hold \
            one address: the attendee's, or one the attendee names in SENT-BY that the register lets answer for them \
            (eventctl person update PERSON --assistant EMAIL); with mail_require_pass, the receiving server must vouch \
            for it. A delegate answers once the delegator's REPLY (PARTSTAT=DELEGATED) has come. \
            Exit status as sendmail and procmail expect: 0 taken; 65 refused (no calendar, an answer to an older \
            SEQUENCE, a delegate before the delegation, a message or calendar past eventd's bounds); 67 unknown event, \
            attendee or occurrence; 75 try later (eventd is down, busy or stopping: the MTA keeps the message); \
            77 the sender may not answer for that attendee (or is not vouched for, or From: names several), or this \
            user may not write.
            """)

    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let message = readAllStandardInput()
        guard !message.isEmpty else {
            printError("eventctl mail-in: no message on standard input")
            throw ExitCode(65)
        }
        let answer: UnixHTTPClient.Response
        do {
            answer = try connection.client.http.request("POST", "/v1/mail-in", body: message, contentType: "message/rfc822")
        } catch {
            printError("eventctl mail-in: \(error)")
            throw ExitCode(75)  // EX_TEMPFAIL: the MTA keeps the message and tries again
        }
        guard answer.status == 200 else {
            let detail = try? JSONDecoder().decode(ErrorBody.self, from: Data(answer.body))
            printError("eventctl mail-in: \(detail?.error.message ?? "eventd answered \(answer.status)")")
            switch answer.status {
            case 404: throw ExitCode(67)  // EX_NOUSER
            case 403: throw ExitCode(77)  // EX_NOPERM
            case 400, 409, 413: throw ExitCode(65)  // EX_DATAERR
            default: throw ExitCode(75)
            }
        }
        if output.json { return FileHandleOutput.write(answer.body + [10]) }
        let results = (try? JSONDecoder().decode([ReplyResult].self, from: Data(answer.body))) ?? []
        for r in results {
            print("\(r.method) from \(r.email) for event \(r.eventId): \(r.answer ?? "proposal kept")")
        }
    }
}
