import EventModel
import GRDB

/// What went wrong below the register, in terms a caller can act on without knowing the backend.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    /// The register's files cannot be opened or given their mode.
    case io(String)
    /// The disk holding the register is full: the change was rolled back.
    case diskFull
    /// The register cannot be reached just now (locked, I/O error): nothing was changed; try again.
    case unavailable(String)

    public var description: String {
        switch self {
        case .io(let why): why
        case .diskFull: "the disk that holds the register is full; nothing was changed (free some space and try again)"
        case .unavailable(let why): "the register cannot be reached just now (\(why)); nothing was changed, try again"
        }
    }

    /// SQLite's result codes in the backend-neutral terms above; other errors pass through.
    static func translating(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_FULL: return StoreError.diskFull
        case .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_READONLY: return StoreError.unavailable(error.message ?? "\(error.resultCode)")
        default: return error
        }
    }
}

extension SQLiteStore {
    /// One write transaction; errors from SQLite come out as `StoreError` where one fits.
    func writing<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        // Task-locals do not reach GRDB's writer queue: carry the caller there for the audit log,
        // and the request's work budget for the loops that outside input drives.
        let caller = Caller.current
        let budget = WorkBudget.current
        do {
            return try await pool.write { db in
                try Caller.$current.withValue(caller) { try WorkBudget.$current.withValue(budget) { try body(db) } }
            }
        } catch { throw StoreError.translating(error) }
    }

    /// One read transaction on a snapshot of committed data.
    func reading<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch { throw StoreError.translating(error) }
    }
}

/// A stored value must be one we know: an unknown one (a newer eventd's, a hand edit) is an error
/// naming it, never silently a default.
func stored<T: RawRepresentable>(_ text: String, _ what: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: text) else { throw StoreError.io("the register holds an unknown \(what) \(text.debugDescription)") }
    return value
}
