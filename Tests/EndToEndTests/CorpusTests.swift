import Foundation
import Testing

/// The corpus of real calendar files (Tests/Corpus, sources in SOURCES.md) through a live eventd:
/// each file's outcome is the one expected.tsv gives, every series expands as recurring-ical-events
/// expands it and every property comes back from a round trip as Python's icalendar reads it, but
/// for the differences differences.tsv lists with their reasons: a new difference fails, and so
/// does a listed one that went away (the list must then shrink).
@Suite struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus")
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python/corpus_check.py").path

    struct Expected {
        var outcome: String
        var expect: [String]
    }

    /// file → outcome and the substrings its refusal must contain.
    static func expected() throws -> [String: Expected] {
        var out: [String: Expected] = [:]
        for line in try String(contentsOf: corpus.appendingPathComponent("expected.tsv"), encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            out[fields[0]] = Expected(outcome: fields[1], expect: fields[2].split(separator: "|").map(String.init))
        }
        return out
    }

    /// "file\tkind\twhat" of every listed difference.
    static func differences() throws -> Set<String> {
        Set(try String(contentsOf: corpus.appendingPathComponent("differences.tsv"), encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t", omittingEmptySubsequences: false).prefix(3).joined(separator: "\t") })
    }

    @Test func everyCorpusFileDoesWhatExpectedSaysAndDiffersFromPythonOnlyAsListed() throws {
        // Some files are near 1 MB: the body limit is raised as an administrator would for imports.
        let daemon = try TestDaemon(config: "max_body_bytes = 4194304\n")
        let result = try run("/usr/bin/env", ["python3", Self.checker, daemon.socket, Self.corpus.path, daemon.directory + "/out"])
        try #require(result.status == 0, "corpus_check.py failed (scripts/setup.sh installs icalendar and recurring-ical-events): \(result)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let expected = try Self.expected()
        #expect(reports.count >= 100 && reports.count == expected.count, "the corpus holds \(reports.count) files, expected.tsv \(expected.count)")

        var outcomes: [String: Int] = [:], byOrigin: [String: Int] = [:]
        var seriesCount = 0, agreeing = 0, pythonCannot = 0, propertiesKept = 0, propertiesLost = 0, propertiesChanged = 0
        var found = Set<String>()
        for report in reports {
            let file = report["file"] as? String ?? "?"
            let outcome = report["outcome"] as? String ?? "?"
            let status = report["status"] as? Int ?? 0
            #expect(status < 500, "\(file): eventd answered \(status): \(report["message"] ?? "")")
            byOrigin[String(file.prefix { $0 != "/" }), default: 0] += 1
            guard let want = expected[file] else {
                Issue.record("\(file) is not in expected.tsv")
                continue
            }
            let kind = outcome == "refused" ? want.outcome.hasPrefix("refused") ? want.outcome : "refused" : outcome
            outcomes[kind, default: 0] += 1
            #expect(kind == want.outcome, "\(file): \(outcome) \(report["message"] ?? ""), expected \(want.outcome)")
            if outcome == "refused" {
                let message = report["message"] as? String ?? ""
                for part in want.expect where !message.contains(part) {
                    Issue.record("\(file): the refusal \(message.debugDescription) does not say \(part.debugDescription)")
                }
            }
            for series in report["series"] as? [[String: Any]] ?? [] {
                seriesCount += 1
                if series["pythonError"] != nil { pythonCannot += 1 }
                if series["agree"] as? Bool == true { agreeing += 1 } else { found.insert("\(file)\tseries\t\(series["uid"] ?? "")") }
            }
            propertiesKept += report["propertiesKept"] as? Int ?? 0
            let roundTrip = report["roundTrip"] as? [String: [String: Int]] ?? [:]
            propertiesLost += roundTrip["lost"]?.values.reduce(0, +) ?? 0
            propertiesChanged += roundTrip["changed"]?.values.reduce(0, +) ?? 0
            for kind in ["lost", "changed"] {
                for property in roundTrip[kind]?.keys.sorted() ?? [] { found.insert("\(file)\t\(kind)\t\(property)") }
            }
            if let errors = report["exportErrors"] { Issue.record("\(file): \(errors)") }
        }
        let listed = try Self.differences()
        for new in found.subtracting(listed).sorted() { Issue.record("a difference differences.tsv does not list: \(new)") }
        for gone in listed.subtracting(found).sorted() { Issue.record("listed in differences.tsv but no longer found (remove it): \(gone)") }
        print("corpus: \(reports.count) files by origin \(byOrigin.sorted { $0.key < $1.key }); outcomes \(outcomes.sorted { $0.key < $1.key }); "
            + "series \(seriesCount), agreeing with recurring-ical-events \(agreeing), recurring-ical-events cannot expand \(pythonCannot); "
            + "round trip: properties kept \(propertiesKept), lost \(propertiesLost), changed \(propertiesChanged)")
    }
}
