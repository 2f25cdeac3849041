import Glibc
/// Reads the files the commands take: LMBench results files (LMBench's own or ours)
/// and our JSON run files. Anything else is refused with the file and line named.
public enum ResultsReader {
    public struct ReadError: Error, CustomStringConvertible {
        public let path: String
        public let line: Int?
        public let message: String
        public var description: String {
            "'\(path)'" + (line.map { ", line \($0)" } ?? "") + ": " + message
        }
    }

    public enum Kind { case resultsFile, runJSON }

    /// The whole of an input file (a results file or a JSON run), or a ReadError
    /// that says why not.
    public static func contents(of path: String) throws -> [UInt8] {
        do {
            return try Sys.readWholeFile(path)
        } catch let error as SystemError {
            switch error.errno.rawValue {
            case ENOENT: throw ReadError(path: path, line: nil, message: "no such file")
            case EISDIR: throw ReadError(path: path, line: nil, message: "is a directory, not a results file or a JSON run")
            default: throw ReadError(path: path, line: nil, message: "cannot be read: \(error.errno)")
            }
        }
    }

    public static func kind(of bytes: [UInt8]) -> Kind? {
        guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return nil }
        return first == UInt8(ascii: "{") ? .runJSON : .resultsFile
    }

    /// Checks that `bytes` are a results file that yields a row: a text file with
    /// a line starting "[lmbench" (any version; getsummary skips what comes before,
    /// such as an empty line or a "scripts/lmbench: /dev/tty" line). `compare`
    /// needs that row; `summary` takes any file, as getsummary does.
    public static func validateResultsFile(path: String, bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw ReadError(path: path, line: nil, message: "the file is empty") }
        if let nul = bytes.firstIndex(of: 0) {
            let line = bytes[..<nul].filter { $0 == 0x0A }.count + 1
            throw ReadError(path: path, line: line, message: "binary data, not a results file")
        }
        let marker = Array("[lmbench".utf8)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.contains(where: { $0.starts(with: marker) }) else {
            throw ReadError(path: path, line: nil, message: "not an LMBench results file (no line starts with '[lmbench')")
        }
    }

    /// A JSON file of ours: a run, or an A/B run (both sides of a switch).
    public enum JSONRun {
        case run(RunResult)
        case ab(ABRunResult)
    }

    /// A run JSON or A/B run JSON file, by its schema.
    public static func jsonRun(path: String, bytes: [UInt8]) throws -> JSONRun {
        if bytes.contains(0) { throw ReadError(path: path, line: nil, message: "binary data, not a JSON run file") }
        let json: JSON
        do { json = try JSON.parse(String(decoding: bytes, as: UTF8.self)) } catch let error as JSONParseError {
            throw ReadError(path: path, line: error.line, message: "invalid JSON at column \(error.column): \(error.message)")
        }
        do {
            if json["schema"]?.stringValue == ABRunJSON.schema { return .ab(try ABRunJSON.decode(json)) }
            return .run(try RunJSON.decode(json))
        } catch let error as RunJSON.FormatError {
            throw ReadError(path: path, line: nil, message: error.message)
        }
    }

    /// A run JSON file (not an A/B run).
    public static func runJSON(path: String, bytes: [UInt8]) throws -> RunResult {
        switch try jsonRun(path: path, bytes: bytes) {
        case .run(let run): return run
        case .ab: throw ReadError(path: path, line: nil, message: "an A/B run file (\(ABRunJSON.schema)), not a plain run file")
        }
    }

    /// The files for `summary`: results files as they are; a JSON run rendered as
    /// the results file it stands for, named <os>/<host> like one; an A/B run as
    /// its two results files, off then on.
    public static func summaryFiles(path: String, bytes: [UInt8]) throws -> [Summary.File] {
        func file(_ run: RunResult, side: String? = nil) -> Summary.File {
            // An A/B run's sides are told apart in the Host column: "vm off", "vm on".
            var name = run.environment.fileName
            if let side {
                if let dot = name.lastIndex(of: "."), name[name.index(after: dot)...].allSatisfy(\.isNumber),
                   name.index(after: dot) < name.endIndex {
                    name = String(name[..<dot])
                }
                name += " " + side
            }
            return Summary.File(path: "\(run.environment.osTriplet)/\(name)", contents: Array(ResultsFile.render(run).utf8))
        }
        switch kind(of: bytes) {
        case nil:
            throw ReadError(path: path, line: nil, message: "the file is empty")
        case .runJSON:
            switch try jsonRun(path: path, bytes: bytes) {
            case .run(let run): return [file(run)]
            case .ab(let ab): return [file(ab.off, side: "off"), file(ab.on, side: "on")]
            }
        case .resultsFile:
            // Any text getsummary reads, as it reads it (a file with no "[lmbench"
            // line gets its banner only); an empty or binary file is a mistake.
            if let nul = bytes.firstIndex(of: 0) {
                throw ReadError(path: path, line: bytes[..<nul].filter { $0 == 0x0A }.count + 1,
                                message: "binary data, not a results file")
            }
            return [Summary.File(path: path, contents: bytes)]
        }
    }
}
