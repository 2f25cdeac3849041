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
        // The library, in layers: each target imports only those below it, so a use
        // upward does not compile (docs/architecture.md draws the graph).
        // What a run is made of and how it is written and read back: statistics,
        // system calls, the run record and its JSON.
        .target(name: "BenchCore", dependencies: ["CShims"], path: "Sources/Bench",
                exclude: ["Engine", "Benchmarks", "Formats", "Compare", "Crosscheck"], sources: ["Statistics", "System", "Model"]),
        // How a benchmark is defined, measured and scheduled, A/B switches included.
        .target(name: "BenchEngine", dependencies: ["BenchCore", "CShims"], path: "Sources/Bench/Engine"),
        // The benchmarks themselves, family by family, and the catalog of them.
        .target(name: "BenchCatalog", dependencies: ["BenchEngine", "BenchCore", "CShims"], path: "Sources/Bench/Benchmarks"),
        // LMBench's results files and summary tables, compare and its reports.
        .target(name: "BenchReports", dependencies: ["BenchCatalog", "BenchEngine", "BenchCore", "CShims"],
                path: "Sources/Bench", exclude: ["Statistics", "System", "Model", "Engine", "Benchmarks", "Crosscheck"],
                sources: ["Formats", "Compare"]),
        // Our figures beside the original LMBench's, measured in the same run.
        .target(name: "BenchCrosscheck", dependencies: ["BenchReports", "BenchCatalog", "BenchEngine", "BenchCore", "CShims"],
                path: "Sources/Bench/Crosscheck"),
        .executableTarget(name: "Runner", dependencies: ["BenchCrosscheck", "BenchReports", "BenchCatalog", "BenchEngine", "BenchCore", "CShims"]),
        .testTarget(name: "BenchTests", dependencies: ["BenchCrosscheck", "BenchReports", "BenchCatalog", "BenchEngine", "BenchCore"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Runner", "BenchCrosscheck", "BenchReports", "BenchCatalog", "BenchEngine", "BenchCore"]),
        // Thousands of mutated files through every reader (about a minute): `swift test --skip FuzzTests` leaves them out.
        .testTarget(name: "FuzzTests", dependencies: ["BenchReports", "BenchCatalog", "BenchEngine", "BenchCore"]),
    ]
)
