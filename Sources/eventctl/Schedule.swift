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

/// The weekly work schedule (lịch công tác tuần).
struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The weekly work schedule (lịch công tác tuần) of people or an organisation, by day and by sáng/chiều.",
        discussion: """
            Each day of the week (Thứ Hai … Chủ nhật) is split into sáng (before noon) and chiều; each entry has its \
            time, content, who chairs and who takes part, the place and the preparing unit (add --prepare ORG). \
            `schedule publish` records the schedule as published; from then on the schedule marks what is new, \
            moved or cancelled since (an amended schedule). eventd's HTTP listener (--http) serves the same page at \
            /schedule/<organisation>.html, e.g. /schedule/bo-tu-phap.html?week=2017-W09.
            """,
        subcommands: [ScheduleShow.self, SchedulePublish.self], defaultSubcommand: ScheduleShow.self)
}

/// What a schedule shows: the range and whose.
struct ScheduleSelection: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("An ISO week (2017-W09), or any day of it (4/7/2022, tuần sau); default this week.", valueName: "week"))
    var week: String?
    @Option(name: .long, help: ArgumentHelp("Start of a range instead of a week.", valueName: "when")) var from: String?
    @Option(name: .long, help: ArgumentHelp("End of the range (a date alone includes that day).", valueName: "when")) var to: String?
    @Option(name: .long, help: ArgumentHelp("A leader whose schedule this is (id, email or name); repeat for several.", valueName: "P"))
    var person: [String] = []
    @Option(name: .long, help: ArgumentHelp("An organisation: its people's events, those it prepares, its delegations.", valueName: "org"))
    var org: String?

    func validate() throws {
        if week != nil, from != nil || to != nil { throw ValidationError("give --week or --from and --to, not both") }
        if (from == nil) != (to == nil) { throw ValidationError("a range needs both --from and --to") }
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let week { query.append(("week", week)) }
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        query += person.map { ("person", $0) }
        if let org { query.append(("org", org)) }
        return query
    }
}

struct ScheduleShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the schedule (the default): text, html, pdf or json.",
        discussion: """
            --format pdf runs weasyprint (Debian package weasyprint) on the HTML page: A4 landscape, the heading \
            row on every page. Set EVENTCTL_WEASYPRINT to use another weasyprint.
            """)

    @OptionGroup var selection: ScheduleSelection
    @OptionGroup var reader: ReaderZone
    @Option(name: .long, help: ArgumentHelp("text (default), html, pdf or json.", valueName: "format"))
    var format = ScheduleFormat.text
    @Option(name: .long, help: ArgumentHelp("Language of every label (default: vi).", valueName: "lang"))
    var lang = LangChoice.vi
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?
    @OptionGroup var connection: Connection

    func run() throws {
        let query = selection.query + reader.query + [("lang", lang.rawValue), ("format", format == .json || format == .text ? "json" : "html")]
        let body = try reader.client(connection).send("GET", "/v1/schedule" + queryString(query), body: nil as EventInput?, expect: 200)
        // An empty schedule is still a schedule (a week off is one), so the exit status stays 0;
        // the document says so, and so does stderr, for whoever runs this from a script.
        if isEmpty(body) { printError("eventctl: note: the schedule has no entries; nothing is scheduled for what was asked in that period") }
        switch format {
        case .json: try emit(body + [10])
        case .html: try emit(body)
        case .pdf: try emit(try PDF.render(html: body))
        case .text:
            let view: ScheduleView
            do {
                view = try JSONDecoder().decode(ScheduleView.self, from: Data(body))
            } catch {
                printError("eventctl: cannot read eventd's answer: \(error)")
                throw ExitCode(70)
            }
            try emit(Array((describe(view, width: output == nil ? Terminal.width : nil) + "\n").utf8))
        }
    }

    /// Whether eventd's answer (JSON for text and json, HTML for html and pdf) holds no entry.
    private func isEmpty(_ body: [UInt8]) -> Bool {
        if format == .html || format == .pdf { return String(decoding: body, as: UTF8.self).contains("<p class=\"empty\">") }
        guard let view = try? JSONDecoder().decode(ScheduleView.self, from: Data(body)) else { return false }
        return view.days.allSatisfy { $0.parts.allSatisfy(\.entries.isEmpty) }
    }

    private func emit(_ bytes: [UInt8]) throws {
        guard let output else { return FileHandleOutput.write(bytes) }
        guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
            printError("eventctl: cannot write \(output)")
            throw ExitCode(73)
        }
    }
}

struct SchedulePublish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Record the schedule as published: later it marks what is new, moved or cancelled since.")

    @OptionGroup var selection: ScheduleSelection
    @OptionGroup var output: JSONFlag
    @OptionGroup var connection: Connection

    func run() throws {
        let input = PublishInput(
            week: selection.week, from: selection.from, to: selection.to, person: selection.person.isEmpty ? nil : selection.person, org: selection.org)
        let result: PublishResult = try connection.client.call("POST", "/v1/schedule/publish", body: input, expect: 201)
        if output.json { return try printJSON(result) }
        let what = result.revision == 1 ? "published" : "published amendment \(result.revision - 1) (\(result.changes) change(s))"
        print("\(what): \(result.scope.isEmpty || result.scope == "all" ? "everyone" : result.scope), \(result.range), \(result.entries) entries")
        if let url = result.url { print(url) }
    }
}

/// The schedule as text: days, then parts, then entries with their facts under them. On a
/// terminal the facts wrap under their text; in a pipe each stays on one line.
func describe(_ v: ScheduleView, width: Int?) -> String {
    let w = v.labels
    func word(_ key: String) -> String { w[key] ?? key }
    var lines = [v.title, v.subtitle]
    if !v.scope.isEmpty { lines.append(v.scope) }
    if let published = v.published {
        let at = displayTime(published.at)
        lines.append("(\(word("published")) \(at)\(v.changes == 0 ? "" : " — \(word("revision")) \(published.revision): \(v.changes) \(word("changes"))"))")
    }
    let indent = 4 + 13
    if v.days.allSatisfy({ $0.parts.allSatisfy(\.entries.isEmpty) }) { lines += ["", word("empty")] }
    for day in v.days {
        let count = day.parts.reduce(0) { $0 + $1.entries.count }
        if count == 0, day.weekend { continue }
        lines.append("")
        lines.append("\(day.weekday), \(day.dayFirst)")
        if count == 0 { lines.append("  \(word("nothing"))") }
        for part in day.parts {
            lines.append("  \(part.label)")
            for e in part.entries {
                let mark = e.change.map { "[\(word($0).uppercased())] " } ?? ""
                let cancelled = e.status == "cancelled" && e.change != "cancelled" ? " [\(word("cancelled").uppercased())]" : ""
                let title = mark + e.title + cancelled + (e.eventTitle.map { " — \($0)" } ?? "")
                // A whole-day entry's time is its part ("Cả ngày"), already the heading above it.
                let time = e.time == part.label ? "" : e.time
                lines += wrap(title, first: "    " + time.padding(11) + "  ", indent: indent, width: width)
                func fact(_ label: String, _ value: String?) {
                    guard let value, !value.isEmpty else { return }
                    lines += wrap("\(label): \(value)", first: String(repeating: " ", count: indent), indent: indent + 2, width: width)
                }
                fact(word("was"), e.was)
                fact(word("movedTo"), e.movedTo)
                fact(word("chair"), e.chairs.joined(separator: ", "))
                fact(word("people"), e.attendees.joined(separator: "; "))
                fact(word("place"), [e.room, e.location, e.link].compactMap { $0 }.joined(separator: ", "))
                fact(word("prepare"), e.prepare)
                for s in e.sessions {
                    let extra = [s.room, s.speakers.isEmpty ? nil : s.speakers.joined(separator: ", ")].compactMap { $0 }.joined(separator: " — ")
                    lines += wrap(
                        "\(s.time) \(s.title)\(extra.isEmpty ? "" : " (\(extra))")", first: String(repeating: " ", count: indent) + "· ",
                        indent: indent + 2, width: width)
                }
            }
        }
    }
    return lines.joined(separator: "\n")
}

/// HTML to PDF with weasyprint: it reads CSS paged media (@page size and margins, page
/// counters, a table heading repeated on each page) and runs without a browser or a sandbox.
enum PDF {
    static func render(html: [UInt8]) throws -> [UInt8] {
        let program = ProcessInfo.processInfo.environment["EVENTCTL_WEASYPRINT"] ?? "weasyprint"
        var template = Array("/tmp/eventctl-schedule-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            printError("eventctl: cannot create a temporary file: \(String(cString: strerror(errno)))")
            throw ExitCode(73)
        }
        let input = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let outputPath = input + ".pdf"
        defer {
            unlink(input)
            unlink(outputPath)
        }
        var offset = 0
        while offset < html.count {
            let n = html.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else { break }
            offset += n
        }
        close(fd)
        // weasyprint takes the input's type from its name: give it one.
        let htmlPath = input + ".html"
        guard rename(input, htmlPath) == 0 else {
            printError("eventctl: cannot write \(htmlPath)")
            throw ExitCode(73)
        }
        defer { unlink(htmlPath) }
        let arguments = [program, "-q", "-e", "utf-8", htmlPath, outputPath]
        var pid: pid_t = 0
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawnp(&pid, program, nil, nil, &argv, environ)
        guard spawned == 0 else {
            printError(
                "eventctl: cannot run \(program): \(String(cString: strerror(spawned))); install weasyprint (apt-get install weasyprint), "
                    + "or write --format html and print it from a browser")
            throw ExitCode(69)  // EX_UNAVAILABLE
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard status == 0, let data = FileManager.default.contents(atPath: outputPath) else {
            printError("eventctl: \(program) failed to make the PDF (wait status \(status))")
            throw ExitCode(70)
        }
        return Array(data)
    }
}
