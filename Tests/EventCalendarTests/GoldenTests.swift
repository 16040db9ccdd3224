import EventCalendar
import EventModel
import Foundation
import Testing

/// The seed article's events as eventd writes them, compared byte for byte with the files in
/// Golden/. After a deliberate change of output, run with EVENTD_UPDATE_GOLDEN=1 and review the diff.
@Suite struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func event(
        _ uid: String, _ kind: EventKind, _ title: String, start: Instant, end: Instant, location: String? = nil, link: String? = nil,
        allDay: Bool = false, people: [Participation] = [], delegation: Delegation? = nil
    ) -> Event {
        Event(
            id: 2, uid: uid, kind: kind, title: title, location: location, link: link, start: start, end: end,
            timeZone: "Asia/Ho_Chi_Minh", allDay: allDay, delegation: delegation, created: Seed.stamp, updated: Seed.stamp,
            participants: people)
    }

    static let lam = Person(id: 20, name: "Chẩu Văn Lâm", email: "lam.cv@tuyenquang.example", position: "Bí thư Tỉnh ủy Tuyên Quang")
    static let hung = Person(id: 21, name: "Lê Thanh Hùng", email: "hung.lt@congan.baclieu.example", position: "Phó Giám đốc Công an tỉnh")
    static let dung = Person(id: 22, name: "Trần Tiến Dũng", email: "dung.tt@laichau.example", position: "Chủ tịch UBND tỉnh Lai Châu")
    static let iucn = Person(id: 23, name: "Liên minh Bảo tồn Thiên nhiên Quốc tế (IUCN)", email: "vietnam@iucn.example")

    /// The six seed events (times the article does not give are made up).
    static let cases: [(String, Event, CalendarMethod)] = [
        ("conference", Seed.event, .request),
        ("signing", event(
            "20170303-ky-giao-uoc@eventd.example", .signing, "Lễ ký giao ước thi đua năm 2017 Khối cơ quan tư pháp các tỉnh miền núi phía Bắc",
            start: Seed.at(3, 10), end: Seed.at(3, 10, 30), location: "Thái Nguyên",
            people: [Participation(person: Seed.hieu, role: .witness), Participation(person: Seed.hien, role: .attendee)]), .publish),
        ("visit", event(
            "20220703-na-hang-ba-be@eventd.example", .visit,
            "Buổi làm việc thống nhất phương án hướng tuyến giao thông kết nối huyện Na Hang (Tuyên Quang) sang huyện Ba Bể (Bắc Kạn)",
            start: Seed.at(3, 14, month: 7, year: 2022), end: Seed.at(3, 17, month: 7, year: 2022), location: "Tuyên Quang",
            people: [Participation(person: lam, role: .chair)], delegation: Delegation(visiting: "Tỉnh Bắc Kạn", host: "Tỉnh Tuyên Quang")), .publish),
        ("workshop", event(
            "20220705-cuc-phuong-3d@eventd.example", .workshop,
            "Hội thảo Báo cáo kết quả tham vấn \"Xây dựng mô hình 3D có sự tham gia của cộng đồng tại VQG Cúc Phương\"",
            start: Seed.at(5, 0, month: 7, year: 2022), end: Seed.at(6, 0, month: 7, year: 2022), location: "Vườn Quốc gia Cúc Phương, Ninh Bình",
            allDay: true, people: [Participation(person: iucn, role: .organizer)]), .publish),
        ("ceremony", event(
            "20220704-khen-thuong-bac-lieu@eventd.example", .ceremony,
            "Lễ công bố Quyết định khen thưởng đột xuất cho cá nhân đạt thành tích trong Hội thi thể thao nghiệp vụ cứu nạn, cứu hộ toàn quốc lần thứ II",
            start: Seed.at(4, 14, month: 7, year: 2022), end: Seed.at(4, 15, 30, month: 7, year: 2022), location: "Công an tỉnh Bạc Liêu",
            people: [Participation(person: hung, role: .chair)]), .publish),
        ("online", event(
            "202206-truc-tuyen-chinh-phu@eventd.example", .online,
            "Hội nghị trực tuyến Chính phủ với địa phương và phiên họp Chính phủ thường kỳ tháng 6 năm 2022",
            start: Seed.at(1, 8, month: 7, year: 2022), end: Seed.at(1, 12, month: 7, year: 2022), link: "https://hop.chinhphu.example/phien-6-2022",
            people: [Participation(person: dung, role: .speaker)]), .request),
    ]

    @Test(arguments: cases.map(\.0))
    func matchesTheGoldenFile(_ name: String) throws {
        let (_, event, method) = Self.cases.first { $0.0 == name }!
        let text = try ICalendarWriter().write(event, method: method, stamp: Seed.stamp, reminders: [86_400, 3600])
        let file = Self.directory.appendingPathComponent(name + ".ics")
        if ProcessInfo.processInfo.environment["EVENTD_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(text == golden, "eventd's \(name).ics differs from Golden/\(name).ics")
        #expect(!text.contains("freeassociation"))
        #expect(!unfolded(text).contains { $0.contains(";TZID=") && $0.hasSuffix("Z") }, "no UTC time labelled with a zone")
        #expect(text.components(separatedBy: "BEGIN:VTIMEZONE").count == (event.allDay ? 1 : 2), "one VTIMEZONE, none for DATE values")
        // Every line ends in CRLF and no line is longer than 75 octets.
        for line in text.components(separatedBy: "\r\n").dropLast() {
            #expect(line.utf8.count <= 75)
            #expect(!line.contains("\n") && !line.contains("\r"))
        }
    }
}
