/// Who asks for a change: the uid and gid the kernel reported for the socket's peer
/// (SO_PEERCRED), never anything the request says. Written to the audit log with each change.
public struct Caller: Sendable, Equatable, Codable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// The user name of `uid` when the system knows one, else the number.
    public var user: String

    public init(uid: UInt32, gid: UInt32, pid: Int32, user: String) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.user = user
    }

    /// The caller of the request being served; nil for eventd's own work (the scheduler, feeds).
    @TaskLocal public static var current: Caller?
}

/// One change as the audit log keeps it.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Instant
    public var caller: Caller
    /// `create`, `update`, `cancel`, `delete`, `import`, `invite`, `add-person`, `feed-rotate`, ...
    public var action: String
    public var eventID: Int64?
    public var eventUID: String?
    /// The event before and after the change, as JSON; nil where there was none.
    public var before: String?
    public var after: String?

    public init(id: Int64, at: Instant, caller: Caller, action: String, eventID: Int64?, eventUID: String?, before: String?, after: String?) {
        self.id = id
        self.at = at
        self.caller = caller
        self.action = action
        self.eventID = eventID
        self.eventUID = eventUID
        self.before = before
        self.after = after
    }
}
