/// Limits that several parts of eventd must agree on.
public enum Limits {
    /// 366 days: the longest event a command may make (longer imported ones are found by their
    /// own index), the earliest a reminder may come before its event, and so how far back the
    /// register looks for events that overlap a time.
    public static let year: Int64 = 366 * 86_400

    /// The years eventd takes, wherever a time comes in (a typed WHEN, an import, a recurrence's
    /// UNTIL): those libical 3.0 writes, since it writes 00000000T000000 for any later one.
    public static let years = 1...3000

    /// The instants an event may start and end at: a day inside `years` at each end, so that in
    /// every zone (UTC−12 to UTC+14) their wall clock still has a year libical writes.
    public static let instants = Instant(seconds: CivilDateTime(year: 1, month: 1, day: 2).secondsSinceEpochAtMidnight)
        ... Instant(seconds: CivilDateTime(year: 3000, month: 12, day: 31).secondsSinceEpochAtMidnight)
}
