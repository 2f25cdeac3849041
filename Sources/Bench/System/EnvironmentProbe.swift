import Glibc

extension Environment {
    /// The environment of this machine now.
    public static func current() -> Environment {
        var env = Environment()
        var names = utsname()
        if uname(&names) == 0 {
            func field<T>(_ value: T) -> String {
                withUnsafeBytes(of: value) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            }
            env.sysname = field(names.sysname)
            env.nodename = field(names.nodename)
            env.release = field(names.release)
            env.version = field(names.version)
            env.machine = field(names.machine)
        }
        env.osTriplet = "\(env.machine)-linux-gnu"
        env.kernelCommandLine = Sys.readTextFile("/proc/cmdline").map(trimmed)
        env.cpuCount = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        env.cpuModel = Sys.readTextFile("/proc/cpuinfo").flatMap { info in
            info.split(separator: "\n").first { $0.hasPrefix("model name") || $0.hasPrefix("Model") }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last.map { trimmed(String($0)) } }
        }
        env.clocksource = Sys.readTextFile("/sys/devices/system/clocksource/clocksource0/current_clocksource").map(trimmed)
        env.frequencyScaling = Sys.readTextFile("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").map(trimmed)
        env.smt = Sys.readTextFile("/sys/devices/system/cpu/smt/control").map(trimmed)
        env.cacheLineSize = cacheLineSize()
        env.loadAverage = Sys.readTextFile("/proc/loadavg").map {
            $0.split(separator: " ").prefix(3).joined(separator: " ")
        }
        env.user = getenv("USER").map { String(cString: $0) } ?? ""
        env.startDate = dateLine()
        env.uptime = uptimeLine()
        return env
    }

    static func cacheLineSize() -> Int? {
        if let text = Sys.readTextFile("/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size"),
           let size = Int(trimmed(text)), size > 0 { return size }
        let size = sysconf(Int32(_SC_LEVEL1_DCACHE_LINESIZE))
        return size > 0 ? size : nil
    }

    /// Local time as `date` prints it: "Tue Nov 24 15:24:17 UTC 2026".
    public static func dateLine() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 128)
        let n = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Z %Y", &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A line like `uptime`'s: " 15:24:17 up 18 min, load average: 2.11, 2.00, 1.34".
    static func uptimeLine() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let clock = cFormat(" %02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
        let seconds = Sys.readTextFile("/proc/uptime").flatMap { Double($0.split(separator: " ").first ?? "") } ?? 0
        let minutes = Int(seconds / 60)
        let up = minutes < 60 ? "\(minutes) min" : cFormat("%d:%02d", minutes / 60, minutes % 60)
        let load = Sys.readTextFile("/proc/loadavg")?.split(separator: " ").prefix(3).joined(separator: ", ") ?? "unknown"
        return "\(clock) up \(up), load average: \(load)"
    }
}

package func trimmed(_ text: String) -> String {
    var scalars = Substring(text)
    while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
    return String(scalars)
}
