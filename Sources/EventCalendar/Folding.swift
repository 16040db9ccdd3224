/// Line folding of what eventd writes, done here rather than trusted to libical: libical 3.0.16
/// splits the CRLF itself (`\r` + `\r\n ` + `\n`) when a line's content is 73 or 147 octets
/// long (fixed only in libical 4), which clients read as a stray carriage return.
enum Folding {
    /// RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break.
    static let limit = 75

    /// Unfolds `text` (CRLF followed by a space or tab continues a line) and folds every content
    /// line again, with CRLF line ends throughout. Works on UTF-8 bytes: feeds of thousands of
    /// events go through here.
    static func refold(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 64 * 3 + 2)
        for line in unfoldedLines(Array(text.utf8)) {
            fold(line, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The content lines of UTF-8 `bytes`, unfolded; a bare CR or LF also ends a line, and
    /// libical's broken fold (`\r` before a `\r\n ` and `\n` after it) comes out as one line end.
    static func unfoldedLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var i = 0
        let n = bytes.count
        func isBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 }
        while i < n {
            let b = bytes[i]
            guard b == 13 || b == 10 else {
                current.append(b)
                i += 1
                continue
            }
            // One line break: CRLF, a lone CR, or a lone LF.
            var j = i + 1
            if b == 13, j < n, bytes[j] == 10 { j += 1 }
            if j < n, isBlank(bytes[j]) {
                // A fold: the line goes on. After libical's split CRLF the `\n` that follows ends it.
                i = j + 1
                if i < n, bytes[i] == 10 {
                    if !current.isEmpty { lines.append(current) }
                    current = []
                    i += 1
                }
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current = []
            i = j
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Appends `line` folded as libical folds it (the same break points, so that output does not
    /// change where libical was right: after the last `;`, `:` or space that fits, else before a
    /// UTF-8 sequence), counting the line break as libical does, but never splitting the break:
    /// where libical would cut into the CRLF, what is left of the line goes out whole (at most 74
    /// octets, so at most 75 with the continuation's space).
    private static func fold(_ line: [UInt8], into out: inout [UInt8]) {
        let content = line.count
        var start = 0
        var first = true
        while start < content {
            var next = nextLineStart(line, from: start, left: content + 2 - start)
            if next >= content { next = content }  // libical would split the CRLF or leave an empty line
            if !first { out += [13, 10, 32] }
            first = false
            out += line[start..<next]
            start = next
        }
        out += [13, 10]
    }

    /// libical 3.0.16's `get_next_line_start` over `line` followed by its CRLF (`left` counts it).
    private static func nextLineStart(_ line: [UInt8], from start: Int, left: Int) -> Int {
        func byte(_ i: Int) -> UInt8 { i < line.count ? line[i] : (i == line.count ? 13 : 10) }
        if left < limit { return start + left }
        var pos = start + limit - 2
        while pos > start {
            let b = byte(pos)
            if b == UInt8(ascii: ";") || b == UInt8(ascii: ":") || b == UInt8(ascii: " ") { return pos + 1 }
            pos -= 1
        }
        pos = start + limit - 1
        while pos > start {
            let b = byte(pos)
            if b & 0x80 == 0 || b & 0xC0 == 0xC0 { return pos }
            pos -= 1
        }
        return start + limit - 1
    }
}
