// swift-tools-version: 6.1
// VMSim's benchmarks, on ordo-one/package-benchmark. Run from this folder:
//   swift package benchmark                       # all
//   swift package benchmark --target Paging       # one suite
//   swift package benchmark --target Heap         # heap allocators on the malloc-lab traces
//   swift package benchmark --target Translation  # address translation
// Release builds only; each suite prints throughput (operations per second).
import PackageDescription

let package = Package(
    name: "VMSimBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named so that the dependency resolves whatever the checkout folder is called.
        .package(name: "VMSim", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Paging",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VMSim", package: "VMSim"),
            ],
            path: "Benchmarks/Paging",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Physical",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VMSim", package: "VMSim"),
            ],
            path: "Benchmarks/Physical",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Heap",
            path: "Benchmarks/Heap",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Translation",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VMSim", package: "VMSim"),
                .product(name: "VMTrace", package: "VMSim"),
            ],
            path: "Benchmarks/Translation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
