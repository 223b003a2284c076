# SPDX-License-Identifier: Apache-2.0
# cosign signatures checked offline (key-pair mode): signatures made here with the openssl CLI over a
# simple-signing payload written by python; the .sig artifact added to an OCI layout as cosign stores it.
. "$(dirname "$0")/lib.sh"

python3 tests/ramdisk_oracle.py layered "$TMP/L"
HEX=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"][7:])' "$TMP/L/index.json")

openssl ecparam -genkey -name prime256v1 -noout -out "$TMP/key.pem" 2>/dev/null
openssl ec -in "$TMP/key.pem" -pubout -out "$TMP/pub.pem" 2>/dev/null
openssl ecparam -genkey -name prime256v1 -noout -out "$TMP/other.pem" 2>/dev/null
openssl ec -in "$TMP/other.pem" -pubout -out "$TMP/other-pub.pem" 2>/dev/null
openssl ecparam -genkey -name secp384r1 -noout -out "$TMP/p384.pem" 2>/dev/null
openssl ec -in "$TMP/p384.pem" -pubout -out "$TMP/p384-pub.pem" 2>/dev/null

# payload HEX FILE: a simple-signing payload naming sha256:HEX
payload() {
	python3 - "$1" >"$2" <<'EOF'
import json, sys
print(json.dumps({"critical": {"identity": {"docker-reference": "registry.example/app"},
                               "image": {"docker-manifest-digest": "sha256:" + sys.argv[1]},
                               "type": "cosign container image signature"},
                  "optional": {"creator": "tests"}}, separators=(",", ":")), end="")
EOF
}
# sign KEY PAYLOAD OUT.b64
sign() { openssl dgst -sha256 -sign "$1" "$2" | base64 -w0 >"$3"; }

payload "$HEX" "$TMP/payload.json"
sign "$TMP/key.pem" "$TMP/payload.json" "$TMP/sig.b64"
payload "$(printf other | sha256sum | cut -d' ' -f1)" "$TMP/payload-other.json"
sign "$TMP/key.pem" "$TMP/payload-other.json" "$TMP/sig-other.b64"
sign "$TMP/p384.pem" "$TMP/payload.json" "$TMP/sig-p384.b64"
cp "$TMP/payload.json" "$TMP/payload-tampered.json"
sed -i 's/registry.example/registry.exampla/' "$TMP/payload-tampered.json"

# add_sig LAYOUT PAYLOAD SIG.b64: the .sig artifact as cosign stores it in an OCI layout
add_sig() {
	python3 - "$1" "$2" "$3" "$HEX" <<'EOF'
import hashlib, json, os, sys
root, payload, sig, hexd = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3]).read(), sys.argv[4]
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(root, "blobs", "sha256", d), "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
config = put(b'{"architecture":"","config":{},"os":"","rootfs":{"type":"layers","diff_ids":[]}}')
layer = put(payload)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config),
    "layers": [dict(mediaType="application/vnd.dev.cosign.simplesigning.v1+json",
                    annotations={"dev.cosignproject.cosign/signature": sig}, **layer)]}).encode()
m = put(manifest)
index = json.load(open(os.path.join(root, "index.json")))
index["manifests"] = [e for e in index["manifests"] if "annotations" not in e]
index["manifests"].append(dict(mediaType="application/vnd.oci.image.manifest.v1+json",
    annotations={"org.opencontainers.image.ref.name": "sha256-%s.sig" % hexd}, **m))
json.dump(index, open(os.path.join(root, "index.json"), "w"))
EOF
}

expect_rc 0 "image --help names --cosign-key" image --help
expect_out "image --help names --cosign-key" "--cosign-key"

# ---- signature and payload as files ----
expect_rc 0 "image --cosign-key: an openssl-made signature verifies" image "$TMP/L" --cosign-key "$TMP/pub.pem" \
	--cosign-signature "$TMP/sig.b64" --cosign-payload "$TMP/payload.json"
expect_out "image --cosign-key: says it verified" "cosign     signature verified"
expect_failure 3 "image --cosign-key: a tampered payload is exit 3" "does not verify" image "$TMP/L" \
	--cosign-key "$TMP/pub.pem" --cosign-signature "$TMP/sig.b64" --cosign-payload "$TMP/payload-tampered.json"
expect_failure 3 "image --cosign-key: another key is exit 3" "does not verify" image "$TMP/L" \
	--cosign-key "$TMP/other-pub.pem" --cosign-signature "$TMP/sig.b64" --cosign-payload "$TMP/payload.json"
expect_failure 1 "image --cosign-key: a signature of another manifest is exit 1" "names manifest" image "$TMP/L" \
	--cosign-key "$TMP/pub.pem" --cosign-signature "$TMP/sig-other.b64" --cosign-payload "$TMP/payload-other.json"
expect_failure 5 "image --cosign-key: a P-384 key is exit 5" "P-256" image "$TMP/L" \
	--cosign-key "$TMP/p384-pub.pem" --cosign-signature "$TMP/sig-p384.b64" --cosign-payload "$TMP/payload.json"
expect_failure 2 "image --cosign-signature without --cosign-payload" "go together" image "$TMP/L" \
	--cosign-key "$TMP/pub.pem" --cosign-signature "$TMP/sig.b64"

# ---- the .sig artifact in the layout ----
expect_failure 2 "image --cosign-key: no .sig in the layout" "no cosign signature" image "$TMP/L" --cosign-key "$TMP/pub.pem"
add_sig "$TMP/L" "$TMP/payload.json" "$TMP/sig.b64"
expect_rc 0 "image --cosign-key: the layout's sha256-HEX.sig verifies" image "$TMP/L" --cosign-key "$TMP/pub.pem"
cp -a "$TMP/L" "$TMP/Lbad"
add_sig "$TMP/Lbad" "$TMP/payload.json" "$TMP/sig-other.b64"
expect_failure 3 "image --cosign-key: a .sig whose signature is for another payload is exit 3" "does not verify" \
	image "$TMP/Lbad" --cosign-key "$TMP/pub.pem"

# ---- several signature layers: cosign's rule, any one that verifies (review L4) ----
# add_sigs LAYOUT PAYLOAD:SIG.b64 ...: one .sig manifest with a simple-signing layer per pair, in order;
# SIG "-" is a layer without the annotation; PAYLOAD prefixed "UP=" names its blob with upper-case hex
add_sigs() {
	python3 - "$HEX" "$@" <<'EOF'
import hashlib, json, os, sys
hexd, root, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(root, "blobs", "sha256", d), "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
layers = []
for p in pairs:
    payload, sig = p.rsplit(":", 1)
    upper = payload.startswith("UP=")
    desc = put(open(payload[3:] if upper else payload, "rb").read())
    if upper:
        desc["digest"] = "sha256:" + desc["digest"][7:].upper()
    ann = {} if sig == "-" else {"annotations": {"dev.cosignproject.cosign/signature": open(sig).read()}}
    layers.append(dict(mediaType="application/vnd.dev.cosign.simplesigning.v1+json", **ann, **desc))
config = put(b'{"architecture":"","config":{},"os":"","rootfs":{"type":"layers","diff_ids":[]}}')
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config), "layers": layers}).encode()
m = put(manifest)
index = json.load(open(os.path.join(root, "index.json")))
index["manifests"] = [e for e in index["manifests"] if "annotations" not in e]
index["manifests"].append(dict(mediaType="application/vnd.oci.image.manifest.v1+json",
    annotations={"org.opencontainers.image.ref.name": "sha256-%s.sig" % hexd}, **m))
json.dump(index, open(os.path.join(root, "index.json"), "w"))
EOF
}
P=$TMP/payload.json
cp -a "$TMP/L" "$TMP/Lm"
add_sigs "$TMP/Lm" "$P:$TMP/sig-other.b64" "$P:$TMP/sig.b64"
expect_rc 0 "a tampered signature layer before a good one: verifies" image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
expect_out "it names the layer that verified" "cosign     signature 2 of 2 verified"
add_sigs "$TMP/Lm" "$P:$TMP/sig.b64" "$P:$TMP/sig-other.b64"
expect_rc 0 "a good signature layer before a tampered one: verifies" image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
expect_out "it names the first layer" "cosign     signature 1 of 2 verified"
add_sigs "$TMP/Lm" "$TMP/payload-other.json:$TMP/sig-other.b64" "$P:$TMP/sig.b64"
expect_rc 0 "a valid signature of another manifest does not mask this one's" image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
expect_out "the second layer verified" "cosign     signature 2 of 2 verified"
add_sigs "$TMP/Lm" "$P:-" "UP=$P:$TMP/sig.b64" "$P:$TMP/sig.b64"
expect_rc 0 "layers that cannot be loaded (no annotation, upper-case digest) do not mask a good one" \
	image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
expect_out "the third layer verified" "cosign     signature 3 of 3 verified"
add_sigs "$TMP/Lm" "$P:$TMP/sig-other.b64" "$TMP/payload-tampered.json:$TMP/sig.b64"
expect_failure 3 "every signature layer bad: exit 3" "none of 2" image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
add_sigs "$TMP/Lm" "$P:$TMP/sig-other.b64" "$TMP/payload-other.json:$TMP/sig-other.b64"
expect_failure 1 "bad ones and one that verifies for another manifest: exit 1" "signature 2 of 2 verifies but names manifest" \
	image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
add_sigs "$TMP/Lm" "UP=$P:$TMP/sig.b64"
expect_failure 2 "a payload blob named with upper-case hex: exit 2 (not an OCI digest)" "lowercase hex" \
	image "$TMP/Lm" --cosign-key "$TMP/pub.pem"
n65=""; for i in $(seq 65); do n65="$n65 $P:$TMP/sig.b64"; done
add_sigs "$TMP/Lm" $n65
expect_failure 2 "more than 64 signature layers are refused" "more than 64 signature layers" \
	image "$TMP/Lm" --cosign-key "$TMP/pub.pem"

# ---- digests in the payload: OCI's sha256:<64 lowercase hex> only ----
UPHEX=$(printf %s "$HEX" | tr a-f A-F)
payload "$UPHEX" "$TMP/payload-upper.json"
sign "$TMP/key.pem" "$TMP/payload-upper.json" "$TMP/sig-upper.b64"
expect_failure 2 "a signed payload naming the manifest in upper-case hex: exit 2" "lowercase hex" image "$TMP/L" \
	--cosign-key "$TMP/pub.pem" --cosign-signature "$TMP/sig-upper.b64" --cosign-payload "$TMP/payload-upper.json"

# ---- compare: a cosign bundle as evidence for a docker manifest ----
run image "$TMP/L" --json
cp "$TMP/out" "$TMP/m.json"
# bundle PAYLOAD SIG OUT: what `cosign download signature` prints
bundle() {
	python3 -c 'import base64,json,sys; print(json.dumps({"Base64Signature": open(sys.argv[2]).read(),
		"Payload": base64.b64encode(open(sys.argv[1],"rb").read()).decode(), "Cert": None, "Chain": None,
		"Bundle": None, "RFC3161Timestamp": None}))' "$1" "$2" >"$3"
}
bundle "$TMP/payload.json" "$TMP/sig.b64" "$TMP/b.json"
bundle "$TMP/payload-tampered.json" "$TMP/sig.b64" "$TMP/b-tampered.json"
bundle "$TMP/payload-other.json" "$TMP/sig-other.b64" "$TMP/b-other.json"
expect_rc 0 "compare --cosign-bundle: match" compare "$TMP/m.json" --cosign-bundle "$TMP/b.json" --cosign-key "$TMP/pub.pem"
expect_out "compare --cosign-bundle: says signed" "signed, cosign key verified"
expect_failure 3 "compare --cosign-bundle: tampered payload is exit 3" "does not verify" \
	compare "$TMP/m.json" --cosign-bundle "$TMP/b-tampered.json" --cosign-key "$TMP/pub.pem"
expect_rc 1 "compare --cosign-bundle: a signature of another manifest is exit 1" \
	compare "$TMP/m.json" --cosign-bundle "$TMP/b-other.json" --cosign-key "$TMP/pub.pem"
expect_rc 0 "compare --cosign-signature/--cosign-payload: match" compare "$TMP/m.json" --cosign-key "$TMP/pub.pem" \
	--cosign-signature "$TMP/sig.b64" --cosign-payload "$TMP/payload.json"
printf '{"Base64Signature":"x","Payload":"eA==","Payload":"eA=="}' >"$TMP/b-dup.json"
expect_failure 2 "compare --cosign-bundle: duplicate keys refused" "cosign bundle" \
	compare "$TMP/m.json" --cosign-bundle "$TMP/b-dup.json" --cosign-key "$TMP/pub.pem"
printf '{"Base64Signature":"x","Payload":"eA==","Extra":1}' >"$TMP/b-extra.json"
expect_failure 2 "compare --cosign-bundle: unknown keys refused" "unknown key" \
	compare "$TMP/m.json" --cosign-bundle "$TMP/b-extra.json" --cosign-key "$TMP/pub.pem"
expect_failure 2 "compare --cosign-bundle without --cosign-key" "--cosign-key" compare "$TMP/m.json" --cosign-bundle "$TMP/b.json"

# ---- compare --json: the receipt shape of every compare ----
# shape FILE VERDICT EXIT TYPE VERIFIED: checked field by field with python's json
shape() {
	python3 - "$@" <<'EOF'
import hashlib, json, sys
path, verdict, code, typ, verified = sys.argv[1:6]
d = json.load(open(path))
assert set(d) == {"verdict", "exit_code", "results", "receipt"}, sorted(d)
assert d["verdict"] == verdict and d["exit_code"] == int(code), (d["verdict"], d["exit_code"])
r = d["results"][0]
assert r["type"] == typ and r["verified"] is (verified == "true") and r["matched"] is (code == "0")
for k in ("expected", "evidence", "checks"):
    assert k in r, k
c = r["checks"][0]
assert set(c) >= {"what", "expected", "found", "pass", "state"} and c["pass"] is (code == "0")
assert set(d["receipt"]) == {"mode", "verdict", "compared_at", "evidence_sha256"}
assert d["receipt"]["mode"] == "offline" and len(d["receipt"]["evidence_sha256"]) == 1
if verified == "true":
    assert r["receipt"]["platform"] == "docker" and r["receipt"]["evidence_sha256"] == d["receipt"]["evidence_sha256"][0]
EOF
}
DIGEST=sha256:$HEX
run compare "$TMP/m.json" --image-digest "$DIGEST" --json
shape "$TMP/out" match 0 image-digest false && ok "compare --image-digest --json: the receipt shape" ||
	not_ok "compare --image-digest --json: the receipt shape" "$(head -c 600 "$TMP/out")"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"]["evidence_sha256"][0])' "$TMP/out")" = \
	"$(printf %s "$DIGEST" | sha256sum | cut -d' ' -f1)" ] && ok "compare --image-digest --json: evidence_sha256 is the digest text's" ||
	not_ok "compare --image-digest --json: evidence_sha256 is the digest text's"
run compare "$TMP/m.json" --image-digest "sha256:$(printf x | sha256sum | cut -d' ' -f1)" --json
shape "$TMP/out" mismatch 1 image-digest false && ok "compare --image-digest --json: a mismatch in the same shape" ||
	not_ok "compare --image-digest --json: a mismatch in the same shape" "$(head -c 600 "$TMP/out")"
run compare "$TMP/m.json" --cosign-bundle "$TMP/b.json" --cosign-key "$TMP/pub.pem" --json
shape "$TMP/out" match 0 cosign true && ok "compare --cosign-bundle --json: the receipt shape, verified" ||
	not_ok "compare --cosign-bundle --json: the receipt shape, verified" "$(head -c 600 "$TMP/out")"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["receipt"]["evidence_sha256"][0])' "$TMP/out")" = \
	"$(sha256sum "$TMP/b.json" | cut -d' ' -f1)" ] && ok "compare --cosign-bundle --json: evidence_sha256 is the bundle file's" ||
	not_ok "compare --cosign-bundle --json: evidence_sha256 is the bundle file's"
run compare "$TMP/m.json" --cosign-bundle "$TMP/b-other.json" --cosign-key "$TMP/pub.pem" --json
shape "$TMP/out" mismatch 1 cosign true && ok "compare --cosign-bundle --json: another manifest, same shape" ||
	not_ok "compare --cosign-bundle --json: another manifest, same shape" "$(head -c 600 "$TMP/out")"

echo "1..$n"
