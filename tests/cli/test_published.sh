# SPDX-License-Identifier: Apache-2.0
# Published inputs (snp/tdx --published, --ovmf-metadata, hashes as options, --memory, dstack JSON event logs):
# malformed input is exit 2 with one line naming the field, never a crash or a partial manifest.
. "$(dirname "$0")/lib.sh"
ENC="python3 $(dirname "$0")/../cbor_encode.py"
H32=$(printf 'a%.0s' $(seq 64)); H48=$(printf 'b%.0s' $(seq 96))
snp_doc() { # extra-json-members
	printf '{"version":3,"cmdline":"console=ttyS0","ovmf_hash":"%s","kernel_hash":"%s","initrd_hash":"%s","hashes_table_gpa":8457216,"reset_eip":8433668,"ovmf_sections":[{"gpa":8388608,"size":36864,"type":1},{"gpa":8441856,"size":4096,"type":2},{"gpa":8445952,"size":4096,"type":3},{"gpa":8454144,"size":4096,"type":16}]%s}' \
		"$H48" "$H32" "$H32" "$1"
}
SNPB=ovmf_hash,kernel_hash,initrd_hash
snp_doc ',"vcpus":1,"vcpu_type":"EPYC-v4"' >"$TMP/s.json"
expect_rc 0 "a synthetic JSON document" snp --published "$TMP/s.json"
GOOD=$(cat "$TMP/out")
snp_doc "" | $ENC --bytes $SNPB >"$TMP/s.cbor"
expect_rc 0 "its CBOR form" snp --published "$TMP/s.cbor" --vcpus 1 --vcpu-type EPYC-v4
[ "$(cat "$TMP/out")" = "$GOOD" ] && ok "the same digest from both forms" || not_ok "the same digest from both forms"
expect_rc 0 "options override the document" snp --published "$TMP/s.json" --vcpus 3
[ "$(cat "$TMP/out")" != "$GOOD" ] && ok "--vcpus 3 overrides vcpus 1" || not_ok "--vcpus 3 overrides vcpus 1"

head -c 100 "$TMP/s.cbor" >"$TMP/cut.cbor"
expect_failure 2 "truncated CBOR" "published: CBOR string at offset 0x5c runs past the end (0x64)" snp --published "$TMP/cut.cbor" --vcpus 1 --vcpu-type EPYC-v4
{ cat "$TMP/s.cbor"; printf '\000'; } >"$TMP/trail.cbor"
expect_failure 2 "trailing data after the CBOR" "published" snp --published "$TMP/trail.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | $ENC --bytes kernel_hash,initrd_hash >"$TMP/text-hash.cbor"
expect_failure 2 "CBOR: ovmf_hash as text, not a byte string" "published: ovmf_hash is not a byte string" snp --published "$TMP/text-hash.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | $ENC --bytes $SNPB --dup cmdline >"$TMP/dup.cbor"
expect_failure 2 "CBOR: a key twice" "the same key twice" snp --published "$TMP/dup.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc ',"extra":1' | $ENC --bytes $SNPB >"$TMP/extra.cbor"
expect_failure 2 "CBOR: an unknown field" 'published: extra: unknown field' snp --published "$TMP/extra.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"version":3/"version":4/' | $ENC --bytes $SNPB >"$TMP/v4.cbor"
expect_failure 5 "version 4 is not known (exit 5)" "version 4, only 3" snp --published "$TMP/v4.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"reset_eip":8433668/"reset_eip":"8433668"/' | $ENC --bytes $SNPB >"$TMP/eip.cbor"
expect_failure 2 "CBOR: reset_eip as text" "published: reset_eip is not an unsigned integer" snp --published "$TMP/eip.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"hashes_table_gpa":8457216/"hashes_table_gpa":18446744073709551615/' | $ENC --bytes $SNPB >"$TMP/gpa.cbor"
expect_failure 2 "CBOR: a 64-bit hashes_table_gpa" "hashes_table_gpa is not an unsigned integer up to 4294967295" snp --published "$TMP/gpa.cbor" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"size":36864/"size":4294967295/' >"$TMP/huge.json"
expect_failure 2 "a section past 4 GiB" "published: ovmf_sections[0]: GPA 0x800000 + size 0xffffffff passes 4 GiB" snp --published "$TMP/huge.json" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"type":2/"type":9/' >"$TMP/type.json"
expect_failure 2 "an unknown section type" "ovmf_sections[1].type: unknown section type 0x9" snp --published "$TMP/type.json" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"gpa":8441856/"gpa":8388608/' >"$TMP/overlap.json"
expect_failure 2 "overlapping sections" "ovmf_sections[1] overlaps ovmf_sections[0]" snp --published "$TMP/overlap.json" --vcpus 1 --vcpu-type EPYC-v4
python3 -c "
import json; s=[{'gpa':i*4096,'size':4096,'type':1} for i in range(65)]
print(json.dumps(s))" >"$TMP/many.json"
expect_failure 2 "65 sections" "has 65 sections, more than 64" snp --snp-ovmf-hash "$H48" --ovmf-metadata "$TMP/many.json" --kernel-sha256 "$H32" --vcpus 1 --vcpu-type EPYC-v4
snp_doc ',"vcpus":100000' >"$TMP/vcpus.json"
expect_failure 2 "vcpus past 512" "published: vcpus is not an unsigned integer up to 512" snp --published "$TMP/vcpus.json"
snp_doc "" | sed 's/"cmdline":"console=ttyS0"/"cmdline":"a","cmdline":"b"/' >"$TMP/dup.json"
expect_failure 2 "JSON: a key twice" 'duplicate key "cmdline"' snp --published "$TMP/dup.json" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"kernel_hash":"a/"kernel_hash":"z/' >"$TMP/hex.json"
expect_failure 2 "JSON: a hash that is not hex" "published: kernel_hash" snp --published "$TMP/hex.json" --vcpus 1 --vcpu-type EPYC-v4
snp_doc "" | sed 's/"kernel_hash":"[a]*"/"kernel_hash":7/' >"$TMP/num.json"
expect_failure 2 "JSON: a hash as a number" "published: kernel_hash is not a hex string" snp --published "$TMP/num.json" --vcpus 1 --vcpu-type EPYC-v4
python3 -c "print('{\"version\":3,\"cmdline\":\"' + 'x'*5000 + '\"}')" >"$TMP/long.json"
expect_failure 2 "a cmdline past 4096 bytes" "published: cmdline is longer than 4096 bytes" snp --published "$TMP/long.json" --vcpus 1 --vcpu-type EPYC-v4
head -c 2000000 /dev/zero | tr '\0' ' ' >"$TMP/big.json"
expect_failure 2 "a published file past 1 MiB" "larger than the" snp --published "$TMP/big.json"
expect_failure 2 "--published with --ovmf" "give them or --ovmf" snp --published "$TMP/s.json" --ovmf "$TMP/s.json"
printf '[{"gpa":8454144,"size":4096,"type":16}]' >"$TMP/arr.json"
expect_failure 2 "--ovmf-metadata without --snp-ovmf-hash" "--ovmf-metadata needs --snp-ovmf-hash" snp --ovmf-metadata "$TMP/arr.json" --kernel-sha256 "$H32" --vcpus 1 --vcpu-type EPYC-v4
expect_failure 2 "an array of sections alone has no reset EIP" "no reset_eip: the metadata file must give it" snp --snp-ovmf-hash "$H48" --ovmf-metadata "$TMP/arr.json" --kernel-sha256 "$H32" --vcpus 1 --vcpu-type EPYC-v4
expect_failure 2 "published with --mode seves" "compute mode snp only" snp --published "$TMP/s.json" --mode seves

# TDX documents
tdx_doc() {
	printf '{"version":3,"image":{"cmdline_sha384":"%s","kernel_authenticode":"%s","initrd_sha384":"%s"},"tdvf":{"ovmf":"pre202505","mrtd":{"single_pass":"%s","two_pass":"%s"},"td_hob":"8010"}}' \
		"$H48" "$H48" "$H48" "$H48" "$H48"
}
TDXB=image.cmdline_sha384,image.kernel_authenticode,image.initrd_sha384,tdvf.mrtd.single_pass,tdvf.mrtd.two_pass,tdvf.td_hob
tdx_doc | $ENC --bytes $TDXB >"$TMP/t.cbor"
expect_rc 0 "a synthetic measurement.tdx.cbor" tdx --published "$TMP/t.cbor"
expect_out "its MRTD" "MRTD   $H48  (published single_pass)"
tdx_doc | $ENC --bytes ${TDXB%,tdvf.td_hob} >"$TMP/t-hob.cbor"
expect_failure 2 "td_hob as text" "published: tdvf.td_hob is not a byte string" tdx --published "$TMP/t-hob.cbor"
tdx_doc | sed 's/"two_pass"/"three_pass"/' | $ENC --bytes image.cmdline_sha384,image.kernel_authenticode,image.initrd_sha384,tdvf.mrtd.single_pass,tdvf.mrtd.three_pass,tdvf.td_hob >"$TMP/t-x.cbor"
expect_failure 2 "an unknown field inside mrtd" "published: tdvf.mrtd.three_pass: unknown field" tdx --published "$TMP/t-x.cbor"
tdx_doc | sed 's/"image":{/"image":[{/; s/},"tdvf"/}],"tdvf"/' | $ENC >"$TMP/t-arr.cbor"
expect_failure 2 "image as an array" "published: image is not a map" tdx --published "$TMP/t-arr.cbor"
head -c 50 "$TMP/t.cbor" >"$TMP/t-cut.cbor"
expect_failure 2 "truncated TDX CBOR" "published: CBOR string at offset 0x20 runs past the end" tdx --published "$TMP/t-cut.cbor"
tdx_doc | sed "s/\"initrd_sha384\":\"$H48\"/\"initrd_sha384\":\"${H48%??}\"/" >"$TMP/t-short.json"
expect_failure 2 "a 47-byte initrd digest" "published: image.initrd_sha384" tdx --published "$TMP/t-short.json"
expect_failure 2 "--mrtd not 48 bytes" "--mrtd" tdx --mrtd 00
expect_failure 2 "--firmware with --mrtd" "give --firmware or --mrtd, not both" tdx --firmware "$TMP/t.cbor" --mrtd "$H48"
expect_failure 2 "--cmdline-sha384 without a kernel" "need --kernel or --kernel-authenticode" tdx --mrtd "$H48" --cmdline-sha384 "$H48"
run tdx --mrtd "$H48" --kernel-authenticode "$H48" --transcript
expect_out "no cmdline digest: listed as not computed" "kernel command line (needs --cmdline)"

# --memory in QEMU's forms
for m in 2G 2048M 2048 2g 2097152K 0x800; do
	expect_rc 0 "--memory $m" tdx --mrtd "$H48" --memory $m --json
	expect_out "--memory $m is 2 GiB" '"memory": 2147483648'
done
for m in 2GB 2GiB 1.5 -2G 0 2X " 2G"; do
	expect_failure 2 "--memory '$m' is refused naming the option" "--memory: '$m' is not a memory size as QEMU's -m takes it" tdx --mrtd "$H48" --memory "$m"
done

# dstack JSON event logs
RT=134217729
printf '[{"imr":3,"event_type":%s,"digest":"","event":"app-id","event_payload":"0102"}]' $RT >"$TMP/l.json"
expect_rc 0 "a one-event log" tdx eventlog "$TMP/l.json"
printf '[{"imr":3,"event_type":%s,"digest":"","event":"app-id","event_payload":"0102","extra":1}]' $RT >"$TMP/l-x.json"
expect_failure 2 "an unknown event field" 'event 0: unknown field "extra"' tdx eventlog "$TMP/l-x.json"
printf '[{"imr":4,"event_type":%s,"digest":"","event":"a","event_payload":""}]' $RT >"$TMP/l-imr.json"
expect_failure 2 "imr 4" "event 0: imr is not 0 to 3" tdx eventlog "$TMP/l-imr.json"
printf '[{"imr":0,"event_type":1,"digest":"00","event":"","event_payload":""}]' >"$TMP/l-d.json"
expect_failure 2 "a 1-byte digest" "event 0: digest is 1 bytes, a SHA-384 is 48" tdx eventlog "$TMP/l-d.json"
printf '[{"imr":3,"event_type":%s,"digest":"%s","event":"a","event_payload":""}]' $RT "${H48%??}" >"$TMP/l-rd.json"
expect_failure 2 "a run-time event with a 47-byte digest (found by fuzzing)" "event 0: digest is 47 bytes, a SHA-384 is 48" tdx eventlog "$TMP/l-rd.json"
printf '[{"imr":0,"event_type":1,"digest":"","event":"","event_payload":""}]' >"$TMP/l-nd.json"
expect_failure 2 "a firmware event without a digest" "event 0: no digest" tdx eventlog "$TMP/l-nd.json"
printf '[{"imr":0,"event_type":"1","digest":"","event":"","event_payload":""}]' >"$TMP/l-t.json"
expect_failure 2 "event_type as a string" "event 0: event_type is not a 32-bit unsigned integer" tdx eventlog "$TMP/l-t.json"
printf '[{"imr":0,"imr":1,"event_type":1,"digest":"","event":"","event_payload":""}]' >"$TMP/l-dup.json"
expect_failure 2 "a key twice" 'duplicate key "imr"' tdx eventlog "$TMP/l-dup.json"
printf '[{"imr":3,"event_type":%s,"digest":"","event":"a","event_payload":"","version":3}]' $RT >"$TMP/l-v.json"
expect_failure 5 "version 3 of dstack's digest rule (exit 5)" "version 3, dstack defines 1 and 2" tdx eventlog "$TMP/l-v.json"
python3 -c "print('[{\"imr\":3,\"event_type\":$RT,\"digest\":\"\",\"event\":\"' + 'n'*5000 + '\",\"event_payload\":\"\"}]')" >"$TMP/l-n.json"
expect_failure 2 "an event name past 4096 bytes" "event name longer than 4096 bytes" tdx eventlog "$TMP/l-n.json"
printf '[{"imr":3,"event_type":%s,"digest":"","event":"a","event_payload":""}' $RT >"$TMP/l-cut.json"
expect_failure 2 "truncated JSON" "event log:" tdx eventlog "$TMP/l-cut.json"
printf '{"events":[]}' >"$TMP/l-o.json"
expect_failure 2 "an object without event_log" "not an array of events" tdx eventlog "$TMP/l-o.json"
expect_failure 2 "--ccel-table with a JSON log" "--ccel-table belongs to a binary CC event log" tdx eventlog --ccel-table "$TMP/l.json" "$TMP/l.json"
expect_failure 2 "a bad --format" "--format is auto, ccel or dstack-json" tdx eventlog --format xml "$TMP/l.json"
expect_failure 2 "a JSON log read as CCEL" "" tdx eventlog --format ccel "$TMP/l.json"
echo "1..$n"
