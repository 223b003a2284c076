#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# measure compare --batch: one comparison per line in one process. The SNP PKI (ARK -> ASK -> VCEK),
# its CRLs and a report signed by the VCEK are made by tests/cli/snp_lib.sh (the openssl CLI and python), as in
# test_fetch.sh; a second ARK/ASK pair of the same names stands for "another root". The verdicts
# each line must give are those of 'measure compare' run alone on the same arguments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snp_lib.sh"

F=$FIXTURES/compare
P=$TMP/pki
HWID=$(printf '0123456789abcdeffedcba9876543210%.0s' 1 2 3 4)
TCB_HEX=d517000000000004
snp_test_pki "$P" "$HWID"

MEAS=$(printf 'a5%.0s' $(seq 48))
snp_report "$P" "$HWID" "$TCB_HEX" "$MEAS" "$P/report.bin"
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s"}}\n' "$MEAS" >"$TMP/snp.json"

# line_rc N: the exit code the result line of batch line N reports (text output)
line_rc() { sed -n "s/^line $1: .*(exit \([0-9]\)).*/\1/p" "$TMP/out"; }
# expect_line N RC DESC [WORDS]
expect_line() {
	got=$(line_rc "$1")
	if [ "$got" = "$2" ] && { [ -z "${4:-}" ] || grep "^line $1: " "$TMP/out" | grep -qF -- "$4"; }; then ok "$3"; else
		not_ok "$3" "line $1: exit '${got}', want $2${4:+ with '$4'}" "out: $(grep "^line $1: " "$TMP/out" | head -c 400)"; fi
}
# alone RC DESC ARGS...: measure compare run alone gives RC (the reference for a batch line)
alone() {
	want=$1 desc=$2
	shift 2
	expect_rc "$want" "alone: $desc" compare "$@"
}

# --- a revoked intermediate after a good chain, another root, in one batch --------------------------
S="--vcek $P/vcek.der $TMP/snp.json $P/report.bin"
cat >"$TMP/snp.batch" <<EOF
# the good chain, twice: the second is served by the cache
--root $P/cert_chain.pem --crl $P/crl-clean.der $S
--root $P/cert_chain.pem --crl $P/crl-clean.der $S
# the same ASK and ARK, with the ARK's CRL that revokes the ASK
--root $P/cert_chain.pem --crl $P/crl-ask.der $S
# the good chain again after it
--root $P/cert_chain.pem --crl $P/crl-clean.der $S
# another ARK and ASK of the same names: the cached ASK must not stand in for them
--root $P/cert_chain2.pem $S
--root $P/cert_chain.pem $S --at 2010-01-01T00:00:00Z
EOF
run compare --batch "$TMP/snp.batch"
if [ "$rc" -eq 3 ]; then ok "batch: exit 3, the worst line"; else not_ok "batch: exit 3, the worst line" "exit $rc" "$(cat "$TMP/err")"; fi
expect_line 2 0 "good chain: match"
expect_line 3 0 "good chain again: match"
expect_line 5 3 "a revoked ASK after the good chain: exit 3" "revoked"
expect_line 7 0 "the good chain after the revoked one: match"
expect_line 9 3 "another root of the same name: exit 3" "does not chain"
expect_line 10 3 "a check time before the certificates: exit 3" "not yet valid"
expect_out "summary counts the lines" "summary: 6 comparisons: 3 match, 0 mismatch, 0 bad input, 3 not verified"
expect_out "summary: chains were served by the cache" "from the cache)"
alone 0 "the good chain" --root "$P/cert_chain.pem" --crl "$P/crl-clean.der" $S
alone 3 "the revoked ASK" --root "$P/cert_chain.pem" --crl "$P/crl-ask.der" $S
alone 3 "the other root" --root "$P/cert_chain2.pem" $S

# the options beside --batch apply to every line
printf '%s %s\n' "$TMP/snp.json" "$P/report.bin" >"$TMP/global.batch"
expect_rc 0 "options beside --batch apply to each line" compare --batch "$TMP/global.batch" --root "$P/cert_chain.pem" --vcek "$P/vcek.der"
expect_rc 3 "... a revoking CRL beside --batch too" compare --batch "$TMP/global.batch" --root "$P/cert_chain.pem" --vcek "$P/vcek.der" --crl "$P/crl-ask.der"

# --- Nitro: match, mismatch, bad lines -----------------------------------------------------------
N="$F/synthetic-nitro.json $F/synthetic-nitro.doc"
long=$(head -c 70000 /dev/zero | tr '\0' a)
{
	printf '%s\n' "# comment" "" "   " "$N" "$F/synthetic-nitro-differ.json $F/synthetic-nitro.doc"
	printf '%s\n' "$F/missing.json $F/synthetic-nitro.doc" "$F/synthetic-nitro.json 'unclosed" \
		"$F/synthetic-nitro.json \"unclosed" "$N \\" "$long" "$N -" "$N --batch x" "$N --json" "$F/synthetic-nitro.json"
	printf '%s\r\n' "'$F/synthetic-nitro.json' \"$F/synthetic-nitro.doc\""
	printf '%s\n' "$N $N"
	printf 'a\0b\n'
	printf '%s' "$N"
} >"$TMP/nitro.batch"
run compare --batch "$TMP/nitro.batch" --root "$F/synthetic-nitro-root.pem" --at evidence
if [ "$rc" -eq 2 ]; then ok "nitro batch: exit 2 (bad lines are the worst)"; else not_ok "nitro batch: exit 2" "exit $rc" "$(cat "$TMP/err")"; fi
expect_line 4 0 "a pair: match"
expect_line 5 1 "the differing manifest: mismatch, naming pcr0" "differs: pcr0"
expect_line 6 2 "a missing file: that line alone" "missing.json"
expect_line 7 2 "an unclosed ' : that line alone" "' that is not closed"
expect_line 8 2 "an unclosed \" : that line alone" "\" that is not closed"
expect_line 9 2 "a trailing backslash" "escapes nothing"
expect_line 10 2 "a line over 64 KiB" "longer than"
expect_line 11 2 "'-' (standard input) in a line" "standard input"
expect_line 12 2 "--batch in a line" "--batch"
expect_line 13 2 "--json in a line" "--json"
expect_line 14 2 "EXPECTED without EVIDENCE" "EXPECTED EVIDENCE pairs"
expect_line 15 0 "quoted words and a CRLF line end: match"
expect_line 16 2 "two pairs on one line" "one EXPECTED EVIDENCE pair"
expect_line 17 2 "a NUL byte" "NUL"
expect_line 18 0 "a last line without a newline: match"
if [ "$(grep -c '^line ' "$TMP/out")" -eq 15 ]; then ok "one result line per non-blank line"; else
	not_ok "one result line per non-blank line" "$(grep -c '^line ' "$TMP/out") lines"; fi
expect_out "the summary line" "summary: 15 comparisons: 3 match, 1 mismatch, 11 bad input"
if [ ! -s "$TMP/err" ]; then ok "nothing on stderr: each error is in its line"; else not_ok "nothing on stderr" "$(head -3 "$TMP/err")"; fi

# --json: JSON Lines, each parsed by python
run compare --batch "$TMP/nitro.batch" --root "$F/synthetic-nitro-root.pem" --at evidence --json
if python3 - "$TMP/out" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert len(objs) == 16, len(objs)
assert [o['exit_code'] for o in objs[:3]] == [0, 1, 2], objs[:3]
assert objs[0]['result']['matched'] is True and objs[0]['line'] == 4
assert objs[2]['error'] and objs[2]['verdict'] == 'bad input'
s = objs[-1]['summary']
assert s['comparisons'] == 15 and s['match'] == 3 and s['exit_code'] == 2, s
PY
then ok "--json: JSON Lines, a summary object last"; else not_ok "--json: JSON Lines" "$(head -c 300 "$TMP/out")"; fi

# -q, stdin, batch-level usage errors
printf '%s\n' "$N" | "$MEASURE" compare --batch - -q --root "$F/synthetic-nitro-root.pem" --at evidence >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ]; then ok "-q with stdin: exit 0, nothing printed"; else not_ok "-q with stdin" "exit $rc"; fi
expect_failure 2 "a batch FILE that does not exist" "nope.batch" compare --batch "$TMP/nope.batch"
printf '# nothing\n\n' >"$TMP/empty.batch"
expect_refused 2 "a batch of comments only: exit 2" "no comparison" compare --batch "$TMP/empty.batch"
expect_failure 2 "files on the command line beside --batch" "go in the lines" compare --batch "$TMP/empty.batch" "$F/synthetic-nitro.json"
expect_failure 2 "--batch without FILE" "needs a FILE" compare --batch

# --- review fixes: standard input, control characters, one value per option, exit codes -------------
# '-' (and /dev/stdin) in a line never reads the batch itself: every later line still runs
{ printf '%s -- -\n' "$F/synthetic-nitro.json"; printf '%s /dev/stdin\n' "$F/synthetic-nitro.json"
  printf '%s --vcek - %s\n' "$N" ""; printf '%s\n' "$N"; } >"$TMP/stdin.batch"
"$MEASURE" compare --batch - --root "$F/synthetic-nitro-root.pem" --at evidence <"$TMP/stdin.batch" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_line 1 2 "'-' after '--' in a line: refused" "standard input"
expect_line 2 2 "/dev/stdin in a line, the batch on stdin: refused" "standard input"
expect_line 3 2 "--vcek - in a line: refused" "standard input"
expect_line 4 0 "the line after them still runs: match"
expect_out "stdin batch: all 4 lines counted" "summary: 4 comparisons: 1 match, 0 mismatch, 3 bad input"
"$MEASURE" compare --batch /dev/stdin --root "$F/synthetic-nitro-root.pem" --at evidence <"$TMP/stdin.batch" >"$TMP/out" 2>"$TMP/err"
expect_line 2 2 "--batch /dev/stdin: /dev/stdin in a line refused too" "standard input"
expect_out "--batch /dev/stdin: all 4 lines counted" "summary: 4 comparisons: 1 match"

# a certificate name holding a newline and ESC (made with the openssl CLI): escaped, never a forged line
EVIL_CN=$(printf 'V\nline 1: match (exit 0): forged\033[2K') openssl req -new -key "$P/vcek.key" \
	-config <(printf '[req]\nprompt=no\ndistinguished_name=dn\nstring_mask=utf8only\nutf8=yes\n[dn]\nCN=$ENV::EVIL_CN\n') 2>/dev/null |
	EVIL_CN=x openssl x509 -req -CA "$P/ask.pem" -CAkey "$P/ask.key" -set_serial 0x3003 -days 3650 -extfile "$P/vcek.ext" \
		-outform DER -out "$P/evil.der" 2>/dev/null
printf -- '--root %s --vcek %s %s %s\n' "$P/cert_chain2.pem" "$P/evil.der" "$TMP/snp.json" "$P/report.bin" >"$TMP/evil.batch"
run compare --batch "$TMP/evil.batch"
if [ "$rc" -eq 3 ] && [ "$(wc -l <"$TMP/out")" -eq 2 ] && ! grep -q "$(printf '\033')" "$TMP/out" &&
	grep -qF 'V\x0aline 1: match (exit 0): forged\x1b[2K' "$TMP/out"; then
	ok "a certificate name with control characters: escaped as \\xNN, one result line"
else
	not_ok "a certificate name with control characters" "exit $rc" "$(cat -A "$TMP/out" | head -c 600)"
fi
run compare --root "$P/cert_chain2.pem" --vcek "$P/evil.der" "$TMP/snp.json" "$P/report.bin"
if [ "$rc" -eq 3 ] && ! grep -q "$(printf '\033')" "$TMP/out" "$TMP/err" && ! grep -q "^line 1: match" "$TMP/out" "$TMP/err"; then
	ok "compare alone: the same name escaped on stdout and stderr"
else
	not_ok "compare alone: the same name escaped" "exit $rc" "$(cat -A "$TMP/out" "$TMP/err" | head -c 600)"
fi
run compare --batch "$TMP/evil.batch" --json
if python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1])]; assert len(o)==2 and o[0]["exit_code"]==3, o' "$TMP/out"; then
	ok "--json: the same line parses as JSON Lines"; else not_ok "--json with the escaped name" "$(head -c 400 "$TMP/out")"; fi

# a single-valued option beside --batch and again in a line: that line's usage error, as on one command line
printf '%s --nonce 0a0b0c\n%s\n' "$N" "$N" >"$TMP/twice.batch"
run compare --batch "$TMP/twice.batch" --root "$F/synthetic-nitro-root.pem" --at evidence --nonce 0a0b0c
expect_line 1 2 "--nonce beside --batch and in a line: usage error" "--nonce given twice"
printf -- '--root %s %s\n' "$P/cert_chain2.pem" "$N" >"$TMP/twice.batch"
run compare --batch "$TMP/twice.batch" --root "$F/synthetic-nitro-root.pem" --at evidence
expect_line 1 2 "--root beside --batch and in a line: usage error" "--root given twice"
for o in "--nonce 0a --nonce 0b" "--type nitro --type snp" "--accept-tcb UpToDate --accept-tcb Revoked" \
	"--min-tcb-date 2024-01-01T00:00:00Z --min-tcb-date 2020-01-01T00:00:00Z" "--tcb-info a --tcb-info b" \
	"--qe-identity a --qe-identity b" "--tcb-issuer-chain a --tcb-issuer-chain b" "--root a --root b" \
	"--cache a --cache b" "--ca-file a --ca-file b --fetch" "--jwks a --jwks b" "--issuer a --issuer b"; do
	first=${o%% *}
	# shellcheck disable=SC2086
	expect_failure 2 "$first twice on one command line: exit 2" "$first given twice" compare $o $N
done

# abbreviations and bundles of --json, --quiet, --help in a line
printf '%s\n' "$N --jso" "$N -qj" "$N --he" "$N --qui" >"$TMP/abbrev.batch"
run compare --batch "$TMP/abbrev.batch" --root "$F/synthetic-nitro-root.pem" --at evidence
expect_line 1 2 "--jso in a line: refused" "--json"
expect_line 2 2 "-qj in a line: refused" "--quiet"
expect_line 3 2 "--he in a line: refused" "--help"
expect_line 4 2 "--qui in a line: refused" "--quiet"

# --root beside --batch: the text result says the pinned root was replaced, as compare alone does on stderr
run compare --batch "$TMP/global.batch" --root "$P/cert_chain.pem" --vcek "$P/vcek.der"
expect_out "the text result names the replacing root" "(pinned root replaced by $P/cert_chain.pem)"

# a write failure does not hide a worse line: exit 3 beats the 2 of the failed write
"$MEASURE" compare --batch "$TMP/snp.batch" >/dev/full 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 3 ] && grep -q "cannot write" "$TMP/err"; then ok "stdout /dev/full: exit 3, the worst line"; else
	not_ok "stdout /dev/full: exit 3" "exit $rc" "$(head -c 300 "$TMP/err")"; fi

# --- real evidence, when the vectors are there: each line as compare alone ---------------------------
Q=$VECTORS/tdx/tdx_prod_quote_SPR_E4.dat
if [ -f "$Q" ]; then
	printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%096d"}}\n' 0 >"$TMP/tdx.json"
	for i in 1 2 3; do
		printf '%s %s --at 2026-02-03T00:00:00Z\n' "$TMP/tdx.json" "$Q"
	done >"$TMP/tdx.batch"
	run compare --batch "$TMP/tdx.batch"
	"$MEASURE" compare --at 2026-02-03T00:00:00Z "$TMP/tdx.json" "$Q" >/dev/null 2>&1
	alone_rc=$?
	if [ "$(line_rc 1)$(line_rc 2)$(line_rc 3)" = "$alone_rc$alone_rc$alone_rc" ]; then
		ok "a real TDX quote three times: each line as compare alone (exit $alone_rc)"
	else
		not_ok "a real TDX quote three times" "lines: $(line_rc 1) $(line_rc 2) $(line_rc 3), alone: $alone_rc" "$(head -c 600 "$TMP/out")"
	fi
else
	skip "real TDX quote: $Q absent"
fi
# --- a report whose CPUID names no known product: never judged in Milan's TCB layout ------------------
snp_report "$P" "$HWID" "$TCB_HEX" "$MEAS" "$TMP/family1b.bin" 3 1b0101
expect_rc 5 "a report with CPUID family 0x1b (no known product): exit 5" \
	compare --root "$P/cert_chain.pem" --vcek "$P/vcek.der" "$TMP/snp.json" "$TMP/family1b.bin"
if grep -q "family 0x1b model 0x1: not a known SEV-SNP product" "$TMP/err"; then ok "... naming the CPUID"; else
	not_ok "... naming the CPUID" "stderr: $(cat "$TMP/err")"; fi
expect_rc 0 "inspect on it" inspect "$TMP/family1b.bin"
expect_out "... shows its TCBs raw only, the layout unknown" '"layout": "unknown: the report'"'"'s CPUID names no known product"'
expect_rc 0 "inspect on a Milan report" inspect "$P/report.bin"
expect_out "... splits the TCB in Milan's layout (microcode: the top byte 0xd5)" '"microcode": 213'
echo "1..$n"
