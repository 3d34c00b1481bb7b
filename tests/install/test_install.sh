#!/usr/bin/env bash
# Relocatable binaries (platforms/common/data_dir.h). Usage: test_install.sh BUILD_DIR
# Works in a fresh folder under $TMPDIR (outside the checkout), removed when every check passed.
#  1. No checkout path in any built binary (strings, debug information aside; not on a sanitized build).
#  2. cmake --install to a temporary prefix; the installed attention_head and gpt_model, run from
#     another folder with GCASIM_DATA_DIR unset and the checkout hidden (an empty folder mounted over
#     it in a private mount namespace, where unshare is allowed; else only unset and elsewhere), read
#     PREFIX/share/gcasim (their --help defaults say so) and write outputs byte-identical to the
#     build tree's.
#  3. GCASIM_DATA_DIR overrides: a data folder with an invalid config is the one read and named.
#  4. A copied checkout (sources + the old build's cache, links and binaries, nothing rebuilt): its
#     binaries read the copy's files; scripts/setup's check reconfigures the build folder, saying so.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd -P)
source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
source_dir=$(cd "$source_dir" && pwd -P)
work=$(mktemp -d "${TMPDIR:-/tmp}/gcasim_install.XXXXXX")
work=$(cd "$work" && pwd -P)
fail() { echo "FAIL: $* (files kept in $work)" >&2; exit 1; }
# names TEXT: stdin holds TEXT, whatever line wrapping and indentation (--help wraps long paths).
names() { tr -d ' \n' | grep -qF "$(printf '%s' "$1" | tr -d ' \n')"; }
unset GCASIM_DATA_DIR

# Debug information names the sources by design, so each binary is checked without it. A sanitized
# build is not checked: AddressSanitizer records every source file's path for its reports.
if grep -q '^GCASIM_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "== 1. (sanitized build: its binaries hold source paths for ASan's reports; checked on the Release build)"
else
  echo "== 1. no checkout path ($source_dir) in $build/bin/* (debug information stripped)"
  for binary in "$build"/bin/*; do
    objcopy --strip-debug "$binary" "$work/stripped"
    if strings "$work/stripped" | grep -qF "$source_dir"; then fail "$binary holds $source_dir"; fi
  done
  rm -f "$work/stripped"
fi

echo "== 2. install to $work/prefix, run from $work/elsewhere"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
prefix=$work/prefix
for f in bin/attention_head bin/attention_layer bin/gpt_model share/gcasim/configs/attention_head.json \
         share/gcasim/configs/gpt2_layer.json share/gcasim/models/nonlinear/model.bin; do
  [ -e "$prefix/$f" ] || fail "the installed tree has no $f"
done
[ ! -L "$prefix/share/gcasim/configs" ] || fail "installed configs/ is a link into the checkout"
mkdir -p "$work/elsewhere" "$work/empty"
# The build tree's outputs first; then the installed binaries, with the checkout hidden if we may.
(cd "$source_dir" && "$build/bin/attention_head" --tokens 32 --out "$work/built_attention_head" >/dev/null &&
   "$build/bin/gpt_model" --tokens 64 --out "$work/built_gpt_model" >/dev/null)
cat >"$work/run_installed.sh" <<SCRIPT
set -e
cd "$work/elsewhere"
"$prefix/bin/attention_head" --help >"$work/head_help.txt"
"$prefix/bin/gpt_model" --help >"$work/gpt_help.txt"
"$prefix/bin/attention_head" --tokens 32 --out "$work/installed_attention_head" >/dev/null
"$prefix/bin/gpt_model" --tokens 64 --out "$work/installed_gpt_model" >/dev/null
SCRIPT
if unshare --mount --propagation private true 2>/dev/null; then
  echo "   (checkout hidden: an empty folder mounted over $source_dir)"
  unshare --mount --propagation private bash -c "mount --bind '$work/empty' '$source_dir' &&
    [ -z \"\$(ls -A '$source_dir')\" ] && bash '$work/run_installed.sh'" || fail "the installed binaries failed"
else
  echo "   (unshare not allowed here: checkout not hidden, only GCASIM_DATA_DIR unset and another folder)"
  bash "$work/run_installed.sh" || fail "the installed binaries failed"
fi
names "default $prefix/share/gcasim/configs/attention_head.json" <"$work/head_help.txt" ||
  fail "installed attention_head's --help does not name $prefix/share/gcasim/configs/attention_head.json"
names "$prefix/share/gcasim/models/nonlinear" <"$work/gpt_help.txt" ||
  fail "installed gpt_model's --help does not name $prefix/share/gcasim/models/nonlinear"
for platform in attention_head gpt_model; do
  for file in output.json energy.csv; do
    cmp "$work/installed_$platform/$file" "$work/built_$platform/$file" ||
      fail "$platform: installed and build-tree $file differ"
  done
done

echo "== 3. GCASIM_DATA_DIR overrides"
mkdir -p "$work/data/configs"
echo '{"no_such_key": 1}' >"$work/data/configs/attention_head.json"
status=0
GCASIM_DATA_DIR=$work/data "$prefix/bin/attention_head" --tokens 1 --out "$work/override" 2>"$work/override.err" || status=$?
[ "$status" = 2 ] || fail "GCASIM_DATA_DIR with an invalid config: exit $status, expected 2"
grep -qF "$work/data/configs/attention_head.json" "$work/override.err" ||
  fail "the error does not name $work/data/configs/attention_head.json: $(cat "$work/override.err")"

echo "== 4. a copied checkout"
copy=$work/copy
mkdir -p "$copy/build"
if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$source_dir" && git ls-files -z --cached --others --exclude-standard | grep -zv '^build' |
     xargs -0 cp -a --parents -t "$copy")
else
  (cd "$source_dir" && tar --exclude='./build*' --exclude='./out' -cf - .) | (cd "$copy" && tar -xf -)
fi
cp -a "$build/CMakeCache.txt" "$build/bin" "$build/share" "$copy/build/"
cd "$copy"
build/bin/attention_head --help | names "default $copy/platforms/configs/attention_head.json" ||
  fail "the copy's attention_head does not default to the copy's configs"
echo '{"window": "not a number"}' >platforms/configs/attention_head.json
status=0
build/bin/attention_head --tokens 1 --out "$work/copy_out" 2>"$work/copy.err" || status=$?
[ "$status" = 2 ] && grep -qF "window" "$work/copy.err" ||
  fail "the copy's binary did not read the copy's (invalid) config: exit $status, $(cat "$work/copy.err")"
. scripts/build_folder.sh
message=$(reconfigure_if_moved build)
echo "$message" | grep -qF "configured for $source_dir; reconfiguring it for $copy" ||
  fail "no reconfiguring message for the copied build folder: '$message'"
[ ! -e build/CMakeCache.txt ] || fail "the copied build folder's cache was kept"
cmake -S . -B build >"$work/copy_configure.log" 2>&1 || fail "configuring the copy failed: $(tail -5 "$work/copy_configure.log")"
grep -qF "CMAKE_HOME_DIRECTORY:INTERNAL=$copy" build/CMakeCache.txt || fail "the copy's cache names another source folder"
[ -z "$(reconfigure_if_moved build)" ] || fail "a build folder of this checkout was reconfigured"
cd /
rm -rf "$work"
echo "install, data folder override and copied checkout: all checks passed"
