# SPDX-License-Identifier: Apache-2.0
# --format cocos and go-sev-guest against the real dstack SNP report in ../shared/vectors/real:
# the policy measure writes is read back by measure compare --policy and verified on the real evidence.
. "$(dirname "$0")/../cli/lib.sh"
R=$VECTORS/real/snp
if [ ! -f "$R/dstack-0.6.0a2-snp-measurement-inputs.json" ]; then
	echo "not ok 1 # SKIP real vectors not found at $VECTORS/real"
	echo "1..1"
	exit 0
fi
SJ=$R/dstack-0.6.0a2-snp-measurement-inputs.json
REPORT=$R/dstack-0.6.0a2-snp-report.bin
VCEK=$R/dstack-0.6.0a2-vcek-ask.pem
AT=2026-09-01T00:00:00Z
MEAS=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read()[0x90:0xc0].hex())" "$REPORT")

run snp --published "$SJ" --format cocos
cp "$TMP/out" "$TMP/policy.json"
python3 -c 'import base64,json,sys; d=json.load(open(sys.argv[1])); assert base64.b64decode(d["policy"]["measurement"]).hex()==sys.argv[2]' \
	"$TMP/policy.json" "$MEAS" && ok "--format cocos: policy.measurement is the report's MEASUREMENT (base64)" ||
	not_ok "--format cocos: policy.measurement is the report's MEASUREMENT (base64)"
expect_rc 0 "compare --policy reads back --format cocos and matches the real report" \
	compare --at $AT --vcek "$VCEK" --policy "$TMP/policy.json" "$REPORT"
expect_out "the measurement rule was applied" "ok   measurement"
CMD=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cmdline'])" "$SJ")
run snp --published "$SJ" --append "${CMD%?}x" --format cocos
cp "$TMP/out" "$TMP/policy-bad.json"
expect_rc 1 "a policy from a cmdline changed by one byte does not match" \
	compare --at $AT --vcek "$VCEK" --policy "$TMP/policy-bad.json" "$REPORT"
run snp --published "$SJ" --format go-sev-guest
python3 - "$TMP/out" "$MEAS" <<'EOF2' && ok "--format go-sev-guest: the textproto measurement is the report's" || not_ok "--format go-sev-guest: the textproto measurement is the report's"
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r'measurement: "((?:\\x[0-9a-f]{2})+)"', text)
assert bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-f]{2})", m.group(1))).hex() == sys.argv[2]
EOF2
run snp --published "$SJ" --format rvps
python3 - "$TMP/out" "$MEAS" <<'EOF2' && ok "--format rvps: snp_launch_measurement is the report's" || not_ok "--format rvps: snp_launch_measurement is the report's"
import base64, json, sys
d = json.load(open(sys.argv[1]))
assert json.loads(base64.b64decode(d["payload"])) == {"snp_launch_measurement": [sys.argv[2]]}
EOF2
echo "1..$n"
