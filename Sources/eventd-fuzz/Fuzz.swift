import EventCalendar
import EventMail
import EventModel
import Foundation

/// One input through everything `POST /v1/import` and the feeds do with a file: the reader, the
/// import planning, the expansion of every series over a year, and the writer, whose output must
/// read back and fold right; or (with `EVENTD_FUZZ_TARGET=mail`) through what `POST /v1/mail-in`
/// does with a message: the MIME reader and the reading of its calendar part. A crash, a broken
/// invariant (which traps on purpose) or an input whose work outlasts its budget is a finding; a
/// refusal is not.
enum Target {
    static let zone = try! Zone("Asia/Ho_Chi_Minh")
    static let reader = ICalendarReader(defaultZone: zone, maxBytes: 1 << 20)
    static let planner = ImportPlanner(defaultZone: zone, maxOccurrences: 1_000)
    static let mail = ProcessInfo.processInfo.environment["EVENTD_FUZZ_TARGET"] == "mail"
    /// eventd gives each request a budget; an input must end within it, refused or not. The
    /// slack covers the sanitizer's slowness and a busy machine.
    static let budget = 2.0
    static let slack = 3.0

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let started = cpuSeconds()
        WorkBudget.$current.withValue(WorkBudget(what: "fuzz", seconds: budget)) {
            if mail { readMail(Array(bytes)) } else { readCalendar(String(decoding: bytes, as: UTF8.self)) }
        }
        // CPU time, not wall time: on a busy machine the wall clock says nothing of the input.
        let spent = cpuSeconds() - started
        precondition(spent < budget + slack, "an input took \(spent) s of CPU, past its budget of \(budget) s: a loop without a bound")
    }

    /// This thread's CPU time in seconds.
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func readMail(_ bytes: [UInt8]) {
        guard let message = try? IncomingMail(bytes), let calendar = message.calendar else { return }
        _ = try? reader.parseMessage(calendar)
    }

    static func readCalendar(_ text: String) {
        guard let parsed = try? reader.parse(text), let plan = try? planner.plan(parsed) else { return }
        var events: [Event] = []
        for item in plan.imports {
            var event = item.event
            event.id = Int64(events.count + 1)
            _ = try? RecurrenceRule.occurrences(of: event, from: event.start.adding(seconds: -86_400), to: event.start.adding(seconds: 400 * 86_400), limit: 200)
            events.append(event)
        }
        guard !events.isEmpty, let written = try? ICalendarWriter().write(events, method: .publish, stamp: Instant(seconds: 1_700_000_000)) else { return }
        // What eventd writes: CRLF only, no line longer than 75 octets, and it reads back.
        for line in written.utf8.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
            precondition(line.last == 13 && !line.dropLast().contains(13), "a bare CR in eventd's output")
            precondition(line.count - 1 <= 75, "a line of \(line.count - 1) octets in eventd's output")
        }
        // Read back outside the input's budget: eventd's own output is not outside input.
        do {
            _ = try WorkBudget.$current.withValue(nil) { try reader.parse(written) }
        } catch {
            preconditionFailure("eventd cannot read what it wrote: \(error)\n\(written)")
        }
    }
}

#if FUZZING
/// libFuzzer's entry point (built with -sanitize=fuzzer).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Target.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; libFuzzer's driver runs from here
/// (its own `main` would otherwise be the one linked).
@_cdecl("eventd_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return runDriver(&count, &vector, fuzzOneInput)
}
#else
/// Without libFuzzer: runs each file named on the command line through the target once, to
/// replay a crash or check a corpus.
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { Target.run($0) }
        }
        print("ran \(CommandLine.arguments.count - 1) inputs")
    }
}
#endif
