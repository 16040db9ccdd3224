import EventAPI
import EventModel
import Foundation
import Hummingbird
import NIOCore

/// The request context of the /v1 API: Hummingbird's, plus the connection, whose peer
/// credentials say who is calling.
struct APIContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Who may do what, from the config's `writers` and `readers`. Root and eventd's own user may
/// always write. With neither list set, everyone who can open the socket may write: the
/// socket's mode and group are then the only gate, as before these lists existed.
struct AccessPolicy: Sendable {
    enum Level: Int, Comparable, Sendable {
        case none, read, write
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    var writers: [String]?
    var readers: [String]?

    init(config: DaemonConfig) {
        writers = config.writers
        readers = config.readers
    }

    func level(of caller: Caller) -> Level {
        if caller.uid == 0 || caller.uid == getuid() { return .write }
        if writers == nil, readers == nil { return .write }
        // Group membership reads the group database: only when a list names a group.
        var memo: Set<gid_t>?
        func groups() -> Set<gid_t> {
            if let memo { return memo }
            let found = Self.groups(of: caller)
            memo = found
            return found
        }
        func listed(_ list: [String]?) -> Bool {
            (list ?? []).contains { entry in
                if entry.hasPrefix("@") { return getgrnam(String(entry.dropFirst())).map { groups().contains($0.pointee.gr_gid) } ?? false }
                if let uid = UInt32(entry) { return uid == caller.uid }
                return entry == caller.user
            }
        }
        if listed(writers) { return .write }
        if listed(readers) { return .read }
        return .none
    }

    /// The caller's primary group and the supplementary groups its user belongs to.
    static func groups(of caller: Caller) -> Set<gid_t> {
        var result: Set<gid_t> = [caller.gid]
        guard let entry = getpwuid(caller.uid) else { return result }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(entry.pointee.pw_name, caller.gid, &list, &count) == -1 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(entry.pointee.pw_name, caller.gid, &list, &count)
        }
        result.formUnion(list.prefix(Int(max(count, 0))))
        return result
    }

    /// The peer of a Unix-socket connection as the kernel reports it.
    static func caller(of channel: any Channel) async throws -> Caller {
        guard let provider = channel as? any SocketOptionProvider else {
            throw HTTPError(.forbidden, message: "eventd cannot tell who is calling on this connection")
        }
        let credentials: PeerCredentials = try await provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SO_PEERCRED).get()
        let user = getpwuid(credentials.uid).map { String(cString: $0.pointee.pw_name) } ?? String(credentials.uid)
        return Caller(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid, user: user)
    }
}

/// Refuses what the caller may not do (403, nothing changed) and lets the rest through with
/// `Caller.current` set, so the store writes the caller into the audit log.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let policy: @Sendable () -> AccessPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try await AccessPolicy.caller(of: context.channel)
        let level = policy().level(of: caller)
        let needed: AccessPolicy.Level = request.method == .get || request.method == .head ? .read : .write
        guard level >= needed else {
            let what = needed == .write ? "change the register" : "read the register"
            throw AccessDenied(
                message: "\(caller.user) (uid \(caller.uid)) may not \(what); eventd's config lists who may (writers, readers)")
        }
        return try await Caller.$current.withValue(caller) { try await next(request, context) }
    }
}

/// `struct ucred` of <sys/socket.h>, which Glibc's Swift module does not export: same fields, same order.
struct PeerCredentials: Sendable {
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t
}

struct AccessDenied: Error {
    var message: String
}
