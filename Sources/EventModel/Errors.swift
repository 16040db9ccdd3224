/// What went wrong with a request, worded for the person who sent it.
///
/// The daemon maps each case to an HTTP status (400, 404, 409) and a JSON error body;
/// eventctl prints `message` as it is.
public enum RegisterError: Error, Sendable, Equatable {
    /// A field's value is not acceptable; `message` says what is accepted.
    case invalid(field: String, message: String)
    /// The thing named does not exist.
    case notFound(what: String, key: String)
    /// The request clashes with what is stored (a duplicate email, an ambiguous name).
    case conflict(field: String, message: String)
    /// The request may not be made by whoever made it (an answer sent for someone else).
    case forbidden(field: String, message: String)

    public var field: String? {
        switch self {
        case .invalid(let field, _), .conflict(let field, _), .forbidden(let field, _): field
        case .notFound: nil
        }
    }

    public var message: String {
        switch self {
        case .invalid(let field, let message): "\(field): \(message)"
        case .notFound(let what, let key): "no \(what) \(key)"
        case .conflict(let field, let message), .forbidden(let field, let message): "\(field): \(message)"
        }
    }
}
