import CShims
import Glibc

/// The files of one run, made at its start and removed at its end (also after
/// SIGINT or SIGTERM, which only stop the run).
public struct RunFiles: Sendable {
    /// Private directory for everything a benchmark writes (mkdtemp under --fsdir).
    public let directory: String
    /// The empty file that stat and open/close work on. It lies directly in --fsdir,
    /// like LMBench's $FSDIR/lmbench, so that its path has the same depth to look up.
    public let statFile: String

    static func create(fsdir: String) throws -> RunFiles {
        let directory = try Sys.mkdtemp(fsdir + "/lmbench-swift.XXXXXX")
        // On ext4 without a journal a new inode is never one freed in the last 30
        // seconds, and a directory's files go to its block group: creating files
        // where this run (or the one before) just deleted thousands would measure
        // that scan, up to 20 times the creation. As the top of a hierarchy, the
        // run directory gets its sub-directories spread over the block groups.
        _ = cshims_mark_top_directory(directory)
        do {
            let stat = try Sys.mkstemp(fsdir + "/lmbench-swift-stat.XXXXXX")
            Sys.close(stat.fd)
            let files = RunFiles(directory: directory, statFile: stat.path)
            try files.writeHelloPrograms()
            return files
        } catch {
            try? Sys.removeTree(directory)
            throw error
        }
    }

    func remove() {
        try? Sys.removeTree(directory)
        try? Sys.unlink(statFile)
    }

    /// The hello programs the exec and shell benchmarks run.
    private func writeHelloPrograms() throws {
        var size: UInt = 0
        try write(cshims_hello_dynamic(&size), count: Int(size), to: directory + "/hello")
        try write(cshims_hello_static(&size), count: Int(size), to: directory + "/hello-static")
    }

    private func write(_ bytes: UnsafePointer<UInt8>?, count: Int, to path: String) throws {
        guard let bytes, count > 0 else { return }
        let fd = try Sys.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
        defer { Sys.close(fd) }
        try Sys.writeAll(fd, UnsafeRawBufferPointer(start: bytes, count: count), subject: path)
    }
}
