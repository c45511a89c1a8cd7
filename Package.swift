// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Multitask",
    products: [
        .library(name: "Multitask", targets: ["Multitask"]),
        .executable(name: "multitask", targets: ["multitask"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .target(name: "CShim"),
        .target(
            name: "Multitask",
            dependencies: [
                "CShim",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // The measurements of `multitask bench` and their Swift-native peers (not a product:
        // the library's public API carries no benchmark).
        .target(name: "MultitaskBenchmarks", dependencies: ["Multitask"]),
        .executableTarget(
            name: "multitask",
            dependencies: [
                "Multitask",
                "MultitaskBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A small program linking Multitask that the child-admission tests start as an
        // outsider would (not a product: it is built for the tests only).
        .executableTarget(name: "MultitaskAdmissionProbe", dependencies: ["Multitask"], path: "Tests/AdmissionProbe"),
        // Sets MULTITASK_FORK_WARNING=0 in the test runner before any test runs.
        .target(name: "MultitaskTestEnvironment", path: "Tests/TestEnvironment"),
        .testTarget(name: "MultitaskTests", dependencies: ["Multitask", "MultitaskBenchmarks", "MultitaskTestEnvironment"]),
    ],
    swiftLanguageModes: [.v6]
)
