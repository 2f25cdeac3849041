import CShims
import Glibc

/// Every system call the library makes outside the timed C loops goes through
/// here: -1 becomes a thrown `SystemError` naming the call, and EINTR is retried
/// (except for close, whose descriptor is gone after EINTR on Linux).
public enum Sys {
    @discardableResult
    static func check<T: BinaryInteger>(_ call: String, _ subject: String? = nil,
                                        retry: Bool = true, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let error = Errno.current
            if retry && error == .interrupted { continue }
            throw SystemError(call, subject, errno: error)
        }
    }

    // MARK: files

    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws -> Int32 {
        try check("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Reads up to `count` bytes; 0 at end of file.
    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        try check("read") { Glibc.read(fd, buffer, count) }
    }

    /// Writes all of `bytes`.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, subject: String? = nil) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try check("write", subject) { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            offset += n
        }
    }

    public static func writeAll(_ fd: Int32, _ text: String, subject: String? = nil) throws {
        var text = text
        try text.withUTF8 { try writeAll(fd, UnsafeRawBufferPointer($0), subject: subject) }
    }

    public static func fsync(_ fd: Int32, subject: String? = nil) throws {
        try check("fsync", subject) { Glibc.fsync(fd) }
    }

    public static func ftruncate(_ fd: Int32, _ size: Int64, subject: String? = nil) throws {
        try check("ftruncate", subject) { Glibc.ftruncate(fd, off_t(size)) }
    }

    public static func unlink(_ path: String) throws {
        try check("unlink", path) { Glibc.unlink(path) }
    }

    public static func mkdir(_ path: String, _ mode: mode_t = 0o755) throws {
        try check("mkdir", path) { Glibc.mkdir(path, mode) }
    }

    public static func rmdir(_ path: String) throws {
        try check("rmdir", path) { Glibc.rmdir(path) }
    }

    public static func rename(_ from: String, _ to: String) throws {
        try check("rename", to) { Glibc.rename(from, to) }
    }

    /// Creates `to` as a second name of `from`; fails with EEXIST if `to` exists.
    public static func link(_ from: String, _ to: String) throws {
        try check("link", to) { Glibc.link(from, to) }
    }

    public static func mkdtemp(_ template: String) throws -> String {
        var bytes = Array(template.utf8CString)
        let ok = bytes.withUnsafeMutableBufferPointer { Glibc.mkdtemp($0.baseAddress!) != nil }
        if !ok { throw SystemError("mkdtemp", template, errno: .current) }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A new file with a unique name from the template (ending in XXXXXX), open for writing.
    public static func mkstemp(_ template: String) throws -> (fd: Int32, path: String) {
        var bytes = Array(template.utf8CString)
        let fd = bytes.withUnsafeMutableBufferPointer { Glibc.mkstemp($0.baseAddress!) }
        if fd < 0 { throw SystemError("mkstemp", template, errno: .current) }
        return (fd, String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    public static func stat(_ path: String) throws -> stat {
        var st = Glibc.stat()
        try check("stat", path) { fstatat(AT_FDCWD, path, &st, 0) }
        return st
    }

    public static func lstat(_ path: String) throws -> stat {
        var st = Glibc.stat()
        try check("lstat", path) { fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) }
        return st
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isWritableDirectory(_ path: String) -> Bool {
        guard let st = try? stat(path), (st.st_mode & S_IFMT) == S_IFDIR else { return false }
        return access(path, W_OK | X_OK) == 0
    }

    /// Free bytes for an unprivileged user on the file system holding `path`.
    public static func freeBytes(_ path: String) throws -> UInt64 {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var vfs = Glibc.statvfs()
        try check("fstatvfs", path) { fstatvfs(fd, &vfs) }
        return UInt64(vfs.f_bavail) * UInt64(vfs.f_frsize)
    }

    /// The file system holding `path` and what it is stored on, from statfs's
    /// f_type: "ext4 on a block device", "tmpfs in memory", "nfs over the
    /// network", or just its name (an overlay's lower layers may be anything);
    /// nil if statfs fails.
    public static func fileSystemKind(_ path: String) -> String? {
        var raw: UInt = 0
        guard cshims_fs_type(path, &raw) == 0 else { return nil }
        let type = UInt32(truncatingIfNeeded: raw)
        let known: [UInt32: (String, String?)] = [
            0xEF53: ("ext4", "on a block device"),  // ext2, ext3 and ext4 share the magic
            0x5846_5342: ("xfs", "on a block device"), 0x9123_683E: ("btrfs", "on a block device"),
            0xF2F5_2010: ("f2fs", "on a block device"), 0x4D44: ("vfat", "on a block device"),
            0x2FC1_2FC1: ("zfs", "on a block device"),
            0x0102_1994: ("tmpfs", "in memory"), 0x8584_58F6: ("ramfs", "in memory"),
            0x6969: ("nfs", "over the network"), 0xFF53_4D42: ("cifs", "over the network"),
            0x0102_1997: ("9p", "over virtio or the network"),
            0x794C_7630: ("overlay", nil), 0x6573_5546: ("fuse", nil),
        ]
        guard let (name, storage) = known[type] else { return cFormat("type 0x%x", type) }
        return storage.map { "\(name) \($0)" } ?? name
    }

    /// Names in a directory, without "." and "..".
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw SystemError("opendir", path, errno: .current) }
        return names(in: dir)
    }

    /// Names in an open directory (read through a description of its own, so
    /// the descriptor's offset is untouched), without "." and "..".
    public static func listDirectory(at directory: Int32, subject: String? = nil) throws -> [String] {
        let fd = try open(at: directory, ".", O_RDONLY | O_DIRECTORY, subject: subject)
        guard let dir = fdopendir(fd) else {
            let error = Errno.current
            close(fd)
            throw SystemError("fdopendir", subject, errno: error)
        }
        return names(in: dir)
    }

    /// Reads and closes `dir`.
    private static func names(in dir: OpaquePointer) -> [String] {
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Reads a file (its first `limit` bytes; all of it by default, however large);
    /// throws the call that failed: open (no such file, permission) or read (a directory).
    public static func readWholeFile(_ path: String, limit: Int = .max) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while result.count < limit {
            let n = try chunk.withUnsafeMutableBytes { try read(fd, $0.baseAddress!, min($0.count, limit - result.count)) }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// The same, nil if it cannot be read (files under /proc, our own files).
    public static func readFile(_ path: String, limit: Int = .max) -> [UInt8]? {
        try? readWholeFile(path, limit: limit)
    }

    public static func readTextFile(_ path: String) -> String? {
        readFile(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A new, empty file in `directory` with an unpredictable name, created
    /// exclusively (mkstemp: O_EXCL, so never through a link someone planted
    /// there), its mode `mode` less the umask. Written, then renamed or linked
    /// into place.
    public static func createUnique(in directory: String, prefix: String, mode: mode_t = 0o644) throws -> (fd: Int32, path: String) {
        let file = try mkstemp(directory + "/" + prefix + "XXXXXX")
        let mask = umask(0)  // reading the umask sets it: put it back (single-threaded here)
        umask(mask)
        if fchmod(file.fd, mode & ~mask) != 0 {
            let error = Errno.current
            close(file.fd)
            _ = Glibc.unlink(file.path)
            throw SystemError("fchmod", file.path, errno: error)
        }
        return file
    }

    /// Writes `text` to `path`: nothing there or a regular file is replaced
    /// atomically (a `PendingFile` beside it, fsync'ed, then renamed over `path`); a character device or a FIFO, also through a symbolic
    /// link (/dev/null, /dev/stdout on a pipe), is written through, never renamed
    /// over. Anything else, a link to a regular file included, is refused
    /// (`OutputFile.problem` says why, before any work).
    public static func writeFileAtomically(_ path: String, _ text: String) throws {
        switch try OutputFile.classify(path) {
        case .stream:
            let fd: Int32
            do { fd = try OutputFile.openStream(path) } catch let error as BenchError {
                throw BenchError("cannot write '\(path)': \(error.message)")
            }
            defer { close(fd) }
            try writeAll(fd, text, subject: path)
            return
        case .refused(let reason):
            throw BenchError("cannot write '\(path)': \(reason)")
        case .replace:
            break
        }
        let (directory, name) = OutputFile.split(path)
        let file = try PendingFile(in: directory, prefix: "." + name + ".tmp.")
        defer { file.close() }
        try file.write(text, subject: path)
        try file.replace(path)
    }

    // MARK: relative to an open directory

    // A rename of the directory, or of any directory above it, cannot redirect these.

    public static func open(at directory: Int32, _ name: String, _ flags: Int32, _ mode: mode_t = 0o644,
                            subject: String? = nil) throws -> Int32 {
        try check("open", subject ?? name) { Glibc.openat(directory, name, flags | O_CLOEXEC, mode) }
    }

    /// A directory, never through a symbolic link (O_NOFOLLOW: ELOOP).
    public static func openDirectory(at directory: Int32 = AT_FDCWD, _ name: String, subject: String? = nil) throws -> Int32 {
        try open(at: directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, subject: subject)
    }

    public static func fstat(_ fd: Int32, subject: String? = nil) throws -> stat {
        var st = Glibc.stat()
        try check("fstat", subject) { Glibc.fstat(fd, &st) }
        return st
    }

    /// What `name` in `directory` is, itself (a symbolic link is not followed).
    public static func lstat(at directory: Int32, _ name: String, subject: String? = nil) throws -> stat {
        var st = Glibc.stat()
        try check("lstat", subject ?? name) { fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) }
        return st
    }

    /// Removes `name` from `directory`: a file (or a link itself), or an empty directory.
    public static func unlink(at directory: Int32, _ name: String, isDirectory: Bool = false, subject: String? = nil) throws {
        try check(isDirectory ? "rmdir" : "unlink", subject ?? name) { unlinkat(directory, name, isDirectory ? AT_REMOVEDIR : 0) }
    }

    public static func rename(at directory: Int32, _ from: String, _ to: String, subject: String? = nil) throws {
        try check("rename", subject ?? to) { renameat(directory, from, directory, to) }
    }

    /// Removes everything in an open directory, depth first, never following a
    /// symbolic link (a link is removed, not what it names).
    public static func removeContents(of directory: Int32) throws {
        for name in try listDirectory(at: directory) {
            guard let st = try? lstat(at: directory, name) else { continue }  // gone meanwhile
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let sub = try openDirectory(at: directory, name)
                defer { close(sub) }
                try removeContents(of: sub)
                try unlink(at: directory, name, isDirectory: true)
            } else {
                try unlink(at: directory, name)
            }
        }
    }

    // MARK: pipes and descriptors

    public static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        try check("pipe2") { cshims_pipe_cloexec(&fds) }
        return (fds[0], fds[1])
    }

    public static func dup(_ fd: Int32) throws -> Int32 {
        try check("dup") { Glibc.dup(fd) }
    }

    public static func setNonBlocking(_ fd: Int32) throws {
        let flags = try check("fcntl") { fcntl(fd, F_GETFL) }
        try check("fcntl") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Raises the soft descriptor limit to the hard limit (select on 500 descriptors).
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    // MARK: processes

    public static func fork() throws -> pid_t {
        try check("fork") { Glibc.fork() }
    }

    /// waitpid; nil when WNOHANG found nothing to reap.
    public static func waitpid(_ pid: pid_t, options: Int32 = 0) throws -> (pid: pid_t, status: Int32)? {
        var status: Int32 = 0
        let result = try check("waitpid") { Glibc.waitpid(pid, &status, options) }
        return result == 0 ? nil : (result, status)
    }

    /// Whether `pid` has exited, without reaping it (so its process group stays reserved).
    public static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if rc != 0 { return Errno.current == .noChild }
        return info._sifields._sigchld.si_pid == pid
    }

    public static func killGroup(_ pgid: pid_t, _ signal: Int32) {
        _ = killpg(pgid, signal)
    }

    // MARK: sockets

    /// Socket types as plain integers (Glibc imports them as an enum).
    public static let streamSocket = Int32(SOCK_STREAM.rawValue)
    public static let datagramSocket = Int32(SOCK_DGRAM.rawValue)
    static let closeOnExec = Int32(SOCK_CLOEXEC.rawValue)

    /// A TCP or UDP socket bound to 127.0.0.1 on an ephemeral port; returns the descriptor and port.
    public static func loopbackSocket(type: Int32) throws -> (fd: Int32, port: UInt16) {
        let fd = try check("socket") { socket(AF_INET, type | closeOnExec, 0) }
        do {
            var address = loopbackAddress(port: 0)
            try withSocketAddress(&address) { sa, length in
                _ = try check("bind", "127.0.0.1") { bind(fd, sa, length) }
            }
            return (fd, try localPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    /// An IPv4 address as the generic sockaddr the socket calls take, and its length.
    public static func withSocketAddress<R>(_ address: inout sockaddr_in,
                                            _ body: (UnsafeMutablePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    public static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// The local address and port a socket is bound to.
    public static func localAddress(_ fd: Int32) throws -> sockaddr_in {
        var address = sockaddr_in()
        try withSocketAddress(&address) { sa, length in
            var length = length
            _ = try check("getsockname") { getsockname(fd, sa, &length) }
        }
        return address
    }

    public static func localPort(_ fd: Int32) throws -> UInt16 {
        UInt16(bigEndian: try localAddress(fd).sin_port)
    }

    public static func listen(_ fd: Int32, backlog: Int32 = 128) throws {
        try check("listen") { Glibc.listen(fd, backlog) }
    }

    public static func accept(_ fd: Int32) throws -> Int32 {
        try check("accept") { cshims_accept_cloexec(fd) }
    }

    /// Connects a new socket of `type` to 127.0.0.1:port.
    public static func connectLoopback(port: UInt16, type: Int32) throws -> Int32 {
        let fd = try check("socket") { socket(AF_INET, type | closeOnExec, 0) }
        var address = loopbackAddress(port: port)
        do {
            try withSocketAddress(&address) { sa, length in
                _ = try check("connect", "127.0.0.1:\(port)") { Glibc.connect(fd, sa, length) }
            }
        } catch let error as SystemError where error.errno == Errno(ENETUNREACH) {
            close(fd)
            throw BenchError("\(error) (the loopback interface is down: ip link set lo up)")
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    // MARK: memory

    public static func mmap(_ length: Int, _ protection: Int32, _ flags: Int32, _ fd: Int32,
                            offset: Int64 = 0, subject: String? = nil) throws -> UnsafeMutableRawPointer {
        let p = Glibc.mmap(nil, length, protection, flags, fd, off_t(offset))
        if p == MAP_FAILED || p == nil { throw SystemError("mmap", subject, errno: .current) }
        return p!
    }

    public static func munmap(_ pointer: UnsafeMutableRawPointer, _ length: Int) {
        _ = Glibc.munmap(pointer, length)
    }

    /// A zero-filled, page-aligned buffer (LMBench's valloc + bzero); free() it.
    public static func pageAlignedBuffer(_ bytes: Int) throws -> UnsafeMutableRawPointer {
        var pointer: UnsafeMutableRawPointer?
        let rc = posix_memalign(&pointer, 4096, max(bytes, 1))
        guard rc == 0, let pointer else { throw SystemError("posix_memalign", "\(bytes) bytes", errno: Errno(rc)) }
        memset(pointer, 0, max(bytes, 1))
        return pointer
    }

    // MARK: polling

    /// poll() on descriptors for input; returns those readable. EINTR returns empty.
    public static func pollReadable(_ fds: [Int32], timeoutMs: Int32) throws -> [Int32] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let n = Glibc.poll(&entries, nfds_t(entries.count), timeoutMs)
        if n < 0 {
            if Errno.current == .interrupted { return [] }
            throw SystemError("poll", errno: .current)
        }
        return entries.filter { $0.revents != 0 }.map(\.fd)
    }
}

extension Sys {
    /// An AF_UNIX stream socket pair.
    public static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        try check("socketpair") { socketpair(AF_UNIX, streamSocket | closeOnExec, 0, &fds) }
        return (fds[0], fds[1])
    }

    /// SO_RCVTIMEO: a blocking receive gives up after this long (EAGAIN).
    public static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) throws {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        try check("setsockopt", "SO_RCVTIMEO") {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }
}

extension Sys {
    /// MemAvailable from /proc/meminfo, MiB.
    public static func availableMemoryMB() -> Int? {
        guard let text = Sys.readTextFile("/proc/meminfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kilobytes / 1024
    }
}
