// swift-tools-version:6.1
import PackageDescription

/// SwiftPM names a path dependency after its folder, and a clone may live in a
/// folder of any name: derive it instead of hard-coding it.
let batonPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "main")

/// Baton's micro-benchmarks (ordo-one/benchmark). A package of its own so that
/// `make test` never builds the benchmark tool chain; `make bench` runs it.
let package = Package(
    name: "BatonBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FoundationBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BatonRing", package: batonPackage),
                .product(name: "BatonCodec", package: batonPackage),
                .product(name: "CBatonSys", package: batonPackage),
            ],
            path: "FoundationBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
