// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Multitask",
    products: [
        .library(name: "Multitask", targets: ["Multitask"]),
        .executable(name: "multitask", targets: ["multitask"]),
        // The same `Pool` on MPI (Open MPI): built with `--traits MPI` only; a user who does
        // not ask for MPI never links it.
        .library(name: "MultitaskMPI", targets: ["MultitaskMPI"]),
    ],
    traits: [
        .trait(name: "MPI", description: "The MPI backend of Pool (needs Open MPI: apt-get install libopenmpi-dev openmpi-bin)"),
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
        .target(name: "MultitaskBenchmarks", dependencies: ["Multitask", "CRingPeer"]),
        // The C shared-memory ring of Benchmarks/baselines/c_limit.c, one message at a time,
        // measured by `multitask bench` beside `Queue<Int>` (MultitaskBenchmarks/Peers/RingPeer).
        .target(name: "CRingPeer"),
        // Open MPI's C API, reached through `static inline` accessors for its predefined handles.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        // `Pool` over MPI; without the MPI trait an empty module that links nothing.
        .target(
            name: "MultitaskMPI",
            dependencies: ["Multitask", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]
        ),
        .executableTarget(
            name: "multitask",
            dependencies: [
                "Multitask",
                "MultitaskBenchmarks",
                .target(name: "MultitaskMPI", condition: .when(traits: ["MPI"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A small program linking Multitask that the child-admission tests start as an
        // outsider would (not a product: it is built for the tests only).
        .executableTarget(name: "MultitaskAdmissionProbe", dependencies: ["Multitask"], path: "Tests/AdmissionProbe"),
        // Sets MULTITASK_FORK_WARNING=0 in the test runner before any test runs.
        .target(name: "MultitaskTestEnvironment", path: "Tests/TestEnvironment"),
        .testTarget(name: "MultitaskTests", dependencies: ["Multitask", "MultitaskBenchmarks", "MultitaskTestEnvironment"]),
        // The program the MPI tests start under `mpirun` (and that spawns its own MPI workers).
        .executableTarget(name: "MultitaskMPIProbe", dependencies: ["Multitask", "MultitaskMPI"], path: "Tests/MPIProbe"),
        .testTarget(name: "MultitaskMPITests", dependencies: ["Multitask", "MultitaskMPI", "MultitaskTestEnvironment"]),
    ],
    swiftLanguageModes: [.v6]
)
