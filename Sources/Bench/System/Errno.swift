import Glibc

/// A C `errno` value.
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current errno.
    public static var current: Errno { Errno(errno) }

    public static let interrupted = Errno(EINTR)
    public static let wouldBlock = Errno(EAGAIN)
    public static let exists = Errno(EEXIST)
    public static let noEntry = Errno(ENOENT)
    public static let noChild = Errno(ECHILD)
    public static let illegalSeek = Errno(ESPIPE)

    public var description: String { String(cString: strerror(rawValue)) }
}

/// A failed system call: which call, on what, and why.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let subject: String?
    public let errno: Errno

    public init(_ call: String, _ subject: String? = nil, errno: Errno) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    public var description: String {
        if let subject { return "\(call) \(subject): \(errno)" }
        return "\(call): \(errno)"
    }
}

/// A failure that is not a system call's: bad input or a benchmark that cannot run.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
