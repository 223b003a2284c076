# SPDX-License-Identifier: Apache-2.0
# measure eif ramdisk / eif build --image: nitro-cli's ramdisks without docker. Expected bytes come
# from tests/ramdisk_oracle.py (an independent model of ../shared/spec/nitro-ramdisk.md) and, for the
# bootstrap ramdisk, from the header bytes in $MEASURE_VECTORS/real/nitro.
. "$(dirname "$0")/lib.sh"
ORACLE="python3 tests/ramdisk_oracle.py"
MEASURE_ABS=$(cd "$(dirname "$MEASURE")" && pwd)/$(basename "$MEASURE")

sha384() { sha384sum "$1" | cut -d' ' -f1; }

expect_rc 0 "eif ramdisk --help" eif ramdisk --help
expect_out "eif ramdisk --help names --bootstrap" "--bootstrap"
expect_failure 2 "eif ramdisk without --image or --bootstrap" "one of --image and --bootstrap" eif ramdisk -o "$TMP/x"
expect_failure 2 "eif ramdisk without -o" "-o FILE is required" eif ramdisk --image "$TMP/none"
expect_failure 2 "eif ramdisk from stdin" "read twice" eif ramdisk --image - -o "$TMP/x"
expect_failure 2 "eif ramdisk of a missing image" "cannot open" eif ramdisk --image "$TMP/none" -o "$TMP/x"
[ ! -e "$TMP/x" ] && ok "a failed ramdisk leaves no output file" || not_ok "a failed ramdisk leaves no output file"

# ---- a layered image: whiteouts, opaque dir, hard links, symlinks, devices, suid ----
$ORACLE layered "$TMP/L"
WANT=$($ORACLE customer "$TMP/L")
expect_rc 0 "customer ramdisk of a layered OCI layout" eif ramdisk --image "$TMP/L" -o "$TMP/L.cpio"
[ "$(sha384 "$TMP/L.cpio")" = "$WANT" ] && ok "layered image: bytes equal the oracle's" ||
	not_ok "layered image: bytes equal the oracle's" "got $(sha384 "$TMP/L.cpio")" "want $WANT"
expect_out "the printed sha384 is the file's" "$WANT"
(cd "$TMP/L" && tar -cf "$TMP/L.tar" .)
expect_rc 0 "customer ramdisk of the same layout as a tar" eif ramdisk --image "$TMP/L.tar" -o "$TMP/Lt.cpio"
cmp -s "$TMP/L.cpio" "$TMP/Lt.cpio" && ok "layout directory and tar give the same bytes" ||
	not_ok "layout directory and tar give the same bytes"
python3 - "$TMP/L.cpio" >"$TMP/names" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
o = 0
while True:
    f = [int(d[o + 6 + 8 * i:o + 14 + 8 * i], 16) for i in range(13)]
    name = d[o + 110:o + 110 + f[11] - 1].decode()
    data_at = (o + 110 + f[11] + 3) & ~3
    print("%s %o %d %s" % (name, f[1], f[6], d[data_at:data_at + f[6]].decode("latin1") if f[1] & 0o170000 == 0o120000 else ""))
    o = (data_at + f[6] + 3) & ~3
    if name == "TRAILER!!!":
        break
EOF
grep -q '^rootfs/opt/old ' "$TMP/names" && not_ok "opaque directory hides the lower layer's files" ||
	ok "opaque directory hides the lower layer's files"
grep -q '^rootfs/var/gone ' "$TMP/names" && not_ok "whiteout removes a file" || ok "whiteout removes a file"
grep -q '^rootfs/usr/lib/liby.so 120755 9 libx.so.1$' "$TMP/names" && ok "a hard link is a relative symlink (linuxkit)" ||
	not_ok "a hard link is a relative symlink (linuxkit)" "$(grep liby "$TMP/names")"
grep -q '^rootfs/Dockerfile ' "$TMP/names" && not_ok "Dockerfile is dropped as linuxkit drops it" ||
	ok "Dockerfile is dropped as linuxkit drops it"
grep -q '^rootfs/etc/resolv.conf 120755 27 /run/resolvconf/resolv.conf$' "$TMP/names" &&
	ok "etc/resolv.conf is linuxkit's symlink" || not_ok "etc/resolv.conf is linuxkit's symlink"

# ---- the same image, other mtimes on disk and another umask: the same bytes ----
cp -a "$TMP/L" "$TMP/L2"
find "$TMP/L2" -exec touch -d '2031-05-06 07:08:09' {} +
(umask 077 && cd "$TMP" && "$MEASURE_ABS" eif ramdisk --image L2 -o L2.cpio >/dev/null 2>&1)
cmp -s "$TMP/L.cpio" "$TMP/L2.cpio" && ok "other mtimes on disk and umask 077: identical bytes" ||
	not_ok "other mtimes on disk and umask 077: identical bytes"

# ---- nothing written but the output, also when refused ----
mkdir -p "$TMP/work"
for kind in dotdot absolute escape-symlink below-symlink hardlink-missing long-name huge-uid; do
	$ORACLE hostile "$kind" "$TMP/h-$kind"
	(cd "$TMP/h-$kind" && tar -cf "$TMP/h-$kind.tar" .)
	before=$(cd "$TMP" && find . | sort | md5sum)
	expect_failure 2 "hostile layer ($kind): exit 2" "h-$kind.tar: " eif ramdisk --image "$TMP/h-$kind.tar" -o "$TMP/work/out.cpio"
	after=$(cd "$TMP" && find . | sort | md5sum)
	[ "$before" = "$after" ] && ok "hostile layer ($kind): nothing written, no output left" ||
		not_ok "hostile layer ($kind): nothing written, no output left"
done
$ORACLE many 1001 "$TMP/many"
expect_failure 2 "1001 layers: exit 2" "more than 1000 layers" eif ramdisk --image "$TMP/many" -o "$TMP/work/out.cpio"

# ---- umoci and skopeo ----
if command -v umoci >/dev/null && command -v skopeo >/dev/null; then
	U=$TMP/umoci
	mkdir -p "$U" && (
		cd "$U" && umoci init --layout oci && umoci new --image oci:app &&
		umoci unpack --rootless --image oci:app b >/dev/null &&
		mkdir -p b/rootfs/etc b/rootfs/bin && echo one >b/rootfs/etc/one && echo hi >b/rootfs/bin/app &&
		ln b/rootfs/bin/app b/rootfs/bin/app2 && ln -s ../bin/app b/rootfs/etc/lnk && umoci repack --image oci:app b &&
		rm -rf b && umoci unpack --rootless --image oci:app b >/dev/null &&
		echo two >b/rootfs/etc/two && rm b/rootfs/etc/one && umoci repack --image oci:app b &&
		umoci config --image oci:app --config.cmd /bin/app --config.env A=1
	) >"$TMP/umoci.log" 2>&1 || echo "# umoci failed: $(tail -3 "$TMP/umoci.log")"
	skopeo copy -q oci:"$U/oci":app docker-archive:"$U/app-docker.tar":app:latest >/dev/null 2>&1
	skopeo copy -q oci:"$U/oci":app oci-archive:"$U/app-oci.tar":app >/dev/null 2>&1
	WANT=$($ORACLE customer "$U/oci")
	for form in "$U/oci" "$U/app-oci.tar" "$U/app-docker.tar"; do
		expect_rc 0 "umoci image ($(basename "$form")): ramdisk" eif ramdisk --image "$form" -o "$TMP/u.cpio"
		[ "$(sha384 "$TMP/u.cpio")" = "$WANT" ] && ok "umoci image ($(basename "$form")): bytes equal the oracle's" ||
			not_ok "umoci image ($(basename "$form")): bytes equal the oracle's"
	done
else
	skip "umoci or skopeo not installed"
fi

# ---- the bootstrap ramdisk: layout of AWS's blobs (v1.3.1+), with stand-in files of their sizes ----
mkdir -p "$TMP/boot"
head -c 742968 /dev/urandom >"$TMP/boot/init"
head -c 20504 /dev/urandom >"$TMP/boot/nsm.ko"
expect_rc 0 "bootstrap ramdisk" eif ramdisk --bootstrap "$TMP/boot" -o "$TMP/boot.cpio"
[ "$(sha384 "$TMP/boot.cpio")" = "$($ORACLE bootstrap "$TMP/boot")" ] && ok "bootstrap ramdisk equals the oracle's" ||
	not_ok "bootstrap ramdisk equals the oracle's"
LAYOUT=$VECTORS/real/nitro/bootstrap-cpio-layout-v1.3.1-plus.txt
if [ -f "$LAYOUT" ]; then
	python3 - "$LAYOUT" "$TMP/boot.cpio" <<'EOF' && ok "bootstrap headers, offsets and size equal AWS's v1.3.1+ layout" || not_ok "bootstrap headers, offsets and size equal AWS's v1.3.1+ layout"
import re, sys
layout = open(sys.argv[1]).read()
d = open(sys.argv[2], "rb").read()
heads = re.findall(r"^offset (\d+): header ([0-9a-f]+) name='([^']+)'", layout, re.M)
assert len(heads) == 4
for off, hdr, name in heads:
    off = int(off)
    assert d[off:off + 110] == hdr.encode(), (off, d[off:off + 110])
    assert d[off + 110:off + 110 + len(name) + 1] == name.encode() + b"\0"
total = int(re.search(r"zero padding to (\d+)", layout).group(1))
assert len(d) == total == 764416, len(d)
EOF
else
	skip "no $LAYOUT"
fi

# ---- eif build --bootstrap --image: PCR1 and PCR2 recomputed with hashlib ----
head -c 8192 /dev/zero >"$TMP/kernel"
expect_rc 0 "eif build --bootstrap --image" eif build --kernel "$TMP/kernel" --cmdline "console=ttyS0" \
	--bootstrap "$TMP/boot" --image "$TMP/L" -o "$TMP/app.eif"
python3 - "$TMP/kernel" "$TMP/boot.cpio" "$TMP/L.cpio" "$TMP/out" <<'EOF' && ok "eif build --image: PCR1 and PCR2 equal hashlib's" || not_ok "eif build --image: PCR1 and PCR2 equal hashlib's" "$(cat "$TMP/out")"
import hashlib, sys
k, b, c = (open(p, "rb").read() for p in sys.argv[1:4])
pcr = lambda data: hashlib.sha384(bytes(48) + hashlib.sha384(data).digest()).hexdigest()
out = open(sys.argv[4]).read()
assert "PCR1       " + pcr(k + b"console=ttyS0" + b) in out
assert "PCR2       " + pcr(c) in out
EOF
ls -A "$TMP" | grep -q '^app.eif.' && not_ok "eif build --image leaves no ramdisk files" || ok "eif build --image leaves no ramdisk files"

# ---- -o is written to a temporary file and put in place only when complete (review M6, L2) ----
cp "$TMP/L.tar" "$TMP/victim.tar"
expect_failure 2 "-o naming the --image tar is refused" "the output is the input" \
	eif ramdisk --image "$TMP/victim.tar" -o "$TMP/victim.tar"
cmp -s "$TMP/L.tar" "$TMP/victim.tar" && ok "the input named as -o is untouched" || not_ok "the input named as -o is untouched"
ln "$TMP/victim.tar" "$TMP/victim-link.tar"
expect_failure 2 "-o naming a hard link of the input is refused" "the output is the input" \
	eif ramdisk --image "$TMP/victim.tar" -o "$TMP/victim-link.tar"
expect_failure 2 "-o inside the image layout is refused" "inside the input directory" \
	eif ramdisk --image "$TMP/L" -o "$TMP/L/blobs/sha256/out.cpio"
expect_failure 2 "eif build -o naming its kernel is refused" "the output is the input" \
	eif build --kernel "$TMP/kernel" --cmdline x --bootstrap "$TMP/boot" --image "$TMP/L" -o "$TMP/kernel"
expect_failure 2 "eif build -o inside the image layout is refused" "inside the input directory" \
	eif build --kernel "$TMP/kernel" --cmdline x --image "$TMP/L" -o "$TMP/L/x.eif"
[ "$(stat -c %s "$TMP/kernel")" = 8192 ] && ok "the kernel named as -o is untouched" || not_ok "the kernel named as -o is untouched"
echo keep >"$TMP/keep.cpio"
mkdir "$TMP/broken" && cp -r "$TMP/L/." "$TMP/broken/"
for f in "$TMP"/broken/blobs/sha256/*; do [ "$(stat -c %s "$f")" -gt 1024 ] && printf 'x' >>"$f"; done
expect_rc 2 "a failing ramdisk" eif ramdisk --image "$TMP/broken" -o "$TMP/keep.cpio"
[ "$(cat "$TMP/keep.cpio")" = keep ] && ok "a failed run leaves the old -o file as it was" ||
	not_ok "a failed run leaves the old -o file as it was"
ls -A "$TMP" | grep -q 'measure-' && not_ok "a failed run leaves no temporary file" || ok "a failed run leaves no temporary file"
expect_rc 0 "a ramdisk over an existing file" eif ramdisk --image "$TMP/L" -o "$TMP/keep.cpio"
cmp -s "$TMP/keep.cpio" "$TMP/L.cpio" && ok "it replaces the file with the whole ramdisk" || not_ok "it replaces the file with the whole ramdisk"
[ "$(stat -c %a "$TMP/keep.cpio")" = "$(printf '%o' $((0666 & ~$(umask))))" ] &&
	ok "the ramdisk has the umask's mode" || not_ok "the ramdisk has the umask's mode" "$(stat -c %a "$TMP/keep.cpio")"

# ---- a FIFO in place of a file never blocks (review M2) ----
for what in index layer init; do
	rm -rf "$TMP/ff" && mkdir "$TMP/ff" && cp -r "$TMP/L/." "$TMP/ff/" && cp -r "$TMP/boot" "$TMP/ffboot"
	case $what in
	index) rm "$TMP/ff/index.json" && mkfifo "$TMP/ff/index.json" ;;
	layer) big=$(ls -S "$TMP"/ff/blobs/sha256/* | head -1) && rm "$big" && mkfifo "$big" ;;
	init) rm "$TMP/ffboot/init" && mkfifo "$TMP/ffboot/init" ;;
	esac
	if [ $what = init ]; then
		set -- eif ramdisk --bootstrap "$TMP/ffboot" -o "$TMP/ff.cpio"
	else
		set -- eif ramdisk --image "$TMP/ff" -o "$TMP/ff.cpio"
	fi
	timeout 20 "$MEASURE" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "not a regular file" "$TMP/err" && ok "a FIFO as the $what: exit 2, no hang" ||
		not_ok "a FIFO as the $what: exit 2, no hang" "exit $rc: $(cat "$TMP/err")"
	rm -rf "$TMP/ffboot"
done
rm -rf "$TMP/ff" && mkdir "$TMP/ff" && cp -r "$TMP/L/." "$TMP/ff/"
big=$(ls -S "$TMP"/ff/blobs/sha256/* | head -1) && rm "$big" && mkfifo "$big"
timeout 20 "$MEASURE" image "$TMP/ff" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "not a regular file" "$TMP/err" && ok "measure image: a FIFO blob is exit 2, no hang" ||
	not_ok "measure image: a FIFO blob is exit 2, no hang" "exit $rc: $(cat "$TMP/err")"

# ---- an empty whiteout name (review L5) ----
python3 - "$TMP/wh" <<'EOF'
import json, sys
sys.path.insert(0, "tests")
from image_fixtures import Layout, layer_tar, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_TAR
lay = Layout(sys.argv[1])
raw = layer_tar([("a", b"a\n"), (".wh.", b"")])
layer = lay.blob(raw, LAYER_TAR)
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]}, "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(raw)]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG), "layers": [layer]}).encode()
lay.index([lay.blob(manifest, OCI_MANIFEST)])
EOF
expect_failure 2 "a top-level .wh. entry is refused" "a whiteout that names no file" \
	eif ramdisk --image "$TMP/wh" -o "$TMP/wh.cpio"

# ---- the files' sizes are added up before anything is written (review M5) ----
python3 -c 'import sys; sys.path.insert(0, "tests"); from image_fixtures import Layout
lay = Layout(sys.argv[1]); d, _ = lay.image("amd64", [b"x" * 1500, b"y" * 1500]); lay.index([d])' "$TMP/sz"
expect_failure 2 "files adding up past --max-size are refused" "add up to more than 2048 bytes" \
	eif ramdisk --image "$TMP/sz" --max-size 2k -o "$TMP/sz.cpio"
[ ! -e "$TMP/sz.cpio" ] && ok "nothing written past --max-size" || not_ok "nothing written past --max-size"
expect_rc 0 "the same image under --max-size 4k" eif ramdisk --image "$TMP/sz" --max-size 4k -o "$TMP/sz.cpio"
expect_failure 2 "--max-size 0 is refused" "--max-size" eif ramdisk --image "$TMP/sz" --max-size 0 -o "$TMP/sz.cpio"

# ---- a budget on decompressed bytes for the whole image (review L3): bombs stop at the byte that passes it ----
python3 - "$TMP/bomb" "$TMP/claim" "$TMP/wo" "$TMP/extra" "$TMP/plain" "$TMP/trail" "$TMP/pad" "$TMP/raw" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile, zlib
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_GZIP, LAYER_TAR
def header(name, size):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime = size, 1000
    return ti.tobuf(format=tarfile.PAX_FORMAT)
def image(root, raws, gz=True, diff_ids=None, extra=None):
    lay = Layout(root)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids or ["sha256:" + sha(r) for r in raws]}}).encode()
    layers = [lay.blob(gzip.compress(r, 1, mtime=0) if gz else r, LAYER_GZIP if gz else LAYER_TAR) for r in raws]
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                           "layers": layers}).encode()
    lay.index([lay.blob(manifest, OCI_MANIFEST)])
    if extra:
        lay.blob(extra, LAYER_GZIP)
bomb, claim, wo, extra, plain, trail, pad, raw = sys.argv[1:]
# a 96 MiB file of zeros; the diff_id is not even right: the budget comes first
image(bomb, [header("big", 96 << 20) + bytes(96 << 20)], diff_ids=["sha256:" + "0" * 64])
# 96 MiB that are no tar at all: refused at the first header, which the scanner cannot follow
image(raw, [b"\x01" * (96 << 20)], diff_ids=["sha256:" + "0" * 64])
# headers within the budget, then 1 MiB less 4 KiB of zeros past the end-of-archive: the byte count stops it
image(raw + "-bytes", [header("big", (15 << 20) + (512 << 10)) + bytes((15 << 20) + (512 << 10)) + bytes(1024) +
                       bytes((1 << 20) - 4096)], diff_ids=["sha256:" + "0" * 64])
# 2 MiB behind a header claiming 64 GiB: refused at that header
image(claim, [header("big", 64 << 30) + bytes(2 << 20)])
# a small tar, its end-of-archive, then 2 MiB more; and one with 64 KiB of zero padding (allowed)
image(trail, [header("a", 1) + b"a" + bytes(511 + 1024) + bytes(2 << 20)])
image(pad, [header("a", 1) + b"a" + bytes(511 + 1024) + bytes(64 << 10)])
# 12 MiB written by one layer, whited out by the next: it is inflated all the same, so it counts
image(wo, [header("f", 12 << 20) + bytes(12 << 20) + bytes(1024),
           header(".wh.f", 0) + bytes(1024)])
# a small image, and a 20 MiB gzip blob beside it in the layout that nothing names
image(extra, [header("a", 1) + b"a" + bytes(511 + 1024)],
      extra=gzip.compress(header("x", 20 << 20) + b"x" * (20 << 20), 1, mtime=0))
# an uncompressed 12 MiB layer: bytes stored, not inflated
image(plain, [header("f", 12 << 20) + bytes(12 << 20) + bytes(1024)], gz=False)
EOF
(cd "$TMP/extra" && tar -cf "$TMP/extra.tar" .)
(cd "$TMP/plain" && tar -cf "$TMP/plain.tar" . && gzip -1 -c "$TMP/plain.tar" >"$TMP/plain.tar.gz")
BOMB_LAYER=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]
print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][0]["digest"][7:])' "$TMP/bomb")
expect_failure 2 "a gzip bomb layer is refused at the header that claims more than --max-unpacked leaves" \
	"$BOMB_LAYER: the tar header at offset 0x0 (decompressed) claims 100663296 bytes, more than is left of the budget of 16777216 bytes" \
	eif ramdisk --image "$TMP/bomb" --max-unpacked 16M -o "$TMP/bomb.cpio"
RAW_LAYER=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]
print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][0]["digest"][7:])' "$TMP/raw")
start=$(date +%s)
expect_failure 2 "a gzip bomb with no tar headers is refused at its first block, naming the blob and the offset" \
	"$RAW_LAYER: entry \"" eif ramdisk --image "$TMP/raw" --max-unpacked 16M -o "$TMP/bomb.cpio"
grep -qF "a malformed tar header (its checksum does not add up) at offset 0x0 (decompressed)" "$TMP/err" &&
	ok "... as a malformed tar header at offset 0" || not_ok "... as a malformed tar header at offset 0" "$(cat "$TMP/err")"
RAW_LAYER=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]
print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][0]["digest"][7:])' "$TMP/raw-bytes")
expect_failure 2 "a gzip stream whose headers fit the budget stops at the byte past --max-unpacked, naming the blob and the offset" \
	"$RAW_LAYER: decompressed data passes the budget of 16777216 bytes for the whole image at offset 0x" \
	eif ramdisk --image "$TMP/raw-bytes" --max-unpacked 16M -o "$TMP/bomb.cpio"
[ $(($(date +%s) - start)) -lt 10 ] && ok "the bomb is refused without inflating it all" ||
	not_ok "the bomb is refused without inflating it all" "$(($(date +%s) - start)) s"
[ ! -e "$TMP/bomb.cpio" ] && ok "nothing written for the bomb" || not_ok "nothing written for the bomb"
expect_failure 2 "--max-unpacked defaults to twice --max-size" "budget of 83886080 bytes" \
	eif ramdisk --image "$TMP/bomb" --max-size 40M -o "$TMP/bomb.cpio"
expect_failure 2 "--max-unpacked defaults to at least 64 MiB" "budget of 67108864 bytes" \
	eif ramdisk --image "$TMP/bomb" --max-size 1M -o "$TMP/bomb.cpio"
expect_failure 2 "eif build --image takes --max-unpacked" "budget of 16777216 bytes" \
	eif build --kernel "$TMP/kernel" --cmdline x --bootstrap "$TMP/boot" --image "$TMP/bomb" --max-unpacked 16M -o "$TMP/bomb.eif"
expect_failure 2 "measure image takes --max-unpacked" "decompressed data passes the budget of 16777216 bytes" \
	image --max-unpacked 16M "$TMP/raw-bytes"
expect_failure 2 "--max-unpacked 0 is refused" "--max-unpacked" eif ramdisk --image "$TMP/bomb" --max-unpacked 0 -o "$TMP/bomb.cpio"
start=$(date +%s)
expect_failure 2 "a tar header claiming 64 GiB is refused at that header, before its data is inflated" \
	"the tar header at offset 0x400 (decompressed) claims 68719476736 bytes, more than is left of the budget of 17179869184" \
	eif ramdisk --image "$TMP/claim" -o "$TMP/claim.cpio"
[ $(($(date +%s) - start)) -lt 5 ] && ok "a claim past the default budget costs no inflating" ||
	not_ok "a claim past the default budget costs no inflating" "$(($(date +%s) - start)) s"
expect_failure 2 "measure image refuses the same claim" "claims 68719476736 bytes" image "$TMP/claim"
expect_failure 2 "a layer going on for 2 MiB past its tar end-of-archive is refused" \
	"goes on for more than 1048576 bytes past its tar end-of-archive (at offset 0x800 decompressed)" \
	eif ramdisk --image "$TMP/trail" -o "$TMP/trail.cpio"
expect_rc 0 "64 KiB of zero padding after the end-of-archive is fine" eif ramdisk --image "$TMP/pad" -o "$TMP/pad.cpio"
expect_failure 2 "a file inflated, then whited out by a later layer, still counts" "claims 12582912 bytes, more than is left of the budget of 8388608 bytes" \
	eif ramdisk --image "$TMP/wo" --max-size 1M --max-unpacked 8M -o "$TMP/wo.cpio"
expect_rc 0 "the same image under --max-unpacked 32M" eif ramdisk --image "$TMP/wo" --max-size 1M --max-unpacked 32M -o "$TMP/wo.cpio"
expect_failure 2 "a gzip entry of a tar image that no manifest names still counts (it is inflated to be hashed)" \
	"budget of 8388608 bytes" eif ramdisk --image "$TMP/extra.tar" --max-unpacked 8M -o "$TMP/extra.cpio"
expect_rc 0 "a layout directory reads only the blobs it names" eif ramdisk --image "$TMP/extra" --max-unpacked 8M -o "$TMP/extra.cpio"
expect_rc 0 "an uncompressed 12 MiB layer is not held to an 8M budget" eif ramdisk --image "$TMP/plain.tar" --max-unpacked 8M -o "$TMP/plain.cpio"
expect_failure 2 "the same image in a gzip-compressed tar: its entries are inflated bytes" \
	"of this entry of the compressed tar" eif ramdisk --image "$TMP/plain.tar.gz" --max-unpacked 8M -o "$TMP/plain.cpio"
# the compression of the outer tar is known whatever the first read() holds (review atk-11 H1)
python3 -c 'import os, sys, time
d = open(sys.argv[1], "rb").read()
os.write(1, d[:1]); time.sleep(0.3)
try:
    os.write(1, d[1:])
except BrokenPipeError:
    pass' "$TMP/plain.tar.gz" | "$MEASURE" image --max-unpacked 8M - -q >"$TMP/out" 2>"$TMP/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "decompressed data passes the budget of 8388608 bytes" "$TMP/err" &&
	ok "a gzip tar piped one byte first is held to --max-unpacked" ||
	not_ok "a gzip tar piped one byte first is held to --max-unpacked" "exit $rc" "$(head -c 300 "$TMP/err")"
bzip2 -1 -c "$TMP/plain.tar" >"$TMP/plain.tar.bz2"
expect_failure 2 "a bzip2-compressed tar is not decompressed outside the budget" "tar:" \
	image --max-unpacked 8M "$TMP/plain.tar.bz2"
expect_failure 2 "eif build --max-size bounds the customer ramdisk" "add up to more than 2048 bytes" \
	eif build --kernel "$TMP/kernel" --cmdline x --bootstrap "$TMP/boot" --image "$TMP/sz" --max-size 2k -o "$TMP/sz.eif"
[ ! -e "$TMP/sz.eif" ] && ok "nothing written past eif build --max-size" || not_ok "nothing written past eif build --max-size"
expect_rc 0 "eif build under --max-size 4k" eif build --kernel "$TMP/kernel" --cmdline x --bootstrap "$TMP/boot" --image "$TMP/sz" --max-size 4k -o "$TMP/sz.eif"
expect_failure 2 "eif build: --max-size without --image is a usage error" "go with --image" \
	eif build --kernel "$TMP/kernel" --cmdline x --bootstrap "$TMP/boot" --max-size 4k -o "$TMP/sz.eif"

# ---- a gzip-compressed tar image is inflated once, not once per layer and pass (review atk-11 M1) ----
python3 - "$TMP/refs1000.tar.gz" "$TMP/refs1.tar.gz" <<'PY'
import gzip, io, json, sys, tarfile
sys.path.insert(0, "tests")
from image_fixtures import sha, OCI_CONFIG, OCI_MANIFEST, LAYER_TAR
def layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        ti = tarfile.TarInfo("t/f"); ti.size, ti.mtime = 5, 1000
        t.addfile(ti, io.BytesIO(b"hello"))
    return buf.getvalue()
def make(out, refs):
    blobs = {}
    def blob(data, mt):
        blobs["blobs/sha256/" + sha(data)] = data
        return {"mediaType": mt, "digest": "sha256:" + sha(data), "size": len(data)}
    l = layer()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(l)] * refs}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": blob(config, OCI_CONFIG),
                           "layers": [blob(l, LAYER_TAR)] * refs}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [blob(manifest, OCI_MANIFEST)]}).encode()
    files = [("junk", bytes(24 << 20))] + sorted(blobs.items()) + [("index.json", index),
             ("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')]
    with tarfile.open(out, "w:gz", compresslevel=1) as t:
        for name, data in files:
            ti = tarfile.TarInfo(name); ti.size, ti.mtime = len(data), 1000
            t.addfile(ti, io.BytesIO(data))
make(sys.argv[1], 1000)
make(sys.argv[2], 1)
PY
python3 - "$MEASURE" "$TMP" <<'PY' && ok "1000 layers of a gzip tar image cost about as much as one" ||
import os, subprocess, sys
def run(name):
    r = os.times()
    subprocess.run([sys.argv[1], "eif", "ramdisk", "-q", "--max-unpacked", "64M", "--image", sys.argv[2] + "/" + name,
                    "-o", sys.argv[2] + "/" + name + ".cpio"], check=True)
    e = os.times()
    return (e.children_user - r.children_user) + (e.children_system - r.children_system)
many, one = run("refs1000.tar.gz"), run("refs1.tar.gz")
print("# 1000 references %.2f s, one %.2f s" % (many, one))
sys.exit(0 if many < 3 * one + 0.5 else 1)
PY
	not_ok "1000 layers of a gzip tar image cost about as much as one"
expect_failure 2 "the inflated outer tar counts against --max-unpacked in the ramdisk pass too" \
	"budget" eif ramdisk -q --max-unpacked 20M --image "$TMP/refs1.tar.gz" -o "$TMP/refs.cpio"

# ---- a sparse file counts what its stream holds against --max-unpacked, its logical size against --max-size (review atk-11 L2) ----
mkdir -p "$TMP/sparse"
truncate -s 2G "$TMP/sparse/big" && printf x >>"$TMP/sparse/big"
tar -C "$TMP/sparse" --sparse --format=posix --mtime=@1000 --owner=0 --group=0 -cf "$TMP/sparse.tar" big
rm -f "$TMP/sparse/big"
python3 - "$TMP/sparseimg" "$TMP/sparse.tar" <<'PY'
import gzip, json, sys
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_GZIP
raw = open(sys.argv[2], "rb").read()
lay = Layout(sys.argv[1])
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(raw)]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                       "layers": [lay.blob(gzip.compress(raw, 1, mtime=0), LAYER_GZIP)]}).encode()
lay.index([lay.blob(manifest, OCI_MANIFEST)])
PY
expect_rc 0 "measure image: a 2 GiB sparse file holding a few KiB is within --max-unpacked 64M" \
	image --max-unpacked 64M "$TMP/sparseimg"
expect_failure 2 "eif ramdisk: the same file is refused by --max-size, not by --max-unpacked" \
	"add up to more than 1073741824 bytes" eif ramdisk --image "$TMP/sparseimg" --max-unpacked 64M --max-size 1G -o "$TMP/sparse.cpio"

# ---- an opaque marker repeated for one directory in one layer is walked once (review M4) ----
python3 - "$TMP/opq" "$TMP/opq1" <<'EOF'
import io, json, sys, tarfile
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_TAR
N = 30000
def tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, kind in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1000
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
            t.addfile(ti)
    return buf.getvalue()
def make(root, markers):
    lower = tar([("d", "dir")] + [("d/f%d" % i, "file") for i in range(N)])
    upper = tar([("d/.wh..wh..opq", "file")] * markers + [("e%d" % i, "file") for i in range(N - markers)])
    lay = Layout(root)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(lower), "sha256:" + sha(upper)]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                           "layers": [lay.blob(lower, LAYER_TAR), lay.blob(upper, LAYER_TAR)]}).encode()
    lay.index([lay.blob(manifest, OCI_MANIFEST)])
make(sys.argv[1], N)
make(sys.argv[2], 1)
EOF
python3 - "$MEASURE" "$TMP" <<'EOF' && ok "30000 opaque markers for one directory cost about as much as one" ||
import os, subprocess, sys
def run(d):
    r = os.times()
    subprocess.run([sys.argv[1], "eif", "ramdisk", "-q", "--image", d, "-o", d + ".cpio"], check=True)
    e = os.times()
    return (e.children_user - r.children_user) + (e.children_system - r.children_system)
many, one = run(sys.argv[2] + "/opq"), run(sys.argv[2] + "/opq1")
open(sys.argv[2] + "/opq-timing", "w").write("30000 markers %.2fs, one marker %.2fs CPU\n" % (many, one))
sys.exit(0 if many < 3 * one + 0.3 else 1)
EOF
	not_ok "30000 opaque markers for one directory cost about as much as one" "$(cat "$TMP/opq-timing")"
[ "$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(d.count(b"rootfs/d/f"))' "$TMP/opq.cpio")" = 0 ] &&
	ok "the opaque directory's lower files are gone" || not_ok "the opaque directory's lower files are gone"

# ---- an opaque marker costs O(1): many layers each emptying one big directory (review M4) ----
$ORACLE opaque-stack 47 30 "$TMP/ostack"
WANT=$($ORACLE customer "$TMP/ostack")
expect_rc 0 "47 layers of opaque markers, revivals, retyped and whited-out subdirectories" \
	eif ramdisk --image "$TMP/ostack" -o "$TMP/ostack.cpio"
[ "$(sha384 "$TMP/ostack.cpio")" = "$WANT" ] && ok "opaque stack: bytes equal the oracle's" ||
	not_ok "opaque stack: bytes equal the oracle's" "got $(sha384 "$TMP/ostack.cpio")" "want $WANT"
python3 - "$TMP/om" "$TMP/o1" <<'EOF'
import gzip, json, sys
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_TAR, LAYER_GZIP
W, N = 250000, 999
def header(name, typ):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000755\0" if typ == b"5" else b"0000644\0"
    h[108:116] = h[116:124] = b"0000000\0"
    h[124:136] = b"00000000000\0"
    h[136:148] = b"00000001750\0"
    h[148:156] = b" " * 8
    h[156:157] = typ
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
def tar(entries):
    return b"".join(header(n, t) for n, t in entries) + bytes(1024)
def make(root, markers):
    lower = tar([(b"d", b"5")] + [(b"d/f%d" % i, b"0") for i in range(W)])
    uppers = [tar([(b"d/.wh..wh..opq" if i < markers else b"x%d" % i, b"0"), (b"d/n%d" % i, b"0")]) for i in range(N)]
    lay = Layout(root)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(r) for r in [lower] + uppers]}}).encode()
    layers = [lay.blob(gzip.compress(lower, 1, mtime=0), LAYER_GZIP)] + [lay.blob(r, LAYER_TAR) for r in uppers]
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                           "layers": layers}).encode()
    lay.index([lay.blob(manifest, OCI_MANIFEST)])
make(sys.argv[1], N)
make(sys.argv[2], 1)
EOF
python3 - "$MEASURE" "$TMP" <<'EOF' && ok "999 layers each emptying a directory of 250000 files cost about as much as one" ||
import os, subprocess, sys
def run(d):
    best = None
    for _ in range(2):
        r = os.times()
        subprocess.run([sys.argv[1], "eif", "ramdisk", "-q", "--image", d, "-o", d + ".cpio"], check=True)
        e = os.times()
        used = (e.children_user - r.children_user) + (e.children_system - r.children_system)
        best = used if best is None else min(best, used)
    return best
many, one = run(sys.argv[2] + "/om"), run(sys.argv[2] + "/o1")
open(sys.argv[2] + "/om-timing", "w").write("999 markers %.2fs, one marker %.2fs CPU\n" % (many, one))
sys.exit(0 if many < 1.2 * one + 0.15 else 1)
EOF
	not_ok "999 layers each emptying a directory of 250000 files cost about as much as one" "$(cat "$TMP/om-timing")"

# ---- the names a layer holds are bounded: 70,000 names of 1,000 bytes are refused, not held (review M7) ----
python3 - "$TMP/long" <<'EOF'
import gzip, io, json, sys, tarfile
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_GZIP
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
    for i in range(70000):
        ti = tarfile.TarInfo(("%07d" % i) + "n" * 993)
        ti.mtime = 1000
        t.addfile(ti)
raw = buf.getvalue()
lay = Layout(sys.argv[1])
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(raw)]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                       "layers": [lay.blob(gzip.compress(raw, 1, mtime=0), LAYER_GZIP)]}).encode()
lay.index([lay.blob(manifest, OCI_MANIFEST)])
EOF
expect_failure 2 "a layer whose names add up to more than 64 MiB is refused" "add up to more than 64 MiB" \
	eif ramdisk --image "$TMP/long" -o "$TMP/long.cpio"

# ---- names chosen to collide under an unkeyed FNV-1a cost no more than others (review M3) ----
python3 - "$TMP/cl" "$TMP/rn" <<'EOF'
import io, json, sys, tarfile
sys.path.insert(0, "tests")
from image_fixtures import Layout, sha, OCI_CONFIG, OCI_MANIFEST, LAYER_TAR
def fnv(s):
    h = 1469598103934665603
    for c in s.encode():
        h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h
N, CAP = 30000, 65536
def make(root, clustered):
    names, i = [], 0
    while len(names) < N:
        s = "f%x" % i
        i += 1
        if not clustered or (fnv(s) & (CAP - 1)) < CAP >> 5:
            names.append(s)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for s in names:
            ti = tarfile.TarInfo(s)
            ti.mtime = 1000
            t.addfile(ti)
    raw = buf.getvalue()
    lay = Layout(root)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/a"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(raw)]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": lay.blob(config, OCI_CONFIG),
                           "layers": [lay.blob(raw, LAYER_TAR)]}).encode()
    lay.index([lay.blob(manifest, OCI_MANIFEST)])
make(sys.argv[1], True)
make(sys.argv[2], False)
EOF
python3 - "$MEASURE" "$TMP" <<'EOF' && ok "clustered names take about as long as others" || not_ok "clustered names take about as long as others" "$(cat "$TMP/timing")"
import os, subprocess, sys, time
def run(d):
    best = None
    for _ in range(2):
        t = time.process_time(); r = os.times()
        subprocess.run([sys.argv[1], "eif", "ramdisk", "-q", "--image", d, "-o", d + ".cpio"], check=True)
        e = os.times()
        used = (e.children_user - r.children_user) + (e.children_system - r.children_system)
        best = used if best is None else min(best, used)
    return best
cl, rn = run(sys.argv[2] + "/cl"), run(sys.argv[2] + "/rn")
open(sys.argv[2] + "/timing", "w").write("clustered %.2fs, other %.2fs CPU\n" % (cl, rn))
sys.exit(0 if cl < 3 * rn + 0.3 else 1)
EOF

# ---- libarchive is loaded only when a tar is read; missing, it is exit 5 (a private mount namespace hides it) ----
LIB=$(ldconfig -p 2>/dev/null | awk '/libarchive.so.13 /{print $NF; exit}')
if [ -n "$LIB" ] && unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount --bind /dev/null '$LIB' && '$MEASURE_ABS' image '$TMP/L.tar'" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 5 ] && grep -q "libarchive.so.13 cannot be loaded" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		ok "libarchive missing: a tar is exit 5 with one line" || not_ok "libarchive missing: a tar is exit 5 with one line" "exit $rc: $(cat "$TMP/err")"
	unshare -m sh -c "mount --bind /dev/null '$LIB' && '$MEASURE_ABS' eif '$FIXTURES/eif/tiny.eif' -q && '$MEASURE_ABS' image -q '$TMP/L'" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok "libarchive missing: eif and an OCI layout directory still work" ||
		not_ok "libarchive missing: eif and an OCI layout directory still work" "exit $rc: $(cat "$TMP/err")"
else
	skip "no unshare -m here (not root): libarchive-missing check"
fi

echo "1..$n"
