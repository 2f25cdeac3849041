import Glibc

/// Pids whose parent is this process, from /proc.
func childrenOfThisProcess() -> [pid_t] {
    let me = getpid()
    guard let entries = try? Sys.listDirectory("/proc") else { return [] }
    return entries.compactMap { name -> pid_t? in
        guard let pid = pid_t(name), let stat = Sys.readTextFile("/proc/\(name)/stat"),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && pid_t(fields[1]) == me ? pid : nil
    }
}

func signalName(_ signal: Int32) -> String {
    guard let name = strsignal(signal) else { return "signal \(signal)" }
    let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
                                  SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP",
                                  SIGPIPE: "SIGPIPE", SIGINT: "SIGINT", SIGSYS: "SIGSYS"]
    return names[signal] ?? String(cString: name)
}
