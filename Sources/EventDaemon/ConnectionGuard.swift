import EventAPI
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// The limits of the socket: at most `max_connections` open at once, a fresh connection has
/// `header_timeout` to send its first request, a request `body_timeout` to arrive whole, and a
/// kept-alive connection `idle_timeout` to start the next one.
struct ConnectionLimits: Sendable {
    var maxConnections: Int
    var header: TimeAmount
    var body: TimeAmount
    var idle: TimeAmount

    init(config: DaemonConfig) {
        maxConnections = config.maxConnections
        header = .milliseconds(Int64(config.headerTimeout * 1000))
        body = .milliseconds(Int64(config.bodyTimeout * 1000))
        idle = .milliseconds(Int64(config.idleTimeout * 1000))
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
/// with the JSON error body every other error has.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private var registered = false
    private var timer: Scheduled<Void>?

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
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
        switch unwrapInboundIn(data) {
        case .head:
            registry.busy(context.channel, true)
            arm(context, registry.limits.body)
        case .end:
            // The whole request is in: eventd answers it at its own pace.
            timer?.cancel()
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

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        timer?.cancel()
        let body = ErrorBody(code: "bad_request", message: "the request is not valid HTTP/1.1 (\(error))")
        let bytes = (try? JSONEncoder().encode(body)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        var head = HTTPResponse(status: .badRequest)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(bytes.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
