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

@main
enum Entry {
    static func main() {
        // Swift would quietly repair invalid UTF-8 in argv to U+FFFD; refuse it instead.
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) != nil else {
                printError("eventctl: argument \(index) is not valid UTF-8 text; nothing was changed")
                exit(65)  // EX_DATAERR
            }
        }
        do {
            var command = try Eventctl.parseAsRoot(GlobalOptions.moved(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            // A usage mistake (an unknown --kind, a missing argument) as JSON too, for scripts;
            // help and the exit codes the commands chose are left to ArgumentParser.
            let code = Eventctl.exitCode(for: error)
            if wantsJSON, code != .success, !(error is ExitCode) {
                printFailure(Eventctl.message(for: error), code: "usage")
                exit(code.rawValue)
            }
            Eventctl.exit(withError: error)
        }
    }
}

/// `--socket` and `--json` are options of each command, but people write them first as with
/// git -C or docker -H: those given before the command are moved behind its name.
enum GlobalOptions {
    static func moved(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--json" || first.hasPrefix("--socket=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--socket", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        // Walk down the command names (eventctl person add ...), then put the options there.
        var command: any ParsableCommand.Type = Eventctl.self
        var path: [String] = []
        while let next = rest.first,
            let sub = command.configuration.subcommands.first(where: { ($0.configuration.commandName ?? $0._commandName) == next })
        {
            path.append(next)
            rest = rest.dropFirst()
            command = sub
        }
        if !command.configuration.subcommands.isEmpty, let fallback = command.configuration.defaultSubcommand {
            path.append(fallback.configuration.commandName ?? fallback._commandName)
        }
        return path + leading + rest
    }
}

struct Eventctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventctl",
        abstract: "Put meetings into eventd's register and read them back.",
        discussion: """
            eventctl talks to eventd over its Unix socket (--socket, $EVENTD_SOCKET, or eventd's default).
            WHEN is ISO 8601 with an offset (2017-03-03T08:00:00+07:00), a local time in the event's zone \
            (2017-03-03 08:00), or day first as agencies write it (3/3/2017 8h30, 14h00 3/3/2017, 8g30 3/3/2017, \
            8 giờ 30 ngày 3/3/2017; 3/3/2017 alone for a whole day), a half-day (sáng 4/7/2022 = 08:00–12:00, \
            chiều 4/7/2022 = 13:00–17:00, 2h chiều 4/7/2022 = 14:00), or a day named from today (hôm nay, ngày mai, \
            thứ Hai tuần sau), with or without diacritics. A person P is "Full Name <email>", a bare name, or an \
            existing person's id or email; a bare name is matched without regard to case or diacritics: one match \
            is that person, several are refused and listed, none makes a new person (--new-person: always new); \
            a name with an email no one has is refused, listing them, when people of that name are in the register.
            --socket and --json may also come before the command (eventctl --socket S list).
            Exit status: 0 on success; 1 eventd refused the request (nothing was changed); 64 bad usage; \
            65 invalid text; 66 an input file cannot be read; 69 eventd cannot be reached; 70 eventd's answer \
            cannot be read; 73 an output file cannot be written; 74 the connection broke mid-request (the \
            change may or may not have been made: check with show or log); 75 eventd cannot reach its \
            register just now (a full disk): try later; 77 you may not do this (eventd's writers and readers).
            """,
        version: DefaultPaths.version,
        subcommands: [
            Add.self, List.self, Show.self, Update.self, Cancel.self, Delete.self, SessionCommand.self,
            PersonCommand.self, Agenda.self, Conflicts.self, ICS.self, Import.self, Invite.self, Notices.self, Feed.self, Status.self,
            Log.self, Backup.self, RSVP.self, MailIn.self, Schedule.self, Search.self, Export.self,
        ])
}

// MARK: Shared options

struct Connection: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("eventd's Unix socket (default: $EVENTD_SOCKET or eventd's default path).", valueName: "path"))
    var socket: String?

    var client: APIClient { APIClient(http: UnixHTTPClient(socketPath: socket ?? DefaultPaths.socket())) }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print the answer as JSON for scripts instead of text.")
    var json = false
}
