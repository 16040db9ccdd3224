import EventCalendar
import EventModel
import Foundation

/// Writes notices as RFC 5322 messages: iMIP (RFC 6047) `multipart/alternative` with a
/// text/plain part in the recipient's language and an inline text/calendar part whose
/// `method=` matches the METHOD inside. Non-ASCII headers are RFC 2047 encoded words, and no
/// header value can carry a line break, so user text never makes a header.
struct MailComposer: Sendable {
    let from: String
    /// `organizer` from the config: the ORGANIZER of events that name none.
    let configuredOrganizer: String?
    let defaultZone: String
    let reminders: [Int]

    init(from: String, organizer: String? = nil, defaultZone: String, reminders: [Int]) {
        self.from = from
        self.configuredOrganizer = organizer
        self.defaultZone = defaultZone
        self.reminders = reminders
    }

    struct Letter {
        var kind: NoticeKind
        var event: Event
        var recipient: Person
        var messageID: String
        var date: Instant
        /// For a reminder of a recurring event: the occurrence.
        var occurrence: Instant?
        /// For an update: what changed.
        var changes: [ChangedFact] = []
        /// An invitation sent again to someone who has not answered.
        var again = false
        /// A cancellation for someone taken off an event that goes on.
        var removed = false
    }

    /// Who the ORGANIZER of an invitation is (RFC 5546 §3.2.2): the event's first organizer with
    /// an email, else the configured one. Never eventd's own sending address.
    func organizer(of event: Event) -> Person? {
        if let own = event.participants.first(where: { $0.role == .organizer && $0.sessionID == nil && $0.person.email != nil }) { return own.person }
        return configuredOrganizer.flatMap(Self.person)
    }

    static let noOrganizer = RegisterError.conflict(
        field: "organizer",
        message: "an invitation needs an organizer with an email: add one to the event (--organizer \"Name <email>\") or set organizer in eventd's config")

    func compose(_ letter: Letter) throws -> String {
        let method: CalendarMethod = switch letter.kind {
        case .invitation, .update: .request
        case .cancellation: .cancel
        case .reminder: .publish
        }
        var event = letter.event
        if letter.removed {
            // RFC 5546 3.2.5: the CANCEL that takes attendees off names only them, and no STATUS.
            event.participants = event.participants.filter { $0.person.id == letter.recipient.id || $0.role == .organizer }
        } else if letter.kind == .cancellation {
            event.status = .cancelled
        }
        if method != .publish {
            // iTIP needs an ORGANIZER with a real address for Accept and Decline to show and to come back.
            guard let organizer = organizer(of: event) else { throw Self.noOrganizer }
            if !event.participants.contains(where: { $0.role == .organizer && $0.person.email == organizer.email }) {
                event.participants.insert(Participation(person: organizer, role: .organizer), at: 0)
            }
        }
        // iTIP wants one UID per REQUEST or CANCEL: sessions stay in the DESCRIPTION's timetable.
        let calendar = try ICalendarWriter(includeSessions: false, uninvites: letter.removed).write(
            event, method: method, stamp: letter.date, reminders: method == .cancel ? [] : reminders)
        let english = letter.recipient.language == .en
        let boundary = "eventd-" + String(UInt64(bitPattern: Int64(letter.messageID.hashValue)), radix: 36)
        var headers = [
            ("From", sender.map { address($0.name, $0.email ?? "") } ?? noBreaks(from)),
            ("To", address(letter.recipient.name, letter.recipient.email ?? "")),
            ("Subject", encodedWords(subject(letter, english: english))),
            ("Date", rfc5322Date(letter.date)),
            ("Message-ID", letter.messageID),
            ("MIME-Version", "1.0"),
            ("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""),
            ("X-Eventd-Notice", letter.kind.rawValue),
        ]
        if letter.kind != .reminder { headers.append(("X-Eventd-Sequence", String(event.sequence))) }
        // Every value above is built from encodedWords, noBreaks or our own text: none can break a line.
        var lines = headers.map { "\($0.0): \($0.1)" }
        lines += [
            "", "This is a MIME message.", "--\(boundary)",
            "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", "",
            base64(body(letter, english: english)),
            "--\(boundary)",
            "Content-Type: text/calendar; charset=UTF-8; method=\(method.rawValue)", "Content-Transfer-Encoding: base64", "",
            base64(calendar),
            "--\(boundary)--", "",
        ]
        return lines.joined(separator: "\r\n")
    }

    // MARK: Text

    private func subject(_ letter: Letter, english: Bool) -> String {
        let when = zone(for: letter.recipient, of: letter.event).display(letter.occurrence ?? letter.event.start, dateOnly: letter.event.allDay)
        let title = letter.event.title
        if letter.removed { return english ? "No longer expected: \(title) (\(when))" : "Thay đổi thành phần: \(title) (\(when))" }
        return switch (letter.kind, english) {
        case (.reminder, false): "Nhắc lịch: \(title) (\(when))"
        case (.reminder, true): "Reminder: \(title) (\(when))"
        case (.invitation, false): "Mời tham dự: \(title) (\(when))"
        case (.invitation, true): "Invitation: \(title) (\(when))"
        case (.update, false): "Cập nhật: \(title) (\(when))"
        case (.update, true): "Updated: \(title) (\(when))"
        case (.cancellation, false): "Hủy: \(title) (\(when))"
        case (.cancellation, true): "Cancelled: \(title) (\(when))"
        }
    }

    private func body(_ letter: Letter, english: Bool) -> String {
        let zone = zone(for: letter.recipient, of: letter.event)
        let event = letter.event
        let start = letter.occurrence ?? event.start
        // A changed occurrence keeps its own length; any other lasts as the series does (a whole day
        // to the local midnight its days later).
        let end = event.recurrence?.overrides.first { $0.start == start && letter.occurrence != nil }?.end
            ?? event.end(ofOccurrenceAt: start)
        let mine = event.participants.filter { $0.person.id == letter.recipient.id }
        var roles: [String] = []
        for p in mine where !roles.contains(roleName(p, english)) { roles.append(roleName(p, english)) }
        var lines = [english ? "Dear \(letter.recipient.name)," : "Kính gửi \(letter.recipient.name),", ""]
        if letter.again {
            lines += [english ? "We have not had your answer yet; please accept or decline:" : "Chúng tôi chưa nhận được trả lời của quý vị; xin vui lòng xác nhận tham dự:"]
        } else if letter.removed {
            lines += [english ? "You are no longer expected at this event; it goes on without you:" : "Quý vị không còn trong thành phần tham dự lịch sau:"]
        } else {
            lines += [intro(letter.kind, english)]
        }
        lines += ["", event.title, ""]
        if !letter.changes.isEmpty {
            lines.append(english ? "What changed:" : "Những thay đổi:")
            for item in letter.changes { lines.append("  " + changeLine(item, english)) }
            lines.append("")
        }
        lines += [
            (english ? "When: " : "Thời gian: ") + (event.allDay
                ? "\(zone.display(start, dateOnly: true)) – \(zone.display(end.adding(seconds: -1), dateOnly: true))"
                : "\(zone.display(start)) – \(zone.display(end)) (\(zone.identifier))"),
        ]
        if let recurrence = event.recurrence {
            lines.append((english ? "Repeats: " : "Lặp lại: ") + RepeatDescription.text(recurrence, zone: zone, english: english))
        }
        if let place = ICalendarWriter.place(event.location, room: event.room) { lines.append((english ? "Where: " : "Địa điểm: ") + place) }
        if let unit = event.preparedBy { lines.append((english ? "Prepared by: " : "Chuẩn bị: ") + unit) }
        if let link = event.link { lines.append((english ? "Join online: " : "Tham gia trực tuyến: ") + link) }
        if !roles.isEmpty, !letter.removed { lines.append((english ? "Your role: " : "Vai trò của quý vị: ") + roles.joined(separator: ", ")) }
        let shift = start.seconds - event.start.seconds
        for p in mine where p.sessionID != nil && (p.role == .speaker || p.role == .chair) {
            guard let session = event.sessions.first(where: { $0.id == p.sessionID }) else { continue }
            let s = session.start.adding(seconds: shift), e = session.end.adding(seconds: shift)
            lines.append(
                (english ? "Your slot: " : "Phần của quý vị: ")
                    + "\(zone.display(s)) – \(String(zone.display(e).suffix(5))) \(session.title)\(session.room.map { " (\($0))" } ?? "")")
        }
        if let description = event.description { lines += ["", description] }
        lines += ["", english ? "— eventd, on behalf of the organisers" : "— eventd, thay mặt ban tổ chức"]
        return lines.joined(separator: "\n")
    }

    private func changeLine(_ item: ChangedFact, _ english: Bool) -> String {
        let label: String = switch (item.kind, english) {
        case (.time, false): "Thời gian"
        case (.time, true): "Time"
        case (.place, false): "Địa điểm"
        case (.place, true): "Place"
        case (.link, false): "Đường dẫn trực tuyến"
        case (.link, true): "Online link"
        case (.status, false): "Trạng thái"
        case (.status, true): "Status"
        case (.title, false): "Tên"
        case (.title, true): "Title"
        case (.people, false): "Thành phần"
        case (.people, true): "People"
        case (.repeats, false): "Lặp lại"
        case (.repeats, true): "Repeats"
        case (.occurrences, false): "Các buổi (− bỏ, + thêm, → dời)"
        case (.occurrences, true): "Occurrences (− off, + added, → moved)"
        }
        if item.kind == .occurrences { return "\(label): \(item.now.replacingOccurrences(of: "(cancelled)", with: english ? "(cancelled)" : "(hủy)"))" }
        if item.kind == .people { return "\(label): \([item.now, item.before].filter { !$0.isEmpty }.joined(separator: "; "))" }
        return english ? "\(label): \(item.now) (was \(item.before))" : "\(label): \(item.now) (trước đây: \(item.before))"
    }

    private func intro(_ kind: NoticeKind, _ english: Bool) -> String {
        switch (kind, english) {
        case (.reminder, false): "Xin nhắc quý vị lịch sau:"
        case (.reminder, true): "A reminder of:"
        case (.invitation, false): "Trân trọng kính mời quý vị tham dự:"
        case (.invitation, true): "You are invited to:"
        case (.update, false): "Lịch sau đã thay đổi; xin xem thông tin mới:"
        case (.update, true): "This event has changed; the new details are below:"
        case (.cancellation, false): "Lịch sau đã bị hủy:"
        case (.cancellation, true): "This event has been cancelled:"
        }
    }

    private func roleName(_ p: Participation, _ english: Bool) -> String {
        if english { return p.role == .attendee && !p.required ? "optional attendee" : p.role.rawValue }
        return switch p.role {
        case .organizer: "đơn vị tổ chức"
        case .chair: "chủ trì"
        case .speaker: "phát biểu"
        case .witness: "chứng kiến"
        case .attendee: p.required ? "tham dự" : "tham dự (không bắt buộc)"
        }
    }

    /// `mail_from` (`eventd <eventd@example>`) as a person: the From: header.
    private var sender: Person? { Self.person(from) }

    /// `Name <address>` (or a bare address) as a person.
    static func person(_ text: String) -> Person? {
        guard let open = text.lastIndex(of: "<") else {
            let bare = text.trimmingCharacters(in: .whitespaces)
            return bare.contains("@") ? Person(name: bare, email: bare.lowercased()) : nil
        }
        let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let email = text[text.index(after: open)...].trimmingCharacters(in: CharacterSet(charactersIn: "> ")).lowercased()
        return Person(name: name.isEmpty ? email : name, email: email)
    }

    /// Times in the recipient's zone; the dates of a whole-day event in its own (5 July in Cúc
    /// Phương is 5 July for a reader in Paris too).
    private func zone(for person: Person, of event: Event) -> Zone {
        (try? Zone(event.allDay ? event.timeZone : person.timeZone ?? defaultZone)) ?? (try! Zone("UTC"))
    }

    // MARK: Encoding

    /// `Name <address>` with the name as encoded words when it is not plain ASCII.
    private func address(_ name: String, _ email: String) -> String {
        "\(encodedWords(name)) <\(noBreaks(email))>"
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters, never splitting a character,
    /// folded onto continuation lines; plain ASCII text without specials stays as it is.
    func encodedWords(_ text: String) -> String {
        let clean = noBreaks(text)
        let plain = clean.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && !"\"=?_<>(),;:@\\[]".unicodeScalars.contains($0) }
        if plain, clean.count <= 60 { return clean }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            // 39 bytes of UTF-8 are 52 characters of base64: with "=?UTF-8?B?", "?=" and "Subject: ",
            // even the first line stays within RFC 2047's 76.
            if chunk.utf8.count + String(character).utf8.count > 39 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    private func noBreaks(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\u{0}" }))
    }

    private func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// `Sun, 29 Nov 2026 02:00:00 +0000`.
    private func rfc5322Date(_ instant: Instant) -> String {
        let c = try! Zone("UTC").civil(instant)
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = days[Int(((instant.seconds / 86_400) % 7 + 7) % 7)]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(c.day) \(months[c.month - 1]) \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}
