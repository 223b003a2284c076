#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The transparency-log fixtures are reproducible by their independent generators.
. "$(dirname "$0")/lib.sh"

if command -v python3 >/dev/null 2>&1; then
	if python3 tests/tlog_vectors.py --check "$FIXTURES/tlog/vectors.txt" 2>"$TMP/err"; then
		ok "fixtures/tlog/vectors.txt is what tests/tlog_vectors.py computes from RFC 9162"
	else
		not_ok "fixtures/tlog/vectors.txt is what tests/tlog_vectors.py computes from RFC 9162" "$(cat "$TMP/err")"
	fi
else
	skip "python3 not installed: fixtures/tlog/vectors.txt not regenerated"
fi
