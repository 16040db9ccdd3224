#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client for one request over eventd's Unix socket.
///
/// eventctl runs in scripts and loops, so it avoids an event loop and TLS stack at start-up:
/// one connect, one write, read to end of stream (`Connection: close`).
struct UnixHTTPClient {
    let socketPath: String

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    enum Failure: Error, CustomStringConvertible {
        case cannotConnect(path: String, reason: String)
        case io(String)
        case malformed(String)

        var description: String {
            switch self {
            case .cannotConnect(let path, let reason) where reason == String(cString: strerror(EACCES)):
                """
                cannot reach eventd at \(path): \(reason).
                You are not allowed to open the socket or its folder: ask the administrator to add you to \
                eventd's socket group (socket_group in its config), then log in again.
                """
            case .cannotConnect(let path, let reason):
                """
                cannot reach eventd at \(path): \(reason).
                Is eventd running? Start it with `eventd` (or `systemctl start eventd`), \
                or point --socket or EVENTD_SOCKET at the socket it listens on.
                """
            case .io(let what): "talking to eventd: \(what)"
            case .malformed(let what): "eventd sent a response eventctl cannot read: \(what)"
            }
        }
    }

    func request(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") throws(Failure) -> Response {
        let fd = try connectSocket()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept: application/json\r\n"
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(fd, Array(head.utf8) + (body ?? []))
        return try parse(try readAll(fd))
    }

    private func connectSocket() throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .io("socket(): \(errorText())") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw .cannotConnect(path: socketPath, reason: "the path is longer than a Unix socket allows (107 bytes)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in pathBytes.enumerated() { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 {
            let reason = errorText()
            close(fd)
            throw .cannotConnect(path: socketPath, reason: reason)
        }
        return fd
    }

    /// Writes the request, but stops as soon as eventd answers: it may refuse a large body (413)
    /// without reading it, and a blocking write would then wait forever.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            var events = pollfd(fd: fd, events: Int16(POLLOUT | POLLIN), revents: 0)
            if poll(&events, 1, -1) < 0 {
                if errno == EINTR { continue }
                throw .io("poll(): \(errorText())")
            }
            if events.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { return }
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, min($0.count - offset, 64 * 1024), Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EPIPE || errno == ECONNRESET { return }
                throw .io("send(): \(errorText())")
            }
            offset += n
        }
    }

    private func readAll(_ fd: Int32) throws(Failure) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET, !data.isEmpty { return data }
                throw .io("recv(): \(errorText())")
            }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Status line, headers, then a body sized by Content-Length, chunked, or running to the end.
    private func parse(_ raw: [UInt8]) throws(Failure) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        // Nothing at all: eventd closed the connection without answering (it stopped or was killed).
        guard !raw.isEmpty else {
            throw .io("eventd closed the connection without answering (did it stop?); a change may or may not have been made: look with eventctl show or eventctl log")
        }
        guard let headEnd = raw.firstRange(of: separator) else { throw .malformed("no end of headers") }
        let head = String(decoding: raw[..<headEnd.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw .malformed("status line \(lines.first ?? "")") }
        var chunked = false
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = trimmed(line[line.index(after: colon)...])
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        var body = Array(raw[headEnd.upperBound...])
        if chunked {
            body = try dechunk(body)
        } else if let length, body.count > length {
            body = Array(body.prefix(length))
        }
        return Response(status: status, body: body)
    }

    private func dechunk(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10]) else { throw .malformed("chunk size") }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(trimmed(sizeText), radix: 16) else { throw .malformed("chunk size") }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { throw .malformed("truncated chunk") }
            out.append(contentsOf: bytes[start..<start + size])
            index = start + size + 2
        }
        return out
    }

    private func errorText() -> String { String(cString: strerror(errno)) }
}

/// FoundationEssentials has no `trimmingCharacters`; headers only need spaces and tabs removed.
func trimmed(_ text: Substring) -> String {
    String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
}
