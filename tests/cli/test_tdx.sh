# SPDX-License-Identifier: Apache-2.0
# measure tdx on Debian's OVMF builds and kernel (committed fixtures). Expected values are
# vectors/tdx/expected_measurements.tsv (the Rust reference tdx-measure and a Python port).
. "$(dirname "$0")/lib.sh"
FW=$FIXTURES/firmware
K=$FIXTURES/kernel/vmlinuz-6.1.0-56-amd64
MRTD1=4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47
MRTD2=acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1
HOB2G=0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c64f323fdacbb37948f821ebaf8bc9c938ba8a749
HOB4G=5b684faf8d02a733945f821d9cdd170802e72103977acf66949c9382500283adc90cbec57f8e7653f8bee1cab83689de
AUTH=e494e71ba795e8fc3edc1b3cab678c8c8782a6efe14d2d5a25155dc948b53f7d1dab088ff7005b7e6f9b0534738660e2
RTMR1=22d9ea28f2fe47c52b598a60e91ae47e3e453bd2110434e63c3899314b2dcc55d5bc4addd53adfb092856f94811e397b
RTMR2=6001b3a3c7523ccc9c9f47f0c137df0c1ac629e695038112120ad63f9163258700344f00d9be2117a5fa9a70ffa163d2
head -c 4096 /dev/zero >"$TMP/initrd"
# limited CHECK ARGS...: the check, with measure under a 60-second timeout (ASan included; these used to hang)
printf '#!/bin/sh\nexec timeout 60 "%s" "$@"\n' "$(realpath "$MEASURE")" >"$TMP/measure60"
chmod +x "$TMP/measure60"
limited() { m=$MEASURE; MEASURE=$TMP/measure60; "$@"; MEASURE=$m; }

expect_rc 0 "tdx --help" tdx --help
run tdx --firmware "$FW/OVMF.fd"
expect_out "MRTD single-pass (default)" "MRTD   $MRTD1  (single-pass)"
expect_out "RTMR3 is zero" "RTMR3  000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
expect_out "missing inputs leave RTMR0 out" "RTMR0  not computed: an input is missing"
run tdx --firmware "$FW/OVMF.fd" --page-add-order two-pass
expect_out "MRTD two-pass" "MRTD   $MRTD2  (two-pass)"
run tdx --firmware "$FW/OVMF.fd" --qemu-version 8.2.2
expect_out "QEMU 8.x defaults to two-pass" "MRTD   $MRTD2  (two-pass)"
run tdx --firmware "$FW/OVMF_CODE.fd" --vars "$FW/OVMF_VARS.fd"
expect_out "OVMF_CODE.fd with its VARS in front: the OVMF.fd MRTD" "MRTD   $MRTD1"
expect_failure 2 "OVMF_CODE.fd alone" "its TDVF offsets assume a 0x20000-byte VARS image in front; give that VARS image as well" tdx --firmware "$FW/OVMF_CODE.fd"
expect_failure 2 "OVMF_CODE_4M.fd: no TDX metadata" "no TDX metadata entry: not a TDX-enabled build" tdx --firmware "$FW/OVMF_CODE_4M.fd"

run tdx --firmware "$FW/OVMF.fd" --memory 2G --transcript
expect_out "TD HOB, 2 GiB" "$HOB2G"
run tdx --firmware "$FW/OVMF.fd" --memory 4096M --transcript
expect_out "TD HOB, 4 GiB" "$HOB4G"
# QEMU before 10.2 patches the setup header (qemu/qemu a7542a38f399 stopped it, first in v10.2.0)
for q in 9 8.2 10.0 10.1.3; do
	for mem in 2G 4G; do
		run tdx --firmware "$FW/OVMF.fd" --memory $mem --kernel "$K" --initrd "$TMP/initrd" \
			--cmdline "console=ttyS0 root=/dev/vda1" --qemu-version $q
		expect_out "RTMR1 (QEMU $q patches the setup header), $mem" "RTMR1  $RTMR1"
		expect_out "RTMR2, cmdline and initrd, $mem" "RTMR2  $RTMR2"
	done
done
run tdx --firmware "$FW/OVMF.fd" --kernel "$K" --qemu-version 10.2 --cmdline "" --transcript
expect_out "QEMU 10.2: Authenticode of the unpatched kernel" "$AUTH"
run tdx --firmware "$FW/OVMF.fd" --kernel "$K" --qemu-version 11.0 --cmdline "" --transcript
expect_out "QEMU 11.0: unpatched as well" "$AUTH"
run tdx --firmware "$FW/OVMF.fd" --kernel "$K" --qemu-version 10.1 --cmdline "" --transcript
if grep -qF "$AUTH" "$TMP/out"; then not_ok "QEMU 10.1 still patches: not the unpatched digest"; else ok "QEMU 10.1 still patches: not the unpatched digest"; fi
run tdx --firmware "$FW/OVMF.fd" --kernel "$K" --transcript
expect_out "no --qemu-version: the kernel event is not guessed" "kernel (needs --qemu-version"
run tdx --firmware "$FW/OVMF.fd" --kernel "$K" --initrd "$TMP/initrd" --qemu-version 9 --transcript
expect_out "QEMU 9 with an initrd and no --memory: not guessed" "kernel (needs --memory"
expect_out "no --cmdline: not guessed" "kernel command line (needs --cmdline)"

# Manifest: only what was computed.
run tdx --json --firmware "$FW/OVMF.fd" --memory 2G --kernel "$K" --initrd "$TMP/initrd" --cmdline "console=ttyS0 root=/dev/vda1" --qemu-version 9
expect_out "manifest: platform" '"platform": "tdx"'
expect_out "manifest: mrtd" "\"mrtd\": \"$MRTD1\""
expect_out "manifest: rtmr1" "\"rtmr1\": \"$RTMR1\""
expect_out "manifest: rtmr2" "\"rtmr2\": \"$RTMR2\""
if grep -q '"rtmr0"' "$TMP/out"; then not_ok "manifest leaves out rtmr0 (no ACPI blobs)"; else ok "manifest leaves out rtmr0 (no ACPI blobs)"; fi
expect_out "manifest: parameters" '"qemu_version": "9.0"'
expect_out "manifest: kernel input" '"sha256": "26f2e57c'

# RTMR0 with (synthetic) ACPI blobs: computed, and moved by each blob.
printf 'loader' >"$TMP/loader"; printf 'RSD PTR ' >"$TMP/rsdp"; printf 'tables' >"$TMP/tables"
run tdx --firmware "$FW/OVMF.fd" --memory 2G --acpi-loader "$TMP/loader" --acpi-rsdp "$TMP/rsdp" --acpi-tables "$TMP/tables"
r0=$(grep RTMR0 "$TMP/out")
printf 'tables!' >"$TMP/tables"
run tdx --firmware "$FW/OVMF.fd" --memory 2G --acpi-loader "$TMP/loader" --acpi-rsdp "$TMP/rsdp" --acpi-tables "$TMP/tables"
if echo "$r0" | grep -q '^RTMR0  [0-9a-f]\{96\}$' && [ "$r0" != "$(grep RTMR0 "$TMP/out")" ]; then ok "RTMR0 computed from the ACPI blobs"; else not_ok "RTMR0 computed from the ACPI blobs" "$r0"; fi
printf '\001\000\000\000' >"$TMP/bootorder"
expect_failure 2 "BootOrder without its entries" "BootOrder lists 2 entries, 0 Boot#### files were given" tdx --firmware "$FW/OVMF.fd" --boot-order "$TMP/bootorder"

# Refusals.
expect_failure 2 "no firmware" "--firmware FILE (or --mrtd HEX, or --published FILE) is required" tdx --memory 2G
expect_failure 2 "bad memory size" "--memory: '2X' is not a memory size as QEMU's -m takes it" tdx --firmware "$FW/OVMF.fd" --memory 2X
expect_failure 2 "tiny memory" "at least 64 MiB" tdx --firmware "$FW/OVMF.fd" --memory 1M
expect_failure 2 "bad QEMU version" "--qemu-version: 'nine' is not a version" tdx --firmware "$FW/OVMF.fd" --qemu-version nine
expect_failure 2 "initrd without kernel" "--initrd and --cmdline (or their digests) need --kernel" tdx --firmware "$FW/OVMF.fd" --initrd "$TMP/initrd"
expect_failure 2 "unknown page-add order" "--page-add-order is single-pass or two-pass" tdx --firmware "$FW/OVMF.fd" --page-add-order three
bad_fw() { # desc words offset bytes
	cp "$FW/OVMF.fd" "$TMP/bad.fd"
	patch "$TMP/bad.fd" "$3" "$4"
	expect_failure 2 "$1" "$2" tdx --firmware "$TMP/bad.fd"
}
# OVMF.fd: TDX metadata offset at 0x1fff58, TDVF descriptor at 0x1ff7c0, sections from 0x1ff7d0.
bad_fw "metadata offset outside the file" "TDX metadata offset 0xffffff (from the end) points outside the image" $((0x1fff58)) ffffff00
bad_fw "descriptor length that lies" "length 4096, but 6 sections need 208" $((0x1ff7c4)) 00100000
bad_fw "huge section count" "4294967295 sections, more than 32" $((0x1ff7cc)) ffffffff
bad_fw "section outside the file" "TDVF section 0 (BFV, offset 0x1ff7d0): data 0x300000+0x1e0000 runs past the end of the image" $((0x1ff7d0)) 00003000
bad_fw "unknown section type" "TDVF section 1 (offset 0x1ff7f0): unknown type 9" $((0x1ff7f0 + 24)) 09000000
bad_fw "overlapping sections" "TDVF section 3 (TempMem, offset 0x1ff830) overlaps section 2 in memory" $((0x1ff830 + 8)) 00008100
# Sections are 32 bytes: DataOffset, RawDataSize, MemoryAddress (+8), MemorySize (+16), Type, Attributes.
# They may describe 256 MiB in all: a 1 TiB TempMem took 39 s, now it is refused at once.
bad_fw "a 1 TiB TempMem" "TDVF section 3 (TempMem, offset 0x1ff830): MemorySize 0x10000000000 (offset 0x1ff840) brings the sections past the 256 MiB limit" $((0x1ff830 + 16)) 0000000000010000
bad_fw "memory size wrapping the address space" "brings the sections past the 256 MiB limit" $((0x1ff830 + 16)) 00f0ffffffffffff
# the BFV grown so the sections describe exactly 256 MiB (zero-filled past its data, all extended): measured,
# in bounded time; one page more is refused, naming the section that passes the limit
cp "$FW/OVMF.fd" "$TMP/limit.fd"; patch "$TMP/limit.fd" $((0x1ff7d0 + 16)) 0060fc0f00000000
limited expect_rc 0 "sections describing exactly 256 MiB are measured" tdx --firmware "$TMP/limit.fd"
expect_out "an MRTD at the limit" "MRTD   "
patch "$TMP/limit.fd" $((0x1ff7d0 + 16)) 0070fc0f00000000
expect_failure 2 "one page past 256 MiB" "TDVF section 5 (TempMem, offset 0x1ff870): MemorySize 0x6000 (offset 0x1ff880) brings the sections past the 256 MiB limit" \
	tdx --firmware "$TMP/limit.fd"
# The kernel's PE headers: e_lfanew 0x40, NumberOfSections at 0x46, section table 0xf8..0x198.
head -c 300 "$K" >"$TMP/short-pe"
expect_failure 2 "PE section table past the end" "PE section table (offset 0xf8, 4 sections) runs past the end of the file (0x12c)" \
	tdx --firmware "$FW/OVMF.fd" --kernel "$TMP/short-pe" --qemu-version 10.2
cp "$K" "$TMP/bad-pe"; patch "$TMP/bad-pe" $((0xf8 + 40 + 20)) ffffff7f
expect_failure 2 "PE section data past the end" "PE section 1 (header at offset 0x120): data 0x7fffffff" \
	tdx --firmware "$FW/OVMF.fd" --kernel "$TMP/bad-pe" --qemu-version 10.2
# a PE32+ optional header declared 100 bytes long, ending where the file ends (found by fuzzing)
cp "$K" "$TMP/short-opt"; patch "$TMP/short-opt" $((0x54)) 6400; head -c $((0x58 + 100)) "$TMP/short-opt" >"$TMP/short-opt2"
expect_failure 2 "PE32+ optional header too short for its fields" "PE32+ optional header (offset 0x58) is 0x64 bytes, too short" \
	tdx --firmware "$FW/OVMF.fd" --kernel "$TMP/short-opt2" --qemu-version 10.2
expect_failure 2 "not a PE" "not a PE/COFF image" tdx --firmware "$FW/OVMF.fd" --kernel "$TMP/initrd" --qemu-version 10.2

# Size limits (docs/measure.1, LIMITS): streams and devices past them are refused, never a crash
# (a pipe or device past the firmware limit used to free an uninitialised pointer) or a hang.
head -c 70000000 /dev/zero | timeout 60 "$MEASURE" tdx --firmware - >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -s "$TMP/out" ] &&
	grep -qF -- "measure: tdx: -: larger than the 64 MiB limit (67108864 bytes)" "$TMP/err"; then
	ok "firmware from a pipe past 64 MiB"; else not_ok "firmware from a pipe past 64 MiB" "exit $rc" "$(cat "$TMP/err")"; fi
limited expect_failure 2 "firmware from a device that never ends" "measure: tdx: /dev/zero: larger than the 64 MiB limit" tdx --firmware /dev/zero
truncate -s 65M "$TMP/big.fd"
expect_failure 2 "firmware file past 64 MiB" "big.fd: larger than the 64 MiB limit" tdx --firmware "$TMP/big.fd"
expect_failure 2 "VARS file past 64 MiB" "big.fd: larger than the 64 MiB limit" tdx --firmware "$FW/OVMF_CODE.fd" --vars "$TMP/big.fd"
limited expect_failure 2 "kernel from a device: refused at 256 MiB" "/dev/zero: larger than the 256 MiB limit (268435456 bytes)" \
	tdx --firmware "$FW/OVMF.fd" --kernel /dev/zero --qemu-version 10.2
truncate -s 257M "$TMP/big-kernel"
expect_failure 2 "kernel file past 256 MiB" "big-kernel: larger than the 256 MiB limit" tdx --firmware "$FW/OVMF.fd" --kernel "$TMP/big-kernel"
truncate -s 2049M "$TMP/big-initrd"
expect_failure 2 "initrd file past 2 GiB" "big-initrd: larger than the 2 GiB limit (2147483648 bytes)" \
	tdx --firmware "$FW/OVMF.fd" --kernel "$K" --initrd "$TMP/big-initrd" --qemu-version 10.2
limited expect_failure 2 "ACPI tables from a device: refused at 64 MiB" "/dev/zero: larger than the 64 MiB limit" \
	tdx --firmware "$FW/OVMF.fd" --acpi-tables /dev/zero
expect_failure 2 "BootOrder past 4096 bytes" "/dev/zero: larger than the 4096-byte limit" \
	tdx --firmware "$FW/OVMF.fd" --boot-order /dev/zero
rm -f "$TMP/big.fd" "$TMP/big-kernel" "$TMP/big-initrd"

# measure tdx eventlog: the log may be 16 MiB and hold 65536 records (the Spec ID event included); it
# is checked, replayed and printed one event at a time. A synthetic log: the Spec ID event (SHA-384
# only), then EV_EFI_ACTION events of 66 bytes extending RTMR0.
printf 'Spec ID Event03\000\000\000\000\000\000\002\000\010\001\000\000\000\014\000\060\000\000' >"$TMP/specid"
{ printf '\000\000\000\000\003\000\000\000'; head -c 20 /dev/zero; printf '\041\000\000\000'; cat "$TMP/specid"; } >"$TMP/log-head"
{ printf '\001\000\000\000\007\000\000\200\001\000\000\000\014\000'; head -c 48 /dev/zero | tr '\000' '\252'; printf '\000\000\000\000'; } >"$TMP/ev"
for i in $(seq 16); do cat "$TMP/ev" "$TMP/ev" >"$TMP/ev2"; mv "$TMP/ev2" "$TMP/ev"; done # 65536 events
cat "$TMP/log-head" "$TMP/ev" >"$TMP/too-many.log"
expect_failure 2 "an event log of more than 65536 records" "too-many.log: event 65536 (offset 0x$(printf %x $((65 + 65535 * 66)))): more than 65536 events in the log" \
	tdx eventlog --transcript "$TMP/too-many.log"
head -c $((65 + 65535 * 66)) "$TMP/too-many.log" >"$TMP/many.log"
limited expect_rc 0 "an event log of 65536 records: its transcript" tdx eventlog --transcript --json "$TMP/many.log"
if [ "$(grep -c '"register": "rtmr0"' "$TMP/out")" -eq 65535 ] && [ "$(head -2 "$TMP/out")" = "$(printf '{\n  "events": [')" ] &&
	[ "$(tail -3 "$TMP/out")" = "$(printf '    }\n  ]\n}')" ]; then ok "the streamed transcript holds 65535 events"; else
	not_ok "the streamed transcript holds 65535 events" "$(head -c 300 "$TMP/out")"; fi
cp "$TMP/out" "$TMP/many.json"
limited expect_rc 0 "the log against its own streamed transcript" tdx eventlog "$TMP/many.log" --against "$TMP/many.json"
expect_out "every event paired" "RTMR0: all 65535 events match"
run tdx eventlog "$TMP/many.log"
ext=$(head -c 48 /dev/zero | tr '\000' '\252' | od -An -tx1 -v | tr -d ' \n')
r0=$(printf '%096d' 0)
for i in 1 2 3; do r0=$(unhex "$r0$ext" | openssl dgst -sha384 -r | cut -c1-96); done
head -c $((65 + 3 * 66)) "$TMP/many.log" >"$TMP/three.log"
run tdx eventlog "$TMP/three.log"
expect_out "the replay extends as it walks (3 events, openssl's SHA-384)" "RTMR0  $r0"
run tdx eventlog --transcript "$TMP/many.log"
if [ "$(wc -l <"$TMP/out")" -eq 65535 ]; then ok "text transcript: 65535 lines"; else not_ok "text transcript: 65535 lines" "$(wc -l <"$TMP/out")"; fi
if [ -x /usr/bin/time ]; then
	# (ASan's quarantine would keep 256 MiB of freed memory resident: off for this run)
	ASAN_OPTIONS=quarantine_size_mb=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
		/usr/bin/time -f %M -o "$TMP/rss" "$MEASURE" tdx eventlog --transcript --json "$TMP/many.log" >/dev/null 2>&1
	if [ "$(cat "$TMP/rss")" -lt 65536 ]; then ok "memory stays bounded: $(cat "$TMP/rss") KiB for 65535 events"; else
		not_ok "memory stays bounded" "$(cat "$TMP/rss") KiB maximum resident for 65535 events"; fi
else
	skip "memory stays bounded: no /usr/bin/time"
fi
truncate -s 17M "$TMP/big.log"
expect_failure 2 "an event log past 16 MiB" "big.log: larger than the 16 MiB limit (16777216 bytes)" tdx eventlog "$TMP/big.log"
head -c 20000000 /dev/zero | timeout 60 "$MEASURE" tdx eventlog - >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -s "$TMP/out" ] && grep -qF -- "-: larger than the 16 MiB limit" "$TMP/err"; then
	ok "an event log from a pipe past 16 MiB"; else not_ok "an event log from a pipe past 16 MiB" "exit $rc" "$(cat "$TMP/err")"; fi
# an error after many good events still prints nothing: the log is checked before a line is written
cp "$TMP/many.log" "$TMP/late-bad.log"; patch "$TMP/late-bad.log" $((65 + 60000 * 66 + 8)) 05000000
expect_failure 2 "a bad event after 60000 good ones: nothing printed" "event 60001 (offset 0x$(printf %x $((65 + 60000 * 66)))): digest count 5" \
	tdx eventlog --transcript --json "$TMP/late-bad.log"
rm -f "$TMP"/*.log "$TMP/ev" "$TMP/many.json"
echo "1..$n"
