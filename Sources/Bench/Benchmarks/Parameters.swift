/// The parameter lists LMBench's OS run uses, shared by the benchmarks that
/// measure them and the results file that lays them out.
public enum ContextSwitchSizes {
    /// Working set per process, KiB.
    public static let kilobytes = [0, 4, 8, 16, 32, 64]
    /// Processes in the ring.
    public static let processes = [2, 4, 8, 16, 24, 32, 64, 96]
}

public enum TCPBandwidthSizes {
    /// Message sizes of the "Socket bandwidth using localhost" block; the last is
    /// the one getsummary reports.
    public static let all: [(name: String, bytes: Int)] = [
        ("1", 1), ("64", 64), ("128", 128), ("256", 256), ("512", 512), ("1024", 1024), ("1437", 1437),
        ("10m", 10 << 20),
    ]
}

/// One bw_mem block of the results file.
public struct MemoryBandwidthBlock: Sendable {
    /// Cell id prefix ("mem-read"), cells are "<id>/<size>".
    public let id: String
    /// The block's title line, verbatim (some start with a double quote).
    public let title: String
    /// Over the ALL size list (else HALF).
    public let fullList: Bool
    /// bw_mem's name for the operation.
    public let lmbench: String
}

public enum MemoryBandwidthBlocks {
    public static let all: [MemoryBandwidthBlock] = [
        .init(id: "bcopy-libc", title: "\"libc bcopy unaligned", fullList: false, lmbench: "bcopy"),
        .init(id: "bcopy-libc-aligned", title: "\"libc bcopy aligned", fullList: false, lmbench: "bcopy conflict"),
        .init(id: "bzero", title: "Memory bzero bandwidth", fullList: true, lmbench: "bzero"),
        .init(id: "bcopy-unrolled", title: "\"unrolled bcopy unaligned", fullList: false, lmbench: "fcp"),
        .init(id: "bcopy-unrolled-partial", title: "\"unrolled partial bcopy unaligned", fullList: false, lmbench: "cp"),
        .init(id: "mem-read", title: "Memory read bandwidth", fullList: true, lmbench: "frd"),
        .init(id: "mem-read-partial", title: "Memory partial read bandwidth", fullList: true, lmbench: "rd"),
        .init(id: "mem-write", title: "Memory write bandwidth", fullList: true, lmbench: "fwr"),
        .init(id: "mem-write-partial", title: "Memory partial write bandwidth", fullList: true, lmbench: "wr"),
        .init(id: "mem-rdwr-partial", title: "Memory partial read/write bandwidth", fullList: true, lmbench: "rdwr"),
    ]
}
