import EventModel
import Testing

@Suite struct WhenParserTests {
    let saigon = try! Zone("Asia/Ho_Chi_Minh")

    func iso(_ text: String, zone: Zone? = nil) throws -> String {
        let zone = zone ?? saigon
        return zone.iso8601(try WhenParser.parse(text, zone: zone, field: "start").instant)
    }

    @Test(arguments: [
        "3/3/2017 8h30", "03/03/2017 08h30", "3/3/2017 08:30", "8h30 3/3/2017", "8h30 ngày 3/3/2017", "3-3-2017 8h30",
        "3.3.2017 8:30", "2017-03-03 08:30", "2017-03-03T08:30", "2017-03-03T08:30:00+07:00", "2017-03-03T01:30:00Z",
        "2017-03-03T03:30:00+02:00", "  3/3/2017   8h30 ",
    ])
    func readsTheFormsAgenciesWrite(_ text: String) throws {
        #expect(try iso(text) == "2017-03-03T08:30:00+07:00")
    }

    @Test func hoursWithoutMinutesAndDatesAlone() throws {
        #expect(try iso("14h 3/3/2017") == "2017-03-03T14:00:00+07:00")
        let day = try WhenParser.parse("5/7/2022", zone: saigon, field: "start")
        #expect(day.dateOnly)
        #expect(saigon.iso8601(day.instant) == "2022-07-05T00:00:00+07:00")
        #expect(try !WhenParser.parse("5/7/2022 0h00", zone: saigon, field: "start").dateOnly)
    }

    @Test(arguments: ["31/2/2017", "29/2/2017", "3/13/2017", "3/3/2017 24h00", "3/3/2017 8h60", "3/3/17", "2017-3-3T25:00", "ngày", "", "3/3/2017 8h30 9h00", "2017-03-03T08:30:00+15:00", "2017-03-03T8h30+07:00"])
    func refusesWhatIsNotADate(_ text: String) {
        #expect(throws: RegisterError.self) { try WhenParser.parse(text, zone: saigon, field: "start") }
    }

    /// Issue 20: a date that almost reads got the whole 300-character list of forms; it now
    /// says what is wrong with it, and only that.
    @Test(arguments: [
        ("31/2/2027", "\"31/2/2027\": February 2027 has 28 days"), ("30/2/2028 8h00", "\"30/2/2028 8h00\": February 2028 has 29 days"),
        ("31/4/2027", "\"31/4/2027\": April 2027 has 30 days"), ("0/3/2027", "\"0/3/2027\": March 2027 has 31 days"),
        ("3/13/2027", "\"3/13/2027\": there is no month 13; months run from 1 to 12, and the day comes first (3/7/2022 is 3 July)"),
        ("2027-02-29T08:00:00+07:00", "\"2027-02-29T08:00:00+07:00\": February 2027 has 28 days"),
        ("sáng 31/6/2027", "\"sáng 31/6/2027\": June 2027 has 30 days"),
        ("thứ Ba 1/1/2027", "\"thứ Ba 1/1/2027\": 01/01/2027 is a Friday (thứ Sáu), not a Tuesday (thứ Ba); write the date alone, or its own weekday"),
        ("chủ nhật 3/3/2017 8h00", "\"chủ nhật 3/3/2017 8h00\": 03/03/2017 is a Friday (thứ Sáu), not a Sunday (chủ nhật); write the date alone, or its own weekday"),
    ])
    func anAlmostDateSaysWhatIsWrong(text: String, message: String) {
        do {
            _ = try WhenParser.parse(text, zone: saigon, field: "start")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.field == "start")
            #expect(error.message == "start: " + message)
        }
    }

    @Test func theRightWeekdayBesideADateStillReads() throws {
        #expect(try iso("thứ Sáu 1/1/2027 8h00") == "2027-01-01T08:00:00+07:00")
    }

    @Test func leapDayIsADate() throws {
        #expect(try iso("29/2/2016 9h00") == "2016-02-29T09:00:00+07:00")
    }

    @Test func localTimesFollowTheZonesRules() throws {
        let paris = try Zone("Europe/Paris")
        #expect(try iso("3/3/2017 8h00", zone: paris) == "2017-03-03T08:00:00+01:00")
        #expect(try iso("3/7/2017 8h00", zone: paris) == "2017-07-03T08:00:00+02:00")
        // 02:30 on 26 March 2017 does not exist in Paris; it is read with the earlier offset.
        #expect(try iso("26/3/2017 2h30", zone: paris) == "2017-03-26T03:30:00+02:00")
    }

    @Test func errorNamesTheFieldAndTheAcceptedForms() {
        do {
            _ = try WhenParser.parse("sáng 3/3/17", zone: saigon, field: "end")
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "end")
            #expect(error.message.contains("3/3/2017 8h30"))
            // Every form a secretary may write is named.
            for form in ["sáng 4/7/2022", "chiều 4/7/2022", "14h00 chiều 4/7/2022", "8g30", "8 giờ 30", "ngày mai", "thứ Hai", "tuần sau"] {
                #expect(error.message.contains(form), "\(form)")
            }
        }
    }

    /// As wide as import takes (`Limits.years`, libical's): 2999 and 3000 read in every form.
    @Test func yearsUpToThreeThousandAreRead() throws {
        #expect(try iso("3/3/2999 8h30") == "2999-03-03T08:30:00+07:00")
        #expect(try iso("2999-03-03 08:30") == "2999-03-03T08:30:00+07:00")
        #expect(try iso("2999-03-03T01:30:00Z") == "2999-03-03T08:30:00+07:00")
        #expect(try iso("sáng 31/12/3000") == "3000-12-31T08:00:00+07:00")
        #expect(try iso("1/1/0001 8h00", zone: try Zone("UTC")) == "0001-01-01T08:00:00+00:00")
    }

    @Test(arguments: ["3/3/3001 8h30", "3001-03-03T08:30:00+07:00", "3001-03-03 08:30", "sáng 3/3/3001", "1/1/0000"])
    func aYearBeyondTheRangeIsNamedNotUnreadable(_ text: String) {
        do {
            _ = try WhenParser.parse(text, zone: saigon, field: "start")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.field == "start")
            #expect(error.message.contains("eventd takes the years 1 to 3000"), "\(error.message)")
            #expect(!error.message.contains("cannot read"), "\(error.message)")
        }
    }

    @Test func durations() throws {
        #expect(try DurationParser.seconds("2h", field: "d") == 7200)
        #expect(try DurationParser.seconds("1h30m", field: "d") == 5400)
        #expect(try DurationParser.seconds("90m", field: "d") == 5400)
        #expect(try DurationParser.seconds("2d", field: "d") == 172_800)
        #expect(try DurationParser.seconds("30s", field: "d") == 30)
        for bad in ["", "2", "h", "2x", "-1h", "0m", "2 giờ"] {
            #expect(throws: RegisterError.self, "\(bad)") { try DurationParser.seconds(bad, field: "d") }
        }
    }

    @Test func unknownZonesAreRefused() {
        #expect(throws: RegisterError.self) { try Zone("Asia/Hanoi") }
        #expect(throws: RegisterError.self) { try Zone("ICT") }
        #expect(throws: RegisterError.self) { try Zone("") }
    }
}

@Suite struct TextTests {
    @Test func foldingIgnoresCaseAndDiacritics() {
        #expect(foldedForSearch("Phan Chí Hiếu") == "phan chi hieu")
        #expect(foldedForSearch("PHAN CHÍ HIẾU") == "phan chi hieu")
        #expect(foldedForSearch("Đặng Đình Đức") == "dang dinh duc")
        #expect(foldedForSearch("Nhữ  Văn Tâm") == "nhu van tam")
    }

    @Test func oneLineFieldsRefuseLineBreaksAndControls() throws {
        for bad in ["a\nb", "a\rb", "a\u{2028}b", "a\u{0}b", "a\u{1B}[31mb", "a\u{85}b"] {
            #expect(throws: RegisterError.self, "\(bad.debugDescription)") { try TextRules.oneLine(bad, field: "title") }
        }
        #expect(throws: RegisterError.self) { try TextRules.oneLine("Hội nghị\tThái Nguyên", field: "title") }
        #expect(try TextRules.oneLine(" Thái Nguyên ", field: "location") == "Thái Nguyên")
    }

    @Test func decomposedInputIsStoredPrecomposed() throws {
        let decomposed = "Hie\u{302}\u{301}u"  // "Hiếu" typed with combining marks
        let stored = try TextRules.oneLine(decomposed, field: "name")
        #expect(stored.unicodeScalars.count == 4)
        #expect(stored == "Hiếu")
    }

    @Test func multiLineKeepsLineBreaks() throws {
        #expect(try TextRules.multiLine("Dòng 1\r\nDòng 2", field: "description") == "Dòng 1\nDòng 2")
        #expect(throws: RegisterError.self) { try TextRules.multiLine("a\u{7}b", field: "description") }
    }

    @Test func personReferences() throws {
        #expect(try PersonReference(parsing: "12", field: "p") == .id(12))
        #expect(try PersonReference(parsing: "hieu@MOJ.gov.vn", field: "p") == .email("hieu@moj.gov.vn"))
        #expect(try PersonReference(parsing: "Phan Chí Hiếu <hieu@moj.gov.vn>", field: "p") == .named(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"))
        #expect(try PersonReference(parsing: "\"Phan Chí Hiếu\" <hieu@moj.gov.vn>", field: "p") == .named(name: "Phan Chí Hiếu", email: "hieu@moj.gov.vn"))
        #expect(try PersonReference(parsing: "Nhữ Văn Tâm", field: "p") == .named(name: "Nhữ Văn Tâm", email: nil))
        #expect(throws: RegisterError.self) { try PersonReference(parsing: "Tâm <not an email>", field: "p") }
        #expect(throws: RegisterError.self) { try PersonReference(parsing: "Tâm <a@b>\nBcc: x", field: "p") }
    }
}
