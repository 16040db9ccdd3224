import Foundation
/// Addresses in RFC 5322 headers: `Name <a@b>`, a bare `a@b`, lists of them separated by
/// commas, groups (`Ban Tổ chức: a@b, c@d;`), quoted names and comments.
public enum MailAddress {
    /// Every address of an address-list header value, lower-cased, in order.
    public static func list(_ value: String) -> [String] {
        var out: [String] = []
        for var mailbox in splitOutsideQuotes(withoutComments(value), on: ",") {
            // A group's name ends at an unquoted colon; its list ends at ";".
            if let colon = indexOutsideQuotes(mailbox, of: ":") { mailbox = String(mailbox[mailbox.index(after: colon)...]) }
            mailbox = mailbox.replacingOccurrences(of: ";", with: " ")
            if let address = address(mailbox) { out.append(address) }
        }
        return out
    }

    /// The address of one mailbox (`Name <a@b>` or `a@b`), lower-cased; nil when there is none.
    public static func address(_ mailbox: String) -> String? {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            let inner = mailbox[mailbox.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            return inner.contains("@") ? inner.lowercased() : nil
        }
        let word = mailbox.split(whereSeparator: { $0 == " " || $0 == "\t" }).first { $0.contains("@") }
        return word.map { String($0).trimmingCharacters(in: .init(charactersIn: "\"")).lowercased() }
    }

    /// The domain of an address (`moj.gov.vn` of `hieu@moj.gov.vn`), lower-cased.
    public static func domain(_ address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...].lowercased()
        return domain.isEmpty ? nil : domain
    }

    /// The value without its comments (`(…)`, nested, outside quotes).
    static func withoutComments(_ value: String) -> String {
        var out = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for c in value {
            if escaped {
                escaped = false
                if depth == 0 { out.append(c) }
                continue
            }
            if c == "\\" {
                escaped = true
                if depth == 0 { out.append(c) }
                continue
            }
            if depth == 0, c == "\"" { quoted.toggle() }
            if !quoted, c == "(" { depth += 1; continue }
            if !quoted, c == ")", depth > 0 { depth -= 1; continue }
            if depth == 0 { out.append(c) }
        }
        return out
    }

    /// `value` split at each `separator` that is outside double quotes and angle brackets.
    static func splitOutsideQuotes(_ value: String, on separator: Character) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var angle = false
        var escaped = false
        for c in value {
            if escaped {
                escaped = false
                current.append(c)
                continue
            }
            switch c {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle()
            case "<" where !quoted: angle = true
            case ">" where !quoted: angle = false
            case separator where !quoted && !angle:
                out.append(current)
                current = ""
                continue
            default: break
            }
            current.append(c)
        }
        out.append(current)
        return out
    }

    static func indexOutsideQuotes(_ value: String, of wanted: Character) -> String.Index? {
        var quoted = false
        var angle = false
        for index in value.indices {
            switch value[index] {
            case "\"": quoted.toggle()
            case "<" where !quoted: angle = true
            case ">" where !quoted: angle = false
            case wanted where !quoted && !angle: return index
            default: break
            }
        }
        return nil
    }
}
