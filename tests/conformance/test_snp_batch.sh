# SPDX-License-Identifier: Apache-2.0
# Every row of snp/oracle/expected_digests.json (106 runs of virtee/sev-snp-measure 0.0.13) as one
# measure snp --batch: each output line is the oracle's digest, or an error line where the oracle
# failed. The Debian cloud kernel of rows 33-35, 72-74 and 82-97 is not stored: its SHA-256 is read
# from the oracle's own hashes table (hashes_table_debian_vmlinuz.bin, bytes 136-167).
. "$(dirname "$0")/../cli/lib.sh"
O=$VECTORS/snp/oracle
if [ ! -f "$O/expected_digests.json" ]; then
	echo "# SKIP vectors not found at $VECTORS/snp/oracle: --batch conformance not checked"
	echo "not ok 1 # SKIP snp oracle vectors"
	echo "1..1"
	exit 0
fi
mkdir -p "$TMP/inputs"
for f in "$VECTORS"/firmware/*.fd "$O/initrd.img" "$O/tiny_kernel.bin" "$VECTORS"/snp/sev-snp-measure/*.bin; do
	ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$TMP/inputs/"
done
ABS_MEASURE=$(cd "$(dirname "$MEASURE")" && pwd)/$(basename "$MEASURE")
python3 - "$O" "$TMP" <<'PY'
import json, sys
o, tmp = sys.argv[1], sys.argv[2]
ksha = open(o + "/hashes_table_debian_vmlinuz.bin", "rb").read()[136:168].hex()
rows = json.load(open(o + "/expected_digests.json"))
with open(tmp + "/batch", "w") as b, open(tmp + "/want", "w") as w:
    for r in rows:
        line = r["cmd"].split(" ", 1)[1].replace("--kernel=inputs/vmlinuz", "--kernel-sha256=" + ksha)
        b.write(line + "\n")
        w.write("%d %s\n" % (r["id"], "error" if r["result"].startswith("ERROR") else r["result"]))
PY
(cd "$TMP" && "$ABS_MEASURE" snp --batch batch >out 2>err)
rc=$?
[ "$rc" -eq 2 ] && ok "106 oracle rows in one --batch: exit 2 (six rows are the oracle's errors)" || not_ok "batch exit" "exit $rc" "$(head -c 300 "$TMP/err")"
i=0
while read -r id want; do
	i=$((i + 1))
	got=$(sed -n "${i}p" "$TMP/out")
	if [ "$want" = error ]; then
		case $got in "error: "?*) ok "row $id: an error, as the oracle's" ;; *) not_ok "row $id: want an error" "got $got" ;; esac
	else
		[ "$got" = "$want" ] && ok "row $id" || not_ok "row $id" "got  $got" "want $want"
	fi
done <"$TMP/want"
(cd "$TMP" && "$ABS_MEASURE" snp --batch batch --json >json 2>/dev/null)
python3 - "$TMP/json" "$TMP/want" <<'PY' && ok "--json: every manifest's measurement is the oracle's" || not_ok "--json rows"
import base64, json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [l.split() for l in open(sys.argv[2])]
assert len(got) == len(want)
for o, (rid, w) in zip(got, want):
    if w == "error":
        assert "error" in o, rid
        continue
    m = o["measurements"]
    v = m.get("measurement", m.get("ovmf_hash"))
    assert v == w or base64.b64encode(bytes.fromhex(v)).decode() == w, (rid, v, w)
PY
echo "1..$n"
