# SPDX-License-Identifier: Apache-2.0
# measure eif from the command line: outputs, formats and every kind of bad input.
. "$(dirname "$0")/lib.sh"
E=$FIXTURES/eif
G=tests/cli/golden
PCR0=e7cd3d5d2eb903e70661b7ec0bcdb535ea11b8ea70cae71779fe39820177292079c400bee3a0f90d702f092ccaebb6dd
PCR1=8b194a026b64c2edd0d77aadf0ff3885abd2f84f3ffe819ca9194ae38b5befc23884eac049d077472d537650873bba58
PCR2=eedcc5d43dacc59fd7cbc53e7476859316403a592a5eb2333c2584c86d8e42ca9172746790aa2eb65f5463ce1b64e75c
PCR8=47be456921b551cce865a39f774c310d3c015feccce8755008d50b7a1d288b18c49063bf66f54b58df558e92958bdffb

expect_rc 0 "measure --help" --help
expect_rc 0 "measure eif --help" eif --help
expect_out "eif --help names the formats" "nitro-cli"
expect_rc 0 "measure help eif" help eif
expect_rc 0 "measure --version" --version
expect_failure 2 "no command" "no command given"
expect_failure 2 "unknown command" "unknown command 'bogus'" bogus
expect_failure 2 "eif without a file" "no EIF file given" eif
expect_failure 2 "eif with two files" "more than one EIF file" eif "$E/tiny.eif" "$E/tiny.eif"
expect_failure 2 "unknown option" "unknown option '--bogus'" eif --bogus "$E/tiny.eif"
expect_failure 2 "unknown short option" "unknown option '-x'" eif -x "$E/tiny.eif"
expect_failure 2 "option without its value" "option '--format' needs a value" eif "$E/tiny.eif" --format
expect_failure 2 "unknown format" "unknown format 'yaml'" eif --format yaml "$E/tiny.eif"

# Values from vectors/nitro/eif/expected-pcrs.json.
run eif --json "$E/tiny-signed.eif"
expect_out "signed EIF: pcr0" "\"pcr0\": \"$PCR0\""
expect_out "signed EIF: pcr1" "\"pcr1\": \"$PCR1\""
expect_out "signed EIF: pcr2" "\"pcr2\": \"$PCR2\""
expect_out "signed EIF: pcr8" "\"pcr8\": \"$PCR8\""
expect_out "manifest input sha256" "27effe34628071c3499960845396f46ec34cbcfd5db94afb9e2f3a98fe445b14"
expect_golden "manifest of tiny-signed.eif" "$G/tiny-signed.json"
run eif --json "$E/tiny.eif"
if grep -q pcr8 "$TMP/out"; then not_ok "unsigned EIF has no pcr8"; else ok "unsigned EIF has no pcr8"; fi
run eif "$E/tiny-signed.eif"
expect_golden "text report of tiny-signed.eif" "$G/tiny-signed.txt"
run eif --format nitro-cli "$E/tiny-signed.eif"
expect_golden "nitro-cli describe-eif JSON of tiny-signed.eif" "$G/tiny-signed.nitro-cli.json"
expect_out "nitro-cli: SignatureCheck true" '"SignatureCheck": true'
run eif --format=nitro-cli "$E/one-ramdisk.eif"
expect_out "--opt=value form; one ramdisk: PCR2 of nothing" '"PCR2": "21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a"'
expect_out "nitro-cli: unsigned has IsSigned false" '"IsSigned": false'
run eif --json - <"$E/tiny.eif"
expect_out "stdin" "\"pcr2\": \"$PCR2\""
expect_out "stdin is named stdin" '"name": "stdin"'
run eif "$E/tiny.eif" -q
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ]; then ok "-q prints nothing"; else not_ok "-q prints nothing"; fi

# Bad input: exit 2, one line on stderr naming the field, nothing on stdout.
cp "$E/tiny.eif" "$TMP/base.eif"
size=$(wc -c <"$TMP/base.eif")
bad() { # desc words edit...
	desc=$1 words=$2
	shift 2
	cp "$TMP/base.eif" "$TMP/bad.eif"
	"$@"
	expect_failure 2 "$desc" "$words" eif "$TMP/bad.eif"
}
while read -r cut words; do
	head -c "$cut" "$E/tiny.eif" >"$TMP/cut.eif"
	expect_failure 2 "truncated to $cut bytes" "$words" eif "$TMP/cut.eif"
done <<'CUTS'
0 empty file
2 header truncated in field magic (offset 0x0)
5 header truncated in field version (offset 0x4)
7 header truncated in field flags (offset 0x6)
12 header truncated in field default_mem (offset 0x8)
20 header truncated in field default_cpus (offset 0x10)
25 header truncated in field reserved (offset 0x18)
27 header truncated in field num_sections (offset 0x1a)
100 header truncated in field section_offsets (offset 0x1c)
300 header truncated in field section_sizes (offset 0x11c)
541 header truncated in field unused (offset 0x21c)
546 header truncated in field crc32 (offset 0x220)
550 section 0 header (offset 0x224) truncated: file ends at 0x226
558 section 0 header (offset 0x224) truncated: file ends at 0x22e
1000 section 0 (kernel) ends at 0x1230, past end of file (0x3e8)
4660 section 1 header (offset 0x1230) truncated: file ends at 0x1234
4700 section 2 (metadata) ends at 0x1343, past end of file (0x125c)
4935 section 3 header (offset 0x1343) truncated: file ends at 0x1347
4987 section 4 (ramdisk) ends at 0x137c, past end of file (0x137b)
CUTS
head -c 4700 "$E/tiny.eif" >"$TMP/cut.eif"
expect_failure 2 "truncated, size known" "section 2 (metadata) ends at 0x1343, past end of file (0x125c)" eif "$TMP/cut.eif"
expect_failure 2 "truncated, from a pipe" "section 2 (metadata) ends at 0x1343, past end of file (0x125c)" eif - < <(cat "$TMP/cut.eif")
bad "wrong magic" "not \".eif\"" patch "$TMP/bad.eif" 0 454c4600
bad "flipped CRC" "crc32 (offset 0x220)" patch "$TMP/bad.eif" 547 00
bad "flipped payload byte" "the file's CRC-32 is" patch "$TMP/bad.eif" 2000 ff
bad "section size overflowing 64 bits" "overflows the file offset" patch "$TMP/bad.eif" $((284 + 16)) ffffffffffffff00
bad "offset table disagreeing with the walk" "section_offsets[2] (offset 0x2c) is 0x124a, but section 2 starts at 0x1249" patch "$TMP/bad.eif" $((28 + 16)) "$(be64 4682)"
bad "33 sections" "num_sections (offset 0x1a) is 33, more than 32" patch "$TMP/bad.eif" 26 0021
bad "unknown section type" "unknown type 7" patch "$TMP/bad.eif" 548 0007
bad "section header size disagreeing with the table" "section_sizes[0] says 0x1000" patch "$TMP/bad.eif" 552 0000000000000fff
bad "section past the end" "section 4 (ramdisk) ends at 0x137d, past end of file (0x137c)" patch "$TMP/bad.eif" $((284 + 32)) "$(be64 17)"
cp "$TMP/base.eif" "$TMP/v9.eif"; patch "$TMP/v9.eif" 4 0009
expect_failure 5 "version 9 is unsupported (exit 5)" "version (offset 0x4) is 9" eif "$TMP/v9.eif"
head -c 64 /dev/zero >>"$TMP/base.eif"
expect_failure 2 "trailing bytes" "64 bytes after the last section" eif "$TMP/base.eif"
: >"$TMP/empty.eif"
expect_failure 2 "empty file" "empty file" eif "$TMP/empty.eif"
expect_failure 2 "a directory" "is a directory" eif "$TMP"
expect_failure 2 "a missing file" "cannot open: No such file" eif "$TMP/none.eif"

# A signature that does not verify: exit 3, nothing on stdout.
cp "$E/tiny-signed.eif" "$TMP/sig.eif"
# The section ends with the COSE signature, as CBOR uints: change the last one and fix the CRC.
last=$(($(wc -c <"$TMP/sig.eif") - 1))
orig=$(od -An -tx1 -j "$last" -N1 "$TMP/sig.eif" | tr -d ' ')
patch "$TMP/sig.eif" "$last" "$(printf '%02x' $((0x$orig ^ 1)))"
# gzip's trailer holds the CRC-32 of its input: header bytes 0-543, then every section.
crc=$({ head -c 544 "$TMP/sig.eif"; tail -c +549 "$TMP/sig.eif"; } | gzip -c | tail -c 8 | od -An -tx4 -N4 | tr -d ' ')
patch "$TMP/sig.eif" 544 "$crc"
expect_failure 3 "tampered signature: exit 3" "signature does not verify" eif "$TMP/sig.eif"

# measure eif build: the writer reproduces the oracle-built tiny.eif byte for byte.
run eif build --kernel "$E/tiny-kernel.bin" --cmdline console=ttyS0 --ramdisk "$E/tiny-rd1.bin" \
	--ramdisk "$E/tiny-rd2.bin" --metadata "$E/tiny.metadata.json" -o "$TMP/rt.eif"
expect_out "build prints PCR0" "PCR0       $PCR0"
if [ "$(sha256sum <"$TMP/rt.eif" | cut -c1-64)" = 9c3ac3bc40dc33b5f343bebe5742e61a82c8ed40d2a23db56b58223a82dece61 ]; then
	ok "build reproduces tiny.eif byte for byte"
else
	not_ok "build reproduces tiny.eif byte for byte"
fi
run eif build --kernel "$E/tiny-kernel.bin" --cmdline console=ttyS0 --ramdisk "$E/tiny-rd1.bin" \
	--ramdisk "$E/tiny-rd2.bin" --ramdisk "$E/tiny-rd2.bin" --arch aarch64 -o "$TMP/arm.eif" -q
run eif --json "$TMP/arm.eif"
expect_out "built aarch64 EIF: PCR0 of three-ramdisks-arm.eif" '"pcr0": "0609f8b5dbbb4841e6cf4a68ba11c5913d934a878da57645d1a2f4db2216922920c62fbf4a320a1b98e3311172f230dc"'
expect_out "built aarch64 EIF: PCR2 of three-ramdisks-arm.eif" '"pcr2": "cd5f169fbcc3f7ba1ad07ac4f11e797de591c0862ea510b10d78e9c8f3e75e4b0c5df8690ba8da42f3ed45d8ced3b0d1"'
a=$(SOURCE_DATE_EPOCH=0 "$MEASURE" eif build --kernel "$E/tiny-kernel.bin" --cmdline x --ramdisk "$E/tiny-rd1.bin" -o "$TMP/a.eif" -q && sha256sum <"$TMP/a.eif")
b=$("$MEASURE" eif build --kernel "$E/tiny-kernel.bin" --cmdline x --ramdisk "$E/tiny-rd1.bin" -o "$TMP/b.eif" -q && sha256sum <"$TMP/b.eif")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "build is reproducible"; else not_ok "build is reproducible"; fi
expect_failure 2 "build without ramdisk" "--ramdisk is required" eif build --kernel "$E/tiny-kernel.bin" --cmdline x -o "$TMP/c.eif"
expect_failure 2 "build with a missing kernel" "cannot open" eif build --kernel "$TMP/none" --cmdline x --ramdisk "$E/tiny-rd1.bin" -o "$TMP/c.eif"
expect_failure 2 "build with a directory as ramdisk" "is a directory" eif build --kernel "$E/tiny-kernel.bin" --cmdline x --ramdisk "$TMP" -o "$TMP/c.eif"
if [ -e "$TMP/c.eif" ]; then not_ok "failed build leaves no file"; else ok "failed build leaves no file"; fi
expect_failure 2 "build, unknown arch" "unknown architecture 'riscv'" eif build --arch riscv
# The progress line: only for files of 256 MiB or more, only when stderr is a terminal, erased at the end.
truncate -s 260M "$TMP/big-rd.bin"
"$MEASURE" eif build --kernel "$E/tiny-kernel.bin" --cmdline x --ramdisk "$TMP/big-rd.bin" -o "$TMP/big.eif" -q
rm -f "$TMP/big-rd.bin"
run eif "$TMP/big.eif"
cp "$TMP/out" "$TMP/big.out"
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok "large EIF, stderr not a terminal: no progress"; else
	not_ok "large EIF, stderr not a terminal: no progress" "exit $rc" "stderr: $(head -c 300 "$TMP/err" | od -c | head -5)"; fi
if command -v script >/dev/null; then
	script -qec "'$MEASURE' eif '$TMP/big.eif' >'$TMP/tty.out'" "$TMP/tty.log" >/dev/null 2>&1
	if grep -qF "of 260 MiB" "$TMP/tty.log" && grep -qF "$(printf '\r\033[K')" "$TMP/tty.log" &&
		cmp -s "$TMP/tty.out" "$TMP/big.out"; then
		ok "large EIF, stderr a terminal: progress shown, erased, stdout unchanged"
	else
		not_ok "large EIF, stderr a terminal: progress shown, erased, stdout unchanged" \
			"terminal: $(tr '\r\033' '|^' <"$TMP/tty.log" | head -c 300)"
	fi
else
	skip "large EIF progress on a terminal: script(1) is not installed"
fi
rm -f "$TMP/big.eif"
echo "1..$n"
