// swift-tools-version: 6.1
import PackageDescription

/// Release builds drop the run-time exclusivity checks (the compile-time ones stay): the simulators'
/// per-operation loops mutate class-held state, where each access would otherwise pay a check
/// (15% of the instructions of a best-fit heap replay, measured with callgrind).
let releaseSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "VMSim",
    products: [
        .library(name: "VMSim", targets: ["VMSim"]),
        .library(name: "VMTrace", targets: ["VMTrace"]),
        .library(name: "VMDriver", targets: ["VMDriver"]),
        .library(name: "VMReport", targets: ["VMReport"]),
        .library(name: "OSTEP", targets: ["OSTEP"]),
        .executable(name: "vmsim", targets: ["vmsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Documentation only: `swift package generate-documentation` (docs/documentation.md).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Processor hints (prefetch) that Swift cannot spell; header-only.
        .target(name: "CVMSimSupport"),
        // The engine: value types, no Foundation, no I/O.
        .target(name: "VMSim", dependencies: ["CVMSimSupport"], swiftSettings: releaseSettings),
        // Streaming trace readers and writers, nothing else.
        .target(name: "VMTrace", dependencies: ["VMSim"], swiftSettings: releaseSettings),
        // Drivers: a trace or script file in, the engine run over it, a report out (one batch loop,
        // standard-input spooling and pre-passes for every command).
        .target(name: "VMDriver", dependencies: ["VMSim", "VMTrace", "CVMSimSupport"], swiftSettings: releaseSettings),
        // Text tables, JSON and CSV rendering of simulation results.
        .target(name: "VMReport", dependencies: ["VMSim"]),
        // Bit-exact equivalents of the OSTEP homework simulators, with a port of Python's random.
        .target(name: "OSTEP", dependencies: ["VMSim"], swiftSettings: releaseSettings),
        // The command-line tool: argument parsing and wiring only.
        .executableTarget(
            name: "vmsim",
            dependencies: [
                "VMSim", "VMTrace", "VMDriver", "VMReport", "OSTEP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "VMSimTests", dependencies: ["VMSim"], exclude: ["Fixtures"]),
        .testTarget(name: "VMTraceTests", dependencies: ["VMTrace", "VMDriver", "VMSim"], exclude: ["Fixtures"]),
        .testTarget(name: "VMDriverTests", dependencies: ["VMDriver", "VMTrace", "VMSim"]),
        // The README's Swift examples, compiled and run.
        .testTarget(name: "DocumentationTests", dependencies: ["VMDriver", "VMTrace", "VMSim"]),
        .testTarget(name: "VMReportTests", dependencies: ["VMReport", "VMSim"]),
        .testTarget(name: "vmsimTests", dependencies: ["vmsim"]),
        .testTarget(
            name: "OSTEPTests",
            dependencies: ["OSTEP"],
            resources: [.copy("Resources/ostep"), .copy("Resources/ostep-extra")]
        ),
    ]
)
