import EventAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// The limits of one listener: at most `maxConnections` open at once, a fresh connection has
/// `header` to send its first request, a request `body` to arrive whole, and a kept-alive
/// connection `idle` to start the next one. The Unix socket takes `max_connections`,
/// `header_timeout`, `body_timeout` and `idle_timeout`; the feed listener its `feeds_` keys.
struct ConnectionLimits: Sendable {
    var maxConnections: Int
    var header: TimeAmount
    var body: TimeAmount
    var idle: TimeAmount

    init(maxConnections: Int, header: Double, body: Double, idle: Double) {
        self.maxConnections = maxConnections
        self.header = .milliseconds(Int64(header * 1000))
        self.body = .milliseconds(Int64(body * 1000))
        self.idle = .milliseconds(Int64(idle * 1000))
    }

    /// The Unix socket's.
    static func api(_ config: DaemonConfig) -> ConnectionLimits {
        ConnectionLimits(maxConnections: config.maxConnections, header: config.headerTimeout, body: config.bodyTimeout, idle: config.idleTimeout)
    }

    /// Descriptors the feed listener never takes, beyond the API's `max_connections`, so that
    /// with idle TCP clients up to the cap `eventctl status`, writes, feed rewrites and notices
    /// still get theirs. Counted in /proc/PID/fd of a debug eventd on 2 cores with `http` on:
    /// 27 with no client (stdio, the lock, three epolls with their eventfds, timerfds and
    /// signalfds, the two listening sockets, the register with its WAL and shm on three
    /// connections). On top, as they open: GRDB's other readers (a file and a WAL each, 10),
    /// the feed writer's temporary file and folder (2), a backup's copy and connection (3),
    /// `hook_concurrency` mail hooks at 8 each while one starts (stdin, stdout and stderr pipes
    /// and the spawn's own; 32 for the default 4, more are added by `hookDescriptors`), a feed
    /// request walking its path (2 per thread, 4), and a quarter again for what we did not count.
    static let descriptorReserve = 96

    /// Descriptors of mail hooks beyond the four the reserve holds.
    static func hookDescriptors(_ config: DaemonConfig) -> Int { max(0, config.hookConcurrency - 4) * 8 }

    /// The feed listener's: its own keys, and never more connections than the descriptor limit
    /// leaves once the API's `max_connections` and the reserve are set aside. A connection over
    /// the cap pushes out the one that has waited longest for its client, as on the socket.
    static func feeds(_ config: DaemonConfig, descriptorLimit: Int) -> ConnectionLimits {
        let room = descriptorLimit - config.maxConnections - descriptorReserve - hookDescriptors(config)
        return ConnectionLimits(
            maxConnections: max(0, min(config.feedsMaxConnections, room)), header: config.feedsHeaderTimeout, body: config.feedsBodyTimeout,
            idle: config.feedsIdleTimeout)
    }
}

/// What one request's line and header fields may hold, on both listeners; eventd's own requests
/// stay far below (a long `eventctl search` is a few hundred bytes). NIOHTTP1 counts the
/// request-target as a header field and reports any overflow as `headerOverflow`, so the line is
/// also measured before the parser (`RequestLineWatch`) to tell 414 from 431.
enum RequestHeadLimits {
    /// The request line (method, target, version), in bytes: longer is 414 URI Too Long, which
    /// RFC 9112 §3 requires of a server that receives a request-target longer than it will parse
    /// (RFC 9110 §15.5.15).
    static let line = 8 * 1024
    /// One field's name or value, in bytes, and the request-target too (the parser's own count).
    static let field = 8 * 1024
    /// All the fields, in bytes; more is 431 Request Header Fields Too Large (RFC 6585 §5).
    static let total = 64 * 1024
    /// Fields in one request; more is 431 too.
    static let count = 100

    static var decoder: HTTP1Channel.Configuration.DecoderConfiguration {
        .init(maxHeaderFieldSize: field, maxHeaderListSize: total, maxHeaderFieldCount: count)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 held to `registry`'s limits and the request-head limits: both listeners are served by it.
    static func guarded(by registry: ConnectionRegistry) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(registry: registry)], httpDecoderConfiguration: RequestHeadLimits.decoder))
    }
}

/// Every open connection, to keep their number under the cap. At the cap a new connection
/// pushes out the one that has waited longest for its client (idle keep-alive, or a client that
/// never finished its headers), so `eventctl status` gets in even while others hog the socket.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var busy: Bool
        var since: NIODeadline
    }

    private let entries = Mutex([ObjectIdentifier: Entry]())
    let limits: ConnectionLimits

    init(limits: ConnectionLimits) { self.limits = limits }

    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection; false when it must be refused (every other one is busy).
    func opened(_ channel: any Channel) -> Bool {
        let victim: (any Channel)?? = entries.withLock { entries in
            var victim: (any Channel)?
            if entries.count >= limits.maxConnections {
                guard let oldest = entries.filter({ !$0.value.busy }).min(by: { $0.value.since < $1.value.since }) else { return .none }
                entries[oldest.key] = nil
                victim = oldest.value.channel
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, busy: false, since: .now())
            return .some(victim)
        }
        guard case .some(let pushedOut) = victim else { return false }
        pushedOut?.close(promise: nil)
        return true
    }

    func busy(_ channel: any Channel, _ busy: Bool) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.busy = busy; $0[ObjectIdentifier(channel)]?.since = .now() }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// One per connection, after the HTTP decoder: counts the connection in and out of the
/// registry, closes it when a timeout passes, and answers a request the HTTP parser refused
/// with the JSON error body every other error has: 414 for a request line over
/// `RequestHeadLimits.line`, 431 for header fields over theirs, 400 for the rest.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private let line = RequestLineWatch()
    private var registered = false
    /// The parser refused the request and its answer is written: whatever comes next is dropped.
    private var answered = false
    /// A request's head went on to its handler and its end has not come yet.
    private var inRequest = false
    private var timer: Scheduled<Void>?

    /// How long a refused client may go on sending before the connection is closed under it:
    /// closing with its bytes unread would send a TCP reset, and the reset can reach the client
    /// before it has read the answer.
    static let linger: TimeAmount = .seconds(2)

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        // Before the HTTP decoder, to see the request line as it arrives.
        try? context.pipeline.syncOperations.addHandler(line, position: .first)
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        guard registry.opened(context.channel) else {
            context.close(promise: nil)
            return
        }
        arm(context, registry.limits.header)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        registry.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head:
            inRequest = true
            registry.busy(context.channel, true)
            arm(context, registry.limits.body)
        case .end:
            // The whole request is in: eventd answers it at its own pace.
            timer?.cancel()
            inRequest = false
            line.nextRequest()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            registry.busy(context.channel, false)
            arm(context, registry.limits.idle)
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A refused client that stopped sending has had its answer: close at once.
        if answered, case .inputClosed = event as? ChannelEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After a refusal the decoder reports every further read as an error: those bytes are dropped.
        if answered { return }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        timer?.cancel()
        answered = true
        guard !inRequest else {
            // A request's handler already writes its answer (the body was refused): a second
            // answer would be interleaved with it, so the connection only closes.
            context.close(promise: nil)
            return
        }
        let (status, body) = Self.refusal(parserError, lineTooLong: line.tooLong)
        let bytes = (try? jsonEncoder.encode(body)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(bytes.readableBytes)
        head.headerFields[.connection] = "close"
        // The headers every answer of the feed listener carries (harmless on the socket).
        head.headerFields[.xContentTypeOptions] = "nosniff"
        head.headerFields[.contentSecurityPolicy] = FeedListener.SecurityHeaders.otherPolicy
        head.headerFields[FeedListener.SecurityHeaders.xFrameOptions] = "DENY"
        head.headerFields[FeedListener.SecurityHeaders.referrerPolicy] = "no-referrer"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        let channel = context.channel
        // Half-close: the answer and a FIN go out, what the client still sends is read and dropped
        // until it closes its side or `linger` passes.
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(mode: .output, promise: nil) }
        arm(context, Self.linger)
    }

    /// The status and body that answer what the parser refused.
    static func refusal(_ error: HTTPParserError, lineTooLong: Bool) -> (HTTPResponse.Status, ErrorBody) {
        switch error {
        case .headerOverflow where lineTooLong:
            return (.uriTooLong, ErrorBody(code: "too_large", message: "the request line is longer than \(RequestHeadLimits.line) bytes"))
        case .headerOverflow:
            return (
                .requestHeaderFieldsTooLarge,
                ErrorBody(
                    code: "too_large",
                    message: "the request's header fields are too large: at most \(RequestHeadLimits.count) fields, "
                        + "\(RequestHeadLimits.field) bytes each and \(RequestHeadLimits.total) bytes in all")
            )
        default:
            return (.badRequest, ErrorBody(code: "bad_request", message: "the request is not valid HTTP/1.1 (\(error))"))
        }
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}

/// Measures each request line as it arrives, before the HTTP parser, so that `ConnectionGuard`
/// can tell a too-long request-target (414) from too-large header fields (431): the parser
/// reports both as one error. The line of the first request is measured exactly; a request
/// pipelined behind another may have begun in bytes already passed, and is then measured from
/// the next read on (an overflow may be called 431 where 414 fits, never the reverse of a request
/// that was within the limits: the parser alone refuses).
final class RequestLineWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// No line feed yet since the request began.
    private var open = true
    private var length = 0

    var tooLong: Bool { length > RequestHeadLimits.line }

    /// The request is whole: the next bytes begin the next one.
    func nextRequest() {
        open = true
        length = 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if open {
            let bytes = unwrapInboundIn(data).readableBytesView
            if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                length += end - bytes.startIndex
                open = false
            } else {
                length += bytes.count
            }
        }
        context.fireChannelRead(data)
    }
}
