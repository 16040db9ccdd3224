import ArgumentParser
import EventAPI
import EventDaemon
import Foundation

@main
struct Eventd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eventd",
        abstract: "The register of meetings: serves the eventctl API on a Unix socket, keeps it in SQLite.",
        discussion: """
            With no --config, eventd runs on local defaults: the socket at $EVENTD_SOCKET, \
            $XDG_RUNTIME_DIR/eventd/eventd.sock, /run/eventd/eventd.sock (root) or /tmp/eventd-UID/eventd.sock, \
            and the data in $XDG_DATA_HOME/eventd or ~/.local/share/eventd. Every setting is described in the installed /etc/eventd/eventd.conf (config/eventd.conf in the source). SIGHUP reloads the config; SIGTERM and SIGINT stop it gracefully. Exit status: 0 after a stop, 1 when it cannot start, 64 on bad usage, 78 on a bad config (or --check-config finding a problem).
            """,
        // The version eventctl and `eventctl status` report: one number for both binaries.
        version: DefaultPaths.version)

    @Option(name: .long, help: ArgumentHelp("Config file of `key = value` lines.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Unix socket to listen on (overrides the config).", valueName: "path"))
    var socket: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Directory of the SQLite register (overrides the config).", valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .customLong("mail-hook"), help: ArgumentHelp("Program that sends each notice (the message on stdin); overrides mail_hook.", valueName: "program"))
    var mailHook: String?

    @Option(name: .customLong("feeds-dir"), help: ArgumentHelp("Where feeds are written (default: feeds/ in the data directory).", valueName: "dir"))
    var feedsDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Serve the feeds read-only over HTTP on this address, such as 127.0.0.1:8080.", valueName: "host:port"))
    var http: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    @Flag(name: .customLong("check-config"), help: "Read the config (--config FILE, and the flags given), print every problem with its line, and exit: 0 when it is good, 78 when not.")
    var checkConfig = false

    var overrides: ConfigOverrides {
        var overrides = ConfigOverrides()
        overrides.socketPath = socket
        overrides.dataDirectory = dataDirectory
        overrides.mailHook = mailHook
        overrides.feedsDirectory = feedsDirectory
        overrides.httpAddress = http
        overrides.logLevel = logLevel
        return overrides
    }

    func run() async throws {
        if checkConfig {
            // One pass: the file's lines, the flags and what this machine lacks, all reported.
            let problems = overrides.check(file: config).problems
            guard problems.isEmpty else { fail(problems.joined(separator: "\neventd: "), code: 78) }  // EX_CONFIG
            print("\(config ?? "(no config file: the defaults)"): good")
            return
        }
        let settings: DaemonConfig
        do {
            settings = try overrides.settings(file: config)
        } catch {
            fail(error.problems.joined(separator: "\neventd: "), code: 78)  // EX_CONFIG
        }
        do {
            try await Daemon.run(config: settings, file: config, overrides: overrides)
        } catch let error as Daemon.StartError {
            fail(error.description, code: error.exitCode)
        } catch {
            fail("\(error)", code: 1)
        }
    }

    private func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("eventd: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
