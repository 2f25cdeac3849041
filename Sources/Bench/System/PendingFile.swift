import CShims
import Glibc

/// An output file while it is written: under no name until it is complete, then
/// linked or renamed into place. Where the kernel and file system allow it
/// (O_TMPFILE: Linux 3.11 on ext4, xfs, btrfs, tmpfs) it has no name at all, so a
/// process killed while writing (SIGKILL, a guest that dies) leaves nothing
/// behind; elsewhere it is a new file with an unpredictable name in the same
/// directory (`Sys.createUnique`), removed when the writing fails.
package struct PendingFile {
    let fd: Int32
    let directory: String
    /// The name's start, for the named fallback and the name given before a rename.
    let prefix: String
    /// The named fallback's path; nil for an unnamed file.
    let temporaryPath: String?

    package init(in directory: String, prefix: String, mode: mode_t = 0o644) throws {
        self.directory = directory
        self.prefix = prefix
        // An unnamed file is linked by its /proc/self/fd name (linkat with
        // AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
        if access("/proc/self/fd", X_OK) == 0 {
            let fd = cshims_open_unnamed(directory, UInt32(mode))
            if fd >= 0 {
                self.fd = fd
                temporaryPath = nil
                return
            }
            let error = Errno.current
            guard [EISDIR, EOPNOTSUPP, EINVAL].contains(error.rawValue) else {
                throw SystemError("open", directory, errno: error)
            }
        }
        let named = try Sys.createUnique(in: directory, prefix: prefix, mode: mode)
        fd = named.fd
        temporaryPath = named.path
    }

    /// Writes all of `text` and flushes it to the disk.
    package func write(_ text: String, subject: String) throws {
        try Sys.writeAll(fd, text, subject: subject)
        try Sys.fsync(fd, subject: subject)
    }

    /// Gives it the name `path`; fails with EEXIST, replacing nothing, if the name is taken.
    package func link(to path: String) throws {
        if let temporaryPath { return try Sys.link(temporaryPath, path) }
        try Sys.check("link", path) { linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) }
    }

    /// Puts it at `path`, replacing what is there atomically.
    func replace(_ path: String) throws {
        if let temporaryPath { return try Sys.rename(temporaryPath, path) }
        // rename needs a name: an unpredictable one that nothing has, held for a
        // moment; six characters, as mkstemp's (`OutputFile.longestName` counts them).
        while true {
            let suffix = String(UInt64.random(in: 0..<2_176_782_336), radix: 36)  // 36^6
            let name = directory + "/" + prefix + String(repeating: "0", count: 6 - suffix.count) + suffix
            do { try link(to: name) } catch let error as SystemError where error.errno == .exists { continue }
            do { try Sys.rename(name, path) } catch {
                _ = unlink(name)
                throw error
            }
            return
        }
    }

    /// Closes it, and removes the named fallback's temporary name (after a
    /// `link` the file keeps its new name; after a `replace` there is none left).
    package func close() {
        Sys.close(fd)
        if let temporaryPath { _ = unlink(temporaryPath) }
    }
}
