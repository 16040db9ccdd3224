import EventCalendar
import EventModel
import EventStore
import Foundation
import GRDB

/// Measures one person's four-week agenda in a large register against raw SQLite on the same
/// data, and against the same query on a naive index, all in one run. Prints medians and ratios;
/// with `EVENTD_BENCH_JSON=FILE` also writes them there, for bench/bench.py.
///
///     swift run -c release eventd-bench [events] [people] [participations] [queries]
@main
enum EventdBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let events = arguments.count > 0 ? arguments[0] : 100_000
        let people = arguments.count > 1 ? arguments[1] : 20_000
        let participations = arguments.count > 2 ? arguments[2] : 500_000
        let queries = arguments.count > 3 ? arguments[3] : 2_000

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eventd-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        print("register: \(events) events, \(people) people, \(participations) participations; \(queries) queries of 4 weeks each")

        let store = try SQLiteStore(directory: directory)
        let loadStart = Date()
        try fill(path: store.path, events: events, people: people, participations: participations)
        print("load: \(String(format: "%.1f", Date().timeIntervalSince(loadStart))) s")

        // The naive copy: the same rows, with an index on (person_id, event_id) only.
        let naivePath = directory + "/naive.sqlite"
        let ours = try DatabaseQueue(path: store.path)
        try await ours.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [naivePath]) }
        let naive = try DatabaseQueue(path: naivePath)
        try await naive.write { db in
            try db.execute(sql: "DROP INDEX participation_by_person_time; CREATE INDEX participation_naive ON participation(person_id, event_id)")
        }

        var random = SplitMix64(seed: 2017_03_03)
        let first = Int64(1_420_070_400)  // 2015-01-01
        let span = Int64(10 * 365 * 86_400)
        let fourWeeks = Int64(28 * 86_400)
        let probes = (0..<queries).map { _ in
            (person: Int64(random.next(below: people)) + 1, from: first + Int64(random.next(below: Int(span - fourWeeks))))
        }

        func rawTimes(_ queue: DatabaseQueue) async throws -> (times: [Double], rows: Int) {
            try await queue.read { db in
                let statement = try db.makeStatement(sql: SQLiteStore.personEventsSQL)
                var times: [Double] = []
                var rows = 0
                for probe in probes {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let ids = try Int64.fetchAll(statement, arguments: [probe.person, probe.from - Limits.year, probe.from + fourWeeks, probe.from])
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
                    rows += ids.count
                }
                return (times, rows)
            }
        }

        // Warm the page cache of both files before timing.
        _ = try await rawTimes(ours)
        _ = try await rawTimes(naive)
        let raw = try await rawTimes(ours)
        let naiveRun = try await rawTimes(naive)
        var storeTimes: [Double] = []
        var storeRows = 0
        for probe in probes {
            let start = DispatchTime.now().uptimeNanoseconds
            storeRows += try await store.eventIDs(personID: probe.person, from: Instant(seconds: probe.from), to: Instant(seconds: probe.from + fourWeeks)).count
            storeTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        precondition(raw.rows == naiveRun.rows && raw.rows == storeRows, "the three ways must find the same events")

        let base = median(raw.times)
        print("events found: \(raw.rows) in \(queries) queries")
        print("figure".padding(toLength: 58, withPad: " ", startingAt: 0) + "median µs    p90 µs   vs raw SQLite")
        for (name, times) in [
            ("baseline: raw SQLite, index (person, start, end, event)", raw.times),
            ("eventd store: SQLiteStore.eventIDs (pool read)", storeTimes),
            ("baseline: raw SQLite, naive index (person, event)", naiveRun.times),
        ] {
            let m = median(times)
            print(name.padding(toLength: 58, withPad: " ", startingAt: 0)
                + String(format: "%9.1f %9.1f %10.2fx", m, percentile(times, 0.9), m / base))
        }
        print(String(format: "naive index / eventd's index: %.1fx slower", median(naiveRun.times) / base))
        print("peak resident memory: \(peakResidentKiB() / 1024) MiB")
        var figures: [String: Any] = [
            "events": events, "people": people, "participations": participations, "queries": queries,
            "agenda_raw_us": ["median": base, "p90": percentile(raw.times, 0.9), "p99": percentile(raw.times, 0.99)],
            "agenda_store_us": ["median": median(storeTimes), "p90": percentile(storeTimes, 0.9), "p99": percentile(storeTimes, 0.99)],
            "agenda_naive_us": ["median": median(naiveRun.times), "p90": percentile(naiveRun.times, 0.9)],
        ]
        figures["feeds_ms"] = try feeds(count: 10_000)
        if let path = ProcessInfo.processInfo.environment["EVENTD_BENCH_JSON"] {
            try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        }
    }

    /// all.ics of `count` events: every event serialised, against one change as the feed writer
    /// makes it (that event's entry again, the others' text as stored), beside libical
    /// serialising the whole calendar in one go.
    static func feeds(count: Int) throws -> [String: Double] {
        var random = SplitMix64(seed: 7)
        let people = (1...200).map { Person(id: Int64($0), name: "Người thứ \($0)", email: "p\($0)@example.vn") }
        var events = (1...count).map { i in
            let start = Instant(seconds: 1_893_456_000 + Int64(i) * 3600 * 5)
            return Event(
                id: Int64(i), uid: "feed-\(i)@eventd", kind: .meeting, title: "Cuộc họp giao ban số \(i)", location: "Hội trường \(i % 7)",
                start: start, end: start.adding(seconds: 5400), timeZone: "Asia/Ho_Chi_Minh", created: start, updated: start,
                participants: (0..<3).map { _ in Participation(person: people[random.next(below: people.count)], role: .attendee) })
        }
        let subscription = ICalendarWriter.Subscription(name: "Lịch công tác", refreshInterval: 3600)
        let stamp = Instant(seconds: 1_800_000_000)
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
        }
        var raw: [Double] = [], full: [Double] = [], incremental: [Double] = []
        var bytes = 0
        for _ in 0..<3 {
            raw.append(try time { bytes = try ICalendarWriter().write(events, method: .publish, stamp: stamp, subscription: subscription).utf8.count })
            full.append(try time { _ = try FeedRenderer(reminders: [86_400]).calendar(events, subscription: subscription, stamp: stamp) })
        }
        let renderer = FeedRenderer(reminders: [86_400])
        var entries = try events.map { try renderer.entry($0, stamp: stamp) }
        for round in 0..<10 {
            let changed = random.next(below: events.count)
            events[changed].location = "Phòng họp số \(round)"
            incremental.append(
                try time {
                    entries[changed] = try renderer.entry(events[changed], stamp: stamp)
                    let (head, tail) = try renderer.envelope(zones: FeedZone.covering(entries), empty: false, subscription: subscription)
                    _ = head + entries.map(\.text).joined() + tail
                })
        }
        print("")
        print("all.ics of \(count) events (\(bytes / 1024) KiB)".padding(toLength: 58, withPad: " ", startingAt: 0) + "median ms   vs raw libical")
        let base = median(raw)
        for (name, times) in [
            ("baseline: raw libical, whole calendar in one go", raw),
            ("eventd feed: every event serialised", full),
            ("eventd feed: after one change (stored entries)", incremental),
        ] {
            print(name.padding(toLength: 58, withPad: " ", startingAt: 0) + String(format: "%9.1f %10.3fx", median(times), median(times) / base))
        }
        print(String(format: "one change costs %.1f%% of a full rebuild", 100 * median(incremental) / median(full)))
        return ["events": Double(count), "raw_libical": median(raw), "full_rebuild": median(full), "after_one_change": median(incremental)]
    }

    /// Rows like the real ones: events of 1-4 hours over ten years, five people each.
    static func fill(path: String, events: Int, people: Int, participations: Int) throws {
        let queue = try DatabaseQueue(path: path)
        var random = SplitMix64(seed: 42)
        let roles = ["speaker", "attendee", "attendee", "attendee", "chair", "witness"]
        try queue.write { db in
            let person = try db.makeStatement(sql: "INSERT INTO person (id, name, name_folded, email, lang, created_at) VALUES (?, ?, ?, ?, 'vi', 0)")
            for id in 1...people {
                try person.execute(arguments: [id, "Người thứ \(id)", "nguoi thu \(id)", "p\(id)@example.vn"])
            }
            let event = try db.makeStatement(sql: """
                INSERT INTO event (id, uid, kind, title, start_at, end_at, tz, status, created_at, updated_at)
                VALUES (?, ?, 'meeting', ?, ?, ?, 'Asia/Ho_Chi_Minh', 'confirmed', 0, 0)
                """)
            let part = try db.makeStatement(sql: """
                INSERT INTO participation (event_id, person_id, role, start_at, end_at) VALUES (?, ?, ?, ?, ?)
                """)
            let perEvent = max(1, participations / events)
            for id in 1...events {
                let start = Int64(1_420_070_400) + Int64(random.next(below: 10 * 365 * 86_400))
                let end = start + Int64(3600 * (1 + random.next(below: 4)))
                try event.execute(arguments: [id, "bench-\(id)@eventd", "Cuộc họp \(id)", start, end])
                var chosen = Set<Int>()
                while chosen.count < perEvent { chosen.insert(1 + random.next(below: people)) }
                for p in chosen {
                    try part.execute(arguments: [id, p, roles[random.next(below: roles.count)], start, end])
                }
            }
        }
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func peakResidentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}

/// A small, seeded generator so every run measures the same data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }
}
