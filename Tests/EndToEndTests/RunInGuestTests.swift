import Foundation
import XCTest

/// harness/run-in-guest and compare-kernels boot the QEMU the user names
/// (--qemu, LMBENCH_QEMU) with their extra arguments (--qemu-arg), and say which
/// QEMU ran: a wrapper script stands in for QEMU and records its arguments.
final class RunInGuestTests: XCTestCase {
    static let harness = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../harness").standardized.path

    func testTheNamedQEMURunsWithTheExtraArguments() throws {
        guard try shell("command -v cpio && command -v timeout && b=$(command -v busybox) && ! ldd \"$b\"").status == 0 else {
            throw XCTSkip("needs cpio and a static busybox (busybox-static)")
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let wrapper = scratch.path + "/qemu wrapper", args = scratch.path + "/args", kernel = scratch.path + "/vmlinux"
        try """
            #!/bin/sh
            if [ "$1" = --version ]; then echo 'QEMU emulator version 0.0 (test wrapper)'; exit 0; fi
            printf '%s\\n' "$@" > '\(args)'
            exit 1
            """.write(toFile: wrapper, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(wrapper, 0o755), 0)
        try "not a kernel: the wrapper boots nothing\n".write(toFile: kernel, atomically: true, encoding: .utf8)
        let common = "--accel tcg --kernel '\(kernel)' --binary '\(Binary.url.path)' --out '\(scratch.path)/out'"

        let run = try shell("'\(Self.harness)/run-in-guest' \(common) --name wrapped --qemu '\(wrapper)' "
                            + "--qemu-arg -L --qemu-arg '/bios dir' -- run null-call")
        XCTAssertEqual(run.status, 1, "the wrapper exits 1, so no results come back: \(run.output)")
        XCTAssertTrue(run.output.contains("QEMU: \(wrapper) (QEMU emulator version 0.0 (test wrapper)), with '-L' '/bios dir'"), run.output)
        XCTAssertTrue(run.output.contains("booting \(kernel) as 'wrapped' with \(wrapper)"), run.output)
        var recorded = try String(contentsOfFile: args, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(recorded.suffix(2)), ["-L", "/bios dir"], "--qemu-arg's come last, each one argument")
        XCTAssertEqual(recorded.prefix(2), ["-name", "lmbench-wrapped"])
        XCTAssertTrue(recorded.contains("-kernel") && recorded.contains(kernel), "\(recorded)")
        let log = try String(contentsOfFile: scratch.path + "/out/logs/wrapped.0.console.log", encoding: .utf8)
        XCTAssertTrue(log.hasPrefix("--- QEMU: \(wrapper) (QEMU emulator version 0.0 (test wrapper))"), log)

        try FileManager.default.removeItem(atPath: args)
        let environment = try shell("'\(Self.harness)/run-in-guest' \(common) --name fromenv -- run null-call",
                                    environment: ["LMBENCH_QEMU": wrapper])
        XCTAssertEqual(environment.status, 1, environment.output)
        XCTAssertTrue(environment.output.contains("QEMU: \(wrapper) ("), environment.output)
        recorded = try String(contentsOfFile: args, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(recorded.prefix(2), ["-name", "lmbench-fromenv"])

        try FileManager.default.removeItem(atPath: args)
        let compare = try shell("'\(Self.harness)/compare-kernels' --baseline '\(kernel)' --candidate '\(kernel)' --boots 1 --accel tcg "
                                + "--binary '\(Binary.url.path)' --out '\(scratch.path)/cmp' --qemu '\(wrapper)' --qemu-arg -S -- run null-call")
        XCTAssertNotEqual(compare.status, 0, compare.output)
        recorded = try String(contentsOfFile: args, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(recorded.prefix(2), ["-name", "lmbench-candidate"], "the last boot's arguments")
        XCTAssertEqual(recorded.last, "-S")

        let missing = try shell("'\(Self.harness)/run-in-guest' \(common) --name missing --qemu '\(scratch.path)/no-qemu'")
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.output.contains("--qemu: '\(scratch.path)/no-qemu' is not an executable file"), missing.output)
    }

    /// compare-kernels --switch --boots N: baseline and A/B boots in turn, and
    /// the three-way table pooled over every A/B run in OUT/candidate/json (a
    /// second call adds its boots). A stand-in run-in-guest "boots" by copying
    /// the recorded runs, each boot with its own start time.
    func testCompareKernelsPoolsTheABBoots() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BenchTests/Fixtures/runs/threeway").path
        let harness = scratch.path + "/harness", calls = scratch.path + "/calls", kernel = scratch.path + "/vmlinux"
        try FileManager.default.createDirectory(atPath: harness, withIntermediateDirectories: true)
        for name in ["compare-kernels", "lib.sh"] {
            try FileManager.default.copyItem(atPath: Self.harness + "/" + name, toPath: harness + "/" + name)
        }
        try """
            #!/bin/sh
            echo "$*" >> '\(calls)'
            name='' out='' switch=''
            while [ $# -gt 0 ]; do
                case $1 in
                    --name) name=$2; shift 2 ;;
                    --out) out=$2; shift 2 ;;
                    --switch) switch=$2; shift 2 ;;
                    --) break ;;
                    *) shift 2 ;;
                esac
            done
            mkdir -p "$out/json"
            n=$(ls "$out/json" | wc -l | tr -d ' ')
            source='\(fixtures)/base.json'
            [ -z "$switch" ] || source='\(fixtures)/ab.json'
            sed 's/"start_date": "[^"]*"/"start_date": "Mon Nov 30 1'"$n"':00:00 UTC 2026"/' "$source" > "$out/json/$name.$n.json"
            """.write(toFile: harness + "/run-in-guest", atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(harness + "/run-in-guest", 0o755), 0)
        try "a kernel file\n".write(toFile: kernel, atomically: true, encoding: .utf8)
        let command = "'\(harness)/compare-kernels' --baseline '\(kernel)' --candidate '\(kernel)' --switch command:true:true "
            + "--binary '\(Binary.url.path)' --out '\(scratch.path)/cmp' --noise-margin 5"
        let first = try shell(command + " --boots 2 -- run null-call")
        XCTAssertEqual(first.status, 0, first.output)
        let booted = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(booted.map { $0.contains("--name baseline") ? "B" : $0.contains("--name candidate --") && $0.contains("--switch command:true:true") ? "AB" : "?" },
                       ["B", "AB", "B", "AB"], "\(booted)")
        XCTAssertFalse(first.output.contains("not pooled"), first.output)
        let json = scratch.path + "/cmp/candidate/json/"
        XCTAssertTrue(first.output.contains("Off, on: 2 A/B runs (\(json)candidate.0.json, \(json)candidate.1.json)"), first.output)
        XCTAssertTrue(first.output.contains("On/off pooled over 2 A/B boots"), first.output)
        XCTAssertTrue(first.output.contains("Baseline: 2 runs"), first.output)
        XCTAssertTrue(first.output.contains("noise margin 5%"), first.output)
        let again = try shell(command + " --boots 1 -- run null-call")
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("On/off pooled over 3 A/B boots"), again.output)
        XCTAssertTrue(again.output.contains("Baseline: 3 runs"), again.output)
    }
}
