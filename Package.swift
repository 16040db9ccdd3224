// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "eventd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eventd", targets: ["eventd"]),
        .executable(name: "eventctl", targets: ["eventctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Plain Sendable value types of the register, and the rules they obey.
        .target(name: "EventModel"),
        // The JSON wire types shared by eventd and eventctl; no Foundation, so eventctl starts fast.
        .target(name: "EventAPI"),
        // The register in SQLite (GRDB over the system libsqlite3).
        .target(
            name: "EventStore",
            dependencies: ["EventModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The system libical (Debian libical-dev); only EventCalendar imports it.
        .systemLibrary(name: "CLibical", pkgConfig: "libical", providers: [.apt(["libical-dev"])]),
        // iCalendar writing, reading and recurrence expansion, in terms of EventModel.
        .target(name: "EventCalendar", dependencies: ["EventModel", "CLibical"]),
        // Mail coming in: MIME, charsets, addresses and Authentication-Results, under bounds.
        .target(name: "EventMail", dependencies: ["EventModel"]),
        // The daemon as a library: configuration, HTTP routes, lifecycle.
        .target(
            name: "EventDaemon",
            dependencies: [
                "EventModel", "EventAPI", "EventStore", "EventCalendar", "EventMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "eventd",
            dependencies: ["EventDaemon", "EventAPI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "eventctl",
            dependencies: ["EventAPI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // make bench: one person's agenda in a large register, beside raw SQLite on the same data.
        .executableTarget(
            name: "eventd-bench",
            dependencies: ["EventStore", "EventModel", "EventCalendar", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // make fuzz: libFuzzer over reading, import planning, expansion and writing (Sources/eventd-fuzz);
        // without -DFUZZING it replays files given as arguments.
        .executableTarget(name: "eventd-fuzz", dependencies: ["EventCalendar", "EventMail", "EventModel"]),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel"]),
        .testTarget(name: "EventMailTests", dependencies: ["EventMail", "EventModel"]),
        .testTarget(name: "EventCalendarTests", dependencies: ["EventCalendar", "EventModel"], exclude: ["Golden"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "EventModel", .product(name: "GRDB", package: "GRDB.swift")]),
        // The daemon's scheduling on a clock the tests move: notices, retries, replanning, feed coalescing.
        .testTarget(
            name: "EventDaemonTests",
            dependencies: ["EventDaemon", "EventModel", "EventStore", "EventAPI", .product(name: "Logging", package: "swift-log")]
        ),
        // Starts the real eventd and drives the real eventctl, curl and Python clients.
        .testTarget(name: "EndToEndTests", dependencies: ["EventAPI"]),
    ],
    swiftLanguageModes: [.v6]
)
