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

    public static func kind(of bytes: [UInt8]) -> Kind? {
        guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return nil }
        return first == UInt8(ascii: "{") ? .runJSON : .resultsFile
    }

    /// Checks that `bytes` are a results file getsummary would list (first line
    /// "[lmbench3.0" or "[lmbench3.1", text only).
    public static func validateResultsFile(path: String, bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw ReadError(path: path, line: nil, message: "the file is empty") }
        if let nul = bytes.firstIndex(of: 0) {
            let line = bytes[..<nul].filter { $0 == 0x0A }.count + 1
            throw ReadError(path: path, line: line, message: "binary data, not a results file")
        }
        let head = Array(bytes.prefix(11))
        let ok = head.count == 11 && Array(head[0..<9]) == Array("[lmbench3".utf8)
            && (head[10] == UInt8(ascii: "0") || head[10] == UInt8(ascii: "1"))
        guard ok else {
            throw ReadError(path: path, line: 1, message: "not an LMBench results file (it must start with '[lmbench3.0')")
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
        func file(_ run: RunResult) -> Summary.File {
            Summary.File(path: "\(run.environment.osTriplet)/\(run.environment.nodename)", contents: Array(ResultsFile.render(run).utf8))
        }
        switch kind(of: bytes) {
        case nil:
            throw ReadError(path: path, line: nil, message: "the file is empty")
        case .runJSON:
            switch try jsonRun(path: path, bytes: bytes) {
            case .run(let run): return [file(run)]
            case .ab(let ab): return [file(ab.off), file(ab.on)]
            }
        case .resultsFile:
            try validateResultsFile(path: path, bytes: bytes)
            return [Summary.File(path: path, contents: bytes)]
        }
    }
}
