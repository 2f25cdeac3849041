// swift-tools-version:6.0
import PackageDescription

// One static binary that runs inside test guests: Bench and Runner use Glibc only
// (Foundation would add ~50 MB to a static executable); the tests may use Foundation.
let package = Package(
    name: "lmbench-swift",
    products: [
        .executable(name: "lmbench-swift", targets: ["Runner"]),
    ],
    targets: [
        .target(
            name: "CShims",
            cSettings: [
                .define("_GNU_SOURCE"),
                // Optimized even in debug builds (the loops are what is timed), but
                // not vectorized and with no calls substituted for loops, so a loop
                // does LMBench's accesses (it is built with -O: one 4-byte access
                // per int, memset/memmove only where it calls them).
                .unsafeFlags(["-O2", "-fno-strict-aliasing", "-fno-vectorize", "-fno-slp-vectorize", "-fno-builtin"]),
            ]
        ),
        .target(name: "Bench", dependencies: ["CShims"]),
        .executableTarget(name: "Runner", dependencies: ["Bench", "CShims"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench"], exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Runner", "Bench"]),
        // Thousands of mutated files through every reader (about a minute): `swift test --skip FuzzTests` leaves them out.
        .testTarget(name: "FuzzTests", dependencies: ["Bench"]),
    ]
)
