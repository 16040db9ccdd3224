import Foundation
import Testing

@testable import EventDaemon

/// Issue 20: `--check-config` stopped at the first kind of problem, so `log_level = loud` hid a
/// missing hook, and writers/readers came only afterwards and without their lines.
@Suite struct ConfigCheckTests {
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/eventd-conf-\(UUID().uuidString.prefix(8)).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func oneSyntaxProblemDoesNotHideWhatTheMachineLacks() throws {
        let path = try file("log_level = loud\nmail_hook = /khong/co/hook -t\nwriters = root, khong-co-ai\nreaders = @khong-co-nhom\n")
        defer { unlink(path) }
        let problems = ConfigOverrides().check(file: path).problems
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("\(path):1: log_level: must be one of") })
        #expect(problems.contains { $0.hasPrefix("\(path):2: mail_hook: /khong/co/hook is not a program eventd can run") })
        #expect(problems.contains("\(path):3: writers: \"khong-co-ai\" is not a user on this system (getent passwd); write @name for a group"))
        #expect(problems.contains("\(path):4: readers: \"khong-co-nhom\" is not a group on this system"))
    }

    @Test func aRefusedValueIsNotCheckedAgainstTheMachineAsItsDefault() throws {
        // mail_hook refused on its line: eventd must not then also blame the default sendmail.
        let path = try file("mail_hook = sendmail -t\n")
        defer { unlink(path) }
        let problems = ConfigOverrides().check(file: path).problems
        #expect(problems == ["\(path):1: mail_hook: must start with an absolute program path, such as /usr/sbin/sendmail -t -i"])
    }

    @Test func aFlagIsNamedAsWhereTheKeyWasSet() throws {
        var overrides = ConfigOverrides()
        overrides.mailHook = "/khong/co/hook"
        overrides.logLevel = "loud"
        let problems = overrides.check(file: nil).problems
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("--log-level: must be one of") })
        #expect(problems.contains { $0.hasPrefix("--mail-hook: mail_hook: /khong/co/hook is not a program") })
        // Start reads the same file and flags without the machine's checks.
        #expect(throws: DaemonConfig.ParseError.self) { try overrides.settings(file: nil) }
    }

    @Test func aGoodFileHasNoProblems() throws {
        let path = try file("mail_hook = /bin/true\nwriters = root\nlog_level = debug\n")
        defer { unlink(path) }
        let checked = ConfigOverrides().check(file: path)
        #expect(checked.problems == [])
        #expect(checked.config?.logLevel == .debug)
    }

    @Test(arguments: [
        ("hook_concurency", "hook_concurrency"), ("log-level", "log_level"), ("Writers", "writers"), ("defualt_tz", "default_tz"),
        ("feed_base_url", "feeds_base_url"),
    ])
    func anUnknownKeyNearAKnownOneSaysDidYouMean(typed: String, meant: String) throws {
        let path = try file("\(typed) = 1\n")
        defer { unlink(path) }
        #expect(ConfigOverrides().check(file: path).problems == ["\(path):1: \(typed): unknown setting; did you mean \(meant)?"])
    }

    @Test func anUnknownKeyNearNothingListsTheKnownOnes() throws {
        let path = try file("colour = blue\n")
        defer { unlink(path) }
        let problems = ConfigOverrides().check(file: path).problems
        #expect(problems.count == 1)
        #expect(problems[0].hasPrefix("\(path):1: colour: unknown setting; known: socket, socket_group"), "\(problems)")
    }

    @Test func editDistanceCountsEachInsertionDeletionAndSubstitution() {
        #expect(DaemonConfig.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(DaemonConfig.editDistance(Array(""), Array("abc")) == 3)
        #expect(DaemonConfig.editDistance(Array("abc"), Array("abc")) == 0)
    }
}
