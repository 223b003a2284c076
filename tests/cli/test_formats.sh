# SPDX-License-Identifier: Apache-2.0
# --format exports on measure eif, snp, tdx and image: each parsed back with python's json and base64
# and checked field by field against the same run's --json manifest (whose values other tests check
# against the vectors), and the EIF's PCRs against ../shared/vectors/nitro/eif/expected-pcrs.json.
. "$(dirname "$0")/lib.sh"
EIF=$FIXTURES/eif/tiny-signed.eif
UNSIGNED=$FIXTURES/eif/tiny.eif
OVMF=$FIXTURES/firmware/OVMF.fd

# check NAME FORMAT MANIFEST EXPORT: python asserts, one TAP line
check() {
	name=$1
	shift
	if python3 - "$@" >"$TMP/py.log" 2>&1 <<'EOF'; then ok "$name"; else not_ok "$name" "$(tail -3 "$TMP/py.log")"; fi
import base64, json, re, sys
fmt, manifest_path, export_path = sys.argv[1:4]
m = json.load(open(manifest_path))
ms = m["measurements"]
text = open(export_path).read()
plat = m["platform"]
if fmt == "rvps":
    d = json.loads(text)
    assert set(d) == {"version", "type", "payload"} and d["version"] == "0.1.0" and d["type"] == "sample"
    prov = json.loads(base64.b64decode(d["payload"], validate=True))
    names = {"sev-snp": {"measurement": "snp_launch_measurement"},
             "tdx": {"mrtd": "mr_td", **{"rtmr%d" % i: "rtmr_%d" % i for i in range(4)}},
             "aws-nitro": {k: "aws_nitro_" + k for k in ms},
             "docker": {k: "docker_" + k for k in ms}}[plat]
    assert prov == {names[k]: [v] for k, v in ms.items()}, prov
elif fmt == "intoto":
    d = json.loads(text)
    assert d["_type"] == "https://in-toto.io/Statement/v1"
    assert d["predicateType"] == "urn:measure:manifest:v1" and d["predicate"] == m
    if m["inputs"]:
        assert d["subject"] == [{"name": i["name"], "digest": {"sha256": i["sha256"]}} for i in m["inputs"]]
    else:
        assert d["subject"] == [{"name": "image", "digest": {"sha256": ms["manifest_digest"]}}]
elif fmt.startswith("env"):
    prefix = fmt[4:] or "EXPECTED_"
    lines = text.splitlines()
    assert lines == ["%s%s=%s" % (prefix, k.upper(), v) for k, v in ms.items()], lines
elif fmt == "kms":
    d = json.loads(text)
    cond = d["Condition"]["StringEqualsIgnoreCase"]
    want = {"kms:RecipientAttestation:PCR%s" % k[3:]: v for k, v in ms.items()}
    assert cond == want and len(d) == 1 and len(d["Condition"]) == 1, cond
elif fmt == "cocos":
    d = json.loads(text)
    if plat == "sev-snp":
        assert d == {"policy": {"measurement": base64.b64encode(bytes.fromhex(ms["measurement"])).decode()}}
    else:
        body = d["policy"]["td_quote_body"]
        assert base64.b64decode(body["mr_td"]).hex() == ms["mrtd"]
        if all("rtmr%d" % i in ms for i in range(4)):
            assert [base64.b64decode(r).hex() for r in body["rtmrs"]] == [ms["rtmr%d" % i] for i in range(4)]
        else:
            assert "rtmrs" not in body
elif fmt == "go-sev-guest":
    found = re.search(r'^policy \{\n  measurement: "((?:\\x[0-9a-f]{2})+)"\n\}$', text, re.M)
    assert found, text
    assert bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-f]{2})", found.group(1))).hex() == ms["measurement"]
EOF
}

# export CMD...: runs measure with --json and with each format given in $FORMATS
exports() {
	label=$1
	shift
	"$MEASURE" "$@" --json >"$TMP/m.json" 2>"$TMP/err" || { not_ok "$label: --json" "$(cat "$TMP/err")"; return; }
	for f in $FORMATS; do
		run "$@" --format "$f"
		if [ "$rc" -ne 0 ]; then not_ok "$label --format $f: exit 0" "exit $rc: $(head -c 300 "$TMP/err")"; continue; fi
		cp "$TMP/out" "$TMP/x"
		check "$label --format $f: parsed back field by field" "$f" "$TMP/m.json" "$TMP/x"
	done
}

FORMATS="rvps intoto env kms" exports "eif (signed)" eif "$EIF"
FORMATS="kms" exports "eif (unsigned, no PCR8)" eif "$UNSIGNED"
run eif "$EIF" --format env --env-prefix EPHEMERALML_EXPECTED_
cp "$TMP/out" "$TMP/x"
"$MEASURE" eif "$EIF" --json >"$TMP/m.json"
check "eif --format env --env-prefix EPHEMERALML_EXPECTED_" env:EPHEMERALML_EXPECTED_ "$TMP/m.json" "$TMP/x"
grep -q '^EPHEMERALML_EXPECTED_PCR0=[0-9a-f]\{96\}$' "$TMP/x" && ok "EPHEMERALML_EXPECTED_PCR0=<96 hex>" || not_ok "EPHEMERALML_EXPECTED_PCR0=<96 hex>"
EXP=$VECTORS/nitro/eif/expected-pcrs.json
if [ -f "$EXP" ]; then
	run eif "$EIF" --format kms
	python3 - "$EXP" "$TMP/out" <<'EOF' && ok "kms: PCR0/1/2/8 are the vectors' for tiny-signed.eif" || not_ok "kms: PCR0/1/2/8 are the vectors' for tiny-signed.eif"
import json, sys
exp = json.load(open(sys.argv[1]))
entry = exp["tiny-signed.eif"]
cond = json.load(open(sys.argv[2]))["Condition"]["StringEqualsIgnoreCase"]
assert cond == {"kms:RecipientAttestation:PCR" + n: entry["PCR" + n].lower() for n in "0128"}, cond
EOF
else
	skip "no $EXP"
fi
expect_failure 5 "eif --format cocos: not for aws-nitro (exit 5)" "cocos" eif "$EIF" --format cocos
expect_failure 5 "eif --format go-sev-guest: not for aws-nitro (exit 5)" "go-sev-guest" eif "$EIF" --format go-sev-guest
expect_failure 2 "unknown format" "unknown format 'yaml'" eif "$EIF" --format yaml
expect_failure 2 "--env-prefix without --format env" "--env-prefix goes with --format env" eif "$EIF" --env-prefix X_
expect_failure 2 "--env-prefix with a space" "is not letters" eif "$EIF" --format env --env-prefix "A B"
run eif "$EIF" --format nitro-cli
expect_out "eif --format nitro-cli still works" '"Measurements"'

FORMATS="rvps intoto env cocos go-sev-guest" exports "snp" snp --ovmf "$OVMF" --vcpus 1 --vcpu-type EPYC-v4
expect_failure 5 "snp --format kms: not for sev-snp (exit 5)" "kms" snp --ovmf "$OVMF" --vcpus 1 --vcpu-type EPYC-v4 --format kms
FORMATS="rvps env cocos" exports "tdx" tdx --firmware "$OVMF"
expect_failure 5 "tdx --format go-sev-guest: not for tdx (exit 5)" "go-sev-guest" tdx --firmware "$OVMF" --format go-sev-guest
expect_failure 2 "tdx --transcript --format rvps refused" "--transcript" tdx --firmware "$OVMF" --transcript --format rvps

python3 tests/ramdisk_oracle.py layered "$TMP/L"
FORMATS="rvps intoto env" exports "image (OCI layout)" image "$TMP/L"
(cd "$TMP/L" && tar -cf "$TMP/L.tar" .)
FORMATS="intoto" exports "image (tar: the tar is the subject)" image "$TMP/L.tar"
expect_failure 5 "image --format kms: not for docker (exit 5)" "kms" image "$TMP/L" --format kms

for verb in eif snp tdx image; do
	run $verb --help
	expect_out "$verb --help lists the shared output options" "--env-prefix P"
done

# ---- --env-prefix is a shell identifier prefix, checked before any input is read (review L6) ----
expect_failure 2 "--env-prefix with a ';' is refused" "is not letters, digits and _" \
	image --format env --env-prefix 'X;touch /tmp/p;' "$TMP/no-such-image"
expect_failure 2 "--env-prefix starting with a digit is refused" "is not letters, digits and _" \
	image --format env --env-prefix 1X "$TMP/no-such-image"

echo "1..$n"
