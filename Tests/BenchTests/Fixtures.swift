import Foundation

/// The LMBench fixtures copied from ../shared/fixtures/lmbench (genuine results
/// files and getsummary's output for them).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lmbench")

    /// Recorded runs of our own (run JSON files).
    static let runs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/runs")

    static func run(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: runs.appendingPathComponent(name)))
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relative)))
    }

    static func text(_ relative: String) throws -> String {
        String(decoding: try bytes(relative), as: UTF8.self)
    }
}
