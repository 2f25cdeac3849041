# Shared functions of the harness scripts (POSIX sh; source it, do not run it).

# info MESSAGE...: progress on standard error.
info() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# fail MESSAGE...: one line on standard error, exit status 1.
fail() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# usage_error MESSAGE...: bad arguments, exit status 2.
usage_error() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 2; }

# assert_equal EXPECTED ACTUAL WHAT
assert_equal() {
    [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# repo_root: the repository's top directory.
repo_root() { cd "$(dirname "$0")/.." && pwd; }

# need COMMAND PACKAGE: fail unless COMMAND is on PATH, naming the Debian package.
need() {
    command -v "$1" >/dev/null 2>&1 || fail "'$1' not found (Debian package: $2)"
}

# shell_quote WORD...: the words single-quoted for sh, on one line.
shell_quote() {
    for shell_quote_word in "$@"; do
        printf "'%s' " "$(printf '%s' "$shell_quote_word" | sed "s/'/'\\\\''/g")"
    done
}

# lmbench_binary: the static benchmark binary: $LMBENCH_BINARY if set, else
# built in the repository (an up-to-date build only relinks or does nothing).
lmbench_binary() {
    if [ -n "${LMBENCH_BINARY:-}" ]; then
        [ -x "$LMBENCH_BINARY" ] || fail "LMBENCH_BINARY='$LMBENCH_BINARY' is not an executable file"
        printf '%s\n' "$LMBENCH_BINARY"
        return 0
    fi
    command -v swift >/dev/null 2>&1 ||
        fail "'swift' not found: put the Swift toolchain on PATH, or give the binary (--binary or LMBENCH_BINARY)"
    info "building the static binary: swift build -c release -Xswiftc -static-executable -Xlinker -s"
    lmbench_binary_log=$(mktemp)
    if ! (cd "$(repo_root)" && swift build -c release -Xswiftc -static-executable -Xlinker -s) \
        >"$lmbench_binary_log" 2>&1; then
        cat "$lmbench_binary_log" >&2
        rm -f "$lmbench_binary_log"
        fail "swift build failed"
    fi
    rm -f "$lmbench_binary_log"
    "$(dirname "$0")/check-binary" "$(repo_root)/.build/release/lmbench-swift"
    printf '%s\n' "$(repo_root)/.build/release/lmbench-swift"
}

# check_arguments BINARY JOB ARGUMENT...: the arguments of `lmbench-swift JOB`
# checked on this host by the binary that will run them, before anything is
# booted or sent (bad ones: exit status 2), and, printed, the seconds the job
# needs at most on a native machine as the binary estimates them from its
# benchmarks and settings (`--check-arguments`); 1800 when the binary cannot run
# here (the guest checks the arguments then). In $(...): `|| exit` after it.
check_arguments() {
    ca_binary=$1 ca_job=$2
    shift 2
    ca_status=0
    if [ "$ca_job" = run ]; then
        ca_seconds=$("$ca_binary" --check-arguments run "$@" --results-dir results --json run.json) || ca_status=$?
    else
        ca_seconds=$("$ca_binary" --check-arguments crosscheck --lmbench-bin lmbench "$@" --json crosscheck.json) ||
            ca_status=$?
    fi
    case $ca_status in
        0) echo "$ca_seconds" ;;
        2) usage_error "the arguments of lmbench-swift $ca_job are not valid (see above); nothing was sent to the guest, nothing booted" ;;
        126|127) info "cannot run $ca_binary on this host to check the arguments (status $ca_status); the guest will"
                 echo 1800 ;;
        *) fail "$ca_binary --check-arguments exited with status $ca_status" ;;
    esac
}

# shared_libraries PROGRAM: the shared libraries ldd names for PROGRAM, one per
# line. Its lines look like "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)"
# or, for the loader, "/lib64/ld-linux-x86-64.so.2 (0x...)"; statically linked
# programs and scripts have none.
shared_libraries() {
    ldd "$1" 2>/dev/null | awk '
        $2 == "=>" && $3 ~ /^\// { print $3; next }
        $1 ~ /^\// { print $1 }' || true
}

# copy_to_root ROOT FILE: FILE itself (not a symlink into the host) at the same
# path under ROOT.
copy_to_root() {
    mkdir -p "$1$(dirname "$2")"
    cp -L "$2" "$1$2"
}

# exists_any PATH...: whether any of the paths exists.
exists_any() {
    for exists_any_path in "$@"; do
        [ -e "$exists_any_path" ] && return 0
    done
    return 1
}

# next_number OUT HOST [COUNT]: the first N such that no run in OUT uses N ...
# N+COUNT-1 yet (COUNT: 1, or 2 for an A/B run's two results files), so repeated
# runs accumulate: OUT/results/<os>/HOST.N, OUT/json/HOST.N.json, OUT/logs/HOST.N.*
next_number() {
    next_number_n=0 next_number_i=0
    while [ "$next_number_i" -lt "${3:-1}" ]; do
        next_number_m=$((next_number_n + next_number_i))
        if exists_any "$1"/results/*/"$2.$next_number_m" "$1/json/$2.$next_number_m.json" \
            "$1/logs/$2.$next_number_m.console.log" "$1/crosscheck/$2.$next_number_m.json"; then
            next_number_n=$((next_number_m + 1)) next_number_i=0
        else
            next_number_i=$((next_number_i + 1))
        fi
    done
    echo "$next_number_n"
}

# null_call_us RESULTS-FILE: the "Simple syscall:" value in microseconds.
null_call_us() {
    sed -n 's/^Simple syscall: \([0-9.]*\) microseconds.*/\1/p' "$1" | head -n 1
}

# in_background LIMIT COMMAND...: run COMMAND under `timeout LIMIT` in the
# background and wait for it, so that a signal to the script runs its trap at
# once (timeout puts itself in its own process group, out of reach of the
# terminal's Ctrl-C); the trap calls stop_background. Returns COMMAND's exit
# status, 124 when it ran out of time. COMMAND's standard error goes to the file
# $background_stderr if that is set (not by redirecting this function's: a trap
# running during the wait would write there too); its standard input is the file
# $background_stdin if that is set, else /dev/null.
background_pid='' background_stderr='' background_stdin=''
in_background() {
    if [ -n "$background_stderr" ]; then
        timeout -k 5 "$@" <"${background_stdin:-/dev/null}" 2>"$background_stderr" &
    else
        timeout -k 5 "$@" <"${background_stdin:-/dev/null}" &
    fi
    background_pid=$!
    in_background_status=0
    wait "$background_pid" 2>/dev/null || in_background_status=$?   # 2>: no "Aborted" notice
    background_pid=''
    return "$in_background_status"
}

# stop_background: end what in_background runs, if anything (timeout passes
# the SIGTERM on to its command, and sends SIGKILL 5 s later if needed).
stop_background() {
    if [ -n "$background_pid" ]; then
        kill "$background_pid" 2>/dev/null || true
        wait "$background_pid" 2>/dev/null || true
    fi
}
