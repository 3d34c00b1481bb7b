# Sourced by scripts/setup and scripts/test (bash): a build folder configured for another source
# folder (a checkout copied or moved with its build/) is reconfigured for this one, saying so.
# CMake would otherwise stop at "CMakeCache.txt directory ... is different".

# reconfigure_if_moved BUILD_DIR: run from the source root; forgets BUILD_DIR's cache when it names
# another source folder (the objects stay; the build then recompiles what the new paths change).
reconfigure_if_moved() {
  local build=$1 cache=$1/CMakeCache.txt configured_for here
  [ -f "$cache" ] || return 0
  configured_for=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
  here=$(pwd -P)
  if [ -n "$configured_for" ] && [ "$(cd "$configured_for" 2>/dev/null && pwd -P)" != "$here" ]; then
    echo "== $build/ was configured for $configured_for; reconfiguring it for $here"
    rm -rf "$cache" "$build/CMakeFiles"
  fi
}
