# SPDX-License-Identifier: Apache-2.0
# measure compare: the command line (usage rules, --at, per-pair --vcek, EXPECTED forms, evidence
# encodings, files in the wrong role, the exit ranking, large output). Expected values come from
# the vector READMEs; evidence from ../shared/vectors (the parts that need it are skipped without it).
. "$(dirname "$0")/lib.sh"

# --- no evidence needed: usage rules -----------------------------------------------------------
printf '{"schema":"measure/v1","platform":"aws-nitro","measurements":{"pcr0":"%096d"}}\n' 0 >"$TMP/z.json"
expect_failure 2 "a second --vcek before the first pair is a usage error" "--vcek given twice before the first file" \
	compare --vcek a.der --vcek b.der "$TMP/z.json" "$TMP/z.json"
expect_failure 2 "a --vcek after the last file" "--vcek after the last file applies to no EVIDENCE" \
	compare "$TMP/z.json" "$TMP/z.json" --vcek a.der
expect_failure 2 "--report-data-prefix without --nonce" "--report-data-prefix qualifies --nonce" \
	compare --report-data-prefix "$TMP/z.json" "$TMP/z.json"
expect_failure 2 "--report-data-prefix with 15 bytes" "a prefix is 16 to 64 bytes" \
	compare --report-data-prefix --nonce 0x$(printf '%030d' 1) "$TMP/z.json" "$TMP/z.json"
expect_failure 2 "a nonce longer than any Nitro nonce (1024 bytes)" "--nonce: 1 to 1024 bytes of hex" \
	compare --nonce "$(printf '%02050d' 1)" "$TMP/z.json" "$TMP/z.json"
expect_failure 2 "an odd number of files without --policy" "give EXPECTED EVIDENCE pairs" compare "$TMP/z.json"
for at in 2025-02-31T00:00:00Z 2023-02-29T00:00:00Z 2025-01-01T24:00:00Z 2025-01-01T23:60:00Z 2025-01-01T00:00:60Z \
	2025-01-01T00:00:00+24:00 2025-01-01T00:00:00-23:60 2025-1-01T00:00:00Z 2025-01-01T0:00:00Z 2025-01-01 \
	2025-01-01T00:00:00 "2025-01-01 00:00:00Z" 2025-01-01T00:00:00.Z @ @-1 @1.5 @253402300800 @9223372036854775808 yesterday; do
	expect_failure 2 "--at $at is refused" "is not RFC 3339" compare --at "$at" "$TMP/z.json" "$TMP/z.json"
done

N=$VECTORS/nitro/attestation
S=$VECTORS/snp
T=$VECTORS/tdx
R=$VECTORS/real
if [ ! -d "$N" ] || [ ! -d "$R" ]; then
	skip "vectors not found at $VECTORS: compare on real evidence not checked"
	echo "1..$n"
	exit 0
fi
manifest() { # file platform key value [key value]
	f=$1 p=$2
	shift 2
	m=""
	while [ $# -ge 2 ]; do m="$m${m:+,}\"$1\":\"$2\""; shift 2; done
	printf '{"schema":"measure/v1","platform":"%s","measurements":{%s}}\n' "$p" "$m" >"$f"
}
# nitro/README.md, real/README.md, snp/README.md, tdx/README.md
PCR0=f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936332687e6f66fc890ac8cf150142d8b
PCR1=bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b214a414b7607236edf26fcb78654e63f
M1=b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01
M2=7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f
MRTD4=6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb
MRTDD=fd685522ce791dfef67414614eb07d03fc07a32c5a66f36288b329dab92b724b1564c73d436ffb9ea84488c51ac5a1c5
MRTDS=91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7
COCOS=a03628e1ef7c0dad85cbbde70d5666c625a2cfee609f169eecd311b5d7e7c296c1b95619b08d26ca7cf77e97def98217
BETA=$N/evervault-beta-valid-attestation-doc.cbor
SPR=$T/tdx_prod_quote_SPR_E4.dat
AT=2023-07-01T00:00:00Z # every SNP and TDX vector below verifies then; the beta Nitro leaf has expired
manifest "$TMP/n.json" aws-nitro pcr0 "$PCR0" pcr1 "$PCR1"
manifest "$TMP/n1.json" aws-nitro pcr1 "$PCR1"
manifest "$TMP/s1.json" sev-snp measurement "$M1"
manifest "$TMP/s2.json" sev-snp measurement "$M2"
manifest "$TMP/t4.json" tdx mrtd "$MRTD4"
xxd -r -p "$S/virtee-sev/report_milan.hex" >"$TMP/milan.bin"

# --- --at -----------------------------------------------------------------------------------------
expect_rc 0 "--at with a fraction and an offset" compare --at 2023-07-01T02:00:00.123456+02:00 "$TMP/t4.json" "$SPR"
expect_rc 0 "--at with a lower-case z" compare --at 2023-07-01t00:00:00z "$TMP/t4.json" "$SPR"
expect_rc 0 "--at @SECONDS" compare --at @1688169600 "$TMP/t4.json" "$SPR"
expect_failure 2 "--at evidence on a TDX quote" "--at evidence: $SPR is a TDX quote, which carries no time" \
	compare --at evidence "$TMP/t4.json" "$SPR"
expect_failure 2 "--at evidence on an SNP report" "is an SNP report, which carries no time" \
	compare --at evidence --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
expect_rc 0 "--at evidence on a Nitro document" compare --at evidence "$TMP/n.json" "$BETA"

# --- partial manifests ----------------------------------------------------------------------------
expect_failure 2 "a manifest pinning only pcr1 is refused" "pins no pcr0 (the launch measurement)" compare --at evidence "$TMP/n1.json" "$BETA"
expect_rc 0 "and accepted with --allow-partial" compare --allow-partial --at evidence "$TMP/n1.json" "$BETA"
expect_out "pcr0 is listed as not checked, with its value" "  --   pcr0                       not checked: $PCR0"
expect_out "pcr3 too" "  --   pcr3                       not checked: 4a9329d6"
if grep -q "^  ok   pcr0" "$TMP/out"; then not_ok "pcr0 not reported as a pass"; else ok "pcr0 not reported as a pass"; fi
run compare --json --allow-partial --at evidence "$TMP/n1.json" "$BETA"
expect_out "json: a third state" '"state": "not checked"'

# --- mismatches show full values -----------------------------------------------------------------
manifest "$TMP/nbad.json" aws-nitro pcr0 "${PCR0%?}c" pcr1 "$PCR1"
expect_rc 1 "a PCR0 differing in its last byte" compare --at evidence "$TMP/nbad.json" "$BETA"
expect_out "the full expected value" "expected ${PCR0%?}c"
expect_out "the full found value" "found    $PCR0"
expect_out "the first differing byte" "FAIL pcr0 (first difference at byte 47)"
run compare --json --at evidence "$TMP/nbad.json" "$BETA"
expect_out "json: the full expected value" "\"expected\": \"${PCR0%?}c\""
expect_out "json: the full found value" "\"found\": \"$PCR0\""
expect_out "json: the first differing byte" '"first_differing_byte": 47'
expect_out "json: the verdict from the exit code" '"verdict": "mismatch"'

# --- EXPECTED as nitro-cli describe-eif JSON and as a Cocos policy --------------------------------
printf '{"EifVersion":4,"Measurements":{"HashAlgorithm":"Sha384 { ... }","PCR0":"%s","PCR1":"%s"},"IsSigned":false}\n' "$PCR0" "$PCR1" >"$TMP/nitro-cli.json"
expect_rc 0 "nitro-cli describe-eif JSON as EXPECTED" compare --at evidence "$TMP/nitro-cli.json" "$BETA"
"$MEASURE" eif --format nitro-cli "$FIXTURES/eif/tiny-signed.eif" >"$TMP/tiny.nitro-cli.json"
expect_rc 1 "another EIF's describe-eif JSON: a mismatch" compare --at evidence "$TMP/tiny.nitro-cli.json" "$BETA"
expect_out "its PCR0 in full" "expected e7cd3d5d2eb903e70661b7ec0bcdb535ea11b8ea70cae71779fe39820177292079c400bee3a0f90d702f092ccaebb6dd"
expect_rc 1 "the Cocos example policy as EXPECTED: its measurement is not the virtee report's" \
	compare --vcek "$S/virtee-sev/vcek_milan.der" "$S/cocos/attestation_policy_sev-snp.json" "$TMP/milan.bin"
expect_out "its measurement (base64) shown as hex" "expected $COCOS"
printf '{"policy":{"measurement":"%s"}}\n' "$(echo "$M2" | xxd -r -p | base64 -w0)" >"$TMP/cocos-m2.json"
expect_rc 0 "a Cocos policy carrying the report's measurement" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/cocos-m2.json" "$TMP/milan.bin"

# --- policy-only compare, and --policy on Nitro -------------------------------------------------
printf '{"policy":{"measurement":"%s","vmpl":0}}\n' "$(echo "$M2" | xxd -r -p | base64 -w0)" >"$TMP/p.json"
expect_rc 0 "--policy and EVIDENCE alone" compare --policy "$TMP/p.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/milan.bin"
expect_out "named as a policy check" "against the policy"
printf '{"policy":{"measurement":"%s","vmpl":2}}\n' "$(echo "$M2" | xxd -r -p | base64 -w0)" >"$TMP/p2.json"
expect_rc 1 "a policy the evidence does not meet: its verdict" compare --policy "$TMP/p2.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/milan.bin"
# a policy alone is held to the manifest rule: it must pin the launch measurement
printf '{"policy":{"vmpl":0}}\n' >"$TMP/p3.json"
expect_failure 2 "a policy pinning no measurement, alone: refused" "the policy pins no launch measurement" compare --policy "$TMP/p3.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/milan.bin"
printf '{"policy":{}}\n' >"$TMP/p4.json"
expect_failure 2 "an empty policy, alone: refused" "the policy pins no launch measurement" compare --policy "$TMP/p4.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/milan.bin"
expect_rc 0 "... accepted with --allow-partial" compare --allow-partial --policy "$TMP/p3.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/milan.bin"
expect_out "and the measurement it leaves is listed" "--   measurement"
printf '{"td_quote_body":{"mr_td":"%s"}}\n' "$(echo "$MRTD4" | xxd -r -p | base64 -w0)" >"$TMP/tp.json"
expect_rc 0 "several evidence files with --policy" compare --at $AT --policy "$TMP/tp.json" "$SPR" "$SPR"
expect_rc 0 "--policy with a pair and a lone EVIDENCE" compare --at $AT --policy "$TMP/tp.json" "$TMP/t4.json" "$SPR" "$SPR"
expect_refused 5 "--policy on a Nitro pair is refused, not skipped" "a policy applies to SNP and TDX evidence" \
	compare --at evidence --policy "$TMP/p.json" "$TMP/n.json" "$BETA"
expect_rc 0 "--type with --policy still tells a manifest from evidence" compare --type tdx --at $AT --policy "$TMP/tp.json" "$TMP/t4.json" "$SPR"
expect_failure 2 "no EVIDENCE after the last EXPECTED" "has no EVIDENCE after it" compare --at $AT --policy "$TMP/tp.json" "$SPR" "$TMP/t4.json"

# --- per-pair --vcek ------------------------------------------------------------------------------
expect_failure 2 "two --vcek for one EVIDENCE (before its EXPECTED and before it)" "two --vcek for the same EVIDENCE" \
	compare --at evidence "$TMP/n.json" "$BETA" --vcek a.der "$TMP/n.json" --vcek b.der "$BETA"
expect_rc 0 "a --vcek before each pair's EVIDENCE" compare --at $AT --allow-debug \
	"$TMP/s1.json" --vcek "$S/go-sev-guest/vcek.testcer" "$S/go-sev-guest/attestation.bin" \
	--vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
expect_rc 3 "the two VCEKs swapped: both signatures fail" compare --at $AT --allow-debug \
	"$TMP/s1.json" --vcek "$S/virtee-sev/vcek_milan.der" "$S/go-sev-guest/attestation.bin" \
	"$TMP/s2.json" --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/milan.bin"
expect_rc 3 "one global --vcek for both: the other report fails" compare --at $AT --allow-debug --vcek "$S/go-sev-guest/vcek.testcer" \
	"$TMP/s1.json" "$S/go-sev-guest/attestation.bin" "$TMP/s2.json" "$TMP/milan.bin"
expect_rc 0 "a global --vcek and a per-pair one for the second" compare --at $AT --allow-debug --vcek "$S/go-sev-guest/vcek.testcer" \
	"$TMP/s1.json" "$S/go-sev-guest/attestation.bin" "$TMP/s2.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/milan.bin"
expect_refused 4 "no VCEK for the second pair: exit 4 with the hint" "pass it with --vcek FILE or --certs FILE" compare --at $AT --allow-debug \
	"$TMP/s1.json" --vcek "$S/go-sev-guest/vcek.testcer" "$S/go-sev-guest/attestation.bin" "$TMP/s2.json" "$TMP/milan.bin"

# --- evidence as hex, base64 and dstack JSON, for every type --------------------------------------
xxd -p "$BETA" >"$TMP/beta.hex"
base64 "$BETA" >"$TMP/beta.b64"
expect_rc 0 "Nitro document in hex" compare --at evidence "$TMP/n.json" "$TMP/beta.hex"
expect_rc 0 "Nitro document in base64 (wrapped at 76)" compare --at evidence "$TMP/n.json" "$TMP/beta.b64"
expect_rc 0 "SNP report as virtee's hex file" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$S/virtee-sev/report_milan.hex"
tr 'a-f' 'A-F' <"$S/virtee-sev/report_milan.hex" | fold -w 64 >"$TMP/milan-upper.hex"
expect_rc 0 "SNP report in upper-case hex over lines" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan-upper.hex"
base64 "$TMP/milan.bin" >"$TMP/milan.b64"
expect_rc 0 "SNP report in base64" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.b64"
{ printf '0x'; xxd -p "$SPR"; } >"$TMP/spr.hex"
expect_rc 0 "TDX quote in hex with 0x" compare --at $AT "$TMP/t4.json" "$TMP/spr.hex"
base64 -w0 "$SPR" >"$TMP/spr.b64"
expect_rc 0 "TDX quote in base64 on one line" compare --at $AT "$TMP/t4.json" "$TMP/spr.b64"
manifest "$TMP/td.json" tdx mrtd "$MRTDD"
expect_rc 0 "dstack's GetQuote JSON (quote_hex) verifies and matches" compare --at 2026-06-01T00:00:00Z "$TMP/td.json" "$R/tdx/dstack-0.6.0-tdx-lite-getquote.json"
manifest "$TMP/ts.json" tdx mrtd "$MRTDS"
expect_rc 1 "against another MRTD: a mismatch" compare --at 2026-06-01T00:00:00Z "$TMP/ts.json" "$R/tdx/dstack-0.6.0-tdx-lite-getquote.json"

"$MEASURE" compare --at $AT "$TMP/t4.json" - <"$SPR" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 0 ]; then ok "EVIDENCE from standard input (-)"; else not_ok "EVIDENCE from standard input (-)" "exit $rc" "$(cat "$TMP/err")"; fi
"$MEASURE" compare --at $AT - "$SPR" <"$TMP/t4.json" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 0 ]; then ok "EXPECTED from standard input (-)"; else not_ok "EXPECTED from standard input (-)" "exit $rc" "$(cat "$TMP/err")"; fi
head -c 1000 "$SPR" >"$TMP/cut1.dat"
expect_failure 2 "--json and evidence malformed past loading: one line, nothing on stdout" "runs past the end" \
	compare --json --at $AT "$TMP/t4.json" "$TMP/cut1.dat"

# --- files in the wrong role ------------------------------------------------------------------------
expect_failure 2 "EVIDENCE EXPECTED swapped" "looks like a TDX quote (evidence), not expected values: EXPECTED comes first" \
	compare --at $AT "$SPR" "$TMP/t4.json"
expect_failure 2 "a manifest as EVIDENCE" "looks like a measure/v1 manifest, not evidence: EXPECTED comes first" \
	compare --at $AT "$TMP/t4.json" "$TMP/t4.json"
expect_failure 2 "an EIF as EVIDENCE" "looks like an EIF (a Nitro enclave image file), not evidence" \
	compare "$TMP/n.json" "$FIXTURES/eif/tiny.eif"
expect_failure 2 "an EIF as EXPECTED" "looks like an EIF (a Nitro enclave image file), not expected values" \
	compare "$FIXTURES/eif/tiny.eif" "$BETA"
expect_failure 2 "an SNP report in hex as EXPECTED" "looks like an SNP attestation report (evidence)" \
	compare "$S/virtee-sev/report_milan.hex" "$TMP/milan.bin"
expect_failure 2 "a policy as EVIDENCE" "looks like an attestation policy, not evidence" \
	compare "$TMP/s2.json" "$S/cocos/attestation_policy_sev-snp.json"

# --- strict manifests through the CLI ----------------------------------------------------------
printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%s","mrtd":"%s"}}' "$MRTD4" "$MRTD4" >"$TMP/dup.json"
expect_failure 2 "a duplicate key" "duplicate key" compare --at $AT "$TMP/dup.json" "$SPR"
printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%s"}}\0{}' "$MRTD4" >"$TMP/nul.json"
expect_failure 2 "a NUL byte" "expected values" compare --at $AT "$TMP/nul.json" "$SPR"
printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%s"}}\n{}' "$MRTD4" >"$TMP/trail.json"
expect_failure 2 "trailing text" "expected values" compare --at $AT "$TMP/trail.json" "$SPR"
manifest "$TMP/plat.json" tdx-v2 mrtd "$MRTD4"
expect_failure 2 "an unknown platform" 'platform "tdx-v2" is unknown' compare --at $AT "$TMP/plat.json" "$SPR"
manifest "$TMP/short.json" tdx mrtd "${MRTD4%??}"
expect_failure 2 "a value of the wrong length, named" "measurements.mrtd is not 48 bytes of hex (96 digits)" compare --at $AT "$TMP/short.json" "$SPR"
manifest "$TMP/key.json" tdx mrtd "$MRTD4" rtmr4 "$MRTD4"
expect_failure 2 "an unknown key, named" "measurements.rtmr4 is not a tdx measurement" compare --at $AT "$TMP/key.json" "$SPR"
manifest "$TMP/up.json" tdx mrtd "0x$(echo $MRTD4 | tr a-f A-F)"
expect_rc 0 "0x and upper case" compare --at $AT "$TMP/up.json" "$SPR"

# --- the exit ranking: the same code whatever the order of the pairs -------------------------------
head -c 1000 "$SPR" >"$TMP/cut.dat"
printf '{"schema":"measure/v1","platform":"docker","measurements":{"config_digest":"%064d"}}\n' 1 >"$TMP/docker.json"
manifest "$TMP/t4bad.json" tdx mrtd "6364${MRTD4#6363}"
set -- \
	"$TMP/t4.json $SPR" \
	"$TMP/t4bad.json $SPR" \
	"$TMP/t4.json $TMP/cut.dat" \
	"$TMP/n.json $BETA" \
	"$TMP/s1.json $S/go-sev-guest/attestation.bin" \
	"$TMP/docker.json $SPR"
PAIRS_0=$1 PAIRS_1=$2 PAIRS_2=$3 PAIRS_3=$4 PAIRS_4=$5 PAIRS_5=$6
ranking() { # want, outcome digits (each the exit code of one pair alone)
	want=$1 set=$2 bad=""
	for order in $(python3 -c "import itertools,sys; print(' '.join(''.join(p) for p in itertools.permutations(sys.argv[1])))" "$set"); do
		args=""
		for d in $(echo "$order" | sed 's/./& /g'); do eval "args=\"\$args \$PAIRS_$d\""; done
		# shellcheck disable=SC2086
		"$MEASURE" compare -q --at $AT $args >/dev/null 2>&1
		got=$?
		[ "$got" -eq "$want" ] || bad="$bad $order:$got"
	done
	if [ -z "$bad" ]; then ok "pairs ending $set alone: exit $want in every order"; else not_ok "pairs $set: exit $want in every order" "$bad"; fi
}
for d in 0 1 2 3 4 5; do eval "p=\$PAIRS_$d"; "$MEASURE" compare -q --at $AT $p >/dev/null 2>&1; r=$?
	if [ "$r" -eq "$d" ]; then ok "ranking pair $d alone: exit $d"; else not_ok "ranking pair $d alone: exit $d" "exit $r"; fi; done
ranking 3 1345
ranking 3 0234
ranking 4 0245
ranking 4 1245
ranking 5 0125
ranking 2 012
ranking 1 0011
"$MEASURE" compare --at $AT $PAIRS_5 $PAIRS_4 $PAIRS_3 $PAIRS_2 $PAIRS_1 $PAIRS_0 >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 3 ]; then ok "all six outcomes: exit 3"; else not_ok "all six outcomes: exit 3" "exit $rc"; fi
expect_out "and each pair reported" "=> MATCH"

# --- many keys and many pairs: no fixed buffer (run under ASan by make check-san) -------------------
{ printf '{"schema":"measure/v1","platform":"aws-nitro","measurements":{'
  for i in $(seq 0 39); do printf '%s"pcr%d":"%s"' "$([ "$i" -gt 0 ] && echo ,)" "$i" "$PCR0"; done; printf '}}'; } >"$TMP/k40.json"
expect_failure 2 "40 keys: pcr32 and above are not Nitro PCRs" "measurements.pcr32 is not a aws-nitro measurement" compare --at evidence "$TMP/k40.json" "$BETA"
{ printf '{"schema":"measure/v1","platform":"aws-nitro","measurements":{'
  for i in $(seq 0 31); do printf '%s"pcr%d":"%s"' "$([ "$i" -gt 0 ] && echo ,)" "$i" "$PCR0"; done; printf '}}'; } >"$TMP/k32.json"
set --
for _ in 1 2 3 4 5 6 7 8; do set -- "$@" "$TMP/k32.json" "$BETA"; done
expect_rc 1 "32 keys x 8 pairs: every PCR but pcr0 differs or is absent" compare --at evidence "$@"
if [ "$(grep -c '=> MISMATCH' "$TMP/out")" -eq 8 ] && [ "$(grep -c 'absent from the evidence' "$TMP/out")" -eq 128 ] &&
	[ "$(grep -c "^         found    $PCR1" "$TMP/out")" -eq 8 ]; then ok "all 8 pairs printed in full"; else
	not_ok "all 8 pairs printed in full" "$(wc -c <"$TMP/out") bytes"; fi
expect_rc 1 "the same as JSON" compare --json --at evidence "$@"
if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['results'])==8 and all(len(r['checks'])>=35 for r in d['results'])" "$TMP/out"; then
	ok "JSON: 8 results, every check"; else not_ok "JSON: 8 results, every check"; fi
# --- review round two: arguments after --, --at twice, '-' twice, a Cocos policy's other rules ------
expect_rc 1 "a differing pair after -- still counts" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/cocos-m2.json" "$TMP/milan.bin" -- "$S/cocos/attestation_policy_sev-snp.json" "$TMP/milan.bin"
expect_failure 2 "--at twice" "--at given twice" compare --at 2023-07-01T00:00:00Z --at evidence "$TMP/t4.json" "$SPR"
expect_failure 2 "'-' twice" "given twice" compare "$TMP/t4.json" - "$TMP/t4.json" - </dev/null
printf '{"policy":{"measurement":"%s","vmpl":3}}\n' "$(echo "$M2" | xxd -r -p | base64 -w0)" >"$TMP/cocos-vmpl.json"
expect_rc 1 "a Cocos policy as EXPECTED: its other rules are judged too" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/cocos-vmpl.json" "$TMP/milan.bin"
expect_out "the VMPL rule is shown" "vmpl"
expect_failure 2 "a Cocos policy as EXPECTED and --policy: one only" "give one" compare --policy "$TMP/p.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/cocos-vmpl.json" "$TMP/milan.bin"
echo "1..$n"
