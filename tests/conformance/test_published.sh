# SPDX-License-Identifier: Apache-2.0
# Measuring from published inputs, against the real dstack evidence in ../shared/vectors/real:
# the values asserted are the reports' and quote's own (vectors/real/README.md), read from the evidence by python.
. "$(dirname "$0")/../cli/lib.sh"
R=$VECTORS/real
if [ ! -f "$R/snp/dstack-0.6.0a2-snp-measurement-inputs.json" ]; then
	echo "# SKIP vectors not found at $VECTORS/real: published-input conformance not checked"
	echo "not ok 1 # SKIP real vectors"
	echo "1..1"
	exit 0
fi
ENC="python3 $(dirname "$0")/../cbor_encode.py"
SJ=$R/snp/dstack-0.6.0a2-snp-measurement-inputs.json
REPORT=$R/snp/dstack-0.6.0a2-snp-report.bin
VCEK=$R/snp/dstack-0.6.0a2-vcek-ask.pem
AT=2026-09-01T00:00:00Z
# the report's MEASUREMENT (offset 0x90, 48 bytes), read from the report itself
MEAS=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read()[0x90:0xc0].hex())" "$REPORT")
[ "$MEAS" = 7f51e17f72a04d5422cb2c00998166536019a217376f3aa45a630e59c805a599847ff250dbffcd07e1ba639771d6f05d ] &&
	ok "the report's MEASUREMENT is the README's" || not_ok "the report's MEASUREMENT is the README's" "$MEAS"

# SNP, the JSON form
run snp --published "$SJ"
expect_out "snp --published JSON: the report's MEASUREMENT" "$MEAS"
run snp --published "$SJ" --json
cp "$TMP/out" "$TMP/snp.json"
expect_out "manifest: the published file is the input" '"role": "published"'
expect_out "manifest: with its SHA-256" "\"sha256\": \"$(sha256sum "$SJ" | cut -d' ' -f1)\""
expect_rc 0 "compare: manifest from published inputs against the real report" compare --at $AT --vcek "$VCEK" "$TMP/snp.json" "$REPORT"
CMD=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cmdline'])" "$SJ")
run snp --published "$SJ" --append "${CMD%?}x" --json
cp "$TMP/out" "$TMP/snp-bad.json"
expect_rc 1 "compare: the cmdline changed by one byte is a mismatch" compare --at $AT --vcek "$VCEK" "$TMP/snp-bad.json" "$REPORT"
run snp --published "$SJ" --append-sha256 "$(printf '%s\0' "$CMD" | sha256sum | cut -d' ' -f1)"
expect_out "--append-sha256 of the cmdline and its NUL (sha256sum) overrides to the same value" "$MEAS"

# SNP, the CBOR dstack publishes (measurement.snp.cbor: its fields in dstack's order, byte strings for hashes)
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
keys=['version','cmdline','ovmf_hash','kernel_hash','initrd_hash','hashes_table_gpa','reset_eip','ovmf_sections']
print(json.dumps({k:d[k] for k in keys}))" "$SJ" >"$TMP/snp-cbor.json"
$ENC --bytes ovmf_hash,kernel_hash,initrd_hash <"$TMP/snp-cbor.json" >"$TMP/measurement.snp.cbor"
expect_rc 0 "snp --published CBOR with the deployment's options" snp --published "$TMP/measurement.snp.cbor" --vcpus 2 --vcpu-type EPYC-v4 --guest-features 0x1
expect_out "snp --published CBOR: the report's MEASUREMENT" "$MEAS"
expect_failure 2 "the CBOR without vcpus: asked for, not guessed" "--vcpus N is required" snp --published "$TMP/measurement.snp.cbor"
# the same from options and a metadata file, without any published document
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
print(json.dumps({'ovmf_sections':d['ovmf_sections'],'reset_eip':d['reset_eip'],'hashes_table_gpa':d['hashes_table_gpa']}))" "$SJ" >"$TMP/meta.json"
OH=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['ovmf_hash'], d['kernel_hash'], d['initrd_hash'])" "$SJ")
set -- $OH
run snp --snp-ovmf-hash "$1" --ovmf-metadata "$TMP/meta.json" --kernel-sha256 "$2" --initrd-sha256 "$3" --append "$CMD" --vcpus 2 --vcpu-type EPYC-v4
expect_out "--snp-ovmf-hash + --ovmf-metadata + hashes: the report's MEASUREMENT" "$MEAS"
run snp --snp-ovmf-hash "$1" --ovmf-metadata "$TMP/meta.json" --kernel-sha256 "$2" --initrd-sha256 "$3" --append "$CMD" --vcpus 2 --vcpu-type EPYC-v4 --json
expect_out "manifest: the metadata file is an input" '"role": "ovmf-metadata"'
# other deployments of the same image must come out different (and the same whichever way they are given)
run snp --published "$SJ" --vcpus 4
V4=$(cat "$TMP/out")
run snp --published "$TMP/measurement.snp.cbor" --vcpus 4 --vcpu-type EPYC-v4
[ "$V4" != "$MEAS" ] && [ "$V4" = "$(cat "$TMP/out")" ] && ok "4 vCPUs: another digest, the same from JSON and CBOR" ||
	not_ok "4 vCPUs: another digest, the same from JSON and CBOR" "$V4" "$(cat "$TMP/out")"
run snp --published "$SJ" --vcpu-type EPYC-Milan
[ "$(cat "$TMP/out")" != "$MEAS" ] && ok "another vCPU type changes the digest" || not_ok "another vCPU type changes the digest"

# TDX (vectors/real/tdx): the quote's own registers
Q=$R/tdx/dstack-0.6.0-tdx-lite-getquote.json
CB=$R/tdx/dstack-0.6.0-measurement.tdx.cbor
python3 -c "import json,sys; open(sys.argv[2],'wb').write(bytes.fromhex(json.load(open(sys.argv[1]))['quote_hex']))" "$Q" "$TMP/quote.dat"
reg() { python3 -c "import sys; q=open(sys.argv[1],'rb').read(); print(q[int(sys.argv[2]):int(sys.argv[2])+48].hex())" "$TMP/quote.dat" "$1"; }
MRTD=$(reg 184); RT0=$(reg 376); RT1=$(reg 424); RT2=$(reg 472); RT3=$(reg 520)
[ "$MRTD" = fd685522ce791dfef67414614eb07d03fc07a32c5a66f36288b329dab92b724b1564c73d436ffb9ea84488c51ac5a1c5 ] &&
	ok "the quote's MRTD is the README's" || not_ok "the quote's MRTD is the README's" "$MRTD"
run tdx --published "$CB" --qemu-version 8.2.2 --memory 2G
expect_out "tdx --published: MRTD (two-pass, QEMU 8.2)" "MRTD   $MRTD"
expect_out "tdx --published: RTMR1" "RTMR1  $RT1"
expect_out "tdx --published: RTMR2" "RTMR2  $RT2"
run tdx --published "$CB" --page-add-order single-pass
expect_out "single-pass picks the other published MRTD" "MRTD   a6f2ac9451810686a4db259fe8fa5438dc4a58bda9fd2f5b1fb0928335705500d29a15c92387416a2f52dddce99c83f8"
run tdx --published "$CB" --qemu-version 8.2.2 --memory 2G --json
cp "$TMP/out" "$TMP/tdx.json"
expect_out "manifest: the cbor's SHA-256 (as vm_config's checksum file lists it)" '"sha256": "8c9e955f0b577cc8945a891a34ccfa5b8e08bb5e5d249992603e64dd14870e3c"'
expect_rc 0 "compare: manifest from measurement.tdx.cbor against the real quote" compare --at $AT "$TMP/tdx.json" "$TMP/quote.dat"
expect_out "compare: rtmr2 checked" "ok   rtmr2"
# the same from options alone
CS=$(python3 -c "print(open('$CB','rb').read().split(b'cmdline_sha384X0')[1][:48].hex())")
KA=$(python3 -c "print(open('$CB','rb').read().split(b'kernel_authenticodeX0')[1][:48].hex())")
IS=$(python3 -c "print(open('$CB','rb').read().split(b'initrd_sha384X0')[1][:48].hex())")
run tdx --mrtd "$MRTD" --kernel-authenticode "$KA" --cmdline-sha384 "$CS" --initrd-sha384 "$IS"
expect_out "tdx from --mrtd and hashes: RTMR1" "RTMR1  $RT1"
expect_out "tdx from --mrtd and hashes: RTMR2" "RTMR2  $RT2"
expect_failure 5 "published kernel digest with QEMU 10.2 (it measures the file unedited)" "a7542a38f399" tdx --published "$CB" --qemu-version 10.2
expect_failure 5 "published kernel digest with 2.5 GiB (QEMU's edits differ there)" "2816 MiB" tdx --published "$CB" --qemu-version 8.2 --memory 2560M
run tdx --published "$CB" --qemu-version 10.2 --kernel-authenticode "$KA"
expect_out "an explicit --kernel-authenticode is taken as given" "RTMR1  $RT1"

# dstack's JSON event log: the four RTMRs of the quote
run tdx eventlog "$Q"
expect_out "eventlog (GetQuote JSON): RTMR0" "RTMR0  $RT0"
expect_out "eventlog: RTMR1" "RTMR1  $RT1"
expect_out "eventlog: RTMR2" "RTMR2  $RT2"
expect_out "eventlog: RTMR3 (dstack's run-time digests recomputed)" "RTMR3  $RT3"
python3 -c "import json,sys; json.dump(json.load(open(sys.argv[1]))['event_log'], open(sys.argv[2],'w'))" "$Q" "$TMP/log.json"
expect_rc 0 "eventlog --format dstack-json on the bare array" tdx eventlog --format dstack-json "$TMP/log.json"
expect_out "the same RTMR3" "RTMR3  $RT3"
run tdx eventlog --json "$TMP/log.json"
cp "$TMP/out" "$TMP/replay.json"
expect_rc 0 "the replay as a manifest, with the published one: compare" compare --allow-partial --at $AT "$TMP/replay.json" "$TMP/quote.dat"
expect_out "rtmr3 compared" "ok   rtmr3"
# the log against the published inputs' transcript, event by event
run tdx --published "$CB" --qemu-version 8.2.2 --memory 2G --transcript --json
cp "$TMP/out" "$TMP/transcript.json"
run tdx eventlog --against "$TMP/transcript.json" "$Q"
expect_out "--against: RTMR1's five events match the published inputs" "RTMR1: all 5 events match"
expect_out "--against: RTMR2's two events match" "RTMR2: all 2 events match"
[ "$rc" -eq 1 ] && ok "--against: exit 1 (RTMR0 and RTMR3 are not in the published inputs)" || not_ok "--against: exit 1" "exit $rc"
# digests filled in by python with dstack's rule are accepted; one changed is refused
python3 -c "
import json,sys,hashlib
ev=json.load(open(sys.argv[1]))
for e in ev:
    if e['event_type']==0x08000001:
        e['digest']=hashlib.sha384((0x08000001).to_bytes(4,'little')+b':'+e['event'].encode()+b':'+bytes.fromhex(e['event_payload'])).hexdigest()
json.dump(ev,open(sys.argv[2],'w'))
ev[22]['digest']=hashlib.sha384(b'not it').hexdigest()
json.dump(ev,open(sys.argv[3],'w'))
ev=json.load(open(sys.argv[2])); ev[22]['event_payload']=ev[22]['event_payload'][:-2]+'00'
json.dump(ev,open(sys.argv[4],'w'))" "$TMP/log.json" "$TMP/full.json" "$TMP/wrong.json" "$TMP/payload.json"
expect_rc 0 "stated run-time digests (python, dstack's rule) agree" tdx eventlog "$TMP/full.json"
expect_out "and replay to RTMR3" "RTMR3  $RT3"
expect_failure 2 "a stated digest that disagrees is refused" 'event 22 (RTMR3 "compose-hash"): the log states digest' tdx eventlog "$TMP/wrong.json"
expect_failure 2 "a payload changed under its digest is refused" 'event 22 (RTMR3 "compose-hash")' tdx eventlog "$TMP/payload.json"
echo "1..$n"
