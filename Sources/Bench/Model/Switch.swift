/// The two sides of an A/B run.
public enum SwitchState: String, Sendable, CaseIterable {
    case off, on
    public var other: SwitchState { self == .off ? .on : .off }
}

/// A run-time kernel switch that an A/B run flips between paired measurements.
public enum SwitchSpec: Equatable, Sendable {
    /// The ftrace function tracer through tracefs: `function` on, `nop` off.
    case ftrace
    /// The Ozz/OEMU KSSB switch: a hypercall from user mode.
    case kssb
    /// Any two shell commands.
    case command(on: String, off: String)
    /// A flag file (debugfs, sysfs, tracefs): the on or off value written with one write().
    case file(path: String, on: String, off: String)

    /// "ftrace", "kssb", or "command:ON_CMD:OFF_CMD" (split at the first ':'
    /// after "command:"; commands with a ':' of their own go through
    /// --switch-on/--switch-off), or "file:PATH:ON_VALUE:OFF_VALUE" (an
    /// absolute path without ':'; the off value is the rest).
    public static func parse(_ text: String) -> SwitchSpec? {
        switch text {
        case "ftrace": return .ftrace
        case "kssb": return .kssb
        default:
            if text.hasPrefix("file:") {
                let parts = text.dropFirst("file:".count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3, parts[0].hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty }) else { return nil }
                return .file(path: String(parts[0]), on: String(parts[1]), off: String(parts[2]))
            }
            guard text.hasPrefix("command:") else { return nil }
            let rest = text.dropFirst("command:".count)
            guard let colon = rest.firstIndex(of: ":") else { return nil }
            let on = String(rest[..<colon]), off = String(rest[rest.index(after: colon)...])
            guard !on.isEmpty, !off.isEmpty else { return nil }
            return .command(on: on, off: off)
        }
    }

    /// As given on the command line.
    public var text: String {
        switch self {
        case .ftrace: return "ftrace"
        case .kssb: return "kssb"
        case let .command(on, off): return "command:\(on):\(off)"
        case let .file(path, on, off): return "file:\(path):\(on):\(off)"
        }
    }

    /// What the switch is, for people.
    public var description: String {
        switch self {
        case .ftrace: return "the ftrace function tracer (current_tracer: function on, nop off)"
        case .kssb: return "the Ozz/OEMU KSSB switch (vmcall 0x1d08aa3e: enable 0x3dcb4536, disable 0xbed348f5)"
        case let .command(on, off): return "commands (on: \(on); off: \(off))"
        case let .file(path, on, off): return "the file \(path) (\(on) on, \(off) off)"
        }
    }
}
