import EventModel
import Testing

/// Moving a series' start moves what is anchored to its occurrences: excluded occurrences and
/// days, added dates and changed occurrences, by the same wall-clock amount.
@Suite struct SeriesShiftTests {
    let saigon = try! Zone("Asia/Ho_Chi_Minh")
    func at(_ day: Int, _ hour: Int) -> Instant { saigon.instant(CivilDateTime(year: 2027, month: 1, day: day, hour: hour)) }

    /// A weekly meeting from Thursday 7 January 2027 at 9:00: 14 January taken out, 28 January taken
    /// out by its day, 21 January moved to Friday 22 January, and Saturday 30 January added.
    var series: Event {
        var recurrence = Recurrence(rule: "FREQ=WEEKLY;COUNT=4", exceptions: [at(14, 9)])
        recurrence.exceptionDates = ["2027-01-28"]
        recurrence.dates = [at(30, 9)]
        recurrence.overrides = [OccurrenceOverride(recurrenceID: at(21, 9), start: at(22, 9), end: at(22, 10))]
        return Event(
            uid: "giao-ban@eventd", kind: .meeting, title: "Giao ban", start: at(7, 9), end: at(7, 10), timeZone: "Asia/Ho_Chi_Minh",
            recurrence: recurrence, created: at(1, 0), updated: at(1, 0))
    }

    @Test func anHourLaterEverythingAnchoredToTheOccurrencesIsAnHourLater() throws {
        var change = EventChanges()
        change.start = at(7, 10)
        let moved = try #require(try change.applied(to: series, now: at(2, 0)).recurrence)
        #expect(moved.exceptions == [at(14, 10)])
        #expect(moved.exceptionDates == ["2027-01-28"])
        #expect(moved.dates == [at(30, 10)])
        #expect(moved.overrides.map { [$0.recurrenceID, $0.start, $0.end] } == [[at(21, 10), at(22, 10), at(22, 11)]])
    }

    @Test func aDayLaterTheExcludedDayIsADayLaterToo() throws {
        var change = EventChanges()
        change.start = at(8, 9)
        let moved = try #require(try change.applied(to: series, now: at(2, 0)).recurrence)
        #expect(moved.exceptions == [at(15, 9)] && moved.exceptionDates == ["2027-01-29"])
    }

    @Test func aChangeThatKeepsTheStartLeavesTheSetAsItIs() throws {
        var change = EventChanges()
        change.title = "Giao ban tuần"
        #expect(try change.applied(to: series, now: at(2, 0)).recurrence == series.recurrence)
    }
}
