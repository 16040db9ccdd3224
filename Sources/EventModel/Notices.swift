/// Who a reminder is for.
public enum Audience: String, Sendable, Codable, CaseIterable {
    /// Every participant with an email.
    case everyone
    /// Speakers and chairs.
    case speakers
    case organizers
    /// Everyone who has not answered the invitation: they get it again.
    case unanswered

    public func includes(_ role: Role) -> Bool {
        switch self {
        case .everyone, .unanswered: true
        case .speakers: role == .speaker || role == .chair
        case .organizers: role == .organizer
        }
    }
}

/// A reminder sent `offset` seconds before each occurrence's start.
public struct Reminder: Sendable, Equatable, Hashable, Codable {
    public var offset: Int64
    public var audience: Audience

    public init(offset: Int64, audience: Audience = .everyone) {
        self.offset = offset
        self.audience = audience
    }

    /// `1d`, `2h:speakers`, `30s:organizers`.
    public init(parsing text: String, field: String = "remind") throws(RegisterError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        offset = try DurationParser.seconds(parts.first ?? "", field: field)
        if parts.count == 2 {
            guard let audience = Audience(rawValue: parts[1]) else {
                throw .invalid(field: field, message: "unknown audience \(parts[1].debugDescription); one of everyone, speakers, organizers, unanswered")
            }
            self.audience = audience
        } else {
            audience = .everyone
        }
    }

    /// As `--remind` takes it: `1d`, `90m:speakers` (the largest unit that divides the offset).
    public var shorthand: String {
        let unit = [(86_400, "d"), (3600, "h"), (60, "m")].first { offset != 0 && offset % Int64($0.0) == 0 } ?? (1, "s")
        let amount = "\(offset / Int64(unit.0))\(unit.1)"
        return audience == .everyone ? amount : "\(amount):\(audience.rawValue)"
    }
}

public enum NoticeKind: String, Sendable, Codable, CaseIterable {
    case reminder, invitation, update, cancellation
}

public enum NoticeState: String, Sendable, Codable, CaseIterable {
    case pending, sending, sent, failed, skipped
}

/// A notice to put in the outbox: one message to one recipient.
public struct NoticeDraft: Sendable, Equatable {
    public var kind: NoticeKind
    public var eventUID: String
    public var eventID: Int64?
    public var personID: Int64
    public var recipient: String
    /// When it is due.
    public var due: Instant
    /// Start of the occurrence it is about: a notice due after it began (plus grace) is skipped.
    public var startsAt: Instant
    /// For a reminder: its offset; with the occurrence and person it identifies the reminder.
    public var offset: Int64?
    public var sequence: Int
    /// For an invitation, update or cancellation: the event as the letter describes it, kept
    /// with the notice and composed into mail when it is sent. Reminders are composed when sent
    /// from the event as it is then.
    public var letter: NoticeLetter?
    /// The whole RFC 5322 message, in notices queued by eventd before letters were kept (v9).
    public var message: String?
    /// The Message-ID the mail carries, the same on every attempt; generated when nil.
    public var messageID: String?
    /// For a reminder: whom it is for; `unanswered` ones go out as the invitation again.
    public var audience: Audience?

    public init(
        kind: NoticeKind, eventUID: String, eventID: Int64?, personID: Int64, recipient: String, due: Instant, startsAt: Instant,
        offset: Int64? = nil, sequence: Int, message: String? = nil, letter: NoticeLetter? = nil, audience: Audience? = nil
    ) {
        self.letter = letter
        self.audience = audience
        self.kind = kind
        self.eventUID = eventUID
        self.eventID = eventID
        self.personID = personID
        self.recipient = recipient
        self.due = due
        self.startsAt = startsAt
        self.offset = offset
        self.sequence = sequence
        self.message = message
    }
}

/// What an invitation, update or cancellation is about, as it was when the change was made.
public struct NoticeLetter: Sendable, Equatable, Codable {
    /// The event as the letter shows it (for a cancellation to someone taken off, as they knew it).
    public var event: Event
    /// For an update: what changed, as the mail says it.
    public var changes: [ChangedFact]
    /// A cancellation for someone taken off an event that goes on (RFC 5546 3.2.5), not of the event.
    public var removed: Bool
    /// For an update of one occurrence alone (moved, changed or cancelled): its start, which the
    /// subject and the text name rather than the series' first.
    public var occurrence: Instant?

    public init(event: Event, changes: [ChangedFact] = [], removed: Bool = false, occurrence: Instant? = nil) {
        self.event = event
        self.changes = changes
        self.removed = removed
        self.occurrence = occurrence
    }
}

/// One fact an update changed, for the mail that announces it: time, place, status, people.
public struct ChangedFact: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case time, place, link, status, title, people, repeats, occurrences }
    public var kind: Kind
    /// The new value as the mail shows it (times in the event's zone).
    public var now: String
    /// The old value.
    public var before: String

    public static func between(_ old: Event, _ new: Event) -> [ChangedFact] {
        let zone = (try? Zone(new.timeZone)) ?? (try! Zone("UTC"))
        func span(_ e: Event) -> String {
            e.allDay ? zone.display(e.start, dateOnly: true) : "\(zone.display(e.start)) – \(zone.display(e.end))"
        }
        var items: [ChangedFact] = []
        if old.start != new.start || old.end != new.end || old.timeZone != new.timeZone { items.append(ChangedFact(kind: .time, now: span(new), before: span(old))) }
        if old.location != new.location { items.append(ChangedFact(kind: .place, now: new.location ?? "—", before: old.location ?? "—")) }
        if old.link != new.link { items.append(ChangedFact(kind: .link, now: new.link ?? "—", before: old.link ?? "—")) }
        if old.status != new.status { items.append(ChangedFact(kind: .status, now: new.status.rawValue, before: old.status.rawValue)) }
        if old.title != new.title { items.append(ChangedFact(kind: .title, now: new.title, before: old.title)) }
        let (oldRules, newRules) = ([old.recurrence?.rule] + (old.recurrence?.moreRules ?? []), [new.recurrence?.rule] + (new.recurrence?.moreRules ?? []))
        if oldRules != newRules { items.append(ChangedFact(kind: .repeats, now: new.recurrence?.rule ?? "—", before: old.recurrence?.rule ?? "—")) }
        if let occurrences = occurrencesChanged(old, new, zone) { items.append(occurrences) }
        let names = { (e: Event) in Set(e.participants.map(\.person.name)) }
        let added = names(new).subtracting(names(old)).sorted(), gone = names(old).subtracting(names(new)).sorted()
        if !added.isEmpty || !gone.isEmpty {
            items.append(ChangedFact(kind: .people, now: added.map { "+ \($0)" }.joined(separator: ", "), before: gone.map { "− \($0)" }.joined(separator: ", ")))
        }
        return items
    }

    /// The occurrences a change takes out (`−`), puts back or adds (`+`), cancels, moves (`→`) or
    /// changes otherwise (`: place or title`): excluded dates, RDATEs and changed occurrences, which
    /// the rule alone does not show. When the whole series moved, they are compared on its new times.
    private static func occurrencesChanged(_ old: Event, _ new: Event, _ zone: Zone) -> ChangedFact? {
        let a = old.recurrence.map { recurrence in (try? Zone(old.timeZone)).map { recurrence.shifted(from: old.start, to: new.start, in: $0) } ?? recurrence }
        let b = new.recurrence
        func shown(_ instant: Instant) -> String { zone.display(instant, dateOnly: new.allDay) }
        func day(_ text: String) -> String { CivilDateTime(isoDate: text)?.dayFirst ?? text }
        func gone(_ before: [Instant], _ after: [Instant]) -> [Instant] { Set(before).subtracting(after).sorted() }
        let taken = gone(b?.exceptions ?? [], a?.exceptions ?? []) + gone(a?.dates ?? [], b?.dates ?? [])
        let given = gone(a?.exceptions ?? [], b?.exceptions ?? []) + gone(b?.dates ?? [], a?.dates ?? [])
        var lines = taken.sorted().map { "− \(shown($0))" } + given.sorted().map { "+ \(shown($0))" }
        lines += Set(b?.exceptionDates ?? []).subtracting(a?.exceptionDates ?? []).sorted().map { "− \(day($0))" }
        lines += Set(a?.exceptionDates ?? []).subtracting(b?.exceptionDates ?? []).sorted().map { "+ \(day($0))" }
        let ids = Set((a?.overrides ?? []).map(\.recurrenceID)).union((b?.overrides ?? []).map(\.recurrenceID)).sorted()
        for id in ids {
            let (was, now) = (a?.override(at: id), b?.override(at: id))
            guard was != now else { continue }
            let (wasStart, nowStart) = (was?.start ?? id, now?.start ?? id)
            if now?.status == .cancelled, was?.status != .cancelled {
                lines.append("− \(shown(id)) (\(EventStatus.cancelled.rawValue))")
            } else if was?.status == .cancelled, now?.status != .cancelled {
                lines.append("+ \(shown(nowStart))")
            } else if wasStart != nowStart {
                lines.append("\(shown(wasStart)) → \(shown(nowStart))")
            } else {
                // Its place, title or length: say what it is now, or that it is as the series again.
                let facts = [now?.location, now?.title].compactMap { $0 }
                lines.append("\(shown(nowStart)): " + (facts.isEmpty ? "= \(new.location ?? new.title)" : facts.joined(separator: "; ")))
            }
        }
        return lines.isEmpty ? nil : ChangedFact(kind: .occurrences, now: lines.joined(separator: ", "), before: "")
    }
}


/// A notice in the outbox.
public struct Notice: Sendable, Equatable {
    public var id: Int64
    public var messageID: String
    public var draft: NoticeDraft
    public var state: NoticeState
    public var attempts: Int
    public var nextAttempt: Instant
    public var lastError: String?
    public var updated: Instant

    public init(id: Int64, messageID: String, draft: NoticeDraft, state: NoticeState, attempts: Int, nextAttempt: Instant, lastError: String?, updated: Instant) {
        self.id = id
        self.messageID = messageID
        self.draft = draft
        self.state = state
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastError = lastError
        self.updated = updated
    }
}
