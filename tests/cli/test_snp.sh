# SPDX-License-Identifier: Apache-2.0
# measure snp on the committed Debian OVMF builds and synthetic images. Expected digests are
# virtee/sev-snp-measure 0.0.13's (shared vectors: snp/oracle/expected_digests.json row N,
# snp/synthetic/cases.json case N).
. "$(dirname "$0")/lib.sh"
FW=$FIXTURES/firmware
S=$FIXTURES/snp
CODE=$FW/OVMF_CODE.fd

digest() { # desc want args...
	desc=$1 want=$2
	shift 2
	run snp "$@"
	if [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$want" ]; then ok "$desc"; else
		not_ok "$desc" "exit $rc" "got  $(cat "$TMP/out")" "want $want" "stderr: $(cat "$TMP/err")"; fi
}

while read -r id want args; do
	# shellcheck disable=SC2086
	digest "oracle row $id" "$want" $args
done <<ROWS
1 a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3 --mode=snp:ovmf-hash --ovmf=$CODE
2 a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88 --mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=$CODE
5 ec96d878b810c8ff0373dc3f9d227f491254c241f311fa230267d804f9c10c3d01e7b9874321e165ec122c496c3e0d36 --mode=snp --vcpus=64 --vcpu-type=EPYC-v4 --ovmf=$CODE
14 c8804f337177df783bbdde3e199a765bf502035ca43ba7f5f236f59f27e3d96bb4c5d98d75530adcda8fa583d9222efb --mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --guest-features=0x21 --ovmf=$CODE
18 cef92b064c677cf12e17f20b8c3f606eb4aad570eadbdfc82919209147ef1d340dc3ee65cbe0e8e3dd52dcec8b32a304 --mode=snp --vcpus=1 --vmm-type=ec2 --ovmf=$CODE
21 2e07bef7663b63448ed3d117923429b34ae7587465e21f90a523aacdc15ba605fbe11a5b3717fcc06994dad3a8570e8b --mode=snp --vcpus=64 --vmm-type=EC2 --ovmf=$CODE
23 b487c10cb362273ab887963c18e1a49d6a9a814e634e6406fb92d0130f44bfc252b46a1d697405ded17722336d8be609 --mode=snp --vcpus=1 --vmm-type=gce --ovmf=$CODE
25 4c55bc8b9c7804ec80940258127e2aae37f818436a54c55cebe89542bd6dc63f --mode=seves --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=$CODE
31 477d14e8ada9fc4bc752a388a16756a1e90555be72fcf1d508d9afe5126ab892 --mode=seves --vcpus=2 --vmm-type=ec2 --ovmf=$CODE
32 d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106 --mode=sev --ovmf=$CODE
37 836d70ef6fb294660c2227b0f535c07f814a965442bccfa75a240f478a9f4abd1a63dd0c796f3a75d7f16b02b1d3b8ee --mode=snp --vcpus=1 --vcpu-sig=0xa00f11 --ovmf=$CODE
38 ef50880a86393b215b409af2f45070f816a80d3b7750ef6c3cead7883d555c585d50c4df46b12c1edbb77656144b9734 --mode=snp --vcpus=1 --vcpu-family=25 --vcpu-model=17 --vcpu-stepping=0 --ovmf=$CODE
39 59d2a4c7d17b73e09b8870ce9b73fd70e73df13e2554d4155bfc4bba217b0325acd74b07787f008af73b71b43be369ad --mode=snp --vcpus=1 --vcpu-type=EPYC-Turin --ovmf=$CODE
40 ba2c811512ef868474f239a21f7d7057d65a20de87a003c4f116e4fb1573183bfbcd75c3e99b2f558575a5d0094f73c6 --mode=snp:ovmf-hash --ovmf=$FW/OVMF.fd
41 11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75c6ff1703f540bd22a9beede8fe7a97e3 --mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=$FW/OVMF.fd
71 7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773 --mode=sev --ovmf=$FW/OVMF.fd
79 68d8e64d29b9823e790b0a4c94d8b6cba4bf4322df2197c09eb0942ed07fe8a0f922ed49fe9fbfb33150e2bd858c8a70 --mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=$FW/OVMF_CODE_4M.fd
105 022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f --mode=snp --vcpus=4 --vcpu-type=EPYC-v4 --ovmf=$CODE --snp-ovmf-hash=a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3
S1 1952c23d69213d27796ed1948fbd30960adcc1ba1f1fe91572f2a67f6121bb54034a160af933977022db6191f0315d28 --mode=snp:ovmf-hash --ovmf=$S/synth-amdsev.bin
S2 af9465e0ae073c61404b8c86f3f7b8590a6a55472b102d38229a82973dfc29787f8c705c676798fce8669dc74e18187a --mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf=$S/synth-amdsev.bin
S3 b1af66a4b390d80eff200a56c6a2cff5e29a2ec0c0722b1891c9524e300dcd24e240c9f7b5b4b6f19a6a8a9e00524fff --mode=snp --vcpus=2 --vcpu-type=EPYC-Milan --ovmf=$S/synth-amdsev.bin --kernel=$S/synth-kernel.bin
S5 942b303401b6f77e3fb43c71f203dd39779359f8dd7c36bafe43bcf38c219aab20eeade6634a274ed5edaf42d8bbe710 --mode=snp --vcpus=2 --vmm-type=ec2 --ovmf=$S/synth-amdsev.bin --kernel=$S/synth-kernel.bin --initrd=$S/synth-initrd.bin --append=quiet
S6 3ba60154468af6dc6dc9544c30f475fc5909b422ce51009c325caa6af085720001afdd456b81eb689d46bc7229036ffa --mode=snp --vcpus=3 --vmm-type=gce --ovmf=$S/synth-amdsev.bin --kernel=$S/synth-kernel.bin --append=
S7 aafc3c82f5910b06033fd36f37e2ba490b03b543adec88e8a8f8852f94b4e394 --mode=seves --vcpus=2 --vcpu-type=EPYC-v4 --ovmf=$S/synth-amdsev.bin --kernel=$S/synth-kernel.bin --initrd=$S/synth-initrd.bin
S9 961514eb9b0cd44929b3dcc92edc9e84c3e37c44a32781b29c920a4f90598f6030ea09bbe495879820ed9cb1f2f8bc4a --mode=snp --vcpus=1 --vcpu-type=EPYC-Turin --guest-features=0x21 --ovmf=$S/synth-plain.bin
S10 20f0f261cf8792294265c77a0c01468e1474f4a24be0e5c960feec73555c0e2359d71e0394d0ecf9a1586430428d97b4 --mode=snp --vcpus=2 --vmm-type=ec2 --ovmf=$S/synth-plain.bin
S12 a8b2ddf8b723a80a6489c321c7e70427c3d59be1383baef8882cd9668a5bd01037d04cc3e60abd2212924d6a49088e33 --mode=snp:svsm --vcpus=2 --vcpu-type=EPYC-Milan --ovmf=$S/synth-plain.bin --svsm=$S/synth-svsm.bin --vars-size=131072
ROWS

# Arguments with spaces, and the "--opt value" form.
digest "case S4: --append with spaces" 130e719e0af093476ed2096c291172cf87a3875f06931906d76186f9de0476c48f8f46a73b396428a4a8c8f61902a885 \
	--mode snp --vcpus 4 --vcpu-type EPYC-Genoa --ovmf "$S/synth-amdsev.bin" --kernel "$S/synth-kernel.bin" \
	--initrd "$S/synth-initrd.bin" --append "console=ttyS0 root=/dev/vda"
digest "case S8: sev with a kernel" e34f81869e9730d0cf5aa38dd91cbf4b04997b7f2027a96d763ace06794ed983 \
	--mode=sev --ovmf="$S/synth-amdsev.bin" --kernel="$S/synth-kernel.bin" --initrd="$S/synth-initrd.bin" "--append=console=ttyS0"
# Hashes in place of files give the same digest (case S5).
ksha=$(sha256sum <"$S/synth-kernel.bin" | cut -c1-64)
isha=$(sha256sum <"$S/synth-initrd.bin" | cut -c1-64)
asha=$(printf 'quiet\0' | sha256sum | cut -c1-64)
digest "case S5 from hashes" 942b303401b6f77e3fb43c71f203dd39779359f8dd7c36bafe43bcf38c219aab20eeade6634a274ed5edaf42d8bbe710 \
	--vcpus=2 --vmm-type=ec2 --ovmf="$S/synth-amdsev.bin" --kernel-sha256="$ksha" --initrd-sha256="$isha" --append-sha256="$asha"
digest "row 36: base64 output" "pHkyfLsLUOh2AkwtrHQS1OXpXHMVwfiwRG9tO+af77pQdmKFR1kmc35KcLFVJS+I" \
	--mode=snp --vcpus=1 --vcpu-type=EPYC-v4 --output-format=base64 --ovmf="$CODE"
digest "vars-file gives the vars size (case S12)" a8b2ddf8b723a80a6489c321c7e70427c3d59be1383baef8882cd9668a5bd01037d04cc3e60abd2212924d6a49088e33 \
	--mode=snp:svsm --vcpus=2 --vcpu-type=EPYC-Milan --ovmf="$S/synth-plain.bin" --svsm="$S/synth-svsm.bin" --vars-file="$FW/OVMF_VARS.fd"
run snp -v --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_out "--verbose labels the digest" "Calculated SEV_SNP guest measurement: a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88"

# The manifest.
run snp --json --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_out "json: measurement" '"measurement": "a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88"'
expect_out "json: platform" '"platform": "sev-snp"'
expect_out "json: vcpu_sig recorded" '"vcpu_sig": "0x800f12"'
expect_out "json: profile knob recorded" '"kvm_init2": "on"'
expect_out "json: firmware input" '"sha256": "d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106"'
run snp --json --mode=snp:ovmf-hash --ovmf="$CODE"
expect_out "json, snp:ovmf-hash: ovmf_hash" '"ovmf_hash": "a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3"'
run snp --json --mode=snp:ovmf-hash --vcpus=4 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_out "json, snp:ovmf-hash with vCPUs: the full measurement too (row 4)" '"measurement": "022a949083cab59e19c5ca3f5f7ddb9c991874f49f76f72ea3f8cee1aa411e70c0a92766729328069f00b3053fc8ea6f"'
run snp --json --mode=seves --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_out "json: sev-es platform" '"platform": "sev-es"'
expect_out "json: sev-es is sha256" '"algorithm": "sha256"'

# Host profile knobs move the digest (no oracle exists for these values; they must differ).
run snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --kvm-init2=off
if [ "$rc" -eq 0 ] && ! grep -q a479327c "$TMP/out"; then ok "--kvm-init2=off changes the digest"; else not_ok "--kvm-init2=off changes the digest"; fi
run snp --vcpus=1 --vmm-type=ec2 --ovmf="$CODE" --ec2-rdx=0
if [ "$rc" -eq 0 ] && ! grep -q cef92b06 "$TMP/out"; then ok "--ec2-rdx=0 changes the digest"; else not_ok "--ec2-rdx=0 changes the digest"; fi

# --explain and --dump-vmsa.
run snp --explain --vcpus=2 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_out "explain: firmware pages" "firmware                                     NORMAL     gpa 0x0000ffe20000..0x0000ffffffff    480 pages"
expect_out "explain: digest after the firmware" "digest after the firmware                    a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3"
expect_out "explain: secrets page" "SNP_SECRETS                                  SECRETS    gpa 0x00000080d000..0x00000080dfff      1 page"
expect_out "explain: the digest is still printed last" "0d3d4c4fbdd21581bb6f16903c06d29c40d021902ffffab0d6d6b71f76229401f432b6d29e9de6d982851c6f9ebe1cbf"
mkdir "$TMP/vmsa"
run snp --vcpus=3 --vcpu-type=EPYC-v4 --ovmf="$CODE" --dump-vmsa "$TMP/vmsa"
if [ -s "$TMP/vmsa/vmsa0.bin" ] && [ -s "$TMP/vmsa/vmsa2.bin" ] && cmp -s "$TMP/vmsa/vmsa1.bin" "$TMP/vmsa/vmsa2.bin" &&
	! cmp -s "$TMP/vmsa/vmsa0.bin" "$TMP/vmsa/vmsa1.bin"; then ok "dump-vmsa writes one page per vCPU"; else not_ok "dump-vmsa writes one page per vCPU"; fi
expect_failure 2 "dump-vmsa into a missing directory" "cannot write the VMSA of vCPU 0" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --dump-vmsa "$TMP/none"

# Refusals: one line, exit 2, nothing on stdout.
expect_failure 2 "no --ovmf" "--ovmf FILE (or --published FILE) is required" snp --vcpus=1 --vcpu-type=EPYC-v4
expect_failure 2 "vcpus 0" "--vcpus 0: a guest has 1 to 512 vCPUs" snp --vcpus=0 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_failure 2 "vcpus 513" "--vcpus 513: a guest has 1 to 512 vCPUs" snp --vcpus=513 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_failure 2 "vcpus not a number" "--vcpus: '4x' is not a number" snp --vcpus=4x --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_failure 2 "missing vcpus" "--vcpus N is required in mode 'snp'" snp --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_failure 2 "missing vcpu type" "--vcpu-type, --vcpu-sig or --vcpu-family is required" snp --vcpus=1 --ovmf="$CODE"
expect_failure 2 "unknown vcpu type" "unknown --vcpu-type 'EPYC-Naples'" snp --vcpus=1 --vcpu-type=EPYC-Naples --ovmf="$CODE"
expect_failure 2 "partial family" "--vcpu-family, --vcpu-model and --vcpu-stepping go together" snp --vcpus=1 --vcpu-family=25 --ovmf="$CODE"
expect_failure 2 "unknown mode" "unknown mode 'tdx'" snp --mode=tdx --ovmf="$CODE"
expect_failure 2 "unknown vmm" "unknown VMM type 'azure'" snp --vmm-type=azure --ovmf="$CODE"
expect_failure 2 "malformed hex in --snp-ovmf-hash" "--snp-ovmf-hash: not a hex digit at position 0" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --snp-ovmf-hash=zz429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3
expect_failure 2 "short --kernel-sha256" "--kernel-sha256: expected 64 hex digits, got 6" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$S/synth-amdsev.bin" --kernel-sha256=abcdef
expect_failure 2 "malformed --guest-features" "--guest-features: '0xg1' is not a number" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --guest-features=0xg1
expect_failure 2 "initrd without kernel" "--kernel is required when using --initrd" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --initrd="$S/synth-initrd.bin"
expect_failure 2 "append without kernel" "--kernel is required when using --append" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --append=quiet
expect_failure 2 "file and hash together" "not both" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --kernel="$S/synth-kernel.bin" --kernel-sha256="$ksha"
expect_failure 2 "svsm mode without --svsm" "snp:svsm mode requires --svsm FILE" snp --mode=snp:svsm --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE"
expect_failure 2 "svsm without vars" "requires one of --vars-size or --vars-file" snp --mode=snp:svsm --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$S/synth-plain.bin" --svsm="$S/synth-svsm.bin"
expect_failure 2 "missing firmware file" "cannot open: No such file" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$TMP/none.fd"
expect_failure 2 "missing kernel file" "cannot open: No such file" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$S/synth-amdsev.bin" --kernel="$TMP/none"
expect_failure 2 "a directory as firmware" "is a directory" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$TMP"
# Oracle rows 33-35: Debian's firmware has no kernel-hashes section.
expect_failure 2 "row 33: kernel with OVMF_CODE.fd (snp)" "no SNP_KERNEL_HASHES section" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --kernel="$S/synth-kernel.bin"
expect_failure 2 "row 34: kernel with OVMF_CODE.fd (seves)" "no SEV hashes table (its entry says GPA 0)" snp --mode=seves --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$CODE" --kernel="$S/synth-kernel.bin"
expect_failure 2 "row 35: kernel with OVMF_CODE.fd (sev)" "no SEV hashes table" snp --mode=sev --ovmf="$CODE" --kernel="$S/synth-kernel.bin"
expect_failure 2 "case S11: kernel with synth-plain" "no SNP_KERNEL_HASHES section" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$S/synth-plain.bin" --kernel="$S/synth-kernel.bin"

# Malformed firmware (OVMF_CODE.fd: footer length at 0x1dffce, reset block entry at 0x1dffbc,
# SEV metadata entry data at 0x1dff6e, first descriptor's type at 0x1dfaec).
bad_fw() { # desc words patch-offset patch-bytes
	cp "$CODE" "$TMP/bad.fd"
	patch "$TMP/bad.fd" "$3" "$4"
	expect_failure 2 "$1" "$2" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$TMP/bad.fd"
}
head -c 1966000 "$CODE" >"$TMP/short.fd"
expect_failure 2 "firmware size not a multiple of 4096" "firmware size 0x1dffb0 is not a multiple of 4096" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$TMP/short.fd"
bad_fw "footer table length that lies" "length 65535 runs past the table start (0x1cffe1)" $((0x1dffce)) ffff
cp "$S/synth-amdsev.bin" "$TMP/bad.fd"
patch "$TMP/bad.fd" $((32768 - 32 - 18)) ffff
expect_failure 2 "footer table longer than the image" "footer table length 0xffff (offset 0x7fce) is longer than the image" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf="$TMP/bad.fd"
bad_fw "entry shorter than 18 bytes" "footer table entry at offset 0x1dffbc: length 10 is shorter than 18 bytes" $((0x1dffbc)) 0a00
bad_fw "metadata offset outside the image" "SEV metadata offset 0xffffff00 (from the end) points outside the image" $((0x1dff6e)) 00ffffff
bad_fw "unknown section type" "SEV metadata section 0 (offset 0x1dfaec): unknown section type 0x7" $((0x1dfaec)) 07000000
bad_fw "absurd section count" "more than 256" $((0x1dfad4 + 12)) ffffff7f
# sections: 0 at 0x1dfae4 (GPA, size, type), 1 at 0x1dfaf0, ...
bad_fw "overlapping sections" "SEV metadata section 1 (offset 0x1dfaf0): GPA 0x800000..0x803000 overlaps section 0 (GPA 0x800000..0x809000)" $((0x1dfaf0)) 00008000
bad_fw "sections describing more than 256 MiB" "SEV metadata section 0 (offset 0x1dfae4): size 0xfffff000 (offset 0x1dfae8) brings the sections to 0xfffff000 bytes, more than the 256 MiB limit" $((0x1dfae4)) 0000000000f0ffff

# Size limits (docs/measure.1, LIMITS). These used to crash (a device past the firmware limit
# freed an uninitialised pointer) or hash forever (--kernel /dev/zero); 60 seconds is plenty, under ASan too.
printf '#!/bin/sh\nexec timeout 60 "%s" "$@"\n' "$(realpath "$MEASURE")" >"$TMP/measure60"
chmod +x "$TMP/measure60"
limited() { m=$MEASURE; MEASURE=$TMP/measure60; "$@"; MEASURE=$m; }
limited expect_failure 2 "firmware from a device that never ends" "measure: snp: /dev/zero: larger than the 64 MiB limit (67108864 bytes)" \
	snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf /dev/zero
head -c 70000000 /dev/zero | timeout 60 "$MEASURE" snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf - >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -s "$TMP/out" ] && grep -qF -- "-: larger than the 64 MiB limit" "$TMP/err"; then
	ok "firmware from a pipe past 64 MiB"; else not_ok "firmware from a pipe past 64 MiB" "exit $rc" "$(cat "$TMP/err")"; fi
limited expect_failure 2 "SVSM image from a device" "/dev/zero: larger than the 64 MiB limit" \
	snp --mode snp:svsm --vcpus=1 --vcpu-type=EPYC-v4 --ovmf "$CODE" --svsm /dev/zero --vars-size 0x20000
limited expect_failure 2 "kernel from a device: refused at 256 MiB, not hashed forever" "measure: snp: /dev/zero: larger than the 256 MiB limit (268435456 bytes)" \
	snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf "$S/synth-amdsev.bin" --kernel /dev/zero
truncate -s 257M "$TMP/big-kernel"
limited expect_failure 2 "kernel file past 256 MiB: refused before reading" "big-kernel: larger than the 256 MiB limit" \
	snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf "$S/synth-amdsev.bin" --kernel "$TMP/big-kernel"
truncate -s 2049M "$TMP/big-initrd"
limited expect_failure 2 "initrd file past 2 GiB" "big-initrd: larger than the 2 GiB limit (2147483648 bytes)" \
	snp --vcpus=1 --vcpu-type=EPYC-v4 --ovmf "$S/synth-amdsev.bin" --kernel "$S/synth-kernel.bin" --initrd "$TMP/big-initrd"
rm -f "$TMP/big-kernel" "$TMP/big-initrd"

# measure snp id-block with throwaway keys (the oracle's test keys are checked in tests/conformance).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/id.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/author.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/p256.pem" 2>/dev/null
M2=a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88
run snp id-block --measurement "$M2" --id-key "$TMP/id.pem" --author-key "$TMP/author.pem" \
	--id-block-out "$TMP/block.bin" --id-auth-out "$TMP/auth.bin"
expect_out "id-block: the ID block of row 2 (snp-create-id-block's example)" "id-block=pHkyfLsLUOh2AkwtrHQS1OXpXHMVwfiwRG9tO+af77pQdmKFR1kmc35KcLFVJS+IAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA,id-auth="
if [ "$(wc -c <"$TMP/block.bin")" -eq 96 ] && [ "$(wc -c <"$TMP/auth.bin")" -eq 4096 ]; then ok "id-block writes 96 and 4096 bytes"; else not_ok "id-block writes 96 and 4096 bytes"; fi
run snp id-block --measurement pHkyfLsLUOh2AkwtrHQS1OXpXHMVwfiwRG9tO+af77pQdmKFR1kmc35KcLFVJS+I --id-key "$TMP/id.pem" --author-key "$TMP/author.pem" --json
expect_out "id-block: base64 measurement, json" '"id_block": "pHkyfLsLUOh2AkwtrHQS1OXpXHMVwfiwRG9tO+af77pQdmKFR1kmc35KcLFVJS+IAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA"'
expect_failure 2 "id-block without keys" "--id-key is required" snp id-block --measurement "$M2"
expect_failure 2 "id-block with a P-256 key" "ID key: not an ECDSA P-384 key" snp id-block --measurement "$M2" --id-key "$TMP/p256.pem" --author-key "$TMP/author.pem"
expect_failure 2 "id-block with a certificate for a key" "not a PEM private key" snp id-block --measurement "$M2" --id-key "$FIXTURES/eif/test-sign-cert.pem" --author-key "$TMP/author.pem"
expect_failure 2 "id-block with a short measurement" "--measurement: 96 hex digits or the base64 of 48 bytes" snp id-block --measurement abcd --id-key "$TMP/id.pem" --author-key "$TMP/author.pem"
echo "1..$n"
