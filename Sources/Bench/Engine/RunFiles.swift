import BenchCore
import CShims
import Glibc

/// A private working directory under --fsdir (mkdtemp, mode 0700), and beside it
/// the empty file that stat and open/close work on (`<directory>-stat`: directly
/// in --fsdir, like LMBench's $FSDIR/lmbench, so its path has the same depth to
/// look up). Its name says it is ours, and a lock on `<directory>/.lock`, held
/// by the run and the processes it forks, says it is in use: a run killed with
/// SIGKILL cannot remove them, and the next run removes those whose lock
/// nobody holds and holds our marker (`removeAbandoned`).
///
/// The directory and --fsdir stay open for the whole run: what the run creates,
/// executes and removes in them is found from these descriptors, so a rename of
/// either (or of a directory above) cannot redirect it. --fsdir must also be safe
/// (`checkedLocation`), since the benchmarks open their files by path.
public struct WorkDirectory: Sendable {
    public let path: String
    public let statFile: String
    /// The directory, open (O_DIRECTORY | O_NOFOLLOW).
    let descriptor: Int32
    /// --fsdir, open, and the directory's name in it.
    let parent: Int32
    let name: String
    /// What was made, so that only that is removed from --fsdir.
    let identity: FileIdentity
    fileprivate(set) var statIdentity: FileIdentity?
    fileprivate(set) var lock: Int32 = -1

    /// Name prefixes of our directories: a run's, and a crosscheck's.
    package static let prefixes = ["lmbench-swift.", "lmbench-swift-crosscheck."]
    /// The content of `.lock` in a directory a run made: only those are ever removed
    /// by another run (a user's `lmbench-swift.mydata/` is not ours, whatever it holds).
    static let marker = "lmbench-swift run directory: removed at the end of its run, or by the next run if it was killed\n"

    /// The real path of `fsdir` if a run's files are safe in it, else why not: no
    /// directory from it up to / (of the path as given and of the real one, which
    /// the run uses) may be writable by others without the sticky bit, nor belong
    /// to a user other than root and this one, who could rename what the run made
    /// there and plant what it executes (a run as root would run it as root).
    public static func checkedLocation(_ fsdir: String) throws -> String {
        guard let real = realpath(fsdir, nil) else { throw SystemError("realpath", fsdir, errno: .current) }
        let resolved = String(cString: real)
        free(real)
        let absolute = fsdir.hasPrefix("/") ? fsdir : (currentDirectory() ?? "") + "/" + fsdir
        for directory in ancestry(absolute) + ancestry(resolved) {
            let st = try Sys.stat(directory)
            let mode = st.st_mode & 0o7777
            if mode & (S_IWGRP | S_IWOTH) != 0 && mode & S_ISVTX == 0 {
                throw BenchError("\(directory) is writable by other users without the sticky bit (mode 0\(String(mode, radix: 8)))")
            }
            if st.st_uid != 0 && st.st_uid != geteuid() {
                throw BenchError("\(directory) belongs to another user (uid \(st.st_uid))")
            }
        }
        return resolved
    }

    /// `path` and each directory above it, up to /.
    static func ancestry(_ path: String) -> [String] {
        var result = ["/"], prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            result.append(prefix)
        }
        return result.reversed()
    }

    private static func currentDirectory() -> String? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// Removes first what runs that were killed left in `fsdir`, and says so.
    package static func create(fsdir: String, prefix: String, progress: ProgressReporter) throws -> WorkDirectory {
        let location = try checkedLocation(fsdir)
        let parent = try Sys.openDirectory(location)
        for path in removeAbandoned(in: parent, location: location) {
            progress.message("removed \(path): left by a run that ended without cleaning up (killed?)")
        }
        let path: String, descriptor: Int32, made: stat
        do {
            path = try Sys.mkdtemp(location + "/" + prefix + "XXXXXX")
            descriptor = try Sys.openDirectory(at: parent, String(path.dropFirst(location.count + 1)), subject: path)
            made = try Sys.fstat(descriptor, subject: path)
        } catch {
            Sys.close(parent)
            throw error
        }
        // Nobody else can make a directory of ours that only we may enter: this is the one mkdtemp made.
        guard made.st_uid == geteuid(), made.st_mode & 0o077 == 0 else {
            Sys.close(descriptor)
            Sys.close(parent)
            throw BenchError("\(path) was replaced as it was made: \(location) is not safe for the run's files")
        }
        var work = WorkDirectory(path: path, statFile: path + "-stat", descriptor: descriptor, parent: parent,
                                 name: String(path.dropFirst(location.count + 1)), identity: FileIdentity(made))
        do {
            // Locked and marked under another name, then renamed: another run's
            // removeAbandoned never finds a `.lock` that is not yet held.
            work.lock = try Sys.open(at: descriptor, ".lock-new", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600,
                                     subject: path + "/.lock-new")
            guard flock(work.lock, LOCK_EX | LOCK_NB) == 0 else { throw SystemError("flock", path + "/.lock-new", errno: .current) }
            try Sys.writeAll(work.lock, marker, subject: path + "/.lock-new")
            try Sys.rename(at: descriptor, ".lock-new", ".lock", subject: path + "/.lock")
            let stat = try Sys.open(at: parent, work.name + "-stat", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600,
                                    subject: work.statFile)
            defer { Sys.close(stat) }
            work.statIdentity = FileIdentity(try Sys.fstat(stat, subject: work.statFile))
            return work
        } catch {
            work.remove()
            throw error
        }
    }

    /// Removes everything in the directory, then the directory and the stat file
    /// from --fsdir if they are still the ones made (a directory renamed away is
    /// emptied where it is; what took its name is left alone).
    package func remove() {
        try? Sys.removeContents(of: descriptor)
        WorkDirectory.remove(name, from: parent, isDirectory: true, if: identity)
        if let statIdentity { WorkDirectory.remove(name + "-stat", from: parent, isDirectory: false, if: statIdentity) }
        Sys.close(descriptor)
        Sys.close(parent)
        if lock >= 0 { Sys.close(lock) }
    }

    private static func remove(_ name: String, from parent: Int32, isDirectory: Bool, if identity: FileIdentity) {
        guard let st = try? Sys.lstat(at: parent, name), FileIdentity(st) == identity else { return }
        try? Sys.unlink(at: parent, name, isDirectory: isDirectory)
    }

    /// Removes our directories in --fsdir (open as `parent`) and their stat files
    /// that belong to this user, hold our marker and whose lock nobody holds: left
    /// by a run that was killed. Returns the directories removed.
    static func removeAbandoned(in parent: Int32, location: String) -> [String] {
        var removed: [String] = []
        for name in ((try? Sys.listDirectory(at: parent)) ?? []).sorted()
        where prefixes.contains(where: name.hasPrefix) && !name.hasSuffix("-stat") {
            // O_NOFOLLOW: a link named like ours is not ours; O_NONBLOCK: a FIFO named .lock never blocks.
            guard let directory = try? Sys.openDirectory(at: parent, name) else { continue }
            defer { Sys.close(directory) }
            guard let st = try? Sys.fstat(directory), st.st_uid == geteuid(),
                  let lock = try? Sys.open(at: directory, ".lock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK) else { continue }
            defer { Sys.close(lock) }
            // Held until the directory is gone: no other run removes it meanwhile.
            guard holdsMarker(lock), flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }
            try? Sys.removeContents(of: directory)
            remove(name, from: parent, isDirectory: true, if: FileIdentity(st))
            if let stat = try? Sys.lstat(at: parent, name + "-stat"), (stat.st_mode & S_IFMT) == S_IFREG,
               stat.st_uid == geteuid(), stat.st_size == 0 {
                try? Sys.unlink(at: parent, name + "-stat")
            }
            removed.append(location + "/" + name)
        }
        return removed
    }

    /// Whether the open file is a regular file holding exactly `marker`.
    private static func holdsMarker(_ fd: Int32) -> Bool {
        let expected = Array(marker.utf8)
        guard let st = try? Sys.fstat(fd), (st.st_mode & S_IFMT) == S_IFREG, st.st_size == expected.count else { return false }
        var bytes = [UInt8](repeating: 0, count: expected.count + 1)
        let count = bytes.withUnsafeMutableBytes { (try? Sys.read(fd, $0.baseAddress!, $0.count)) ?? -1 }
        return count == expected.count && Array(bytes.prefix(count)) == expected
    }
}

/// A file's device and inode: which file a name names.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// The files of one run, made at its start and removed at its end (also after
/// SIGINT or SIGTERM, which only stop the run).
public struct RunFiles: Sendable {
    let work: WorkDirectory
    /// Private directory for everything a benchmark writes.
    public var directory: String { work.path }
    /// That directory, open for the whole run (the hello programs are run from it).
    package var descriptor: Int32 { work.descriptor }
    /// The empty file that stat and open/close work on.
    public var statFile: String { work.statFile }

    static func create(fsdir: String, progress: ProgressReporter) throws -> RunFiles {
        let files = RunFiles(work: try WorkDirectory.create(fsdir: fsdir, prefix: WorkDirectory.prefixes[0], progress: progress))
        // On ext4 without a journal a new inode is never one freed in the last 30
        // seconds, and a directory's files go to its block group: creating files
        // where this run (or the one before) just deleted thousands would measure
        // that scan, up to 20 times the creation. As the top of a hierarchy, the
        // run directory gets its sub-directories spread over the block groups.
        _ = cshims_mark_top_directory(files.descriptor)
        do {
            try files.writeHelloPrograms()
            return files
        } catch {
            files.remove()
            throw error
        }
    }

    func remove() { work.remove() }

    /// The hello programs the exec and shell benchmarks run.
    private func writeHelloPrograms() throws {
        var size: UInt = 0
        try write(cshims_hello_dynamic(&size), count: Int(size), to: "hello")
        try write(cshims_hello_static(&size), count: Int(size), to: "hello-static")
    }

    /// Closed once written: a file open for writing cannot be executed (ETXTBSY).
    private func write(_ bytes: UnsafePointer<UInt8>?, count: Int, to name: String) throws {
        guard let bytes, count > 0 else { return }
        let fd = try Sys.open(at: descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o755, subject: directory + "/" + name)
        defer { Sys.close(fd) }
        try Sys.writeAll(fd, UnsafeRawBufferPointer(start: bytes, count: count), subject: directory + "/" + name)
    }
}
