import EventAPI
import EventModel
import EventStore
import Foundation
import Logging
import Testing

@testable import EventDaemon

/// The real feed writer over a real register, on the manual clock: a burst of changes is
/// written once, `feeds_delay` after the last of them.
@Suite struct FeedWriterTests {
    /// Runs the writer until the test ends; returns it once its first full write is done.
    func startWriter(_ fixture: Fixture) async throws -> (FeedWriter, Task<Void, any Error>) {
        var logger = Logger(label: "eventd-test")
        logger.logLevel = .critical
        let writer = FeedWriter(store: fixture.store, live: fixture.live, group: nil, clock: fixture.clock, logger: logger)
        let task = Task { try await writer.run() }
        try await fixture.eventually("the first full write") { writer.state.withLock { $0.lastWrite } != nil }
        if let error = writer.state.withLock({ $0.lastError }) { Issue.record("the feeds could not be written: \(error)") }
        return (writer, task)
    }

    func writes(_ writer: FeedWriter) -> Int { writer.writes.withLock { $0["all.ics"] ?? 0 } }

    /// Adds an event as the API does: once the write commits, it marks the feeds stale.
    func add(_ fixture: Fixture, _ writer: FeedWriter, _ title: String) async throws {
        var input = EventInput()
        input.kind = "meeting"
        input.title = title
        input.start = "2030-03-04T08:00:00+07:00"
        input.reminders = []
        _ = try await fixture.writer(feeds: writer).create(input)
    }

    @Test func aBurstWithinFeedsDelayIsWrittenOnceAndOnlyAfterTheQuiet() async throws {
        let fixture = try Fixture { $0.feedsDelay = 1 }
        let (writer, task) = try await startWriter(fixture)
        let before = writes(writer)

        // Four adds a quarter of a second apart: each comes before the last one's delay ran out.
        for n in 1...4 {
            try await add(fixture, writer, "Họp \(n)")
            if n < 4 { fixture.clock.advance(by: 0.25) }
        }
        try await fixture.eventually("the writer waits") { !fixture.clock.sleeping.deadlines.isEmpty }
        #expect(writes(writer) == before, "nothing is written while changes keep coming")

        // A second after the first change, but not after the last: still nothing.
        fixture.clock.advance(by: 0.75)
        let quiet = Fixture.start.addingTimeInterval(1.75)
        try await fixture.eventually("the writer waits for a second after the last change") { fixture.clock.sleeping.deadlines == [quiet] }
        #expect(writes(writer) == before)
        // A second after the last: one write, holding all four.
        fixture.clock.advance(by: 0.25)
        try await fixture.eventually("all.ics is written") { writes(writer) == before + 1 }
        let feed = try String(contentsOfFile: fixture.directory + "/feeds/all.ics", encoding: .utf8)
        #expect((1...4).allSatisfy { feed.contains("SUMMARY:Họp \($0)") }, "one write with every change of the burst")
        // Settled: the writer has nothing marked and waits for the next change, so no second
        // write of this burst can still come.
        try await fixture.eventually("the writer settles") { writer.settled }
        #expect(writes(writer) == before + 1, "one regeneration for the burst")
        task.cancel()
        _ = try? await task.value
    }

    @Test func changesThatNeverStopAreWrittenAfterTenDelays() async throws {
        let fixture = try Fixture { $0.feedsDelay = 1 }
        let (writer, task) = try await startWriter(fixture)
        let before = writes(writer)
        // A change every half second: never a quiet second, yet written ten delays after the first.
        try await add(fixture, writer, "Họp 0")
        try await fixture.eventually("the writer waits") { fixture.clock.sleeping.deadlines == [Fixture.start.addingTimeInterval(1)] }
        for n in 1...40 {
            fixture.clock.advance(by: 0.5)
            try await add(fixture, writer, "Họp \(n)")
            // In step with the writer: asleep again, or done.
            try await fixture.eventually("the writer waits again or writes") { writes(writer) > before || !fixture.clock.sleeping.deadlines.isEmpty }
            if writes(writer) > before { break }
        }
        #expect(writes(writer) == before + 1)
        #expect(fixture.clock.now() == Fixture.start.addingTimeInterval(10), "written ten delays after the first change")
        task.cancel()
        _ = try? await task.value
    }
}
