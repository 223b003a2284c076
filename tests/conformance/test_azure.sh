#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Azure confidential VMs against ../shared/vectors/azure (README there): real MAA tokens checked with the
# JWKS given, trustee's az-snp-vtpm (v0, v1, v2, Genoa) and az-tdx-vtpm (v1) evidence verified link by
# link; tampered copies (made here with Python) fail at their check with its exit code. Expected values
# are the README's (re-checked there with an independent Python check) and trustee's unit tests'.
. "$(dirname "$0")/../cli/lib.sh"
A=$VECTORS/azure
if [ ! -d "$A/maa" ] || [ ! -d "$A/trustee-az-snp-vtpm" ]; then
	echo "not ok 1 # SKIP Azure vectors not found at $A"
	echo "1..1"
	exit 0
fi
TOK=$A/maa/pca-sevsnp-token.jwt
JWKS=$A/maa/pca-sevsnp-signing-key.jwks.json
ISS=https://sharedeus.eus.attest.azure.net
IN=2026-10-09T02:00:00Z # between the token's nbf (2026-10-08T23:45:57Z) and exp (2026-10-09T07:45:57Z)
LM=aa7c9da55c1386e5b1653b125978beda7b3f95a85aeb0f9ddbbdb783ce056a28c9d021da239c34a58c3a657654270eef
RD=d186f8889fc0542e4b34182539fc68a7a56036762519a454adc5c884960e8d120000000000000000000000000000000000000000000000000000000000000000
obs() { # FILE VALUES...: an observed allow-list of launch measurements
	f=$1
	shift
	python3 -c 'import json,sys; json.dump({"schema":"measure/v1","platform":"sev-snp","observed":True,
"measurements":{"measurement":sys.argv[2:]}},open(sys.argv[1],"w"))' "$f" "$@"
}
obs "$TMP/obs.json" "$(printf '%096d' 0)" "$LM"
obs "$TMP/obs-other.json" "$(printf '%096d' 0)"

# --- MAA tokens -------------------------------------------------------------------------------
expect_rc 0 "sevsnpvm token: RS256 with the JWKS, valid at $IN, issuer, launch measurement in the observed list" \
	compare --jwks "$JWKS" --issuer "$ISS" --at "$IN" "$TMP/obs.json" "$TOK"
expect_out "the measurement is named observed, never recomputed" "measurement (observed, not recomputed)"
expect_out "the signature row names the kid" "RS256 by JWKS key rFl9xM+g7TvX63y0iseZtIn20MD5SYAnGblKFasau8I="
expect_out "MAA's own verdict is judged: x-ms-compliance-status" "ok   x-ms-compliance-status     azure-compliant-cvm                        azure-compliant-cvm"
expect_out "... and the report's VMPL" "ok   x-ms-sevsnpvm-vmpl         0                                          0"
expect_rc 0 "--nonce: the token's report data (64 bytes)" \
	compare --jwks "$JWKS" --at "$IN" --nonce "$RD" "$TMP/obs.json" "$TOK"
expect_rc 1 "--nonce that is not the report data: exit 1" \
	compare --jwks "$JWKS" --at "$IN" --nonce "$(printf '%0128d' 0)" "$TMP/obs.json" "$TOK"
expect_rc 0 "--at evidence checks the token at its own iat" compare --jwks "$JWKS" --at evidence "$TMP/obs.json" "$TOK"
expect_out "... and the validity row says so" "2026-10-08T23:45:57Z (at the token's iat, not now)"
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s","host_data":"%064d"}}\n' "$LM" 0 >"$TMP/m.json"
expect_rc 0 "a plain manifest: measurement and host_data from the claims" compare --jwks "$JWKS" --at "$IN" "$TMP/m.json" "$TOK"
expect_rc 1 "a measurement the observed list lacks: exit 1" compare --jwks "$JWKS" --at "$IN" "$TMP/obs-other.json" "$TOK"
expect_refused 3 "the token after exp: exit 3" "expired" compare --jwks "$JWKS" --at 2026-10-09T07:45:57Z "$TMP/obs.json" "$TOK"
expect_refused 3 "the token before nbf: exit 3" "not yet valid" compare --jwks "$JWKS" --at 2026-10-08T23:45:56Z "$TMP/obs.json" "$TOK"
expect_refused 3 "another issuer: exit 3" "not https://other" compare --jwks "$JWKS" --issuer https://other --at "$IN" "$TMP/obs.json" "$TOK"
expect_refused 4 "no --jwks: the signing key is collateral not given (exit 4)" "JWKS" compare --at "$IN" "$TMP/obs.json" "$TOK"
# --policy on the token: every rule the claims answer judged as on a report; policies written here from the
# decoded token (Python's json, the vectors' *.decoded.json), never from measure's output
python3 - "$A/maa/pca-sevsnp-token.decoded.json" "$TMP" <<'PY'
import base64, copy, json, sys
c = json.load(open(sys.argv[1]))["payload"]; d = sys.argv[2]
b64 = lambda h: base64.b64encode(bytes.fromhex(h)).decode()
def flip(h, bit=0):  # hex with one bit of its first byte changed
    raw = bytearray(bytes.fromhex(h)); raw[0] ^= 1 << bit; return raw.hex()
svn = [c["x-ms-sevsnpvm-" + k + "-svn"] for k in ("bootloader", "tee", "snpfw", "microcode")]
tcb = svn[0] | svn[1] << 8 | svn[2] << 48 | svn[3] << 56  # Milan/Genoa TCB_VERSION layout (SEV-SNP ABI)
bits = {"smt-allowed": 16, "migration-allowed": 18, "is-debuggable": 19, "singlesocket": 20, "cxl-allowed": 21,
        "mem-aes256-xts-required": 22, "rapl-disabled": 23, "ciphertext-hiding-dram-enabled": 24, "page-swap-disabled": 25}
guest_policy = 1 << 17 | sum(1 << b for k, b in bits.items() if c["x-ms-sevsnpvm-" + k])
base = {"policy": {
    "measurement": b64(c["x-ms-sevsnpvm-launchmeasurement"]), "host_data": b64(c["x-ms-sevsnpvm-hostdata"]),
    "report_data": b64(c["x-ms-sevsnpvm-reportdata"]), "family_id": b64(c["x-ms-sevsnpvm-familyId"]),
    "image_id": b64(c["x-ms-sevsnpvm-imageId"]), "report_id": b64(c["x-ms-sevsnpvm-reportid"]),
    "chip_id": b64(c["x-ms-sevsnpvm-chipid"]), "vmpl": c["x-ms-sevsnpvm-vmpl"],
    "minimum_guest_svn": c["x-ms-sevsnpvm-guestsvn"], "policy": guest_policy, "minimum_tcb": tcb,
    "require_id_block": True, "trusted_id_key_hashes": [b64(c["x-ms-sevsnpvm-idkeydigest"])],
    "product": {"name": "SEV_PRODUCT_" + c["x-ms-sevsnpvm-chip-family"].upper()}},
    "root_of_trust": {"product_line": c["x-ms-sevsnpvm-chip-family"]}}
json.dump(base, open(d + "/pol-all.json", "w"))
def variant(name, **rules):
    v = copy.deepcopy(base); v["policy"].update(rules); json.dump(v, open(d + "/pol-" + name + ".json", "w"))
def lowest_zero(x):
    return x | (~x & (x + 1))  # one more bit set: a minimum the token's value no longer meets
# each rule with one bit changed, named by the check that must fail
for key, claim in (("measurement", "launchmeasurement"), ("host_data", "hostdata"), ("report_data", "reportdata"),
                   ("family_id", "familyId"), ("image_id", "imageId"), ("report_id", "reportid"), ("chip_id", "chipid")):
    variant(key, **{key: b64(flip(c["x-ms-sevsnpvm-" + claim]))})
variant("vmpl", vmpl=c["x-ms-sevsnpvm-vmpl"] ^ 1)
variant("guestsvn", minimum_guest_svn=lowest_zero(c["x-ms-sevsnpvm-guestsvn"]))
variant("tcb", minimum_tcb=tcb | lowest_zero(svn[2]) << 48)
variant("smt", policy=guest_policy & ~(1 << 16))  # SMT is allowed in the token: a policy forbidding it fails
variant("idkey", trusted_id_key_hashes=[b64(flip(c["x-ms-sevsnpvm-idkeydigest"]))])
variant("product", product={"name": 2 ^ 1})
# rules on fields the token has no claim for: a failure naming what is missing, never a pass
for name, rule in (("report_id_ma", {"report_id_ma": b64("00" * 32)}), ("launch_tcb", {"minimum_launch_tcb": 0}),
                   ("platform_info", {"platform_info": 0}), ("build", {"minimum_build": 0}),
                   ("version", {"minimum_version": "0.0"}), ("provisional", {"permit_provisional_firmware": True}),
                   ("abi", {"policy": guest_policy | 0x1f}), ("author", {"require_author_key": True})):
    variant("lacks-" + name, **rule)
v = copy.deepcopy(base); v["root_of_trust"]["check_crl"] = True; json.dump(v, open(d + "/pol-lacks-crl.json", "w"))
v = copy.deepcopy(base); v["pcr_values"] = {"sha256": {"0": "00" * 32}}; json.dump(v, open(d + "/pol-lacks-pcrs.json", "w"))
PY
P="--jwks $JWKS --at $IN"
expect_rc 0 "--policy on the sevsnpvm token: a policy of the token's own values passes" compare $P --policy "$TMP/pol-all.json" "$TOK"
for check in "measurement" "host_data" "report_data" "family_id" "image_id" "report_id" "chip_id" "vmpl" \
	"guest SVN:guestsvn" "REPORTED_TCB:tcb" "guest policy:smt" "ID block key:idkey" "product:product"; do
	name=${check#*:} what=${check%%:*}
	expect_rc 1 "--policy on the token: $name changed by one bit fails (exit 1)" compare $P --policy "$TMP/pol-$name.json" "$TOK"
	expect_out "... at its check: $what" "FAIL $what "
done
for lack in "REPORT_ID_MA:report_id_ma" "LAUNCH_TCB:launch_tcb" "PLATFORM_INFO:platform_info" "CURRENT_BUILD:build" \
	"CURRENT_MAJOR:version" "COMMITTED_TCB:provisional" "the ABI version:abi" "AUTHOR_KEY_EN:author" "a certificate chain:crl"; do
	name=${lack#*:} what=${lack%%:*}
	expect_rc 1 "--policy rule the token has no claim for ($name): exit 1, never a pass" \
		compare $P --policy "$TMP/pol-lacks-$name.json" "$TOK"
	expect_out "... the row says the token does not carry $what" "the token does not carry $what"
done
expect_rc 1 "--policy pcr_values on a token (no vTPM quote): exit 1" compare $P --policy "$TMP/pol-lacks-pcrs.json" "$TOK"
expect_out "... no vTPM quote" "no vTPM quote to check pcr_values against"
python3 - "$TOK" "$JWKS" "$TMP" <<'PY'
import base64, json, sys
tok = open(sys.argv[1]).read().strip(); jwks = json.load(open(sys.argv[2])); d = sys.argv[3]
h, p, s = tok.split(".")
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
unb64 = lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
hdr = json.loads(unb64(h)); pay = json.loads(unb64(p))
def w(name, text): open(d + "/" + name, "w").write(text + "\n")
# signature: one bit of the last signature byte's data changed
sig = bytearray(unb64(s)); sig[-1] ^= 1
w("badsig.jwt", h + "." + p + "." + b64(bytes(sig)))
# payload: the launch measurement changed, the signature kept
pay2 = dict(pay); pay2["x-ms-sevsnpvm-launchmeasurement"] = "00" * 48
w("badpay.jwt", h + "." + b64(json.dumps(pay2).encode()) + "." + s)
for alg in ("none", "HS256", "RS512"):
    h2 = dict(hdr); h2["alg"] = alg
    w("alg-%s.jwt" % alg, b64(json.dumps(h2).encode()) + "." + p + "." + ("" if alg == "none" else s))
h3 = dict(hdr); del h3["kid"]
w("nokid.jwt", b64(json.dumps(h3).encode()) + "." + p + "." + s)
k2 = json.loads(json.dumps(jwks)); k2["keys"][0]["kid"] = "another"
json.dump(k2, open(d + "/otherkid.jwks", "w"))
k3 = json.loads(json.dumps(jwks)); k3["keys"][0]["kty"] = "EC"
json.dump(k3, open(d + "/ec.jwks", "w"))
w("trunc.jwt", tok[: len(tok) // 2])
w("pad.jwt", h + "=." + p + "." + s)
w("twodots.jwt", h + "." + p)
w("dupkey.jwt", b64(b'{"alg":"RS256","alg":"none"}') + "." + p + "." + s)
w("notjson.jwt", b64(b"{\"alg\":") + "." + p + "." + s)
PY
expect_refused 3 "a changed signature byte: exit 3" "does not verify" compare --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/badsig.jwt"
expect_refused 3 "a changed claim under the old signature: exit 3" "does not verify" compare --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/badpay.jwt"
expect_refused 3 "alg none: exit 3" "unsigned token" compare --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/alg-none.jwt"
expect_refused 5 "alg HS256: exit 5, never an HMAC keyed with the public key" "HS256" compare --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/alg-HS256.jwt"
expect_refused 5 "alg RS512: exit 5" "RS512" compare --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/alg-RS512.jwt"
expect_refused 3 "a header without kid: exit 3" "no \"kid\"" compare --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/nokid.jwt"
expect_refused 3 "a JWKS without the token's kid: exit 3" "no key has the token's kid" compare --jwks "$TMP/otherkid.jwks" --at "$IN" "$TMP/obs.json" "$TOK"
expect_refused 5 "a JWKS key of another type: exit 5" "not an RSA key" compare --jwks "$TMP/ec.jwks" --at "$IN" "$TMP/obs.json" "$TOK"
for bad in trunc pad twodots dupkey notjson; do
	expect_failure 2 "a malformed token ($bad): exit 2" "token" compare --type maa --jwks "$JWKS" --at "$IN" "$TMP/obs.json" "$TMP/$bad.jwt"
done
printf '{"keys": [' >"$TMP/trunc.jwks"
expect_failure 2 "a truncated JWKS: exit 2" "JWKS" compare --jwks "$TMP/trunc.jwks" --at "$IN" "$TMP/obs.json" "$TOK"

run inspect "$TOK"
expect_out "inspect decodes the token's header" '"kid": "rFl9xM+g7TvX63y0iseZtIn20MD5SYAnGblKFasau8I="'
expect_out "... and its claims" "\"x-ms-sevsnpvm-launchmeasurement\": \"$LM\""
expect_out "... saying it verified nothing" '"verified": "no'
run inspect "$A/maa/pca-tdxvm-token.jwt"
expect_out "inspect: the tdxvm token's MRTD" '"tdx_mrtd": "6f3e84c54ac6377614d4c139473db575a83b5db41bd845eecb4eedaf2788ea881309a410c4ceae9641406411f3f639b8"'
run inspect "$A/maa/cvmga-clientlibtests-L138-sharedweu.jwt"
expect_out "inspect: the azurevm token's nested isolation TEE" '"x-ms-attestation-type": "sevsnpvm"'
# the wus instance's key is not in the vectors: exit 4, whatever the manifest
printf '{"schema":"measure/v1","platform":"tdx","observed":true,"measurements":{"mrtd":["6f3e84c54ac6377614d4c139473db575a83b5db41bd845eecb4eedaf2788ea881309a410c4ceae9641406411f3f639b8"]}}' >"$TMP/tdxobs.json"
expect_refused 4 "the tdxvm token without its instance's JWKS: exit 4" "JWKS" compare --at 2026-10-08T23:00:00Z "$TMP/tdxobs.json" "$A/maa/pca-tdxvm-token.jwt"
expect_refused 3 "the tdxvm token against the eus JWKS (kid not there): exit 3" "no key has the token's kid" \
	compare --jwks "$JWKS" --at 2026-10-08T23:00:00Z "$TMP/tdxobs.json" "$A/maa/pca-tdxvm-token.jwt"
printf '{"schema":"measure/v1","platform":"sev-snp","observed":"yes","measurements":{"measurement":"%s"}}' "$LM" >"$TMP/obsbad.json"
expect_failure 2 "\"observed\" not a boolean: exit 2" "observed" compare --jwks "$JWKS" --at "$IN" "$TMP/obsbad.json" "$TOK"
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":["%s"]}}' "$LM" >"$TMP/listbad.json"
expect_failure 2 "a list of values without \"observed\": exit 2" "measurements.measurement" compare --jwks "$JWKS" --at "$IN" "$TMP/listbad.json" "$TOK"

# --- trustee's Azure vTPM evidence ------------------------------------------------------------
AT=2025-06-01T00:00:00Z # inside the VCEKs' and the PCK chain's validity
SNPV=$A/trustee-az-snp-vtpm
TDXV=$A/trustee-az-tdx-vtpm
vtpm_manifest() { # FILE PLATFORM KEY VALUE
	printf '{"schema":"measure/v1","platform":"%s","observed":true,"measurements":{"%s":["%s"]}}' "$2" "$3" "$4" >"$1"
}
pcr0_policy() { # FILE PCR0
	printf '{"policy":{},"pcr_values":{"sha256":{"0":"%s"}}}' "$2" >"$1"
}
# measurements in full from the SNP reports (the README gives their first bytes, checked below)
for v in v0:6a063be9dd79f6371c842e48:e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced:6368616c6c656e6765 \
	v1:6a063be9dd79f6371c842e48:e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced:6368616c6c656e6765 \
	v2:5b0ce64ad1c1f6375dbda5f7:84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7:982f5c6e \
	genoa:f57dc09a507c6ecd82369bff:afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338:0218488b; do
	IFS=: read -r name mprefix pcr0 nonce <<EOT
$v
EOT
	f=$SNPV/evidence-$name.json
	run inspect "$f"
	m=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snp_report"]["measurement"])' "$TMP/out" 2>/dev/null)
	case $m in
	"$mprefix"*) ok "az-snp-vtpm $name: the HCL report's SNP measurement starts $mprefix (README)" ;;
	*) not_ok "az-snp-vtpm $name: SNP measurement" "got '$m'" ;;
	esac
	vtpm_manifest "$TMP/$name.json" sev-snp measurement "$m"
	pcr0_policy "$TMP/$name-pcr0.json" "$pcr0"
	expect_rc 0 "az-snp-vtpm $name: VCEK chain, REPORT_DATA = SHA-256(runtime data), HCLAkPub, quote, PCR0 $(echo $pcr0 | cut -c1-8)" \
		compare --at "$AT" --policy "$TMP/$name-pcr0.json" "$TMP/$name.json" "$f"
	expect_out "... every link has its row" "REPORT_DATA = SHA-256(runtime data)"
	expect_out "... PCR0 judged" "ok   vTPM sha256 PCR0"
	case $name in
	v0 | v1)
		expect_rc 0 "az-snp-vtpm $name: --tpm-nonce \"challenge\" is the quote's qualifying data" \
			compare --at "$AT" --tpm-nonce "$nonce" "$TMP/$name.json" "$f"
		expect_rc 1 "az-snp-vtpm $name: another --tpm-nonce: exit 1" \
			compare --at "$AT" --tpm-nonce 6368616c6c656e6766 "$TMP/$name.json" "$f"
		expect_rc 1 "az-snp-vtpm $name: another --tpm-nonce with --init-data-digest: exit 1" \
			compare --at "$AT" --tpm-nonce 6368616c6c656e6766 --init-data-digest "$(printf '%064d' 0)" \
			"$TMP/$name.json" "$f"
		expect_out "... the init-data row says the quote's nonce did not match" \
			"the vTPM quote's nonce (extraData) did not match" ;;
	esac
done
# trustee's init-data binding (README: PCR8 == SHA-256(32 zero bytes || init_data_hash)); the Genoa evidence's
# PCR8 is non-zero and its init data is not published, so trustee's vector digest must fail there, naming PCR8
G8=$(python3 -c 'import json,sys; print(bytes(json.load(open(sys.argv[1]))["quote"]["pcrs"][8]).hex())' "$SNPV/evidence-genoa.json")
expect_rc 1 "az-snp-vtpm genoa: --init-data-digest of trustee's vector is not its PCR8: exit 1" \
	compare --at "$AT" --init-data-digest 8505e4e25e50a27c5dc8147af88efbece627fbea55291911eff832d9ee127781 "$TMP/genoa.json" \
	"$SNPV/evidence-genoa.json"
expect_out "... the row: the vector's extend against the quoted PCR8 (read by Python)" \
	"FAIL init data (vTPM sha256 PCR8) bddaccb9c52249e97a31baea61b7d91be8221a16e703d92148d04fb8e9c1dfdd $G8"
run inspect "$SNPV/evidence-v1.json"
expect_out "inspect: the HCL report's runtime data names HCLAkPub" '"kid": "HCLAkPub"'
pcr0_policy "$TMP/badpcr0.json" "$(printf '%064d' 0)"
expect_rc 1 "az-snp-vtpm v1: a policy PCR0 that is not quoted: exit 1" \
	compare --at "$AT" --policy "$TMP/badpcr0.json" "$TMP/v1.json" "$SNPV/evidence-v1.json"
# TDX: the TD quote through DCAP, the TDREPORT against it
run inspect "$TDXV/evidence-v1.json"
expect_out "inspect says which TDREPORT fields are never verified" "REPORTMACSTRUCT (cpusvn, hashes, MAC), the rest of TEE_TCB_INFO and servtd_hash are never verified"
mrtd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["td_quote"]["body"]["mrtd"])' "$TMP/out" 2>/dev/null)
vtpm_manifest "$TMP/tdx.json" tdx mrtd "$mrtd"
expect_rc 0 "az-tdx-vtpm v1: DCAP quote, TDREPORT = quote, REPORT_DATA = SHA-256(runtime data), HCLAkPub, quote" \
	compare --at "$AT" --tpm-nonce 6368616c6c656e6765 "$TMP/tdx.json" "$TDXV/evidence-v1.json"
expect_out "... the TDREPORT's MRTD equals the quote's" "ok   TDREPORT mrtd"
# az-tdx-vtpm v0 (trustee's serde default: no version, every byte string an array), from v1
python3 - "$TDXV/evidence-v1.json" "$TMP/tdx-v0.json" <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1])); dec = lambda t: list(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
q = e["tpm_quote"]
v0 = {"tpm_quote": {"signature": list(bytes.fromhex(q["signature"])), "message": list(bytes.fromhex(q["message"])),
                    "pcrs": [list(bytes.fromhex(p)) for p in q["pcrs"]]},
      "hcl_report": dec(e["hcl_report"]), "td_quote": dec(e["td_quote"])}
json.dump(v0, open(sys.argv[2], "w"))
PY
expect_rc 0 "az-tdx-vtpm v0 (byte arrays, no version) verifies as v1 does" \
	compare --at "$AT" --tpm-nonce 6368616c6c656e6765 "$TMP/tdx.json" "$TMP/tdx-v0.json"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tpm_quote"]["pcrs"][0])' "$TDXV/evidence-v1.json" >"$TMP/tdxpcr0"
case $(cat "$TMP/tdxpcr0") in 782b20b1*) ok "az-tdx-vtpm v1: PCR0 starts 782b20b1 (README)" ;; *) not_ok "az-tdx-vtpm PCR0" ;; esac

# tampered copies, made with Python from the v1 JSON (and the TDX one)
python3 - "$SNPV/evidence-v1.json" "$TDXV/evidence-v1.json" "$TMP" <<'PY'
import base64, json, sys
snp, tdx, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
dec = lambda t: bytearray(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
enc = lambda b: base64.urlsafe_b64encode(bytes(b)).decode()
def hcl(ev, off, name, base):
    e = json.loads(json.dumps(ev)); b = dec(e["hcl_report"]); b[off] ^= 1; e["hcl_report"] = enc(b)
    json.dump(e, open(d + "/" + name, "w"))
def put(e, name): json.dump(e, open(d + "/" + name, "w"))
hcl(snp, 0x01a6, "t-tcb.json", snp)        # reported TCB inside the SNP report: its signature
hcl(snp, 0x06e0, "t-runtime.json", snp)    # runtime data: REPORT_DATA no longer binds it
hcl(snp, 0x0540, "t-akpub.json", snp)      # the AKpub JSON: the same binding
hcl(tdx, 0x20 + 0x210, "t-tdreport.json", tdx)  # the TDREPORT's MRTD: not the TD the quote attests
hcl(tdx, 0x20 + 0x108, "t-teetcbsvn.json", tdx)  # TEE_TCB_INFO's TEE_TCB_SVN
hcl(tdx, 0x20 + 0x148, "t-mrsignerseam.json", tdx)  # TEE_TCB_INFO's MRSIGNERSEAM
e = json.loads(json.dumps(snp)); s = bytearray.fromhex(e["tpm_quote"]["signature"]); s[10] ^= 1
e["tpm_quote"]["signature"] = s.hex(); put(e, "t-sig.json")
e = json.loads(json.dumps(snp)); m = bytearray.fromhex(e["tpm_quote"]["message"]); m[-1] ^= 1
e["tpm_quote"]["message"] = m.hex(); put(e, "t-msg.json")
e = json.loads(json.dumps(snp)); e["tpm_quote"]["pcrs"][7] = "00" * 32; put(e, "t-pcr.json")
e = json.loads(json.dumps(tdx)); q = dec(e["td_quote"]); q[700] ^= 1; e["td_quote"] = enc(q); put(e, "t-tdquote.json")
e = json.loads(json.dumps(snp)); e["version"] = 3; put(e, "t-version.json")
e = json.loads(json.dumps(snp)); e["version"] = 0; put(e, "t-version0.json")
e = json.loads(json.dumps(snp)); e["extra"] = 1; put(e, "t-unknown.json")
e = json.loads(json.dumps(snp)); e["hcl_report"] = enc(dec(e["hcl_report"])[:1300]); put(e, "t-short.json")
e = json.loads(json.dumps(snp)); b = dec(e["hcl_report"]); b[8:12] = (0xffffff00).to_bytes(4, "little"); e["hcl_report"] = enc(b); put(e, "t-size.json")
e = json.loads(json.dumps(snp)); e["tpm_quote"]["pcrs"] = e["tpm_quote"]["pcrs"][:23]; put(e, "t-23pcrs.json")
e = json.loads(json.dumps(snp)); b = dec(e["hcl_report"]); b[0x4c8] = 7; e["hcl_report"] = enc(b); put(e, "t-type.json")
PY
expect_refused 3 "tampered reported TCB in the SNP report (0x01a6): exit 3" "REPORTED_TCB" \
	compare --at "$AT" "$TMP/v1.json" "$TMP/t-tcb.json"
expect_refused 3 "tampered runtime data (0x06e0): REPORT_DATA no longer binds it, exit 3" "REPORT_DATA is not SHA-256" \
	compare --at "$AT" "$TMP/v1.json" "$TMP/t-runtime.json"
expect_refused 3 "tampered AKpub JSON (0x0540): exit 3" "REPORT_DATA is not SHA-256" \
	compare --at "$AT" "$TMP/v1.json" "$TMP/t-akpub.json"
expect_refused 3 "tampered quote signature: exit 3" "does not verify" compare --at "$AT" "$TMP/v1.json" "$TMP/t-sig.json"
expect_refused 3 "tampered quote message: exit 3" "does not verify" compare --at "$AT" "$TMP/v1.json" "$TMP/t-msg.json"
expect_rc 1 "a changed PCR value (pcrDigest differs): exit 1" compare --at "$AT" "$TMP/v1.json" "$TMP/t-pcr.json"
expect_out "... the digest row fails" "FAIL vTPM pcrDigest"
expect_refused 3 "az-tdx-vtpm: a TDREPORT MRTD that is not the quote's: exit 3" "not the TD the quote attests" \
	compare --at "$AT" "$TMP/tdx.json" "$TMP/t-tdreport.json"
expect_refused 3 "az-tdx-vtpm: a TDREPORT TEE_TCB_SVN that is not the quote's: exit 3" "not the TD the quote attests" \
	compare --at "$AT" "$TMP/tdx.json" "$TMP/t-teetcbsvn.json"
expect_out "... the row named" "FAIL TDREPORT tee_tcb_svn"
expect_refused 3 "az-tdx-vtpm: a TDREPORT MRSIGNERSEAM that is not the quote's: exit 3" "not the TD the quote attests" \
	compare --at "$AT" "$TMP/tdx.json" "$TMP/t-mrsignerseam.json"
expect_refused 3 "az-tdx-vtpm: a tampered TD quote: exit 3" "" compare --at "$AT" "$TMP/tdx.json" "$TMP/t-tdquote.json"
expect_refused 5 "trustee JSON version 3: exit 5" "version 3" compare --at "$AT" "$TMP/v1.json" "$TMP/t-version.json"
expect_refused 2 "an explicit \"version\": 0 (no attester writes it; v0 has none): exit 2, the message agrees" \
	"v0 evidence has no \"version\"" compare --at "$AT" "$TMP/v1.json" "$TMP/t-version0.json"
expect_failure 2 "an unknown field: exit 2" "unknown field" compare --at "$AT" "$TMP/v1.json" "$TMP/t-unknown.json"
expect_failure 2 "a truncated HCL report: exit 2" "HCL report" compare --at "$AT" "$TMP/v1.json" "$TMP/t-short.json"
expect_failure 2 "an HCL report size past the end: exit 2" "HCL report" compare --at "$AT" "$TMP/v1.json" "$TMP/t-size.json"
expect_failure 2 "23 PCR values: exit 2" "24 SHA-256" compare --at "$AT" "$TMP/v1.json" "$TMP/t-23pcrs.json"
expect_refused 5 "an HCL report type that is neither SNP nor TDX: exit 5" "report type 7" compare --at "$AT" "$TMP/v1.json" "$TMP/t-type.json"
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s"}}' \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["measurements"]["measurement"][0])' "$TMP/v1.json")" >"$TMP/v1-plain.json"
expect_rc 0 "pin add: Azure vTPM evidence pinned as compare judges it" \
	pin add az --store "$TMP/pins.db" --expected "$TMP/v1-plain.json" --evidence "$SNPV/evidence-v1.json" --at "$AT"
expect_rc 1 "pin check: the v2 evidence (another measurement) is drift" \
	pin check az --store "$TMP/pins.db" --evidence "$SNPV/evidence-v2.json" --at "$AT"
expect_rc 3 "pin check: a tampered quote signature is rejected with exit 3" \
	pin check az --store "$TMP/pins.db" --evidence "$TMP/t-sig.json" --at "$AT"
expect_failure 2 "--tpm-nonce on evidence without a quote: usage" "for Azure vTPM evidence" \
	compare --at "$IN" --jwks "$JWKS" --tpm-nonce 00 "$TMP/obs.json" "$TOK"
expect_failure 2 "--init-data-digest on evidence without a quote: usage naming --init-data-digest" \
	"--init-data-digest without --tpm-quote is for Azure vTPM evidence" \
	compare --at "$IN" --jwks "$JWKS" --init-data-digest "$(printf '%064d' 0)" "$TMP/obs.json" "$TOK"
echo "1..$n"
