import EventModel
import Testing

/// What an update mail says changed in a series: the occurrences taken out, put back, cancelled,
/// moved or changed, not a rule that stayed the same.
@Suite struct ChangedFactTests {
    let saigon = try! Zone("Asia/Ho_Chi_Minh")
    func at(_ day: Int, _ hour: Int) -> Instant { saigon.instant(CivilDateTime(year: 2026, month: 12, day: day, hour: hour)) }

    /// A weekly meeting from Monday 7 December 2026 at 8:00 in Phòng họp 1.
    var series: Event {
        Event(
            uid: "giao-ban@eventd", kind: .meeting, title: "Giao ban", location: "Phòng họp 1", start: at(7, 8), end: at(7, 9),
            timeZone: "Asia/Ho_Chi_Minh", recurrence: Recurrence(rule: "FREQ=WEEKLY;COUNT=6"), created: at(1, 0), updated: at(1, 0))
    }

    func occurrences(_ change: (inout Recurrence) -> Void) -> String? {
        var new = series
        change(&new.recurrence!)
        let facts = ChangedFact.between(series, new)
        #expect(!facts.contains { $0.kind == .repeats }, "the rule did not change")
        return facts.first { $0.kind == .occurrences }?.now
    }

    @Test func eachKindOfOccurrenceChangeIsNamed() {
        #expect(occurrences { $0.exceptions = [at(14, 8)] } == "− 14/12/2026 08:00")
        #expect(occurrences { $0.exceptionDates = ["2026-12-28"] } == "− 28/12/2026")
        #expect(occurrences { $0.overrides = [OccurrenceOverride(recurrenceID: at(21, 8), start: at(21, 8), end: at(21, 9), status: .cancelled)] }
            == "− 21/12/2026 08:00 (cancelled)")
        #expect(occurrences { $0.overrides = [OccurrenceOverride(recurrenceID: at(21, 8), start: at(22, 14), end: at(22, 15))] }
            == "21/12/2026 08:00 → 22/12/2026 14:00")
        #expect(occurrences { $0.overrides = [OccurrenceOverride(recurrenceID: at(14, 8), start: at(14, 8), end: at(14, 9), location: "Phòng họp 2")] }
            == "14/12/2026 08:00: Phòng họp 2")
    }

    @Test func anOccurrenceBroughtBackIsAPlus() {
        var cancelled = series
        cancelled.recurrence!.overrides = [OccurrenceOverride(recurrenceID: at(21, 8), start: at(21, 8), end: at(21, 9), status: .cancelled)]
        var back = cancelled
        back.recurrence!.overrides[0].status = .confirmed
        #expect(ChangedFact.between(cancelled, back).map(\.now) == ["+ 21/12/2026 08:00"])
    }

    @Test func aWholeSeriesMovedIsOneChangeOfTime() {
        var before = series
        before.recurrence!.exceptions = [at(14, 8)]
        var change = EventChanges()
        change.start = at(7, 9)
        let after = try! change.applied(to: before, now: at(1, 0))
        #expect(ChangedFact.between(before, after).map(\.kind) == [.time], "its excluded occurrence moved with it: nothing else to say")
    }
}
