#!/bin/bash
# scripts/setup, scripts/test and scripts/run answer -h/--help with their usage and exit 0 at once:
# nothing installed, configured, built, tested or run. apt-get, dpkg-query, sudo, cmake and ctest are
# replaced by stubs that log their call; every help case must leave that log empty.
# scripts/run --help also lists the platform's options when it is built, and says how to build it
# when it is not: checked on a copy of scripts/ beside a stub build/bin/attention_layer, or none.
# Usage: bash tests/scripts/check_script_help.sh <scratch_dir>
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1" && tmp=$(mktemp -d "$1/check_script_help.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok()   { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

mkdir "$tmp/stubs"
for cmd in apt-get dpkg-query sudo cmake ctest; do
    printf '#!/bin/sh\necho "%s $*" >> "%s"\nexit 1\n' "$cmd" "$tmp/calls" > "$tmp/stubs/$cmd"
    chmod +x "$tmp/stubs/$cmd"
done

# expect WHAT EXIT_CODE STDOUT_PATTERN STDERR_PATTERN COMMAND...: the exit code, a line of stdout
# and of stderr matching the patterns ('' for empty), and no stub called.
expect() {
    local what=$1 code=$2 out_re=$3 err_re=$4 rc
    shift 4
    rm -f "$tmp/calls"
    PATH="$tmp/stubs:$PATH" timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    local why=""
    [ "$rc" -eq "$code" ] || why+=" exit code $rc, not $code;"
    if [ -n "$out_re" ]; then grep -qE "$out_re" "$tmp/out" || why+=" stdout lacks /$out_re/;"
    else [ -s "$tmp/out" ] && why+=" stdout not empty;"; fi
    if [ -n "$err_re" ]; then grep -qE "$err_re" "$tmp/err" || why+=" stderr lacks /$err_re/;"
    else [ -s "$tmp/err" ] && why+=" stderr not empty;"; fi
    [ -s "$tmp/calls" ] && why+=" called: $(tr '\n' ';' < "$tmp/calls")"
    if [ -z "$why" ]; then ok "$what"; else
        fail "$what:$why"
        sed 's/^/    stdout: /' "$tmp/out"; sed 's/^/    stderr: /' "$tmp/err"
    fi
}

for script in setup test run; do
    for opt in --help -h; do
        expect "scripts/$script $opt: usage, exit 0, nothing run" 0 "^Usage: scripts/$script" "" \
            "$repo/scripts/$script" "$opt"
    done
done
expect "scripts/setup --all --help: help wins over the other options" 0 "^Usage: scripts/setup" "" \
    "$repo/scripts/setup" --all --help
expect "scripts/test --no-sanitize --help" 0 "^Usage: scripts/test" "" "$repo/scripts/test" --no-sanitize --help
expect "scripts/run --tokens 5 --help: help, not a run" 0 "^Usage: scripts/run" "" \
    "$repo/scripts/run" --tokens 5 --help

# Unknown options: exit 2, one line naming the option and --help, before anything is installed.
expect "scripts/setup --bogus: exit 2" 2 "" "^scripts/setup: unknown option '--bogus' .*--help" \
    "$repo/scripts/setup" --bogus
expect "scripts/test --bogus: exit 2" 2 "" "^scripts/test: unknown option '--bogus' .*--help" \
    "$repo/scripts/test" --bogus
expect "scripts/setup --extra without a package: exit 2" 2 "" "^scripts/setup: --extra needs a package" \
    "$repo/scripts/setup" --extra

# scripts/run --help without a build, then with one (a stub platform).
mkdir -p "$tmp/repo/scripts" && cp "$repo/scripts/run" "$repo/scripts/setup" "$tmp/repo/scripts/"
expect "scripts/run --help before the first build: says how to build, builds nothing" 0 \
    "attention_layer is not built yet.*scripts/setup builds it" "" "$tmp/repo/scripts/run" --help
mkdir -p "$tmp/repo/build/bin"
printf '#!/bin/sh\n[ "$*" = --help ] && echo "STUB PLATFORM HELP"\n' > "$tmp/repo/build/bin/attention_layer"
chmod +x "$tmp/repo/build/bin/attention_layer"
expect "scripts/run --help after a build: the platform's options follow the usage" 0 \
    "^STUB PLATFORM HELP$" "" "$tmp/repo/scripts/run" --help

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
