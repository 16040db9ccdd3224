import EventModel

/// The seed conference of 3 March 2017 in Thái Nguyên. The chair (Trần Thị Minh Hằng), the
/// organiser's office, the Lạng Sơn representative and every email address are made up.
enum Seed {
    static let uid = "20170303-giao-uoc-thi-dua@eventd.example"
    static let hcm = try! Zone("Asia/Ho_Chi_Minh")
    static let title = "Hội nghị phát động phong trào và ký giao ước thi đua năm 2017 Khối cơ quan tư pháp các tỉnh miền núi phía Bắc"
    static let stamp = Instant(seconds: 1_488_000_000)

    static func at(_ day: Int, _ hour: Int, _ minute: Int = 0, zone: Zone = hcm, month: Int = 3, year: Int = 2017) -> Instant {
        zone.instant(CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute))
    }

    static let organizer = Person(id: 1, name: "Văn phòng Sở Tư pháp tỉnh Thái Nguyên", email: "vanphong.stp@thainguyen.example")
    static let chair = Person(id: 2, name: "Trần Thị Minh Hằng", email: "hang.ttm@thainguyen.example", position: "Chánh Văn phòng Sở Tư pháp")
    static let tam = Person(id: 3, name: "Nhữ Văn Tâm", email: "tam.nv@thainguyen.example",
                            position: "Phó Chủ tịch Thường trực UBND tỉnh Thái Nguyên")
    static let hien = Person(id: 4, name: "Vũ Duy Hiển", email: "hien.vd@thainguyen.example",
                             position: "Giám đốc Sở Tư pháp tỉnh Thái Nguyên")
    static let hieu = Person(id: 5, name: "Phan Chí Hiếu", email: "hieu.pc@moj.example", position: "Thứ trưởng Bộ Tư pháp")
    static let langSon = Person(id: 6, name: "Đại diện Sở Tư pháp tỉnh Lạng Sơn")  // no email
    static let guest = Person(id: 7, name: "Lê Thị Thu", email: "thu.lt@backan.example")

    static var event: Event {
        Event(
            id: 1, uid: uid, kind: .conference, title: title,
            description: "Phát động phong trào thi đua năm 2017.\nKý giao ước thi đua giữa các Sở Tư pháp.",
            location: "Hội trường UBND tỉnh Thái Nguyên, TP. Thái Nguyên", link: "https://meet.example/giao-uoc-2017",
            start: at(3, 8), end: at(3, 11, 30), timeZone: "Asia/Ho_Chi_Minh", status: .confirmed, sequence: 2,
            created: Instant(seconds: 1_487_000_000), updated: Instant(seconds: 1_487_500_000),
            participants: [
                Participation(person: organizer, role: .organizer, rsvp: .accepted),
                Participation(person: chair, role: .chair, rsvp: .accepted),
                Participation(person: tam, role: .speaker, rsvp: .accepted),
                Participation(person: hien, role: .speaker, rsvp: .tentative),
                Participation(person: hieu, role: .witness, rsvp: .needsAction),
                Participation(person: langSon, role: .attendee),
                Participation(person: guest, role: .attendee, required: false, rsvp: .declined),
                Participation(person: chair, role: .chair, sessionID: 11),
                Participation(person: tam, role: .speaker, sessionID: 11),
                Participation(person: chair, role: .chair, sessionID: 12),
                Participation(person: hien, role: .speaker, sessionID: 12),
            ],
            sessions: [
                Session(id: 11, uid: "11.\(uid)", title: "Khai mạc; phát động phong trào thi đua", start: at(3, 8), end: at(3, 9, 30), room: "Hội trường tầng 3"),
                Session(id: 12, uid: "12.\(uid)", title: "Ký kết giao ước thi đua, bế mạc", start: at(3, 9, 45), end: at(3, 11, 30), room: "Hội trường tầng 3"),
            ])
    }
}

/// Content lines with folds undone (RFC 5545 3.1).
func unfolded(_ text: String) -> [String] {
    text.replacingOccurrences(of: "\r\n ", with: "").replacingOccurrences(of: "\r\n\t", with: "")
        .components(separatedBy: "\r\n").filter { !$0.isEmpty }
}
