import CShims
import Glibc

/// A private working directory under --fsdir (mkdtemp, mode 0700), and beside it
/// the empty file that stat and open/close work on (`<directory>-stat`: directly
/// in --fsdir, like LMBench's $FSDIR/lmbench, so its path has the same depth to
/// look up). Its name says it is ours, and a lock on `<directory>/.lock`, held
/// by the run and the processes it forks, says it is in use: a run killed with
/// SIGKILL cannot remove them, and the next run removes those whose lock
/// nobody holds (`removeAbandoned`).
public struct WorkDirectory: Sendable {
    public let path: String
    public let statFile: String
    let lock: Int32

    /// Name prefixes of our directories: a run's, and a crosscheck's.
    static let prefixes = ["lmbench-swift.", "lmbench-swift-crosscheck."]

    /// Removes first what runs that were killed left in `fsdir`, and says so.
    static func create(fsdir: String, prefix: String, progress: ProgressReporter) throws -> WorkDirectory {
        for path in removeAbandoned(fsdir: fsdir) {
            progress.message("removed \(path): left by a run that ended without cleaning up (killed?)")
        }
        let path = try Sys.mkdtemp(fsdir + "/" + prefix + "XXXXXX")
        var lock: Int32 = -1
        do {
            // Locked under another name, then renamed: another run's removeAbandoned
            // never finds a `.lock` that is not yet held.
            lock = try Sys.open(path + "/.lock-new", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { throw SystemError("flock", path + "/.lock-new", errno: .current) }
            try Sys.rename(path + "/.lock-new", path + "/.lock")
            let stat = try Sys.open(path + "-stat", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
            Sys.close(stat)
            return WorkDirectory(path: path, statFile: path + "-stat", lock: lock)
        } catch {
            if lock >= 0 { Sys.close(lock) }
            try? Sys.removeTree(path)
            throw error
        }
    }

    func remove() {
        try? Sys.removeTree(path)
        try? Sys.unlink(statFile)
        Sys.close(lock)
    }

    /// Removes our directories in `fsdir` (and their stat files) that belong to
    /// this user and whose lock nobody holds: left by a run that was killed.
    /// Returns the directories removed.
    static func removeAbandoned(fsdir: String) -> [String] {
        var removed: [String] = []
        for name in ((try? Sys.listDirectory(fsdir)) ?? []).sorted()
        where prefixes.contains(where: name.hasPrefix) && !name.hasSuffix("-stat") {
            let path = fsdir + "/" + name
            guard let st = try? Sys.lstat(path), (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(),
                  let lock = try? Sys.open(path + "/.lock", O_RDONLY | O_NOFOLLOW) else { continue }
            let free = flock(lock, LOCK_EX | LOCK_NB) == 0
            Sys.close(lock)
            guard free else { continue }
            try? Sys.removeTree(path)
            try? Sys.unlink(path + "-stat")
            removed.append(path)
        }
        return removed
    }
}

/// The files of one run, made at its start and removed at its end (also after
/// SIGINT or SIGTERM, which only stop the run).
public struct RunFiles: Sendable {
    let work: WorkDirectory
    /// Private directory for everything a benchmark writes.
    public var directory: String { work.path }
    /// The empty file that stat and open/close work on.
    public var statFile: String { work.statFile }

    static func create(fsdir: String, progress: ProgressReporter) throws -> RunFiles {
        let files = RunFiles(work: try WorkDirectory.create(fsdir: fsdir, prefix: WorkDirectory.prefixes[0], progress: progress))
        // On ext4 without a journal a new inode is never one freed in the last 30
        // seconds, and a directory's files go to its block group: creating files
        // where this run (or the one before) just deleted thousands would measure
        // that scan, up to 20 times the creation. As the top of a hierarchy, the
        // run directory gets its sub-directories spread over the block groups.
        _ = cshims_mark_top_directory(files.directory)
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
        try write(cshims_hello_dynamic(&size), count: Int(size), to: directory + "/hello")
        try write(cshims_hello_static(&size), count: Int(size), to: directory + "/hello-static")
    }

    private func write(_ bytes: UnsafePointer<UInt8>?, count: Int, to path: String) throws {
        guard let bytes, count > 0 else { return }
        let fd = try Sys.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o755)
        defer { Sys.close(fd) }
        try Sys.writeAll(fd, UnsafeRawBufferPointer(start: bytes, count: count), subject: path)
    }
}
