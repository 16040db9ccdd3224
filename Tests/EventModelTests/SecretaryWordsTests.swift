import EventModel
import Testing

/// The date and time words of a secretary: half-days, 8g30, 8 giờ 30, days named from today.
/// "Today" is fixed at Wednesday 29 June 2022, 10:00 in Hà Nội, so that the relative forms have
/// one right answer: ngày mai is Thursday 30 June, thứ Hai tuần sau Monday 4 July.
@Suite struct SecretaryWordsTests {
    let saigon = try! Zone("Asia/Ho_Chi_Minh")
    var now: Instant { saigon.instant(CivilDateTime(year: 2022, month: 6, day: 29, hour: 10)) }

    func read(_ text: String) throws -> When {
        try WhenParser.parse(text, zone: saigon, field: "start", now: now)
    }

    func iso(_ text: String) throws -> String { saigon.iso8601(try read(text).instant) }

    @Test(arguments: ["sáng 4/7/2022", "Sáng 4/7/2022", "SÁNG 04/07/2022", "sang 4/7/2022", "sáng ngày 4/7/2022", "sáng 4/7"])
    func aMorningAloneIsTheWholeMorning(_ text: String) throws {
        let when = try read(text)
        #expect(saigon.iso8601(when.instant) == "2022-07-04T08:00:00+07:00")
        #expect(when.halfDayEnd.map(saigon.iso8601) == "2022-07-04T12:00:00+07:00")
        #expect(!when.dateOnly)
    }

    @Test func anAfternoonAndAnEveningAlone() throws {
        let afternoon = try read("chiều 4/7/2022")
        #expect(saigon.iso8601(afternoon.instant) == "2022-07-04T13:00:00+07:00")
        #expect(afternoon.halfDayEnd.map(saigon.iso8601) == "2022-07-04T17:00:00+07:00")
        #expect(try read("chieu ngay 4/7/2022").halfDayEnd.map(saigon.iso8601) == "2022-07-04T17:00:00+07:00")
        #expect(try iso("tối 4/7/2022") == "2022-07-04T18:00:00+07:00")
        // As the top of a range a half-day stands for its end; a date alone for the day after it.
        #expect(saigon.iso8601(try read("chiều 4/7/2022").endOfRange(in: saigon)) == "2022-07-04T17:00:00+07:00")
        #expect(saigon.iso8601(try read("4/7/2022").endOfRange(in: saigon)) == "2022-07-05T00:00:00+07:00")
    }

    @Test(arguments: [
        ("14h00 chiều 4/7/2022", "2022-07-04T14:00:00+07:00"), ("2h chiều 4/7/2022", "2022-07-04T14:00:00+07:00"),
        ("2 giờ chiều 4/7/2022", "2022-07-04T14:00:00+07:00"), ("chiều 4/7/2022 lúc 15h30", "2022-07-04T15:30:00+07:00"),
        ("8h30 sáng 4/7/2022", "2022-07-04T08:30:00+07:00"), ("7 giờ tối 4/7/2022", "2022-07-04T19:00:00+07:00"),
        ("8 giờ 30 ngày 4/7/2022", "2022-07-04T08:30:00+07:00"), ("8 giờ 30 phút ngày 4/7/2022", "2022-07-04T08:30:00+07:00"),
        ("8 gio 30 4/7/2022", "2022-07-04T08:30:00+07:00"), ("8 giờ 4/7/2022", "2022-07-04T08:00:00+07:00"),
        ("8g30 4/7/2022", "2022-07-04T08:30:00+07:00"), ("4/7/2022 8g", "2022-07-04T08:00:00+07:00"), ("14G00 4/7/2022", "2022-07-04T14:00:00+07:00"),
    ])
    func timesAsTheyAreWritten(_ text: String, _ expected: String) throws {
        let when = try read(text)
        #expect(saigon.iso8601(when.instant) == expected, "\(text)")
        #expect(when.halfDayEnd == nil && !when.dateOnly)
    }

    @Test(arguments: [
        ("hôm nay", "2022-06-29"), ("ngày mai", "2022-06-30"), ("mai", "2022-06-30"), ("ngày kia", "2022-07-01"),
        ("thứ Hai tuần sau", "2022-07-04"), ("thu hai tuan sau", "2022-07-04"), ("thứ 2 tuần tới", "2022-07-04"),
        ("thứ Sáu tuần này", "2022-07-01"), ("thứ Hai tuần này", "2022-06-27"), ("thứ Tư tuần trước", "2022-06-22"),
        ("chủ nhật tuần này", "2022-07-03"), ("Chủ nhật", "2022-07-03"), ("thứ Hai", "2022-07-04"), ("thứ Tư", "2022-06-29"),
        ("thứ Bảy", "2022-07-02"), ("tuần sau", "2022-07-04"), ("tuần này", "2022-06-27"),
    ])
    func daysNamedFromToday(_ text: String, _ date: String) throws {
        let when = try read(text)
        #expect(saigon.civil(when.instant).isoDate == date, "\(text)")
        #expect(when.dateOnly, "\(text)")
    }

    @Test func wordsCombine() throws {
        #expect(try iso("sáng mai") == "2022-06-30T08:00:00+07:00")
        #expect(try read("sáng mai").halfDayEnd.map(saigon.iso8601) == "2022-06-30T12:00:00+07:00")
        #expect(try iso("14h00 chiều thứ Hai tuần sau") == "2022-07-04T14:00:00+07:00")
        #expect(try iso("8g30 ngày mai") == "2022-06-30T08:30:00+07:00")
        #expect(try iso("thứ Hai, 4/7/2022 8h00") == "2022-07-04T08:00:00+07:00")
        #expect(try iso("Thứ Sáu ngày 3/3/2017") == "2017-03-03T00:00:00+07:00")
    }

    @Test(arguments: [
        "14h sáng 4/7/2022", "sáng chiều 4/7/2022", "thứ Tám", "thứ Hai tuần kia", "thứ Năm 4/7/2022", "ngày mai 4/7/2022",
        "8 giờ 75 4/7/2022", "25 giờ 4/7/2022", "8g5 4/7/2022", "hôm qua", "sáng", "8h30", "tuần",
    ])
    func refusesWhatDoesNotAddUp(_ text: String) {
        #expect(throws: RegisterError.self, "\(text)") { try read(text) }
    }

    @Test func isoWeeks() throws {
        #expect(ISOWeek.parse("2017-W09")! == (2017, 9))
        #expect(ISOWeek.parse("2022w27")! == (2022, 27))
        #expect(ISOWeek.parse("2017-W54") == nil)
        #expect(ISOWeek.parse("2020-W53")! == (2020, 53))
        #expect(ISOWeek.monday(year: 2017, week: 9).isoDate == "2017-02-27")
        #expect(ISOWeek.monday(year: 2022, week: 27).isoDate == "2022-07-04")
        #expect(ISOWeek.of(CivilDateTime(year: 2017, month: 3, day: 3)) == (2017, 9))
        #expect(ISOWeek.of(CivilDateTime(year: 2021, month: 1, day: 3)) == (2020, 53))
        #expect(CivilDateTime(year: 2017, month: 3, day: 3).weekdayIndex == 4)
    }
}

@Suite struct SearchFoldTests {
    @Test(arguments: [
        "Phan Chí Hiếu", "ĐẶNG ĐÌNH ĐỨC", "Vườn Quốc gia Cúc Phương", "Hội thảo tham vấn mô hình 3D", "Nhữ Văn Tâm", "Ưu tiên Ơn", "Hie\u{302}\u{301}u",
        "Zürich Ångström", "ǅ Ǆ", "Ελλάδα", "中文 abc",
    ])
    func foldsAsNamesAreFolded(_ text: String) {
        #expect(SearchFold.fold(text) == foldedForSearch(text), "\(text)")
    }
}
