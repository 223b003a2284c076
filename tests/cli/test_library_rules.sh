#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Design rules the library keeps, checked on its sources: no string names a CLI flag.
. "$(dirname "$0")/lib.sh"

if out=$(python3 tests/lib_flag_names.py . 2>&1); then
	ok "no library string literal names a command-line flag"
else
	not_ok "no library string literal names a command-line flag" "$out"
fi

# the scanner itself finds a flag in a literal and ignores one in a comment
mkdir -p "$TMP/src/compare"
printf '/* see --root */\nstatic const char *a = "use --root FILE";\nstatic int b = 1 - --b;\n' >"$TMP/src/compare/x.c"
out=$(python3 tests/lib_flag_names.py "$TMP/src" 2>&1)
if [ "$out" = "$TMP/src/compare/x.c:2: \"use --root FILE\"" ]; then
	ok "the scanner reports a flag in a string and only there"
else
	not_ok "the scanner reports a flag in a string and only there" "got: $out"
fi
