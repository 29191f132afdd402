// swift-tools-version:6.1
import PackageDescription

/// Layers, bottom to top (a module depends only on modules listed before it):
///   CBatonSys, CURing, CNuma  - C: atomics, pause, GNU libc calls, CRC32C; liburing; libnuma
///   BatonMutation             - deliberate bugs the simulator can switch on (nil in every real run)
///   BatonTime                 - NanoClock: the system clock and a manual one (time passed in, every layer)
///   BatonAgent                - agents, runners, idle strategies
///   BatonRing                 - SPSC/MPSC ring buffers and position counters over raw memory
///   BatonCodec                - flyweights, message header, log frame header, CRC32C
///   BatonNet                  - sockets, epoll, batched UDP (sendmmsg/recvmmsg)
///   BatonProtocol             - client and replication protocol flyweights
///   BatonLog                  - log buffer, segments, io_uring writer, reader, recovery
///   BatonReplication          - chain replication: the replication agent (transmit + follower order), UDP transport seam
///   BatonNode                 - the node: client I/O and the order, log, transmit, commit, execute stages
///   BatonSimulation           - the deterministic simulator: whole clusters in one thread (simulated clock, network, disk), a history checker
///   BatonClient               - the Swift client library (Publisher, Subscriber)
///   BatonConfig               - tuning profiles and node configuration files (TOML, via TOMLKit)
///   CZlib, BatonBench         - zlib; the benchmark harness (open-loop latency, throughput, HdrHistogram logs, plots)
///   baton                     - the executable
let package = Package(
    name: "Baton",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "baton", targets: ["baton"]),
        .library(name: "CBatonSys", targets: ["CBatonSys"]),
        .library(name: "BatonTime", targets: ["BatonTime"]),
        .library(name: "BatonAgent", targets: ["BatonAgent"]),
        .library(name: "BatonRing", targets: ["BatonRing"]),
        .library(name: "BatonCodec", targets: ["BatonCodec"]),
        .library(name: "BatonLog", targets: ["BatonLog"]),
        .library(name: "BatonNet", targets: ["BatonNet"]),
        .library(name: "BatonProtocol", targets: ["BatonProtocol"]),
        .library(name: "BatonReplication", targets: ["BatonReplication"]),
        .library(name: "BatonNode", targets: ["BatonNode"]),
        .library(name: "BatonClient", targets: ["BatonClient"]),
        .library(name: "BatonConfig", targets: ["BatonConfig"]),
        .library(name: "BatonSimulation", targets: ["BatonSimulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .target(name: "CBatonSys"),
        .systemLibrary(
            name: "CURing",
            pkgConfig: "liburing",
            providers: [.apt(["liburing-dev"])]
        ),
        .systemLibrary(
            name: "CNuma",
            pkgConfig: "numa",
            providers: [.apt(["libnuma-dev"])]
        ),
        .target(name: "BatonTime"),
        .target(name: "BatonMutation"),
        .target(
            name: "BatonAgent",
            dependencies: ["CBatonSys", "CNuma"]
        ),
        .target(
            name: "BatonRing",
            dependencies: ["CBatonSys"]
        ),
        .target(
            name: "BatonCodec",
            dependencies: ["CBatonSys"]
        ),
        .target(
            name: "BatonNet",
            dependencies: ["CBatonSys"]
        ),
        .target(
            name: "BatonProtocol",
            dependencies: ["BatonCodec"]
        ),
        .target(
            name: "BatonLog",
            dependencies: [
                "CBatonSys", "CURing", "CNuma", "BatonTime", "BatonMutation", "BatonAgent", "BatonRing", "BatonCodec",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BatonReplication",
            dependencies: [
                "BatonTime", "BatonMutation", "BatonAgent", "BatonRing", "BatonCodec", "BatonNet", "BatonProtocol", "BatonLog",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BatonNode",
            dependencies: [
                "CBatonSys", "BatonTime", "BatonAgent", "BatonRing", "BatonCodec", "BatonNet", "BatonProtocol", "BatonLog", "BatonReplication",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BatonSimulation",
            dependencies: [
                "BatonTime", "BatonMutation", "BatonAgent", "BatonRing", "BatonCodec", "BatonNet", "BatonProtocol", "BatonLog", "BatonReplication", "BatonNode",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BatonClient",
            dependencies: ["CBatonSys", "BatonTime", "BatonCodec", "BatonNet", "BatonProtocol"]
        ),
        .target(
            name: "BatonConfig",
            dependencies: [
                "BatonAgent", "BatonLog", "BatonNode", "BatonNet", "BatonReplication",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "BatonBench",
            dependencies: [
                "CZlib", "BatonNet", "BatonClient",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "baton",
            dependencies: [
                "BatonTime", "BatonAgent", "BatonRing", "BatonCodec", "BatonLog", "BatonNet", "BatonProtocol", "BatonNode",
                "BatonClient", "BatonConfig", "BatonReplication", "BatonBench", "BatonSimulation", "BatonMutation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Test support: counts malloc/calloc/realloc calls per thread and process-wide, and records where they happen.
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        // Test support: the seeded generator, temporary directories and the allocation tracer every suite uses.
        .target(name: "BatonTestSupport", dependencies: ["BatonClient", "BatonNet", "BatonLog", "BatonSimulation", "CMallocCounter"], path: "Tests/BatonTestSupport"),
        .testTarget(name: "BatonAgentTests", dependencies: ["BatonAgent", "CBatonSys"]),
        .testTarget(name: "BatonRingTests", dependencies: ["BatonRing", "CBatonSys", "CMallocCounter"]),
        .testTarget(name: "BatonCodecTests", dependencies: ["BatonTestSupport", "BatonCodec", "CBatonSys"]),
        .testTarget(name: "BatonLogTests", dependencies: ["BatonTestSupport", "BatonTime", "BatonLog", "BatonCodec", "BatonAgent", "BatonRing", "BatonSimulation", "CMallocCounter", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "BatonNetTests", dependencies: ["BatonTestSupport", "BatonNet", "CBatonSys", "CMallocCounter"]),
        .testTarget(name: "BatonProtocolTests", dependencies: ["BatonTestSupport", "BatonProtocol", "BatonCodec"]),
        .testTarget(name: "BatonClientTests", dependencies: ["BatonTestSupport", "BatonClient", "BatonProtocol", "BatonCodec", "BatonNet", "CBatonSys", "CMallocCounter"]),
        .testTarget(name: "BatonConfigTests", dependencies: ["BatonTestSupport", "BatonConfig", "BatonNode", "BatonLog", "BatonAgent", "BatonNet"]),
        .testTarget(
            name: "BatonBenchTests",
            dependencies: ["BatonTestSupport", "BatonBench", "BatonNode", "BatonClient", "BatonLog", "BatonNet", "CMallocCounter",
                           .product(name: "Histogram", package: "hdrhistogram-swift"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "BatonReplicationTests",
            dependencies: ["BatonTestSupport", "BatonTime", "BatonReplication", "BatonNode", "BatonClient", "BatonLog", "BatonProtocol", "BatonCodec", "BatonNet", "BatonRing", "BatonAgent", "CMallocCounter", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "BatonSimulationTests",
            dependencies: ["BatonTestSupport", "BatonSimulation", "BatonMutation", "BatonTime", "BatonNode", "BatonReplication", "BatonLog", "BatonCodec", "BatonNet", "BatonRing", "BatonAgent",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "BatonNodeTests",
            dependencies: ["BatonTestSupport", "BatonTime", "BatonNode", "BatonClient", "BatonLog", "BatonProtocol", "BatonCodec", "BatonNet", "CBatonSys",
                           "CMallocCounter"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
