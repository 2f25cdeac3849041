/// What makes two runs comparable or not: the kernel, the machine, its state.
public struct Environment: Equatable, Sendable {
    public var sysname = ""
    public var nodename = ""
    /// The host's name as the results file's name (`<os>/<host>.<n>`): a '/' in
    /// it would make a path. The header and the JSON keep the real name.
    public var fileName: String {
        let name = nodename.replacing("/", with: "_")
        return name.isEmpty ? "unknown" : name
    }
    public var release = ""
    public var version = ""
    public var machine = ""
    /// LMBench's OS directory name, e.g. "x86_64-linux-gnu".
    public var osTriplet = ""
    public var kernelCommandLine: String?
    public var cpuCount = 0
    public var cpuModel: String?
    public var clocksource: String?
    /// The cpufreq governor where frequency scaling is visible, else nil.
    public var frequencyScaling: String?
    /// "on"/"off"/... from /sys/devices/system/cpu/smt/control, else nil.
    public var smt: String?
    /// The first data cache's line size in bytes (results files' LINE_SIZE), nil where not visible.
    public var cacheLineSize: Int?
    /// /proc/loadavg's first three fields at start.
    public var loadAverage: String?
    public var user = ""
    /// `date`-style time at start and at end.
    public var startDate = ""
    public var endDate = ""
    /// `uptime`-style line at start.
    public var uptime = ""
    /// The file system of the fs directory, where the file-system cells ran:
    /// "ext4 on a block device", "tmpfs in memory" (Sys.fileSystemKind); nil if unknown.
    public var fsdirFileSystem: String?

    public init() {}

    /// `uname -a` as GNU coreutils prints it on Linux.
    public var unameAll: String {
        "\(sysname) \(nodename) \(release) \(version) \(machine) GNU/Linux"
    }

    /// The fields `compare` checks before putting two runs side by side.
    public var comparableFields: [(name: String, value: String)] {
        [("kernel release", release), ("kernel command line", kernelCommandLine ?? "unknown"),
         ("clocksource", clocksource ?? "unknown"), ("CPU model", cpuModel ?? "unknown"),
         ("CPU count", String(cpuCount)), ("frequency scaling", frequencyScaling ?? "not visible"),
         ("SMT", smt ?? "not visible"), ("file system of the fs directory", fsdirFileSystem ?? "unknown")]
    }
}
