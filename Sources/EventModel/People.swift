/// What `person update` may change; nil leaves a fact as it is, `.some(nil)` clears it.
public struct PersonChanges: Sendable, Equatable {
    public var name: String?
    public var email: String??
    public var position: String??
    public var organisation: String??
    public var language: Language?
    public var timeZone: String??

    public init() {}

    public func applied(to person: Person) -> Person {
        var new = person
        if let name { new.name = name }
        if let email { new.email = email }
        if let position { new.position = position }
        if let organisation { new.organisation = organisation }
        if let language { new.language = language }
        if let timeZone { new.timeZone = timeZone }
        return new
    }
}

/// What `session update` may change, already read in the event's zone.
public struct SessionChanges: Sendable, Equatable {
    public var title: String?
    public var start: Instant?
    public var end: Instant?
    public var room: String??

    public init() {}

    /// Moving the start alone keeps the session's length.
    public func applied(to session: Session) throws(RegisterError) -> Session {
        var new = session
        if let title { new.title = title }
        if let room { new.room = room }
        if let start {
            new.end = end ?? session.end.adding(seconds: start.seconds - session.start.seconds)
            new.start = start
        } else if let end {
            new.end = end
        }
        try EventChanges.checkTimes(start: new.start, end: new.end)
        return new
    }
}

/// How people are listed in a message that asks to choose one: `3 Nguyễn Văn An <an@…>; 4 …`.
public func peopleList(_ people: [Person]) -> String {
    people.map { "\($0.id ?? 0) \($0.name)\($0.email.map { " <\($0)>" } ?? "")" }.joined(separator: "; ")
}
