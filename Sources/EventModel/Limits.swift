/// Limits that several parts of eventd must agree on.
public enum Limits {
    /// 366 days: the longest event a command may make (longer imported ones are found by their
    /// own index), the earliest a reminder may come before its event, and so how far back the
    /// register looks for events that overlap a time.
    public static let year: Int64 = 366 * 86_400

    /// The years eventd takes, wherever a time comes in (a typed WHEN, an import, a recurrence's
    /// UNTIL): those libical 3.0 writes, since it writes 00000000T000000 for any later one.
    public static let years = 1...3000
}
