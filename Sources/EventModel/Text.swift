import Foundation

/// Rules for the text people type into fields, so that what is stored can go into
/// iCalendar properties and mail headers without ever starting a new line there.
public enum TextRules {
    public static let maxLineLength = 500
    public static let maxDescriptionLength = 20_000

    /// A one-line field (title, name, location, room): trimmed, NFC, no control characters.
    public static func oneLine(_ value: String, field: String, maxLength: Int = maxLineLength) throws(RegisterError) -> String {
        let text = value.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { throw .invalid(field: field, message: "must not be empty") }
        if let bad = text.unicodeScalars.first(where: isLineBreakOrControl) {
            let what = bad == "\r" || bad == "\n" || bad == "\u{2028}" || bad == "\u{2029}" ? "a line break" : "a control character"
            throw .invalid(field: field, message: "contains \(what) (U+\(hex(bad))); this field must be one line of text")
        }
        if text.count > maxLength { throw .invalid(field: field, message: "is \(text.count) characters long; at most \(maxLength) are accepted") }
        return text
    }

    /// A multi-line field (description): line breaks and tabs allowed, other control characters not.
    public static func multiLine(_ value: String, field: String) throws(RegisterError) -> String {
        let text = value.precomposedStringWithCanonicalMapping.replacingOccurrences(of: "\r\n", with: "\n")
        if let bad = text.unicodeScalars.first(where: { $0 != "\n" && $0 != "\t" && isLineBreakOrControl($0) }) {
            throw .invalid(field: field, message: "contains a control character (U+\(hex(bad)))")
        }
        if text.count > maxDescriptionLength {
            throw .invalid(field: field, message: "is \(text.count) characters long; at most \(maxDescriptionLength) are accepted")
        }
        return text
    }

    /// An email address, lower-cased: one `@`, no spaces, angle brackets or control characters.
    public static func email(_ value: String, field: String = "email") throws(RegisterError) -> String {
        let text = try oneLine(value, field: field, maxLength: 254)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let forbidden = CharacterSet.whitespaces.union(CharacterSet(charactersIn: "<>(),;:\"[]\\"))
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.rangeOfCharacter(from: forbidden) == nil else {
            throw .invalid(field: field, message: "\(text.debugDescription) is not an email address (expected name@domain)")
        }
        // Mail systems treat addresses case-insensitively in practice; so does the register.
        return text.lowercased()
    }

    /// A join link: an absolute http or https URL.
    public static func link(_ value: String, field: String = "link") throws(RegisterError) -> String {
        let text = try oneLine(value, field: field, maxLength: 2000)
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), !text.contains(" "), text.count > 8 else {
            throw .invalid(field: field, message: "\(text.debugDescription) is not an http:// or https:// link")
        }
        return text
    }

    private static func isLineBreakOrControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || s.value == 0x7F || (0x80...0x9F).contains(s.value) || s == "\u{2028}" || s == "\u{2029}"
    }

    private static func hex(_ s: Unicode.Scalar) -> String {
        let h = String(s.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}

/// Folds a name for matching without regard to case or diacritics: "Phan Chí Hiếu" and
/// "phan chi hieu" fold alike, and so do "Đ" and "d", which Unicode decomposition leaves alone.
public func foldedForSearch(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.decomposedStringWithCanonicalMapping.lowercased().unicodeScalars {
        switch scalar.value {
        case 0x0300...0x036F: continue  // combining marks: the tones and hats of Vietnamese letters
        case 0x0111: out.append("d")  // đ
        default: out.append(scalar)
        }
    }
    return String(out).split(separator: " ").joined(separator: " ")
}

/// How a command names a person: `"Full Name <email>"`, a bare name, an email, or an id.
public enum PersonReference: Sendable, Equatable {
    case id(Int64)
    case email(String)
    case named(name: String, email: String?)

    public init(parsing text: String, field: String) throws(RegisterError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let id = Int64(trimmed), id > 0 {
            self = .id(id)
        } else if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = String(trimmed[..<open]).trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
            let email = try TextRules.email(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]), field: field)
            self = name.isEmpty ? .email(email) : .named(name: try TextRules.oneLine(name, field: field), email: email)
        } else if trimmed.contains("@"), !trimmed.contains(" ") {
            self = .email(try TextRules.email(trimmed, field: field))
        } else {
            self = .named(name: try TextRules.oneLine(trimmed, field: field), email: nil)
        }
    }
}
