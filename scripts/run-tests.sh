#!/usr/bin/env bash
# Runs every Kiln test suite (lit: IR and integration tests; GoogleTest
# binaries through lit's GoogleTest format) and ends with one plain line
# "N passed, N failed, N skipped" summed over all of them.
# Usage: run-tests.sh [BUILD] [extra lit arguments, e.g. --param kiln_full=1]
set -uo pipefail
BUILD=${1:-build}
shift || true
LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
log=$(mktemp)
"$LIT" -v "$@" "$BUILD/test" "$BUILD/test/Unit" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
count() { # sum the counts lit prints for the given result names
  local total=0 n
  for name in "$@"; do
    n=$(grep -E "^ *${name} *: *[0-9]+" "$log" | head -1 | sed -E 's/.*: *([0-9]+).*/\1/')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
passed=$(count "Passed" "Expectedly Failed")
failed=$(count "Failed" "Unresolved" "Timed Out" "Unexpectedly Passed")
skipped=$(count "Unsupported" "Skipped")
# The Python package's pytest suite, counted in the same summary.
if /usr/bin/python3 -c "import pytest" 2>/dev/null; then
  PYTHONPATH="$BUILD/python" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    "$(dirname "$0")/../python/tests" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
  line=$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed)' "$log" | tail -1)
  pnum() { echo "$line" | grep -oE "[0-9]+ $1" | grep -oE '[0-9]+' || echo 0; }
  passed=$((passed + $(pnum passed)))
  failed=$((failed + $(pnum failed) + $(pnum error)))
  skipped=$((skipped + $(pnum skipped)))
else
  echo "pytest is not installed: the Python package's tests were skipped"
  skipped=$((skipped + 1))
fi
rm -f "$log"
if [ "$passed" -eq 0 ] && [ "$rc" -eq 0 ]; then rc=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
