import Foundation
import Glibc

/// Text in any charset a mail part may name, decoded with the C library's iconv: glibc's
/// converters know every charset Python's `email` package decodes (windows-1258 for
/// Vietnamese, UTF-16 with or without a byte order mark, KOI8-R, GB2312, Shift_JIS…), which
/// Foundation's `String.Encoding` does not. This file is the only one that calls iconv.
enum Charsets {
    struct Unknown: Error, CustomStringConvertible {
        var description: String
    }

    /// `bytes` as text: UTF-8 when no charset is named (with U+FFFD for bytes that are not),
    /// else through iconv.
    static func decode(_ bytes: [UInt8], charset: String?) throws(Unknown) -> String {
        let name = (charset ?? "utf-8").trimmingCharacters(in: [" ", "\t", "\""]).lowercased()
        if ["utf-8", "utf8", "us-ascii", "ascii", ""].contains(name) {
            return String(validating: bytes, as: UTF8.self) ?? String(decoding: bytes, as: UTF8.self)
        }
        for candidate in aliases(of: name) {
            if let text = convert(bytes, from: candidate) { return text }
        }
        throw Unknown(description: "its charset \(name.debugDescription) is not one eventd can read, or the text is not valid in it")
    }

    /// Python's names beside iconv's: `cp1258` and `windows-1258`, `utf_16` and `utf-16`, `latin_1`.
    static func aliases(of name: String) -> [String] {
        var names = [name, name.replacingOccurrences(of: "_", with: "-")]
        if name.hasPrefix("cp"), let n = Int(name.dropFirst(2)), (1250...1258).contains(n) { names.append("windows-\(n)") }
        if name.hasPrefix("windows-") { names.append("cp" + name.dropFirst("windows-".count)) }
        if name == "latin-1" || name == "latin1" || name == "latin_1" { names.append("iso-8859-1") }
        return names
    }

    /// Whole-text conversion to UTF-8; nil when iconv does not know the charset or the text is not valid in it.
    private static func convert(_ bytes: [UInt8], from charset: String) -> String? {
        let descriptor = iconv_open("UTF-8", charset)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var input = bytes
        // UTF-8 needs at most 4 bytes per input byte from any charset of at least one byte a character.
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let written: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var outLeft = outBuffer.count
                guard iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else { return nil }
                // Flush any state (the end of an ISO-2022 escape sequence).
                guard iconv(descriptor, nil, nil, &outPointer, &outLeft) != -1 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let written else { return nil }
        var text = String(decoding: output[..<written], as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}
