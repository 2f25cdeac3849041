import BenchCore

/// A results-file line "<title>: <value> microseconds" (LMBench's micro()) or
/// "<title>: <value> MB/sec", the one place its title is written: our results
/// file prints it for `cell`, LMBench's program prints the same line (crosscheck
/// reads its value there), and getsummary reads it into the array the
/// benchmark's `metrics` name.
package struct TitledLine: Sendable {
    package enum Value: Sendable {
        case microseconds, megabytesPerSecond
    }

    package let title: String
    package let cell: String
    let value: Value
    /// lat_pagefault's "Pagefaults on <file>": the test file's path ends the title.
    let namesTestFile: Bool

    package init(_ title: String, cell: String, value: Value = .microseconds, namesTestFile: Bool = false) {
        self.title = title
        self.cell = cell
        self.value = value
        self.namesTestFile = namesTestFile
    }

    /// Writes the line (nothing when the cell has no value).
    package func write(_ out: inout ResultsWriter) {
        guard let v = out.value(cell) else { return }
        out.enter(nil)
        let title = namesTestFile ? "\(self.title) \(out.testFile)" : self.title
        switch value {
        case .microseconds: out.line("\(title): " + cFormat("%.4f microseconds", v))
        case .megabytesPerSecond: out.line(title + cFormat(": %.2f MB/sec", v))
        }
    }

    /// LMBench's `program` with `arguments`, its value read from this line: the
    /// whitespace-separated field after the title's words (a file name is one word).
    package func invocation(_ program: String, _ arguments: [String]) -> LMBenchInvocation {
        let words = title.split(separator: " ").count + (namesTestFile ? 1 : 0)
        return LMBenchInvocation(program: program, arguments: arguments,
                                 output: .titled(namesTestFile ? title : title + ":", field: words, cell: cell))
    }
}
