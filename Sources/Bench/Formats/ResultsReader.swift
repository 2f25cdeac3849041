import BenchCore
import BenchEngine
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

    /// The largest input read (a results file or a JSON run): far above any real
    /// one (a 12-minute A/B `run os` JSON is 1.5 MB, a results file of 10^6 lines
    /// about 30 MB), small enough that a command holds one in about 100 MB (a
    /// JSON run is held as its file, its parsed tree and its samples: 3x its size).
    public static let maximumInputBytes = 32 << 20

    /// The whole of an input file (a results file or a JSON run), or a ReadError
    /// that says why not. Only a regular file of at most `maximumInputBytes` is
    /// read: a FIFO, a device (/dev/zero, /dev/stdin) or a socket is refused
    /// without reading from it (opened with O_NONBLOCK, so a FIFO never blocks).
    public static func contents(of path: String) throws -> [UInt8] {
        try read(path, limit: maximumInputBytes, whole: true)
    }

    /// The first `count` bytes of a regular file, nil for anything else.
    static func head(_ path: String, count: Int) -> [UInt8]? {
        try? read(path, limit: count, whole: false)
    }

    static func read(_ path: String, limit: Int, whole: Bool) throws -> [UInt8] {
        func refuse(_ message: String) -> ReadError { ReadError(path: path, line: nil, message: message) }
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            switch Errno.current.rawValue {
            case ENOENT: throw refuse("no such file")
            case let error: throw refuse("cannot be read: \(Errno(error))")
            }
        }
        defer { Sys.close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw refuse("cannot be read: \(Errno.current)") }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw refuse("is a directory, not a results file or a JSON run")
        case S_IFIFO: throw refuse("is a FIFO or a pipe, not a regular file: only regular files are read")
        case S_IFCHR: throw refuse("is a character device, not a regular file: only regular files are read")
        case S_IFBLK: throw refuse("is a block device, not a regular file: only regular files are read")
        case S_IFSOCK: throw refuse("is a socket, not a regular file: only regular files are read")
        default: throw refuse("is not a regular file: only regular files are read")
        }
        let tooLarge = "is larger than the \(maximumInputBytes >> 20) MiB an input may be (no results file or JSON run is that large)"
        if whole && Int(st.st_size) > limit { throw refuse(tooLarge) }
        // Read to the limit and one byte more: a file that grows while read is refused too.
        var result: [UInt8] = []
        result.reserveCapacity(min(Int(st.st_size), limit) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while result.count <= limit {
            let want = min(chunk.count, limit + 1 - result.count)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, want) }
            if n < 0 {
                if Errno.current == .interrupted { continue }
                if Errno.current.rawValue == EISDIR { throw refuse("is a directory, not a results file or a JSON run") }
                throw refuse("cannot be read: \(Errno.current)")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        if result.count > limit {
            if whole { throw refuse(tooLarge) }
            result.removeLast(result.count - limit)
        }
        return result
    }

    /// What the regular file at `path` holds when it is an input of ours (an
    /// LMBench results file: a "[lmbench" line near its start; a JSON run: JSON),
    /// for outputs that must not replace one; nil for anything else.
    public static func inputKind(at path: String) -> Kind? {
        guard let head = head(path, count: 4096), let kind = kind(of: head) else { return nil }
        if kind == .runJSON { return .runJSON }
        let marker = Array("[lmbench".utf8)
        return head.split(separator: 0x0A, omittingEmptySubsequences: false).contains { $0.starts(with: marker) } ? .resultsFile : nil
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
    /// It takes the bytes: handed over (`consume`), they are freed before decoding.
    public static func jsonRun(path: String, bytes: consuming [UInt8]) throws -> JSONRun {
        if bytes.contains(0) { throw ReadError(path: path, line: nil, message: "binary data, not a JSON run file") }
        let json: JSON
        do { json = try JSON.parse(bytes: consume bytes) } catch let error as JSONParseError {
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
    public static func summaryFiles(path: String, bytes: consuming [UInt8]) throws -> [Summary.File] {
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
            switch try jsonRun(path: path, bytes: consume bytes) {
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
