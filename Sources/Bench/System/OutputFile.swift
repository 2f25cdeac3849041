import Glibc

/// A file the user named for output (--json, compare --svg, crosscheck --json),
/// checked before any work: nothing there or a regular file is written
/// atomically when the work is done (`Sys.writeFileAtomically`); a character
/// device or a FIFO, also through a symbolic link (/dev/null, /dev/stdout on a
/// terminal or a pipe), is opened now and written through, never renamed over.
/// Anything else is refused with the reason, before anything is measured.
public struct OutputFile {
    public let path: String
    /// The device or FIFO, open since `prepare`.
    let stream: Int32?
    /// A device or FIFO: written through, once.
    public var isStream: Bool { stream != nil }

    enum Kind: Equatable {
        case replace
        case stream
        case refused(String)
    }

    /// The longest name a replaced file may have: its temporary file beside it,
    /// "." + name + ".tmp.XXXXXX", must fit in NAME_MAX (255 bytes).
    public static let longestName = Int(NAME_MAX) - 12

    /// What `path` names, for writing.
    static func classify(_ path: String) throws -> Kind {
        var st = Glibc.stat()
        if fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            let error = Errno.current
            if error == .noEntry { return .replace }
            if error.rawValue == ENOTDIR { return .refused("a directory above it is not a directory") }
            if error.rawValue == ENAMETOOLONG { return .refused("the name is too long") }
            throw SystemError("lstat", path, errno: error)
        }
        let isLink = (st.st_mode & S_IFMT) == S_IFLNK
        if isLink && fstatat(AT_FDCWD, path, &st, 0) != 0 {
            return .refused("it is a symbolic link to nothing that can be written (\(Errno.current)): give the file's own path")
        }
        switch st.st_mode & S_IFMT {
        case S_IFCHR, S_IFIFO: return .stream
        case S_IFREG:
            return isLink ? .refused("it is a symbolic link to a regular file, which is neither written through nor replaced: give the file's own path") : .replace
        case S_IFDIR: return .refused("it is a directory")
        case S_IFBLK: return .refused("it is a block device")
        case S_IFSOCK: return .refused("it is a socket")
        default: return .refused("it is not a regular file, a character device or a FIFO")
        }
    }

    /// The directory and the last name of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    /// Opens a character device or a FIFO for writing through: no creation, no
    /// truncation; a FIFO must have a reader (it is opened without blocking).
    static func openStream(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let error = Errno.current
            if error.rawValue == ENXIO { throw BenchError("it is a FIFO with no reader") }
            throw SystemError("open", path, errno: error)
        }
        var st = Glibc.stat()
        let kind = fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0
        guard kind == S_IFCHR || kind == S_IFIFO else {
            Sys.close(fd)
            throw BenchError("it changed while being opened")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }

    /// Why `path` cannot be written, checked up front; nil when it can (a device
    /// or FIFO is then `stream`: `prepare` opens it).
    static func problem(_ path: String) throws -> String? {
        if path.isEmpty { return "the path is empty" }
        if path.utf8.count >= Int(PATH_MAX) { return "the path is \(path.utf8.count) bytes, more than the \(Int(PATH_MAX) - 1) a path may have" }
        for component in path.split(separator: "/") where component.utf8.count > Int(NAME_MAX) {
            return "the name '\(component.prefix(20))…' is \(component.utf8.count) bytes, more than the \(NAME_MAX) a file name may have"
        }
        switch try classify(path) {
        case .refused(let reason): return reason
        case .stream: return nil
        case .replace:
            let (directory, name) = split(path)
            if name.isEmpty || name == "." || name == ".." { return "it names a directory" }
            if name.utf8.count > longestName {
                return "its name is \(name.utf8.count) bytes: at most \(longestName) (its temporary file beside it adds 12 to the \(NAME_MAX) a name may have)"
            }
            guard Sys.isWritableDirectory(directory) else { return "'\(directory)' is not a writable directory" }
            return nil
        }
    }

    /// Checks `path` before any work (throws BenchError with the reason), and
    /// opens it now if it is a device or a FIFO.
    public static func prepare(_ path: String) throws -> OutputFile {
        if let reason = try problem(path) { throw BenchError(reason) }
        if try classify(path) == .stream {
            return OutputFile(path: path, stream: try openStream(path))
        }
        return OutputFile(path: path, stream: nil)
    }

    /// Writes `text`: through the open device or FIFO, or atomically.
    public func write(_ text: String) throws {
        if let stream {
            try Sys.writeAll(stream, text, subject: path)
        } else {
            try Sys.writeFileAtomically(path, text)
        }
    }

    /// Closes the device or FIFO (the reader sees the end).
    public func close() {
        if let stream { Sys.close(stream) }
    }
}
