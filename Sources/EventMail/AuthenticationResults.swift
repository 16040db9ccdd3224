import Foundation
/// One Authentication-Results header (RFC 8601): what the receiving server `authservID`
/// found for each method. Only the headers of a server eventd is told to trust mean anything:
/// anyone can write such a header, and RFC 8601 5 has the receiving server remove those that
/// claim its own id before it adds its own.
public struct AuthenticationResults: Sendable, Equatable {
    public struct Result: Sendable, Equatable {
        /// `dkim`, `spf`, `dmarc`…, lower-cased.
        public var method: String
        /// `pass`, `fail`, `none`…, lower-cased.
        public var result: String
        /// `header.d`, `smtp.mailfrom`, `header.from`…: names lower-cased, values as written.
        public var properties: [String: String]
    }

    public var authservID: String
    public var results: [Result]

    /// nil when the value has no authserv-id.
    public init?(parsing value: String) {
        let statements = MailAddress.splitOutsideQuotes(MailAddress.withoutComments(value), on: ";")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // The authserv-id may be followed by a version number.
        guard let id = statements.first?.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { return nil }
        authservID = String(id).lowercased()
        results = statements.dropFirst().compactMap(Self.result)
    }

    /// `dkim=pass reason="…" header.d=example.vn header.s=sel`
    private static func result(_ statement: String) -> Result? {
        var words: [String] = []
        var current = ""
        var quoted = false
        for c in statement {
            if c == "\"" { quoted.toggle(); continue }
            if !quoted, c == " " || c == "\t" {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            current.append(c)
        }
        if !current.isEmpty { words.append(current) }
        guard let first = words.first, let equals = first.firstIndex(of: "=") else { return nil }
        // `dkim/1=pass`: a method version is allowed.
        let method = first[..<equals].split(separator: "/").first.map { $0.lowercased() } ?? ""
        var properties: [String: String] = [:]
        for word in words.dropFirst() {
            guard let eq = word.firstIndex(of: "=") else { continue }
            properties[word[..<eq].lowercased()] = String(word[word.index(after: eq)...])
        }
        return Result(method: method, result: first[first.index(after: equals)...].lowercased(), properties: properties)
    }

    /// The domain the method vouched for: `header.d` (or `header.i`'s) for DKIM, `smtp.mailfrom`'s
    /// for SPF (not `smtp.helo`: the name of a server says nothing of whose mail it carries),
    /// `header.from` for DMARC.
    public func domains(passing method: String) -> [String] {
        results.filter { $0.method == method && $0.result == "pass" }.compactMap { result in
            let raw: String?
            switch method {
            case "dkim": raw = result.properties["header.d"] ?? result.properties["header.i"]
            case "spf": raw = result.properties["smtp.mailfrom"]
            default: raw = result.properties["header.from"]
            }
            guard let raw else { return nil }
            return (raw.contains("@") ? MailAddress.domain(raw) : raw.lowercased())?.trimmingCharacters(in: [".", " "])
        }
    }
}

/// Which Authentication-Results an answer by mail must carry: `mail_require_pass` in eventd.conf.
public enum SenderCheck: String, Sendable, CaseIterable {
    /// From: is taken as the sender says (the default; fine where only the agency's own server
    /// delivers to eventctl mail-in and it refuses forged senders itself).
    case off
    case dkim
    case spf
    /// DKIM or SPF (or DMARC, which needs one of them aligned).
    case dkimOrSPF = "dkim-or-spf"

    /// nil when `from` passed at a server eventd trusts; else why not, in words.
    public func refusal(from address: String, results: [AuthenticationResults], trusted: [String]) -> String? {
        guard self != .off else { return nil }
        guard let domain = MailAddress.domain(address) else { return "From: \(address) has no domain" }
        let ours = results.filter { trusted.contains($0.authservID) }
        let methods: [String]
        switch self {
        case .off: return nil
        case .dkim: methods = ["dkim"]
        case .spf: methods = ["spf"]
        case .dkimOrSPF: methods = ["dkim", "spf", "dmarc"]
        }
        // Strict alignment: the domain vouched for is From:'s own. Relaxed alignment needs the
        // public suffix list (gov.vn is a suffix, moj.gov.vn is not); DMARC's verdict (dmarc=pass,
        // OpenDMARC) brings it, and counts in dkim-or-spf.
        let aligned = ours.contains { header in
            methods.contains { method in header.domains(passing: method).contains(domain) }
        }
        if aligned { return nil }
        let servers = trusted.joined(separator: ", ")
        if ours.isEmpty {
            return "no Authentication-Results header from \(servers) vouches for the sender \(address) (mail_require_pass = \(rawValue))"
        }
        let seen = ours.flatMap(\.results).map { result in
            let vouched = result.properties["header.d"] ?? result.properties["smtp.mailfrom"] ?? result.properties["header.from"]
            return "\(result.method)=\(result.result)" + (vouched.map { " for \($0)" } ?? "")
        }.joined(separator: ", ")
        return "\(servers) vouched for no \(methods.prefix(2).joined(separator: " or ")) pass of \(domain) itself (\(seen.isEmpty ? "no results" : seen); mail_require_pass = \(rawValue))"
    }
}
