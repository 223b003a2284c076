# SPDX-License-Identifier: Apache-2.0
# The GCE COS-113 CC event log in ../shared/vectors/tdx: replaying it must give exactly the
# RTMR0-3 of cos-113-tdx-quote.dat (read here at the TD quote body's offsets).
. "$(dirname "$0")/../cli/lib.sh"
T=$VECTORS/tdx
if [ ! -f "$T/ccel_data.dat" ]; then
	echo "# SKIP vectors not found at $VECTORS: TDX event-log conformance not checked"
	echo "not ok 1 # SKIP tdx vectors"
	echo "1..1"
	exit 0
fi
# quote v4: 48-byte header, then the body; RTMR0 at body offset 328, 48 bytes each
quote_rtmr() { od -An -tx1 -v -j $((48 + 328 + 48 * $1)) -N 48 "$T/cos-113-tdx-quote.dat" | tr -d ' \n'; }

run tdx eventlog "$T/ccel_data.dat"
for i in 0 1 2 3; do
	expect_out "replay RTMR$i equals the quote's" "RTMR$i  $(quote_rtmr $i)"
done
expect_out "RTMR0 equals expected_measurements.tsv" "RTMR0  3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6"
run tdx eventlog "$T/ccel_data.dat" --ccel-table "$T/ccel_table.dat"
expect_out "with the CCEL table: same RTMR2" "RTMR2  $(quote_rtmr 2)"
run tdx eventlog --json "$T/ccel_data.dat"
expect_out "manifest: rtmr1" "\"rtmr1\": \"$(quote_rtmr 1)\""
run tdx eventlog --transcript "$T/ccel_data.dat"
expect_out "transcript decodes the TD HOB event" "RTMR0  EV_EFI_HANDOFF_TABLES2"
expect_out "transcript decodes UEFI variables" "SecureBoot (8be4df61-93ca-11d2-aa0d-00e098032b8c, 1 bytes)"
expect_out "transcript decodes the firmware volume" "Fv(48DB5E17-707C-472D-91CD-1613E7EF51B0) at 0xffe00000, 0x20000 bytes"
expect_out "transcript decodes grub's commands" "grub_cmd: set timeout=0"
expect_out "Boot0000 is OVMF's UiApp digest" "23ada07f5261f12f34a0bd8e46760962d6b4d576a416f1fea1c64bc656b1d28eacf7047ae6e967c58fd2a98bfa74c298"
if [ "$(grep -c '^RTMR' "$TMP/out")" -eq 43 ]; then ok "43 events"; else not_ok "43 events" "$(grep -c '^RTMR' "$TMP/out")"; fi

# --against: the log against its own transcript passes; against OVMF's computed one, RTMR0 event 0 differs.
"$MEASURE" tdx eventlog --transcript --json "$T/ccel_data.dat" >"$TMP/self.json"
expect_rc 0 "against its own transcript" tdx eventlog "$T/ccel_data.dat" --against "$TMP/self.json"
expect_out "all RTMR2 events match" "RTMR2: all 20 events match"
"$MEASURE" tdx --transcript --json --firmware "$FIXTURES/firmware/OVMF.fd" --memory 2G >"$TMP/ovmf.json"
expect_rc 1 "against Debian OVMF's transcript: a mismatch (exit 1)" tdx eventlog "$T/ccel_data.dat" --against "$TMP/ovmf.json"
expect_out "names the first event that differs" "RTMR0 event 0: the digests differ:"
expect_out "and why" "log:        EV_EFI_HANDOFF_TABLES2 \"TdxTable\""
# the same log with one grub command changed: the first difference is named
cp "$T/ccel_data.dat" "$TMP/edited.dat"
sed 's/"36142e70/"00142e70/' "$TMP/self.json" >"$TMP/edited.json"
expect_rc 1 "one changed digest" tdx eventlog "$T/ccel_data.dat" --against "$TMP/edited.json"
expect_out "is named with its register and index" "RTMR2 event 4: the digests differ"

# Malformed logs: exit 2, one line, nothing on stdout. First TCG_PCR_EVENT2 at 0x41:
# digest count at 0x49, its SHA-384 at 0x4f, event size at 0x7f.
bad() { # desc words offset bytes
	cp "$T/ccel_data.dat" "$TMP/bad.dat"
	patch "$TMP/bad.dat" "$3" "$4"
	expect_failure 2 "$1" "$2" tdx eventlog "$TMP/bad.dat"
}
bad "digest count overflowing" "event 1 (offset 0x41): digest count 4294967295, the log declares 1 algorithms" $((0x49)) ffffffff
bad "undeclared digest algorithm" "digest algorithm 0x000b is not declared" $((0x4d)) 0b00
bad "event size overflowing" "event 1 (offset 0x41): event size 4294967280 (offset 0x7f) runs past the end of the log" $((0x7f)) f0ffffff
bad "MR index beyond RTMR3" "MR index 9" $((0x41)) 09000000
bad "not a crypto-agile log" "is not a \"Spec ID Event03\"" $((0x20)) 58
bad "first event not EV_NO_ACTION" "first event (offset 0x4) has type 0x1" 4 01000000
head -c 100 "$T/ccel_data.dat" >"$TMP/cut.dat"
expect_failure 2 "truncated inside an event" "event 1 (offset 0x41): digests run past the end of the log" tdx eventlog "$TMP/cut.dat"
: >"$TMP/empty.dat"
expect_failure 2 "empty log" "too short for its first record" tdx eventlog "$TMP/empty.dat"
cp "$T/ccel_table.dat" "$TMP/table.dat"; patch "$TMP/table.dat" 20 ff
expect_failure 2 "CCEL table with a bad checksum" "checksum (offset 0x9) does not sum to zero" tdx eventlog "$T/ccel_data.dat" --ccel-table "$TMP/table.dat"
echo '{"events": [{"register": "rtmr7"}]}' >"$TMP/badref.json"
expect_failure 2 "a transcript that is not one" "register is not rtmr0..rtmr3" tdx eventlog "$T/ccel_data.dat" --against "$TMP/badref.json"
echo "1..$n"
