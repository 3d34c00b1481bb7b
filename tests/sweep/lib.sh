# Helpers of the sweep tests (source it). Defines:
#   py                    Debian's python3 (matplotlib, for the sweep's plot)
#   find_platforms BASE   sets bin to the folder of attention_head (BASE/bin or above) or exits 1
#   test_folder NAME BASE find_platforms BASE, then sets tmp to a new folder BASE/NAME.XXXXXX (or
#                         exits 1); the test removes it on exit
#   start_test_cluster    starts the Slurm test cluster in $tmp/cluster and counts it as a check, or
#                         exits 1 with the reason (a Slurm test fails, never skips, without Slurm)
#   ok, fail, check       count the checks; finish prints the totals and returns non-zero on a failure
#                         (after the test cluster's state and logs, if one runs)
#   make_fault_bin DIR REAL_BIN
#                         DIR/attention_head runs REAL_BIN/attention_head, except for the point whose
#                         folder number NNNN is in DIR/hang (it writes its pid to DIR/hanging and sleeps:
#                         a point still running when the test kills it) or in DIR/fail_once (it fails
#                         with exit 1 once and renames fail_once to failed: a transient failure)
#   wait_for FILE [S]     waits until FILE exists, at most S seconds (default 60); returns 1 if not
#   start_hanging NNNN LOG COMMAND...
#                         runs COMMAND (a sweep with DIR=$fb the fault bin) in the background, its
#                         output in LOG, with point NNNN hanging; waits until it hangs; sets bg_pid
#                         (COMMAND's own pid) and hung (the hanging platform's pid; empty, and a
#                         failed check, if it did not start within 60 s)
#   ppid_of PID           the parent of process PID (from /proc: no procps in a minimal system)
#   gone PID              true when process PID has ended
#   says FILE LINE        true when FILE has the line LINE; else prints FILE
# and, from slurm_cluster.sh, clock_ms / since T0_MS (timings) and the test cluster's functions.

py=/usr/bin/python3
passed=0 failed=0
ok()   { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
finish() {
    [ "$failed" -eq 0 ] || slurm_cluster_report
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

. "$(dirname "${BASH_SOURCE[0]}")/slurm_cluster.sh"

find_platforms() {
    local d
    bin=""
    for d in "$1/bin" "$1/../bin" "$1/../../bin"; do
        [ -x "$d/attention_head" ] && { bin=$(cd "$d" && pwd); return 0; }
    done
    echo "FAIL: no attention_head in $1/bin (or above): build first"
    exit 1
}

test_folder() {
    find_platforms "$2"
    mkdir -p "$2" && tmp=$(mktemp -d "$2/$1.XXXXXX") || { echo "FAIL: cannot make a folder in $2"; exit 1; }
}

start_test_cluster() {
    local t
    t=$(clock_ms)
    slurm_cluster_start "$tmp/cluster" || { echo "FAIL: Slurm could not be started: $SLURM_CLUSTER_ERROR"; exit 1; }
    ok "single-node Slurm started ($(since "$t") s)"
}

make_fault_bin() {
    local dir=$1 real=$2
    mkdir -p "$dir"
    cat > "$dir/attention_head" <<EOF
#!/bin/bash
# attention_head for the sweep fault tests (tests/sweep/lib.sh): hangs or fails for one point.
ctl=$(printf %q "$dir")
EOF
    cat >> "$dir/attention_head" <<'EOF'
point=${*: -1}   # the last argument: --out .../points/NNNN
if [ -f "$ctl/hang" ] && [ "${point##*/points/}" = "$(cat "$ctl/hang")" ]; then
    echo $$ > "$ctl/hanging.tmp" && mv "$ctl/hanging.tmp" "$ctl/hanging"
    exec sleep 600
fi
if [ -f "$ctl/fail_once" ] && [ "${point##*/points/}" = "$(cat "$ctl/fail_once")" ] &&
        mv "$ctl/fail_once" "$ctl/failed" 2>/dev/null; then
    echo "attention_head: error: a transient failure made by the fault test" >&2
    exit 1
fi
EOF
    echo "exec $(printf %q "$real/attention_head") \"\$@\"" >> "$dir/attention_head"
    chmod 755 "$dir/attention_head"
}

wait_for() {
    local i
    for i in $(seq $((${2:-60} * 10))); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

_exec() { exec "$@"; }

start_hanging() {
    local point=$1 log=$2
    shift 2
    rm -f "$fb/hanging"
    echo "$point" > "$fb/hang"
    _exec "$@" > "$log" 2>&1 &
    bg_pid=$!
    hung=""
    wait_for "$fb/hanging" 60 && hung=$(cat "$fb/hanging")
    rm -f "$fb/hang"
    [ -n "$hung" ] || { fail "point $point did not start within 60 s"; cat "$log"; }
}

ppid_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
says() { grep -qxF -- "$2" "$1" || { echo "  $1 has no line '$2':"; cat "$1"; return 1; }; }
