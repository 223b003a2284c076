# SPDX-License-Identifier: Apache-2.0
# measure image: OCI layouts and docker-archives made by umoci and skopeo (Debian packages) and by
# tests/image_fixtures.py; the expected digests come from those tools and from python's hashlib.
. "$(dirname "$0")/lib.sh"
FIX="python3 tests/image_fixtures.py"

expect_rc 0 "measure image --help" image --help
expect_out "image --help names --platform" "--platform"
expect_failure 2 "image without an argument" "no image given" image
expect_failure 2 "bad --platform" "is not OS/ARCH" image --platform amd64 /nonexistent
expect_failure 2 "missing image file" "/nonexistent" image /nonexistent

# json_field FILE EXPR: a value out of a JSON file, read by python
json_field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# ---- umoci + skopeo ----
if command -v umoci >/dev/null && command -v skopeo >/dev/null; then
	U=$TMP/umoci
	mkdir -p "$U" && (
		cd "$U" && umoci init --layout oci && umoci new --image oci:app &&
		umoci unpack --rootless --image oci:app b >/dev/null &&
		mkdir -p b/rootfs/etc && echo one >b/rootfs/etc/one && umoci repack --image oci:app b &&
		rm -rf b && umoci unpack --rootless --image oci:app b >/dev/null &&
		echo two >b/rootfs/etc/two && rm b/rootfs/etc/one && umoci repack --image oci:app b &&
		umoci config --image oci:app --config.cmd /bin/app --config.env A=1
	) >"$TMP/umoci.log" 2>&1 || echo "# umoci failed: $(tail -3 "$TMP/umoci.log")"
	skopeo copy -q oci:"$U/oci":app oci-archive:"$U/app-oci.tar":app >/dev/null 2>&1
	skopeo copy -q oci:"$U/oci":app docker-archive:"$U/app-docker.tar":app:latest >/dev/null 2>&1
	DIGEST=$(skopeo inspect --format '{{.Digest}}' oci:"$U/oci":app)
	skopeo inspect --raw oci:"$U/oci":app >"$TMP/raw.json"
	skopeo inspect --config oci:"$U/oci":app >"$TMP/config.json"
	CONFIG=$(json_field "$TMP/raw.json" 'd["config"]["digest"]')
	DIFF0=$(json_field "$TMP/config.json" 'd["rootfs"]["diff_ids"][0]')
	DIFF1=$(json_field "$TMP/config.json" 'd["rootfs"]["diff_ids"][1]')
	LAYER1=$(json_field "$TMP/raw.json" 'd["layers"][1]["digest"]')
	# the docker-archive's config as skopeo reports it (docker-archive has its own manifest)
	DCONFIG=$(skopeo inspect --raw docker-archive:"$U/app-docker.tar" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')
	TARSHA=$(sha256sum "$U/app-oci.tar" | cut -d' ' -f1)

	for form in "$U/oci" "$U/app-oci.tar"; do
		run image "$form"
		if [ "$rc" -eq 0 ]; then ok "umoci image ($(basename "$form")) reads"; else not_ok "umoci image reads" "$(cat "$TMP/err")"; fi
		expect_out "manifest digest is skopeo's ($(basename "$form"))" "manifest   $DIGEST"
		expect_out "config digest is skopeo's ($(basename "$form"))" "config     $CONFIG"
		expect_out "diff_id 0 is umoci's ($(basename "$form"))" "diff_id  $DIFF0"
		expect_out "diff_id 1 is umoci's ($(basename "$form"))" "diff_id  $DIFF1"
		expect_out "layer 1 digest ($(basename "$form"))" "$LAYER1"
		expect_out "platform ($(basename "$form"))" "platform   linux/amd64"
	done
	gzip -c "$U/app-oci.tar" >"$TMP/app-oci.tar.gz"
	run image "$TMP/app-oci.tar.gz"
	expect_out "a gzip-compressed OCI tar" "manifest   $DIGEST"
	run image - <"$U/app-oci.tar"
	expect_out "OCI tar from stdin" "manifest   $DIGEST"
	expect_out "the file's sha256 is sha256sum's" "sha256:$TARSHA"

	run image "$U/app-docker.tar"
	expect_out "docker-archive: config digest is skopeo's" "config     $DCONFIG"
	expect_out "docker-archive: diff_id 1" "diff_id  $DIFF1"
	expect_out "docker-archive: no registry manifest" "manifest   none"

	run image --json "$U/app-oci.tar"
	cp "$TMP/out" "$TMP/m.json"
	if [ "$(json_field "$TMP/m.json" 'd["platform"]+" "+d["algorithm"]+" "+d["schema"]')" = "docker sha256 measure/v1" ] &&
		[ "sha256:$(json_field "$TMP/m.json" 'd["measurements"]["manifest_digest"]')" = "$DIGEST" ] &&
		[ "sha256:$(json_field "$TMP/m.json" 'd["measurements"]["config_digest"]')" = "$CONFIG" ] &&
		[ "$(json_field "$TMP/m.json" 'd["parameters"]["platform"]')" = "linux/amd64" ] &&
		[ "$(json_field "$TMP/m.json" 'd["inputs"][0]["sha256"]')" = "$TARSHA" ]; then
		ok "--json: a docker manifest with skopeo's digests"
	else not_ok "--json: a docker manifest with skopeo's digests" "$(cat "$TMP/m.json")"; fi
	run image --json "$U/oci"
	cmp -s "$TMP/out" "$TMP/m.json" && not_ok "directory manifest has no input file" || ok "directory manifest has no input file"
	run image --json --region ams "$U/oci"
	cp "$TMP/out" "$TMP/fly.json"
	if [ "$(json_field "$TMP/fly.json" 'd["platform"]+" "+d["parameters"]["region"]')" = "fly ams" ]; then
		ok "--region: a fly manifest recording the region"
	else not_ok "--region: a fly manifest recording the region" "$(cat "$TMP/fly.json")"; fi
	run image --json "$U/oci"
	cp "$TMP/out" "$TMP/a.json"
	run image --json "$U/oci"
	cmp -s "$TMP/out" "$TMP/a.json" && ok "--json is reproducible" || not_ok "--json is reproducible"
	expect_rc 0 "-q" image -q "$U/oci"
	[ ! -s "$TMP/out" ] && ok "-q prints nothing" || not_ok "-q prints nothing"

	# compare: the manifest against the digest a registry or platform reports
	expect_rc 0 "compare --image-digest: manifest digest matches" compare "$TMP/m.json" --image-digest "$DIGEST"
	expect_rc 0 "compare --image-digest: config digest (image ID) matches" compare "$TMP/m.json" --image-digest "$CONFIG"
	expect_rc 1 "compare --image-digest: another digest is a mismatch" compare "$TMP/m.json" --image-digest "sha256:$(printf x | sha256sum | cut -d' ' -f1)"
	expect_rc 0 "compare --image-digest: a fly manifest" compare "$TMP/fly.json" --image-digest "$DIGEST"
	expect_failure 2 "compare --image-digest: not a digest" "sha256:" compare "$TMP/m.json" --image-digest sha256:12
	expect_failure 2 "compare --image-digest: sha512 is refused" "sha256:" compare "$TMP/m.json" --image-digest "sha512:$(printf x | sha512sum | cut -d' ' -f1)"

	# truncated tar
	head -c 3000 "$U/app-oci.tar" >"$TMP/trunc.tar"
	expect_failure 2 "truncated OCI tar is exit 2" "trunc.tar" image "$TMP/trunc.tar"
else
	skip "umoci or skopeo not installed (apt-get install umoci skopeo)"
fi

# ---- multi-platform index, by hand ----
M=$TMP/multi
$FIX multi "$M" >"$TMP/multi.json"
AMD=$(json_field "$TMP/multi.json" 'd["amd64"]["manifest"]')
ARM=$(json_field "$TMP/multi.json" 'd["arm64"]["manifest"]')
ARMCFG=$(json_field "$TMP/multi.json" 'd["arm64"]["config"]')
ARMDIFF=$(json_field "$TMP/multi.json" 'd["arm64"]["diff_ids"][0]')
expect_failure 2 "index with two platforms: ambiguous" "linux/amd64, linux/arm64/v8" image "$M"
run image --platform linux/arm64 "$M"
expect_out "--platform linux/arm64: its manifest" "manifest   sha256:$ARM"
expect_out "--platform linux/arm64: its config" "config     sha256:$ARMCFG"
expect_out "--platform linux/arm64: its diff_id" "diff_id  sha256:$ARMDIFF"
run image --platform linux/amd64 "$M"
expect_out "--platform linux/amd64: its manifest" "manifest   sha256:$AMD"
run image --platform linux/arm64/v8 "$M"
expect_out "--platform linux/arm64/v8" "manifest   sha256:$ARM"
expect_failure 2 "--platform with no match lists the platforms" "linux/amd64, linux/arm64/v8" image --platform linux/s390x "$M"
$FIX evil none "$M" "$TMP/multi.tar"
run image --platform linux/arm64 "$TMP/multi.tar"
expect_out "multi-platform tar" "manifest   sha256:$ARM"

# ---- bad layouts: exit 2 (5 for what is well-formed but unsupported) ----
for case in "dupkey-index 2 duplicate key" "dupkey-config 2 duplicate key" "trailing-index 2 index.json" \
	"wrong-type 2 size" "wrong-digest 2 not the digest its descriptor names" "wrong-size 2 descriptor says" \
	"missing-blob 2 is missing" "diffid-mismatch 2 diff_ids[0]" "many-layers 2 more than 1000" \
	"deep-index 2 nest more than" "no-platform-match 2 the index says platform" \
	"sha512 5 sha256" "zstd 5 zstd"; do
	set -- $case
	kind=$1 want=$2
	shift 2
	rm -rf "$TMP/bad"
	$FIX bad "$kind" "$TMP/bad"
	expect_failure "$want" "bad layout: $kind" "$*" image "$TMP/bad"
	$FIX evil none "$TMP/bad" "$TMP/bad.tar"
	expect_failure "$want" "bad layout in a tar: $kind" "$*" image "$TMP/bad.tar"
done

# ---- hostile tar entries: exit 2, nothing written ----
rm -rf "$TMP/good"
$FIX bad no-platform-match "$TMP/good" # any small layout; the entry is refused before it is read
for case in "dotdot contains" "absolute absolute" "symlink-escape outside the archive" \
	"hardlink-missing not in the archive" "duplicate appears twice" "fifo neither a file" "longname longer than"; do
	set -- $case
	kind=$1
	shift
	$FIX evil "$kind" "$TMP/good" "$TMP/evil.tar"
	expect_failure 2 "hostile tar: $kind" "$*" image "$TMP/evil.tar"
done
[ ! -e "$TMP/escape" ] && [ ! -e /etc/escape ] && ok "nothing written outside" || not_ok "nothing written outside"
printf 'not a tar at all, just text\n' >"$TMP/junk"
expect_failure 2 "not a tar" "tar" image "$TMP/junk"
: >"$TMP/empty"
expect_failure 2 "empty file" "tar" image "$TMP/empty"

# ---- nested index fan-out (review M1): each index is read once, descriptors are capped ----
FAN=$($FIX fanout "$TMP/fan" 300)
timeout 20 "$MEASURE" image "$TMP/fan" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && grep -q "sha256:$FAN" "$TMP/out" && ok "an index named 300x300x300 times is read once per index (no K^3 walk)" ||
	not_ok "an index named 300x300x300 times is read once per index (no K^3 walk)" "exit $rc: $(head -c 300 "$TMP/err")"
$FIX indexes "$TMP/manyidx" 1025
expect_failure 2 "more than 1024 distinct nested indexes" "more than 1024 nested indexes" image "$TMP/manyidx"

# ---- the tar-header scanner fails closed (review atk-11 M2/L3) and a media type is authoritative (L1) ----
python3 - "$TMP/scan" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_GZIP, LAYER_TAR
def hdr(name, size, typ=b"0", fmt=tarfile.GNU_FORMAT, pax=None):
    ti = tarfile.TarInfo(name); ti.size, ti.type, ti.mtime = size, typ, 1000
    if pax:
        ti.pax_headers = pax
    return ti.tobuf(format=fmt)
def data(b):
    return b + bytes(-len(b) % 512)
def image(root, raw, media=LAYER_GZIP, blob=None, diff_id=None):
    lay = Layout(root)
    b = blob if blob is not None else gzip.compress(raw, 1, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id or "sha256:" + sha(raw)]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                           "layers": [lay.blob(b, media)]}).encode()
    lay.index([lay.blob(manifest, OCI_MANIFEST)])
root = sys.argv[1]
f = hdr("f", 5) + data(b"hello")
eoa = bytes(1024)
# a GNU volume header, then a file, the end-of-archive and 4 MiB more: accepted before (the scanner went off)
image(root + "/vol", hdr("vol", 0, b"V") + f + eoa + bytes(4 << 20))
bad = bytearray(hdr("x", 0)); bad[148:156] = b"0000000\0"
image(root + "/badsum", bytes(bad) + f + eoa)
image(root + "/zero1", bytes(512) + f + eoa)
image(root + "/multi", hdr("m", 5, b"M") + data(b"hello") + eoa)
image(root + "/dumpdir", hdr("d", 5, b"D") + data(b"hello") + eoa)
image(root + "/bigpax", hdr("p", 5, fmt=tarfile.PAX_FORMAT, pax={"comment": "c" * (1100 << 10)}) + data(b"hello") + eoa)
image(root + "/pax200k", hdr("p", 5, fmt=tarfile.PAX_FORMAT, pax={"comment": "c" * (200 << 10)}) + data(b"hello") + eoa)
# L1: declared uncompressed, the bytes are gzip (and the diff_id is their digest, as the old reader computed it)
gz = gzip.compress(f + eoa, 1, mtime=0)
image(root + "/mt", None, media=LAYER_TAR, blob=gz, diff_id="sha256:" + sha(gz))
PY
for case in "vol a GNU volume, multi-volume or dumpdir header" "multi a GNU volume, multi-volume or dumpdir header" \
	"dumpdir a GNU volume, multi-volume or dumpdir header" "badsum its checksum does not add up" \
	"zero1 a header after a single zero block" "bigpax a pax header larger than 1 MiB"; do
	set -- $case
	kind=$1
	shift
	expect_failure 2 "a gzip layer with $kind is refused" "$*" image --max-unpacked 64M "$TMP/scan/$kind"
done
run image --max-unpacked 64M "$TMP/scan/vol"
grep -q 'entry "vol": .* at offset 0x0 (decompressed)' "$TMP/err" && grep -q 'layer blobs/sha256/' "$TMP/err" &&
	ok "the refusal names the blob, the entry and the offset" || not_ok "the refusal names the blob, the entry and the offset" "$(cat "$TMP/err")"
expect_failure 2 "eif ramdisk refuses the GNU volume header too" "a GNU volume" \
	eif ramdisk --image "$TMP/scan/vol" --max-unpacked 64M -o "$TMP/scan.cpio"
expect_rc 0 "a 200 KiB pax header is followed" image --max-unpacked 64M "$TMP/scan/pax200k"
expect_failure 2 "a layer declared uncompressed whose bytes are gzip is refused" \
	"declares an uncompressed tar, its bytes are gzip-compressed" image "$TMP/scan/mt"
expect_failure 2 "eif ramdisk refuses it too" "declares an uncompressed tar" \
	eif ramdisk --image "$TMP/scan/mt" -o "$TMP/scan.cpio"

echo "1..$n"
