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

# The signed notes and proof JSON: remade with the committed keys by the openssl CLI (Ed25519 is
# deterministic), they must come out byte for byte as committed.
if command -v python3 >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
	mkdir -p "$TMP/tlog"
	cp "$FIXTURES/tlog/note-key.pem" "$FIXTURES/tlog/witness-key.pem" "$TMP/tlog/"
	if python3 tests/make_tlog_fixtures.py "$TMP/tlog" 2>"$TMP/err"; then
		for f in note-pub.pem note.vkey checkpoint.txt checkpoint.note checkpoint-cosigned.note \
			checkpoint-witness-only.note checkpoint-ext.note proof.json; do
			if cmp -s "$TMP/tlog/$f" "$FIXTURES/tlog/$f"; then
				ok "fixtures/tlog/$f is what openssl and tests/make_tlog_fixtures.py make"
			else
				not_ok "fixtures/tlog/$f is what openssl and tests/make_tlog_fixtures.py make" \
					"$(diff "$TMP/tlog/$f" "$FIXTURES/tlog/$f" | head -5)"
			fi
		done
	else
		not_ok "tests/make_tlog_fixtures.py runs" "$(tail -3 "$TMP/err")"
	fi
else
	skip "python3 or openssl not installed: the signed-note fixtures are not remade"
fi
