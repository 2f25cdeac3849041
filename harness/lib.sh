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

# run_allowance RUN-ARGUMENT...: generous seconds a `run` with these arguments
# needs on a native machine (3x the measured times: processor 4 s, ctx 20 s,
# latency 5 s, filevm 5 s, bandwidth 50 s), scaled by --repetitions x --enough
# against the defaults (11 x 5000 us), but to no less than a quarter; at least
# the --budget; with a switch (an A/B run) twice that, plus its flips.
run_allowance() {
    ra_total=0 ra_reps=11 ra_enough=5000 ra_budget=0s ra_option='' ra_switch=''
    for ra_arg in "$@"; do
        if [ -z "$ra_option" ]; then
            case $ra_arg in   # --enough=1000 as --enough 1000
                --*=*) ra_option=${ra_arg%%=*} ra_arg=${ra_arg#*=} ;;
            esac
        fi
        if [ -n "$ra_option" ]; then   # the value of ra_option
            case $ra_option in
                --repetitions) ra_reps=$ra_arg ;;
                --enough) ra_enough=$ra_arg ;;
                --budget) ra_budget=$ra_arg ;;
                --switch|--switch-on) ra_switch=yes ;;
            esac
            ra_option=''
            continue
        fi
        case $ra_arg in
            run|--quiet|--pin-ctx) ;;
            --*) ra_option=$ra_arg ;;   # its value follows
            processor|latency|filevm) ra_total=$((ra_total + 15)) ;;
            ctx) ra_total=$((ra_total + 60)) ;;
            bandwidth) ra_total=$((ra_total + 150)) ;;
            os) ra_total=$((ra_total + 250)) ;;
            *) ra_total=$((ra_total + 10)) ;;
        esac
    done
    [ "$ra_total" -gt 0 ] || ra_total=250
    case $ra_reps$ra_enough in *[!0-9]*) ra_reps=11 ra_enough=5000 ;; esac
    ra_work=$((ra_reps * ra_enough))
    [ "$ra_work" -ge 13750 ] || ra_work=13750
    ra_total=$((ra_total * ra_work / 55000))
    case $ra_budget in   # 90s, 10m, 2h
        *[0-9]s) ra_budget=${ra_budget%s} ;;
        *[0-9]m) ra_budget=$((${ra_budget%m} * 60)) ;;
        *[0-9]h) ra_budget=$((${ra_budget%h} * 3600)) ;;
    esac
    case $ra_budget in *[!0-9]*|'') ra_budget=0 ;; esac
    [ "$ra_budget" -le "$ra_total" ] || ra_total=$ra_budget
    [ -z "$ra_switch" ] || ra_total=$((2 * ra_total + 30))
    echo "$ra_total"
}

# crosscheck_allowance CROSSCHECK-ARGUMENT...: the same for a crosscheck: per
# round (--rounds, 3 by default), ours twice over and LMBench's programs (5
# minutes for their 1-7.5 s intervals).
crosscheck_allowance() {
    ca_rounds=3 ca_previous=''
    for ca_arg in "$@"; do
        [ "$ca_previous" != --rounds ] || ca_rounds=$ca_arg
        case $ca_arg in --rounds=*) ca_rounds=${ca_arg#--rounds=} ;; esac
        ca_previous=$ca_arg
    done
    case $ca_rounds in ''|*[!0-9]*) ca_rounds=3 ;; esac
    echo $((ca_rounds * (2 * $(run_allowance "$@") + 300)))
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
