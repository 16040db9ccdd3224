import EventAPI
import EventModel
import EventStore
import Foundation

/// The weekly work schedule (lịch công tác tuần): which events and sessions a selection of people
/// or an organisation has in a range, laid out by day and by part of the day, with what changed
/// since the last published version marked. Shared by the API and the HTTP listener.
struct ScheduleService: Sendable {
    let store: SQLiteStore
    let live: LiveConfig
    let reader: InputReader
    var config: DaemonConfig { live.current }

    /// What a schedule shows: a range, the people or organisation, the language and zone.
    struct Selection: Sendable {
        var from: Instant
        var to: Instant
        /// `2017-W09` when the range is one ISO week.
        var week: String?
        var people: [Person] = []
        var org: String?
        var language: Language = .vi
        var zone: Zone

        /// Names the scope and range a publication is kept under.
        var scopeKey: String {
            if let org { return "org:" + foldedForSearch(org) }
            if !people.isEmpty { return "people:" + people.compactMap(\.id).sorted().map(String.init).joined(separator: ",") }
            return "all"
        }
        var rangeKey: String { week ?? "\(from.seconds)-\(to.seconds)" }
    }

    /// Reads a selection from query parameters (or a publish body): `week` (`2017-W09`, or any
    /// WHEN in the week), or `from` and `to`; default this week. `person` may repeat.
    func selection(week: String?, from: String?, to: String?, people: [String], org: String?, lang: String?, tz: String?) async throws -> Selection {
        let zone = try Zone(tz ?? config.defaultTimeZone, field: "tz")
        let language: Language
        switch lang {
        case nil: language = .vi
        case let text?:
            guard let l = Language(rawValue: text) else { throw RegisterError.invalid(field: "lang", message: "must be vi or en") }
            language = l
        }
        var selection: Selection
        if week != nil, from != nil || to != nil {
            throw RegisterError.invalid(field: "week", message: "give a week or a range (from, to), not both")
        } else if from != nil || to != nil {
            let (start, end) = try reader.range(from: from, to: to)
            guard let start, let end else { throw RegisterError.invalid(field: from == nil ? "from" : "to", message: "a range needs both from and to") }
            guard end > start else { throw RegisterError.invalid(field: "to", message: "must come after from") }
            guard end.seconds - start.seconds <= 62 * 86_400 else {
                throw RegisterError.invalid(field: "to", message: "a schedule covers at most 62 days; ask for a week or a shorter range")
            }
            selection = Selection(from: start, to: end, zone: zone)
            // A range that is exactly one ISO week is that week, for its title and publications.
            let first = zone.civil(start)
            let monday = first.adding(days: -first.weekdayIndex).date
            if first == monday, zone.instant(monday.adding(days: 7)) == end {
                let (y, w) = ISOWeek.of(monday)
                selection.week = ISOWeek.label(year: y, week: w)
            }
        } else {
            let day: CivilDateTime
            if let week, let (y, w) = ISOWeek.parse(week) {
                day = ISOWeek.monday(year: y, week: w)
            } else if let week {
                do {
                    day = zone.civil(try reader.when(week, zone: zone, field: "week").instant)
                } catch {
                    throw RegisterError.invalid(
                        field: "week", message: "cannot read \(week.debugDescription) as a week; write 2017-W09, or any day of the week (\(WhenParser.accepted))")
                }
            } else {
                day = zone.civil(reader.clock.instant)
            }
            let monday = day.adding(days: -day.weekdayIndex).date
            let (y, w) = ISOWeek.of(monday)
            selection = Selection(from: zone.instant(monday), to: zone.instant(monday.adding(days: 7)), week: ISOWeek.label(year: y, week: w), zone: zone)
        }
        selection.language = language
        for key in people { selection.people.append(try await store.onePerson(matching: key)) }
        if let org {
            let text = try TextRules.oneLine(org, field: "org")
            // Keep the organisation as the register spells it, when it does.
            selection.org = try await store.organisations().first { foldedForSearch($0) == foldedForSearch(text) } ?? text
        }
        return selection
    }

    /// The schedule of `selection`, marked against its last publication.
    func view(_ selection: Selection) async throws -> ScheduleView {
        var entries = try await entries(selection)
        let publication = try await store.lastPublication(scope: selection.scopeKey, range: selection.rangeKey)
        var changes = 0
        if let publication {
            // Issue 20: an unreadable publication was read as empty, so every entry showed as
            // new. It is refused instead, saying how to replace it.
            let published: [ScheduleEntry]
            do {
                published = try JSONDecoder().decode([ScheduleEntry].self, from: Data(publication.entries.utf8))
            } catch {
                throw RegisterError.conflict(
                    field: "publication",
                    message: "the published version of this schedule (revision \(publication.revision), \(selection.zone.display(publication.at))) "
                        + "cannot be read (\(error)); publish the schedule again to make it as it is now the version announced")
            }
            changes = try await mark(&entries, against: published, selection)
        }
        return layout(entries, selection, published: publication.map { PublishedView(at: selection.zone.iso8601($0.at), revision: $0.revision) }, changes: changes)
    }

    /// Records the schedule as it is now as its published version.
    func publish(_ selection: Selection) async throws -> PublishResult {
        // What changed since the last publication; when that one cannot be read, this
        // publication replaces it, which is how the schedule's refusal says to mend it.
        let changes: Int
        do {
            changes = try await view(selection).changes
        } catch let error as RegisterError where error.field == "publication" {
            changes = 0
        }
        let entries = try await entries(selection)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let publication = try await store.publishSchedule(
            scope: selection.scopeKey, range: selection.rangeKey, entries: String(decoding: try encoder.encode(entries), as: UTF8.self))
        return PublishResult(
            scope: selection.org ?? (selection.people.isEmpty ? "all" : selection.people.map(\.name).joined(separator: ", ")),
            range: selection.rangeKey, revision: publication.revision, at: selection.zone.iso8601(publication.at), entries: entries.count,
            changes: changes, url: url(selection))
    }

    /// Where the HTTP listener serves this schedule, if it does.
    func url(_ selection: Selection) -> String? {
        guard let address = config.httpAddress, config.publicFeeds, selection.people.isEmpty else { return nil }
        let slug = selection.org.map(Self.slug) ?? "all"
        return "http://\(address)/schedule/\(slug).html" + (selection.week.map { "?week=\($0)" } ?? "")
    }

    /// An organisation's name as it appears in addresses: folded, words joined by hyphens ("bo-tu-phap").
    static func slug(_ name: String) -> String {
        var out = ""
        for scalar in foldedForSearch(name).unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        return out.hasSuffix("-") ? String(out.dropLast()) : out
    }

    // MARK: Entries

    private enum Part: String { case allday, morning, afternoon }

    /// Every entry of the selection, in order of day, part and time.
    func entries(_ selection: Selection) async throws -> [ScheduleEntry] {
        let zone = selection.zone
        let scheduling = Scheduling(config: config)
        let chosen = Set(selection.people.compactMap(\.id))
        let org = selection.org.map(foldedForSearch)
        func orgMatches(_ text: String?) -> Bool { text.map { foldedForSearch($0) == org } ?? false }
        func selects(_ participants: [Participation]) -> Bool {
            if !chosen.isEmpty { return participants.contains { chosen.contains($0.person.id ?? 0) } }
            if org != nil { return participants.contains { orgMatches($0.person.organisation) } }
            return true
        }
        var entries: [ScheduleEntry] = []
        let events = try await store.events(from: selection.from, to: selection.to, kind: nil)
        for event in events {
            let eventLevel = event.participants.filter { $0.sessionID == nil }
            var eventSelected = selects(eventLevel)
            if org != nil, orgMatches(event.preparedBy) || orgMatches(event.delegation?.host) || orgMatches(event.delegation?.visiting) {
                eventSelected = true
            }
            for start in try scheduling.starts(of: event, from: selection.from, to: selection.to) {
                let shift = start.seconds - event.start.seconds
                // An occurrence is named by its day, so moving a series within the day marks it moved.
                let occurrence = event.recurrence == nil ? "" : "#" + ((try? Zone(event.timeZone)) ?? zone).civil(start).isoDate
                let end = event.end.adding(seconds: shift)
                var nested: [Session] = []
                var own: [Session] = []
                for session in event.sessions {
                    let s = session.start.adding(seconds: shift)
                    guard s >= selection.from, s < selection.to else { continue }
                    let sessionSelected = eventSelected || selects(event.participants.filter { $0.sessionID == session.id && session.id != nil })
                    guard sessionSelected else { continue }
                    if eventSelected, !event.allDay, place(s, zone) == place(start, zone) { nested.append(session) } else { own.append(session) }
                }
                if eventSelected {
                    if event.allDay {
                        // A whole-day event keeps its own dates, and is listed on each of its days.
                        let own = (try? Zone(event.timeZone)) ?? zone
                        var day = own.civil(start).date
                        while own.instant(day) < end {
                            if day.isoDate >= zone.civil(selection.from).isoDate, own.instant(day) < selection.to {
                                entries.append(
                                    entry(
                                        event, session: nil, date: day.isoDate, part: .allday, start: start, end: end, key: event.uid + occurrence + "@" + day.isoDate,
                                        shift: shift, nested: [], selection))
                            }
                            day = day.nextDay()
                        }
                    } else {
                        let (date, part) = place(max(start, selection.from), zone)
                        entries.append(entry(event, session: nil, date: date, part: part, start: start, end: end, key: event.uid + occurrence, shift: shift, nested: nested, selection))
                    }
                }
                for session in own {
                    let s = session.start.adding(seconds: shift)
                    let (date, part) = place(s, zone)
                    entries.append(
                        entry(event, session: session, date: date, part: part, start: s, end: session.end.adding(seconds: shift), key: event.uid + occurrence + "/" + session.uid, shift: shift, nested: [], selection))
                }
            }
        }
        let order: [String: Int] = ["allday": 0, "morning": 1, "afternoon": 2]
        return entries.sorted { ($0.date, order[$0.part] ?? 3, $0.start, $0.key) < ($1.date, order[$1.part] ?? 3, $1.start, $1.key) }
    }

    /// The day and part of the day an instant falls in: before noon is sáng, from noon chiều.
    private func place(_ instant: Instant, _ zone: Zone) -> (String, Part) {
        let c = zone.civil(instant)
        return (c.isoDate, c.hour < 12 ? .morning : .afternoon)
    }

    private func entry(
        _ event: Event, session: Session?, date: String, part: Part, start: Instant, end: Instant, key: String, shift: Int64, nested: [Session],
        _ selection: Selection
    ) -> ScheduleEntry {
        let zone = event.allDay ? ((try? Zone(event.timeZone)) ?? selection.zone) : selection.zone
        // Times are the schedule's zone; an event held in another has its own time and zone beside.
        let own = (try? Zone(event.timeZone)).flatMap { $0.identifier == zone.identifier ? nil : $0 }
        func span(_ start: Instant, _ end: Instant, _ zone: Zone) -> String {
            let span = self.span(start, end, zone)
            return own.map { "\(span) (\(self.span(start, end, $0)) \($0.identifier))" } ?? span
        }
        let people = event.participants.filter { $0.sessionID == session?.id }
        let words = Words(selection.language)
        let chairs = unique(people.filter { $0.role == .chair }.map(\.person))
        let others = unique(people.filter { $0.role != .chair }.map(\.person)).filter { p in !chairs.contains { $0.id == p.id } }
        var entry = ScheduleEntry(
            key: key, date: date, part: part.rawValue, eventId: event.id ?? 0, sessionId: session?.id, kind: event.kind.rawValue,
            title: session?.title ?? event.title, eventTitle: session == nil ? nil : event.title, status: event.status.rawValue,
            start: zone.iso8601(start), end: zone.iso8601(end), allDay: event.allDay && session == nil,
            time: event.allDay && session == nil ? words["allday"] : span(start, end, zone), location: event.location,
            room: session?.room ?? event.room, link: event.link, chairs: chairs.map(describe), attendees: others.map(describe),
            prepare: event.preparedBy,
            sessions: nested.map { s in
                ScheduleSlot(
                    time: span(s.start.adding(seconds: shift), s.end.adding(seconds: shift), zone), title: s.title, room: s.room,
                    speakers: event.participants.filter { $0.sessionID == s.id && $0.role == .speaker }.map(\.person.name))
            })
        if let delegation = event.delegation, session == nil {
            entry.attendees.append("\(words["visiting"]): \(delegation.visiting); \(words["host"]): \(delegation.host)")
        }
        return entry
    }

    private func unique(_ people: [Person]) -> [Person] {
        var seen = Set<Int64>()
        return people.filter { seen.insert($0.id ?? 0).inserted }
    }

    /// `Phan Chí Hiếu (Thứ trưởng Bộ Tư pháp)`
    private func describe(_ person: Person) -> String {
        person.position.map { "\(person.name) (\($0))" } ?? person.name
    }

    /// `08:00–11:30`, or with the last day when it ends on another: `08:00–11:30 05/07/2022`.
    private func span(_ start: Instant, _ end: Instant, _ zone: Zone) -> String {
        let s = zone.civil(start), e = zone.civil(end)
        let clock = { (c: CivilDateTime) in (c.hour < 10 ? "0" : "") + "\(c.hour):" + (c.minute < 10 ? "0" : "") + "\(c.minute)" }
        return s.date == e.date ? "\(clock(s))–\(clock(e))" : "\(clock(s))–\(clock(e)) \(e.dayFirst)"
    }

    // MARK: Changes since the last publication

    /// Marks entries new, moved or cancelled against `published`, and brings back published
    /// entries that are gone (cancelled or deleted, or moved out of the range) at their old place.
    private func mark(_ entries: inout [ScheduleEntry], against published: [ScheduleEntry], _ selection: Selection) async throws -> Int {
        let words = Words(selection.language)
        var old: [String: ScheduleEntry] = [:]
        for entry in published { old[entry.key] = entry }
        var changes = 0
        for i in entries.indices {
            guard let before = old.removeValue(forKey: entries[i].key) else {
                entries[i].change = "new"
                changes += 1
                continue
            }
            if entries[i].status == "cancelled", before.status != "cancelled" {
                entries[i].change = "cancelled"
                changes += 1
            } else if entries[i].start != before.start || entries[i].end != before.end || entries[i].location != before.location
                || entries[i].room != before.room
            {
                entries[i].change = "moved"
                entries[i].was = wasText(before, now: entries[i], words)
                changes += 1
            }
        }
        for var gone in old.values {
            let event = try await store.eventIfPresent(id: gone.eventId)
            // Still in the register and not cancelled, at another time: it moved out of this range.
            if let event, gone.key.hasPrefix(event.uid), event.status != .cancelled, event.recurrence == nil {
                let zone = event.allDay ? ((try? Zone(event.timeZone)) ?? selection.zone) : selection.zone
                if let id = gone.sessionId, let session = event.sessions.first(where: { $0.id == id }), zone.iso8601(session.start) != gone.start {
                    gone.movedTo = zone.display(session.start) + (session.room.map { ", " + $0 } ?? "")
                } else if gone.sessionId == nil, zone.iso8601(event.start) != gone.start {
                    gone.movedTo = zone.display(event.start, dateOnly: event.allDay) + (event.location.map { ", " + $0 } ?? "")
                }
            }
            gone.change = gone.movedTo == nil ? "cancelled" : "moved"
            changes += 1
            entries.append(gone)
        }
        let order: [String: Int] = ["allday": 0, "morning": 1, "afternoon": 2]
        entries.sort { ($0.date, order[$0.part] ?? 3, $0.start, $0.key) < ($1.date, order[$1.part] ?? 3, $1.start, $1.key) }
        return changes
    }

    /// `08:00–11:30 03/03/2017, Thái Nguyên`: what changed, as it was.
    private func wasText(_ before: ScheduleEntry, now: ScheduleEntry, _ words: Words) -> String {
        var parts: [String] = []
        if before.start != now.start || before.end != now.end {
            let day = String(before.start.prefix(10)).split(separator: "-").reversed().joined(separator: "/")
            parts.append(before.date == now.date ? before.time : "\(before.time) \(day)")
        }
        if before.location != now.location || before.room != now.room {
            parts.append([before.room, before.location].compactMap { $0 }.joined(separator: ", "))
        }
        return parts.filter { !$0.isEmpty }.joined(separator: ", ")
    }

    // MARK: Layout

    /// Groups entries by day (every day of the range) and part, and words the titles.
    private func layout(_ entries: [ScheduleEntry], _ selection: Selection, published: PublishedView?, changes: Int) -> ScheduleView {
        let words = Words(selection.language)
        let zone = selection.zone
        var days: [ScheduleDay] = []
        var day = zone.civil(selection.from).date
        while zone.instant(day) < selection.to {
            let mine = entries.filter { $0.date == day.isoDate }
            let parts = ["allday", "morning", "afternoon"].compactMap { part -> SchedulePart? in
                let list = mine.filter { $0.part == part }
                return list.isEmpty ? nil : SchedulePart(part: part, label: words[part], entries: list)
            }
            days.append(
                ScheduleDay(date: day.isoDate, weekday: words.weekday(day.weekdayIndex), dayFirst: day.dayFirst, weekend: day.weekdayIndex >= 5, parts: parts))
            day = day.nextDay()
        }
        let last = zone.civil(selection.to.adding(seconds: -1))
        let first = zone.civil(selection.from)
        let title: String
        if let week = selection.week, let (y, w) = ISOWeek.parse(week) {
            title = words["title.week"] + " " + (w < 10 ? "0" : "") + "\(w)/\(y)"
        } else {
            title = words["title"]
        }
        let scope = selection.org ?? selection.people.map { p in p.position.map { "\(p.name) (\($0))" } ?? p.name }.joined(separator: ", ")
        return ScheduleView(
            title: title, subtitle: "\(words["from"]) \(first.dayFirst) \(words["to"]) \(last.dayFirst)", scope: scope, org: selection.org,
            people: selection.people.map(Views.person), week: selection.week, from: zone.iso8601(selection.from), to: zone.iso8601(selection.to),
            tz: zone.identifier, lang: selection.language.rawValue, published: published, changes: changes, days: days, labels: words.all)
    }
}

/// The words of a schedule in one language: every label a renderer prints comes from here.
struct Words {
    let language: Language

    init(_ language: Language) { self.language = language }

    static let vi: [String: String] = [
        "title.week": "LỊCH CÔNG TÁC TUẦN", "title": "LỊCH CÔNG TÁC", "from": "Từ ngày", "to": "đến ngày",
        "day": "Thứ, ngày", "part": "Buổi", "time": "Thời gian", "content": "Nội dung", "people": "Thành phần", "chair": "Chủ trì",
        "place": "Địa điểm", "prepare": "Chuẩn bị", "allday": "Cả ngày", "morning": "Sáng", "afternoon": "Chiều",
        "new": "Mới", "moved": "Thay đổi", "cancelled": "Hủy", "was": "Trước đây", "movedTo": "Chuyển sang",
        "nothing": "Không có lịch", "published": "So với bản công bố lúc", "revision": "Điều chỉnh lần", "firstEdition": "Bản công bố lần đầu",
        "unpublished": "Chưa công bố", "online": "Trực tuyến", "visiting": "Đoàn", "host": "Đơn vị đón", "session": "Phiên",
        "speakers": "Trình bày", "legend": "Ghi chú", "changes": "thay đổi", "tentative": "Dự kiến", "of": "thuộc",
        "empty": "Không có lịch công tác trong thời gian này",
    ]
    static let en: [String: String] = [
        "title.week": "WEEKLY SCHEDULE, WEEK", "title": "WORK SCHEDULE", "from": "From", "to": "to",
        "day": "Day", "part": "Part", "time": "Time", "content": "Business", "people": "Taking part", "chair": "Chair",
        "place": "Place", "prepare": "Prepared by", "allday": "All day", "morning": "Morning", "afternoon": "Afternoon",
        "new": "New", "moved": "Moved", "cancelled": "Cancelled", "was": "Was", "movedTo": "Moved to",
        "nothing": "Nothing scheduled", "published": "Against the version published at", "revision": "Amendment", "firstEdition": "First edition",
        "unpublished": "Not published", "online": "Online", "visiting": "Delegation", "host": "Host", "session": "Session",
        "speakers": "Speakers", "legend": "Key", "changes": "changes", "tentative": "Tentative", "of": "of",
        "empty": "Nothing is scheduled in this period",
    ]

    var all: [String: String] { language == .vi ? Self.vi : Self.en }

    subscript(_ key: String) -> String { all[key] ?? key }

    func weekday(_ index: Int) -> String {
        (language == .vi
            ? ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
            : ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])[index]
    }
}
