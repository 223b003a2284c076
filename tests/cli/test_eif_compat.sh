# SPDX-License-Identifier: Apache-2.0
# measure eif build --compat eif_build: the unsigned vector EIFs (built by aws-nitro-enclaves-image-format's
# eif_build 0.3.1) rebuilt from their inputs byte for byte; the metadata of the tool's own mode.
. "$(dirname "$0")/lib.sh"
V=$VECTORS/nitro/eif
T=2026-01-01T00:00:00+00:00

# metadata_of EIF: the metadata section's bytes, read by python
metadata_of() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off = 548
while off + 12 <= len(d):
    t, _, size = struct.unpack(">HHQ", d[off:off + 12])
    if t == 5:
        sys.stdout.write(d[off + 12:off + 12 + size].decode())
    off += 12 + size
PY
}
want_sha() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["file_sha256"])' "$V/expected-pcrs.json" "$1"; }

if [ -f "$V/expected-pcrs.json" ]; then
	# eif_build names the image after the kernel file: the vectors' kernels were called tiny, one-ramdisk, three
	for k in tiny one-ramdisk three; do cp "$V/tiny-kernel.bin" "$TMP/$k"; done
	build() { # VECTOR NAME ARGS...
		vec=$1 name=$2
		shift 2
		"$MEASURE" eif build --compat eif_build --build-time "$T" --kernel "$TMP/$name" --cmdline console=ttyS0 \
			-o "$TMP/$vec" -q "$@" 2>"$TMP/err"
		got=$(sha256sum <"$TMP/$vec" | cut -d' ' -f1)
		if [ "$got" = "$(want_sha "$vec")" ]; then ok "--compat eif_build rebuilds $vec byte for byte"; else
			not_ok "--compat eif_build rebuilds $vec byte for byte" "sha256 $got" "$(cat "$TMP/err")"; fi
	}
	build tiny.eif tiny --ramdisk "$V/tiny-rd1.bin" --ramdisk "$V/tiny-rd2.bin"
	build one-ramdisk.eif one-ramdisk --ramdisk "$V/tiny-rd1.bin"
	build three-ramdisks-arm.eif three --arch aarch64 --ramdisk "$V/tiny-rd1.bin" --ramdisk "$V/tiny-rd2.bin" --ramdisk "$V/tiny-rd2.bin"
	if [ "$(metadata_of "$TMP/tiny.eif")" = "$(metadata_of "$V/tiny.eif")" ]; then ok "metadata bytes equal the vector's"; else
		not_ok "metadata bytes equal the vector's" "$(metadata_of "$TMP/tiny.eif")"; fi
	# the same bytes with the kernel under another file name, by naming the image explicitly
	"$MEASURE" eif build --compat eif_build --build-time "$T" --kernel "$V/tiny-kernel.bin" --name tiny --image-version 1.0 \
		--cmdline console=ttyS0 --ramdisk "$V/tiny-rd1.bin" --ramdisk "$V/tiny-rd2.bin" -o "$TMP/named.eif" -q
	[ "$(sha256sum <"$TMP/named.eif" | cut -d' ' -f1)" = "$(want_sha tiny.eif)" ] && ok "--name tiny --image-version 1.0: same bytes" ||
		not_ok "--name tiny --image-version 1.0: same bytes"
else
	skip "vectors/nitro/eif not found ($V)"
fi

K=$FIXTURES/eif/tiny-kernel.bin
[ -f "$K" ] || K=$V/tiny-kernel.bin
printf 'rd' >"$TMP/rd"
# eif_build 0.3.1 reads --name for ImageVersion as well (its source: img_version from "image_name")
"$MEASURE" eif build --compat eif_build --kernel "$K" --name app --cmdline x --ramdisk "$TMP/rd" -o "$TMP/q.eif" -q
md=$(metadata_of "$TMP/q.eif")
case $md in
'{"ImageName":"app","ImageVersion":"app","BuildMetadata":{"BuildTime":"1970-01-01T00:00:00+00:00","BuildTool":"eif_build","BuildToolVersion":"0.3.1","OperatingSystem":"OS","KernelVersion":"kernel"},"DockerInfo":null,"CustomMetadata":null}')
	ok "--compat: eif_build's --name quirk and the epoch build time" ;;
*) not_ok "--compat: eif_build's --name quirk and the epoch build time" "$md" ;;
esac
SOURCE_DATE_EPOCH=1767225600 "$MEASURE" eif build --kernel "$K" --cmdline x --ramdisk "$TMP/rd" -o "$TMP/m.eif" -q
md=$(metadata_of "$TMP/m.eif")
case $md in
*'"BuildTime":"2026-01-01T00:00:00+00:00","BuildTool":"measure","BuildToolVersion":"'*)
	ok "without --compat the metadata names measure; SOURCE_DATE_EPOCH sets BuildTime" ;;
*) not_ok "without --compat the metadata names measure; SOURCE_DATE_EPOCH sets BuildTime" "$md" ;;
esac
"$MEASURE" eif build --compat eif_build --img-os Linux --img-kernel 6.1 --build-tool x --build-tool-version 9 \
	--kernel "$K" --cmdline x --ramdisk "$TMP/rd" -o "$TMP/o.eif" -q
case $(metadata_of "$TMP/o.eif") in
*'"BuildTool":"x","BuildToolVersion":"9","OperatingSystem":"Linux","KernelVersion":"6.1"}'*) ok "metadata field overrides" ;;
*) not_ok "metadata field overrides" "$(metadata_of "$TMP/o.eif")" ;;
esac
expect_failure 2 "--compat with an unknown tool" "unknown --compat" eif build --compat nitro --kernel "$K" --cmdline x --ramdisk "$TMP/rd" -o "$TMP/z.eif"
expect_failure 2 "--compat with --no-metadata" "leave no metadata" eif build --compat eif_build --no-metadata --kernel "$K" --cmdline x --ramdisk "$TMP/rd" -o "$TMP/z.eif"
echo "1..$n"
