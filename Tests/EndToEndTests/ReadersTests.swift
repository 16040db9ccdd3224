import Foundation
import Testing

/// Every output tells the same story (issue 20): the whole corpus in one register, its feed
/// (all.ics) and its exports (`eventctl ics ID`) read by four readers — Python icalendar with
/// recurring-ical-events, vobject, khal and calcurse — and each reader's occurrences compared
/// with `eventctl list`'s. The differences a reader may still have are its own, listed in
/// `Tests/Corpus/readers.tsv` with why; any other fails.
@Suite struct ReadersTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus")
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/readers_check.py").path

    /// "reader source\tuid" of every difference that is the reader's, not eventd's.
    static func readersOwn() throws -> Set<String> {
        Set(try String(contentsOf: corpus.appendingPathComponent("readers.tsv"), encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t", omittingEmptySubsequences: false).prefix(2).joined(separator: "\t") })
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/khal") && FileManager.default.isExecutableFile(atPath: "/usr/bin/calcurse"),
                   "scripts/setup.sh installs khal and calcurse"))
    func everyReaderReadsTheFeedAndTheExportsAsEventctlListsThem() throws {
        let daemon = try TestDaemon(config: "max_body_bytes = 4194304\nfeeds_delay = 0.2\n")
        let result = try run("/usr/bin/env", ["python3", Self.checker, eventctlPath, daemon.socket, Self.corpus.path, daemon.dataDirectory + "/feeds", daemon.directory + "/out"])
        try #require(result.status == 0, "readers_check.py failed (scripts/setup.sh installs icalendar, recurring-ical-events and vobject): \(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let readers = try #require(report["readers"] as? [String: [String: Any]])
        let own = try Self.readersOwn()
        var found = Set<String>()
        var figures: [String] = []
        // A reader listed with `>=N` in place of a UID differs in ways of its own too many to list
        // one by one (calcurse): it must agree on N occurrences at least.
        var floors: [String: Int] = [:]
        for row in own where row.contains("\t>=") {
            let parts = row.split(separator: "\t")
            floors[String(parts[0])] = Int(parts[1].dropFirst(2))
        }
        for name in readers.keys.sorted() {
            let r = readers[name]!
            let total = r["occurrences"] as? Int ?? 0, agree = r["agree"] as? Int ?? 0, extra = r["extra"] as? Int ?? 0
            figures.append("\(name) \(agree)/\(total)" + (extra > 0 ? " (+\(extra) not eventd's)" : ""))
            if let floor = floors[name] {
                #expect(agree >= floor, "\(name) agrees with eventctl list on \(agree) occurrences, fewer than the \(floor) readers.tsv holds it to")
                continue
            }
            for d in r["differing"] as? [[String: Any]] ?? [] { found.insert("\(name)\t\(d["uid"] ?? "")") }
            if let notes = r["notes"] as? [String], !notes.isEmpty { print("\(name): \(notes.prefix(3))") }
        }
        print("readers over \(report["imported"] ?? 0) of \(report["files"] ?? 0) corpus files, \(report["events"] ?? 0) events: " + figures.joined(separator: "; "))
        for new in found.subtracting(own).sorted() {
            let (reader, uid) = (String(new.prefix { $0 != "\t" }), String(new.drop { $0 != "\t" }.dropFirst()))
            let detail = (readers[reader]?["differing"] as? [[String: Any]])?.first { $0["uid"] as? String == uid } ?? [:]
            Issue.record("\(reader) reads \(uid) otherwise than eventctl list, and readers.tsv does not say why: \(detail)")
        }
        for gone in own.subtracting(found).filter({ !$0.contains("\t>=") }).sorted() { Issue.record("listed in readers.tsv but the reader now agrees (remove it): \(gone)") }
    }
}
