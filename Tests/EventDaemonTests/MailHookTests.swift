import Foundation
import Testing

@testable import EventDaemon

/// The hook as a real process: what it leaves running in its process group is ended with it.
@Suite struct MailHookTests {
    /// Issue 19: a hook that exits 0 left its background children running. Here each hook starts
    /// `sleep 300 &`, which keeps stderr open, writes the child's pid and ends as `ending` says.
    /// The timeout case runs against a real eventd (InputBoundsTests.aHookPastItsTimeoutIsEndedWithItsChildren):
    /// in the test process that all suites share, its outcome was twice `delivered` after the full
    /// 60 s, never alone; not understood yet, and a daemon of its own is the user's condition anyway.
    @Test(arguments: [("exit 0", MailHook.Outcome.delivered), ("exit 75", .later("exit 75 (try later)"))])
    func whatTheHookLeftRunningIsEndedWithIt(ending: String, outcome: MailHook.Outcome) async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/eventd-hook-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hook = directory + "/hook.sh"
        try """
            #!/bin/sh
            cat >/dev/null
            sleep 300 &
            echo $! > \(directory)/child.pid
            \(ending)

            """.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)

        let result = await MailHook(argv: [hook], timeout: 1, clock: SystemClock()).send("Subject: thử\n\nnội dung\n", environment: [:])
        #expect(result == outcome)
        let child = try #require(pid_t(try String(contentsOfFile: directory + "/child.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Ended when `send` returns, give or take the kernel's delivery: waited for, with a deadline.
        let deadline = ContinuousClock.now + .seconds(10)
        while isRunning(child), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!isRunning(child), "the hook's background child \(child) outlived it")
        if isRunning(child) { kill(child, SIGKILL) }
    }

    /// Alive and not a zombie (an orphan's zombie waits for whoever adopted it to reap it).
    private func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // `pid (comm) S ...`: the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
