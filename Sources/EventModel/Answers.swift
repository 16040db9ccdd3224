/// An attendee's answer to an invitation, as an iTIP REPLY or by hand.
public struct Answer: Sendable, Equatable {
    public var rsvp: RSVPState
    public var comment: String?
    /// For one occurrence of a series (RECURRENCE-ID); nil: the whole event or series.
    public var occurrence: Instant?
    /// How it came: `mail from lan@example.vn`, `mail from thu.ky@… for lan@…`, `by hand (thu.ky)`.
    public var via: String

    public init(rsvp: RSVPState, comment: String? = nil, occurrence: Instant? = nil, via: String) {
        self.rsvp = rsvp
        self.comment = comment
        self.occurrence = occurrence
        self.via = via
    }
}

/// An answer for one occurrence, as stored.
public struct OccurrenceAnswer: Sendable, Equatable {
    public var personID: Int64
    public var occurrence: Instant
    public var rsvp: RSVPState
    public var comment: String?
    public var answeredAt: Instant
    public var via: String

    public init(personID: Int64, occurrence: Instant, rsvp: RSVPState, comment: String?, answeredAt: Instant, via: String) {
        self.personID = personID
        self.occurrence = occurrence
        self.rsvp = rsvp
        self.comment = comment
        self.answeredAt = answeredAt
        self.via = via
    }
}

/// A COUNTER: another time an attendee proposes. Recorded for the organizer, never applied.
public struct Proposal: Sendable, Equatable {
    public var id: Int64?
    public var personID: Int64
    public var occurrence: Instant?
    public var start: Instant
    public var end: Instant
    public var comment: String?
    public var receivedAt: Instant
    public var via: String

    public init(id: Int64? = nil, personID: Int64, occurrence: Instant?, start: Instant, end: Instant, comment: String?, receivedAt: Instant, via: String) {
        self.id = id
        self.personID = personID
        self.occurrence = occurrence
        self.start = start
        self.end = end
        self.comment = comment
        self.receivedAt = receivedAt
        self.via = via
    }
}
