# SPDX-License-Identifier: Apache-2.0
# measure pin with SEV-SNP evidence, against SQLite and a throwaway PostgreSQL cluster: the expected
# values are recomputed by 'measure snp' from the synthetic firmware in fixtures/snp, and the reports
# in fixtures/pin (tests/make_snp_pin_fixtures.py) carry the launch digests virtee/sev-snp-measure
# gives for the same inputs, signed by a test VCEK under a test ASK and ARK (--root).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pin_lib.sh"

P=$FIXTURES/pin
SN=$FIXTURES/snp
SV="--root $P/snp-chain.pem --vcek $P/snp-vcek.der --at 2026-01-01T00:00:00Z"
CASE3=b1af66a4b390d80eff200a56c6a2cff5e29a2ec0c0722b1891c9524e300dcd24e240c9f7b5b4b6f19a6a8a9e00524fff
CASE4=130e719e0af093476ed2096c291172cf87a3875f06931906d76186f9de0476c48f8f46a73b396428a4a8c8f61902a885

if ! command -v sqlite3 >/dev/null || ! command -v python3 >/dev/null; then
	skip "the sqlite3 client or python3 is not installed: the pin SNP suite needs them"
	echo "1..$n"
	exit 0
fi

# the expected values, recomputed from the artifacts (sev-snp-measure's cases 3 and 4)
"$MEASURE" snp --ovmf "$SN/synth-amdsev.bin" --kernel "$SN/synth-kernel.bin" --vcpus 2 --vcpu-type EPYC-Milan \
	--json >"$TMP/a.json"
"$MEASURE" snp --ovmf "$SN/synth-amdsev.bin" --kernel "$SN/synth-kernel.bin" --initrd "$SN/synth-initrd.bin" \
	--append "console=ttyS0 root=/dev/vda" --vcpus 4 --vcpu-type EPYC-Genoa --json >"$TMP/b.json"
for m in a:$CASE3 b:$CASE4; do
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["measurements"]["measurement"])' "$TMP/${m%%:*}.json")
	if [ "$got" = "${m#*:}" ]; then ok "manifest ${m%%:*}: measure snp gives sev-snp-measure's digest"
	else not_ok "manifest ${m%%:*}: measure snp gives sev-snp-measure's digest" "got $got"; fi
done
cp "$P/snp-a.bin" "$TMP/snp-badsig.bin"
printf '\377' | dd of="$TMP/snp-badsig.bin" bs=1 seek=$((0x2a0)) conv=notrunc status=none

suite() {
	S=$STORE
	B=$BACKEND
	expect_rc 0 "$B: add pins the SNP report that matches the recomputed digest" pin add vm --store "$S" \
		--expected "$TMP/a.json" --evidence "$P/snp-a.bin" $SV
	expect_out "$B: add names the platform" "pinned vm: sev-snp pinned at entry 0"
	expect_out "$B: add shows the measurement" "measurement  $CASE3"
	expect_rc 4 "$B: add without the VCEK: exit 4 (collateral not offline), nothing pinned" pin add vm2 --store "$S" \
		--expected "$TMP/a.json" --evidence "$P/snp-a.bin" --root "$P/snp-chain.pem" --at 2026-01-01T00:00:00Z
	run pin add vm2 --store "$S" --expected "$TMP/a.json" --evidence "$P/snp-b.bin" $SV
	if [ "$rc" = 1 ] && grep -q "does not match" "$TMP/err"; then ok "$B: add of a report of another image: refused, exit 1"
	else not_ok "$B: add of a report of another image: refused, exit 1" "rc $rc" "$(cat "$TMP/err")"; fi
	expect_sql "refused adds pinned nothing" "1" "SELECT count(*) FROM entries"
	expect_rc 0 "$B: check of the same report: verified" pin check vm --store "$S" --evidence "$P/snp-a.bin" $SV
	expect_rc 1 "$B: check of a genuine report of another image: drift" pin check vm --store "$S" --evidence "$P/snp-b.bin" $SV
	expect_out "$B: drift shows the measurement" "FAIL measurement"
	expect_out "$B: drift shows the pinned value" "pinned   $CASE3"
	expect_out "$B: drift shows the found value" "found    $CASE4"
	expect_sql "the deployment is drifted" "drifted" "SELECT state FROM deployments WHERE name = 'vm'"
	expect_rc 3 "$B: check of a report whose signature fails: rejected, exit 3" pin check vm --store "$S" \
		--evidence "$TMP/snp-badsig.bin" $SV
	expect_out "$B: and it is REJECTED" "REJECTED vm"
	expect_rc 1 "$B: check of a DEBUG report: rejected, exit 1" pin check vm --store "$S" --evidence "$P/snp-debug.bin" $SV
	expect_out "$B: the DEBUG report is REJECTED, not drift" "REJECTED vm"
	expect_rc 1 "$B: update whose report does not match the new manifest: refused" pin update vm --store "$S" \
		--expected "$TMP/b.json" --evidence "$P/snp-a.bin" $SV --reason "image b"
	expect_rc 0 "$B: update to image b" pin update vm --store "$S" --expected "$TMP/b.json" --evidence "$P/snp-b.bin" \
		$SV --reason "image b"
	expect_rc 0 "$B: check of image b: verified" pin check vm --store "$S" --evidence "$P/snp-b.bin" $SV
	expect_rc 1 "$B: the old image is drift now" pin check vm --store "$S" --evidence "$P/snp-a.bin" $SV
	got=$(sql "SELECT kind FROM entries ORDER BY seq" | tr '\n' ' ')
	if [ "$got" = "add verified drift rejected rejected update verified drift " ]; then ok "$B: the entries, in order"
	else not_ok "$B: the entries, in order" "$got"; fi
	expect_rc 0 "$B: show" pin show vm --store "$S" --json
	if python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["platform"]=="sev-snp" and d["state"]=="drifted", d["state"]
assert d["checks"]=={"verified":2,"mismatched":2,"rejected":2}, d["checks"]
assert d["pinned"]["measurement"]["value"]==sys.argv[2] and d["pinned"]["measurement"]["since_seq"]==5' \
		"$TMP/out" "$CASE4" 2>"$TMP/py"; then ok "$B: show --json: platform, state, counts, the pin since the update"
	else not_ok "$B: show --json: platform, state, counts, the pin since the update" "$(cat "$TMP/py")"; fi
	expect_rc 0 "$B: export env" pin export vm --store "$S" --format env
	expect_out "$B: export the pinned SNP measurement" "EPHEMERALML_EXPECTED_MEASUREMENT=$CASE4"
	# the evidence SHA-256 recorded in the add entry is the report's, by sha256sum
	got=$(sql "SELECT entry FROM entries WHERE seq = 0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["evidence_sha256"])')
	if [ "$got" = "$(sha256sum <"$P/snp-a.bin" | cut -c1-64)" ]; then ok "$B: the add records the report's SHA-256"
	else not_ok "$B: the add records the report's SHA-256" "$got"; fi
	expect_rc 0 "$B: log verify" pin log verify --store "$S"
	want=$(oracle_of sql)
	got="size $(sql "SELECT count(*) FROM entries") root $(checkpoint_root "$S")"
	if [ "$want" = "$got" ]; then ok "$B: root equals the RFC 9162 oracle's ($want)"
	else not_ok "$B: root equals the RFC 9162 oracle's" "oracle: $want" "measure: $got"; fi
}

use_sqlite
suite
if pg_start; then
	use_pg
	suite
else
	if [ "${MEASURE_REQUIRE_PG:-0}" = 1 ]; then
		not_ok "PostgreSQL (initdb, pg_ctl, psql) is required here (MEASURE_REQUIRE_PG=1) but could not be started"
	else
		skip "PostgreSQL is not installed (Debian: apt-get install postgresql): the PostgreSQL suite is skipped"
	fi
fi
echo "1..$n"
