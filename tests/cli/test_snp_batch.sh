# SPDX-License-Identifier: Apache-2.0
# measure snp --batch and --find on the committed Debian OVMF builds and synthetic images.
# Expected digests are virtee/sev-snp-measure 0.0.13's (shared vectors: snp/oracle/expected_digests.json
# row N, snp/synthetic/cases.json case SN); the one-by-one runs are the plain `measure snp` path.
. "$(dirname "$0")/lib.sh"
FW=$FIXTURES/firmware
S=$FIXTURES/snp
CODE=$FW/OVMF_CODE.fd
# the batch resolves relative paths from the current directory: run it from the fixtures' parent
ABS_FIXTURES=$(cd "$FIXTURES" && pwd)
mkdir "$TMP/fx" && ln -s "$ABS_FIXTURES/firmware" "$ABS_FIXTURES/snp" "$TMP/fx/" || { not_ok "link fixtures"; exit 1; }
ABS_MEASURE=$(cd "$(dirname "$MEASURE")" && pwd)/$(basename "$MEASURE")

# want-line TAB batch-line: "error" wants an error line
cat >"$TMP/cases" <<'CASES'
a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd
error	--mode=snp --vcpus=0 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd
ec96d878b810c8ff0373dc3f9d227f491254c241f311fa230267d804f9c10c3d01e7b9874321e165ec122c496c3e0d36	--mode snp --vcpus 64 --vcpu-type EPYC-v4 --ovmf fx/firmware/OVMF_CODE.fd
error	--mode=snp --vcpus=1 --vcpu-type=EPYC-v9 --ovmf=fx/firmware/OVMF_CODE.fd
c8804f337177df783bbdde3e199a765bf502035ca43ba7f5f236f59f27e3d96bb4c5d98d75530adcda8fa583d9222efb	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --guest-features=0x21 --ovmf=fx/firmware/OVMF_CODE.fd
error	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/no-such.fd
2e07bef7663b63448ed3d117923429b34ae7587465e21f90a523aacdc15ba605fbe11a5b3717fcc06994dad3a8570e8b	--mode=snp --vcpus=64 --vmm-type=EC2 --ovmf=fx/firmware/OVMF_CODE.fd
b487c10cb362273ab887963c18e1a49d6a9a814e634e6406fb92d0130f44bfc252b46a1d697405ded17722336d8be609	--mode=snp --vcpus=1 --vmm-type=gce --ovmf=fx/firmware/OVMF_CODE.fd
error	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd --bogus
4c55bc8b9c7804ec80940258127e2aae37f818436a54c55cebe89542bd6dc63f	--mode=seves --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd
d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106	--mode=sev --ovmf=fx/firmware/OVMF_CODE.fd
error	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd --json
ba2c811512ef868474f239a21f7d7057d65a20de87a003c4f116e4fb1573183bfbcd75c3e99b2f558575a5d0094f73c6	--mode=snp:ovmf-hash --ovmf=fx/firmware/OVMF.fd
11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75c6ff1703f540bd22a9beede8fe7a97e3	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF.fd
error	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd --kernel=fx/snp/synth-kernel.bin
022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f	--mode=snp --vcpus=4 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd --snp-ovmf-hash=a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3
b1af66a4b390d80eff200a56c6a2cff5e29a2ec0c0722b1891c9524e300dcd24e240c9f7b5b4b6f19a6a8a9e00524fff	--mode=snp --vcpus=2 --vcpu-type=EPYC-Milan --ovmf=fx/snp/synth-amdsev.bin --kernel=fx/snp/synth-kernel.bin
error	--mode=snp --vcpus=2 --vcpu-type=EPYC-Milan --ovmf=fx/snp/synth-amdsev.bin --kernel=fx/snp/synth-kernel.bin '--append=unterminated
942b303401b6f77e3fb43c71f203dd39779359f8dd7c36bafe43bcf38c219aab20eeade6634a274ed5edaf42d8bbe710	--mode=snp --vcpus=2 --vmm-type=ec2 --ovmf=fx/snp/synth-amdsev.bin --kernel=fx/snp/synth-kernel.bin --initrd=fx/snp/synth-initrd.bin --append=quiet
3ba60154468af6dc6dc9544c30f475fc5909b422ce51009c325caa6af085720001afdd456b81eb689d46bc7229036ffa	--mode=snp --vcpus=3 --vmm-type=gce --ovmf=fx/snp/synth-amdsev.bin --kernel=fx/snp/synth-kernel.bin --append=
aafc3c82f5910b06033fd36f37e2ba490b03b543adec88e8a8f8852f94b4e394	--mode=seves --vcpus=2 --vcpu-type=EPYC-v4 --ovmf=fx/snp/synth-amdsev.bin --kernel=fx/snp/synth-kernel.bin --initrd=fx/snp/synth-initrd.bin
a8b2ddf8b723a80a6489c321c7e70427c3d59be1383baef8882cd9668a5bd01037d04cc3e60abd2212924d6a49088e33	--mode=snp:svsm --vcpus=2 --vcpu-type=EPYC-Milan --ovmf=fx/snp/synth-plain.bin --svsm=fx/snp/synth-svsm.bin --vars-size=131072
error	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=fx/firmware/OVMF_CODE.fd extra-argument
CASES
cut -f2 "$TMP/cases" >"$TMP/batch"
cut -f1 "$TMP/cases" >"$TMP/want"
nlines=$(wc -l <"$TMP/cases")

(cd "$TMP" && "$ABS_MEASURE" snp --batch batch >out 2>err)
rc=$?
[ "$rc" -eq 2 ] && ok "--batch with bad lines: exit 2 (the first failing line's code)" || not_ok "--batch exit" "exit $rc"
[ ! -s "$TMP/err" ] && ok "--batch: nothing on stderr (errors are output lines)" || not_ok "--batch stderr" "$(head -c 300 "$TMP/err")"
[ "$(wc -l <"$TMP/out")" -eq "$nlines" ] && ok "--batch: one line out per line in" ||
	not_ok "--batch line count" "$(wc -l <"$TMP/out") lines, want $nlines"
i=0
while IFS="$(printf '\t')" read -r want line; do
	i=$((i + 1))
	got=$(sed -n "${i}p" "$TMP/out")
	if [ "$want" = error ]; then
		case $got in "error: "?*) ok "line $i: error line" ;; *) not_ok "line $i: want an error line" "got $got" ;; esac
	else
		[ "$got" = "$want" ] && ok "line $i: oracle digest" || not_ok "line $i: digest" "got  $got" "want $want" "line $line"
	fi
	# the same configuration on its own: the same digest, or the same message on stderr
	single=$(cd "$TMP" && eval "\"\$ABS_MEASURE\" snp $line" 2>"$TMP/single.err")
	src=$?
	if [ "$want" = error ]; then
		msg=${got#error: }
		if [ "$src" -ne 0 ] && grep -qF -- "measure: snp: $msg" "$TMP/single.err"; then
			ok "line $i alone: the same error"
		else
			case $line in
			*--json*) [ "$src" -eq 0 ] && ok "line $i alone: --json is fine on the command line" || not_ok "line $i alone" "exit $src" ;;
			*"'--append=unterminated"*) ok "line $i alone: a shell cannot run an unterminated quote either" ;;
			*) not_ok "line $i alone: the same error" "exit $src" "batch: $got" "alone: $(cat "$TMP/single.err")" ;;
			esac
		fi
	else
		[ "$src" -eq 0 ] && [ "$single" = "$got" ] && ok "line $i alone: the same digest" ||
			not_ok "line $i alone" "exit $src" "got $single" "batch $got"
	fi
done <"$TMP/cases"

# --json: JSON Lines, a manifest per good line and {"error": ...} per bad one
(cd "$TMP" && "$ABS_MEASURE" snp --batch batch --json >json 2>/dev/null)
if python3 - "$TMP/json" "$TMP/want" <<'PY'; then ok "--batch --json: JSON Lines whose measurements are the digests"; else not_ok "--batch --json"; fi
import json, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
want = open(sys.argv[2]).read().split("\n")[:-1]
assert len(lines) == len(want), (len(lines), len(want))
for l, w in zip(lines, want):
    o = json.loads(l)
    if w == "error":
        assert list(o) == ["error"] and o["error"], l
    else:
        m = o["measurements"]
        assert m.get("measurement", m.get("ovmf_hash")) == w, (l, w)
        assert o["schema"] == "measure/v1"
PY

# stdin, blank and comment lines
printf '# a comment\n\n--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=%s # trailing comment\n' "$CODE" >"$TMP/blank"
run snp --batch - <"$TMP/blank"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf '\n\na479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88')" ] &&
	ok "--batch -: stdin; blank and comment lines give empty lines; exit 0" || not_ok "--batch stdin" "exit $rc" "$(cat "$TMP/out")"
"$MEASURE" snp --batch - --json <"$TMP/blank" >"$TMP/out" 2>/dev/null
[ "$(head -n 2 "$TMP/out" | tr '\n' ' ')" = "null null " ] && ok "--batch --json: blank lines are null" || not_ok "--batch --json blank" "$(head -c 200 "$TMP/out")"
expect_failure 2 "--batch with a configuration option" "--batch takes --json only" snp --batch "$TMP/blank" --vcpus 2
expect_failure 2 "--batch on a missing file" "no-such-file" snp --batch "$TMP/no-such-file"
printf '%s\n' "--batch other --ovmf=$CODE" >"$TMP/nested"
run snp --batch "$TMP/nested"
grep -q "^error: '--batch' acts on the whole run" "$TMP/out" && ok "--batch on a line is refused" || not_ok "nested --batch" "$(cat "$TMP/out")"
head -c 70000 /dev/zero | tr '\0' a >"$TMP/long"
echo >>"$TMP/long"
run snp --batch "$TMP/long"
grep -q "^error: the line is longer than 65536 bytes" "$TMP/out" && [ "$rc" -eq 2 ] && ok "--batch: an over-long line is that line's error" || not_ok "long line" "$(head -c 200 "$TMP/out")"

# a kernel and initrd from pipes: hashed as they stream past, once per run (case S5)
run snp --mode=snp --vcpus=2 --vmm-type=ec2 --ovmf="$S/synth-amdsev.bin" --kernel=<(cat "$S/synth-kernel.bin") \
	--initrd=<(cat "$S/synth-initrd.bin") --append=quiet --json
python3 -c "
import json,sys; o=json.load(open(sys.argv[1]))
assert o['measurements']['measurement']=='942b303401b6f77e3fb43c71f203dd39779359f8dd7c36bafe43bcf38c219aab20eeade6634a274ed5edaf42d8bbe710'
k=[i for i in o['inputs'] if i['role']=='kernel'][0]
assert k['size']==$(stat -c %s "$S/synth-kernel.bin"), k" "$TMP/out" && ok "kernel and initrd from pipes: case S5's digest, the kernel's size in the manifest" ||
	not_ok "pipes" "exit $rc" "$(head -c 300 "$TMP/out") $(cat "$TMP/err")"

# --find: the settings behind oracle digests
find_one() { # desc want-line digest args...
	desc=$1 want=$2 digest=$3
	shift 3
	run snp --find "$digest" "$@"
	if [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$want" ]; then ok "--find: $desc"; else
		not_ok "--find: $desc" "exit $rc" "got  $(cat "$TMP/out")" "want $want" "stderr $(cat "$TMP/err")"; fi
}
find_one "row 4: 4 vCPUs EPYC-v4 (same signature as EPYC)" "--vcpus 4 --vmm-type QEMU --vcpu-type EPYC --guest-features 0x1 --kvm-init2 on" \
	022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f --ovmf "$CODE"
find_one "row 9: 64 vCPUs EPYC-Milan" "--vcpus 64 --vmm-type QEMU --vcpu-type EPYC-Milan --guest-features 0x1 --kvm-init2 on" \
	03ca629adb48d6041bfb54fabee1d76a42557805a796887a619cec5e87d8c922c31a3ab2fa2eec805b9aae2ac0a2593a --ovmf "$CODE" --guest-features 0x1
find_one "row 17: EPYC-Genoa 4 vCPUs, guest features 0x21" "--vcpus 4 --vmm-type QEMU --vcpu-type EPYC-Genoa --guest-features 0x21 --kvm-init2 on" \
	a9eb0f8b08c7c5cba6c90e3b37b78b3a44ceaad250a00ccfc066e6a4871f18688e29134279260c731267b28a268d33ca --ovmf "$CODE" --vmm-type QEMU --vcpu-type EPYC-Genoa
find_one "row 21: ec2, 64 vCPUs" "--vcpus 64 --vmm-type ec2 --guest-features 0x1 --ec2-rdx 0x600" \
	2e07bef7663b63448ed3d117923429b34ae7587465e21f90a523aacdc15ba605fbe11a5b3717fcc06994dad3a8570e8b --ovmf "$CODE" --guest-features 0x1
find_one "row 24: gce, 4 vCPUs" "--vcpus 4 --vmm-type gce --guest-features 0x1" \
	da88893d22e0c644cdaaa3d62579fdfd7fc52fe5d2f7bd720f2bd358262c672dd0aedbcd0dca672e7df46dac95cf92e2 --ovmf "$CODE" --guest-features 0x1
find_one "row 39: EPYC-Turin" "--vcpus 1 --vmm-type QEMU --vcpu-type EPYC-Turin --guest-features 0x1 --kvm-init2 on" \
	59d2a4c7d17b73e09b8870ce9b73fd70e73df13e2554d4155bfc4bba217b0325acd74b07787f008af73b71b43be369ad --ovmf "$CODE" --guest-features 0x1
find_one "case S3: with the kernel fixed" "--vcpus 2 --vmm-type QEMU --vcpu-type EPYC-Milan --guest-features 0x1 --kvm-init2 on" \
	b1af66a4b390d80eff200a56c6a2cff5e29a2ec0c0722b1891c9524e300dcd24e240c9f7b5b4b6f19a6a8a9e00524fff --ovmf "$S/synth-amdsev.bin" --kernel "$S/synth-kernel.bin" --guest-features 0x1
find_one "row 4 in base64, VMM fixed" "--vcpus 4 --vmm-type QEMU --vcpu-type EPYC-v4 --guest-features 0x1 --kvm-init2 on" \
	"$(echo 022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f | xxd -r -p | base64 -w0)" \
	--ovmf "$CODE" --vmm-type QEMU --vcpu-type EPYC-v4
# a found line computes the digest again
sed "s|\$| --ovmf=$CODE|" "$TMP/out" >"$TMP/again"
run snp --batch "$TMP/again"
[ "$(cat "$TMP/out")" = 022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f ] &&
	ok "--find's option line, run through --batch, gives the digest" || not_ok "--find line again" "$(cat "$TMP/out")"
run snp --find 022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f --ovmf "$CODE" --json --guest-features 0x1
python3 -c "
import json,sys; o=json.load(open(sys.argv[1])); m=o['matches']
assert len(m)==1 and m[0]['vcpus']==4 and 'EPYC-v4' in m[0]['vcpu_types'] and m[0]['vcpu_sig']=='0x800f12', o
assert o['searched'] == 13 * 512" "$TMP/out" && ok "--find --json: the match with every vCPU type name of its signature" || not_ok "--find --json" "$(head -c 300 "$TMP/out")"
# no match: exit 1 and what was searched
run snp --find 00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000f --ovmf "$CODE"
[ "$rc" -eq 1 ] && grep -q "^no combination matched; searched [0-9]* configurations over vCPUs 1-512" "$TMP/out" &&
	ok "--find without a match: exit 1, what was searched" || not_ok "--find no match" "exit $rc" "$(cat "$TMP/out")"
run snp --find a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3 --ovmf "$CODE" --guest-features 0x1
[ "$rc" -eq 1 ] && grep -q "firmware's own (mode snp:ovmf-hash)" "$TMP/out" && ok "--find on the firmware digest says so" ||
	not_ok "--find firmware digest" "exit $rc" "$(cat "$TMP/out")"
run snp --find b1af66a4b390d80eff200a56c6a2cff5e29a2ec0c0722b1891c9524e300dcd24e240c9f7b5b4b6f19a6a8a9e00524fff --ovmf "$S/synth-amdsev.bin" --guest-features 0x1
[ "$rc" -eq 1 ] && grep -q "this firmware can measure a kernel" "$TMP/out" && ok "--find without the kernel: the hint to add it" ||
	not_ok "--find kernel hint" "exit $rc" "$(cat "$TMP/out")"
run snp --find af9465e0ae073c61404b8c86f3f7b8590a6a55472b102d38229a82973dfc29787f8c705c676798fce8669dc74e18187a --ovmf "$S/synth-amdsev.bin" --kernel "$S/synth-kernel.bin" --guest-features 0x1
[ "$rc" -eq 1 ] && grep -q "it matches 1 setting without measured direct boot" "$TMP/out" && ok "--find with a kernel that was not measured: says it matches without" ||
	not_ok "--find kernel-hashes off" "exit $rc" "$(cat "$TMP/out")"
expect_failure 2 "--find with a 32-byte digest" "a 32-byte digest is SEV or SEV-ES" snp --find d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106 --ovmf "$CODE"
expect_failure 2 "--find with a malformed digest" "not a 48-byte digest" snp --find nothex --ovmf "$CODE"
expect_failure 2 "--find in mode sev" "--find searches mode snp" snp --find 022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f --ovmf "$CODE" --mode sev
expect_failure 2 "--find without firmware" "--ovmf FILE (or --published FILE) is required" snp --find 022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f
echo "1..$n"
