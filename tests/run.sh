#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every test (cmocka binaries in TAP mode, then the CLI scripts) and ends
# with one line: "N passed, N failed[, N skipped]". Exit 1 if anything failed.
set -u
BUILD=${BUILD:-build}
VECTORS=${VECTORS:-../shared/vectors}
export MEASURE_VECTORS="$VECTORS" MEASURE="$BUILD/measure" MEASURE_FIXTURES=fixtures
export CMOCKA_MESSAGE_OUTPUT=TAP
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ ! -d "$VECTORS" ]; then
	echo "# note: $VECTORS not found: conformance tests against third-party vectors are skipped"
fi

run() { # name, command...
	name=$1
	shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	s=$(grep -c '^not ok .*# SKIP' "$log")
	f=$(($(grep -c '^not ok ' "$log") - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, or failed outside any test
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		grep -v '^ok ' "$log" | sed 's/^/    /'
	else
		echo "ok   $name ($p passed${s:+, $s skipped})" | sed 's/, 0 skipped//'
	fi
	grep '^# SKIP\|^# note' "$log" | sed 's/^/    /'
}

for t in "$BUILD"/tests/unit/test_* "$BUILD"/tests/conformance/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	run "$(basename "$(dirname "$t")")/$(basename "$t")" "$t"
done
for t in tests/cli/test_*.sh tests/conformance/test_*.sh; do
	run "$(basename "$(dirname "$t")")/$(basename "$t" .sh)" bash "$t"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
