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
