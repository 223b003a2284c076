#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# MAA-shaped tokens made here with Python's cryptography (RS256 over a throwaway RSA key, published as a
# JWKS): the claims of sevsnpvm, tdxvm and azurevm tokens mapped onto manifest names, the time claims,
# debug, and malformed claims, all with a signature that verifies so each check is reached.
. "$(dirname "$0")/lib.sh"
if ! python3 -c 'import cryptography' 2>/dev/null; then
	skip "python3-cryptography not installed"
	echo "1..$n"
	exit 0
fi
MRTD=$(printf 'ab%.0s' $(seq 48))
LM=$(printf 'cd%.0s' $(seq 48))
python3 - "$TMP" "$MRTD" "$LM" <<'PY'
import base64, json, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
d, mrtd, lm = sys.argv[1:4]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pub = key.public_key().public_numbers()
n = pub.n.to_bytes(256, "big"); e = pub.e.to_bytes(3, "big")
json.dump({"keys": [{"kty": "RSA", "kid": "test-key", "alg": "RS256", "use": "sig", "n": b64(n), "e": b64(e)}]},
          open(d + "/jwks.json", "w"))
small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()
json.dump({"keys": [{"kty": "RSA", "kid": "test-key", "n": b64(small.n.to_bytes(128, "big")), "e": b64(e)}]},
          open(d + "/small.jwks", "w"))
# x5c only, as MAA's /certs publishes its keys: a self-signed certificate of the signing key
import datetime
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "test MAA signing key")])
now = datetime.datetime(2030, 1, 1)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256()))
x5c = base64.b64encode(cert.public_bytes(Encoding.DER)).decode()
json.dump({"keys": [{"kty": "RSA", "kid": "test-key", "x5c": [x5c]}]}, open(d + "/x5c.jwks", "w"))
json.dump({"keys": [{"kty": "RSA", "kid": "test-key", "n": b64(n), "e": b64(e), "x5c": [x5c]}]},
          open(d + "/x5c-ne.jwks", "w"))
other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()
json.dump({"keys": [{"kty": "RSA", "kid": "test-key", "n": b64(other.n.to_bytes(256, "big")), "e": b64(e), "x5c": [x5c]}]},
          open(d + "/x5c-other.jwks", "w"))
# the same modulus with a weak exponent (e = 3, e = 1): never a trusted key
for k in (1, 3):
    json.dump({"keys": [{"kty": "RSA", "kid": "test-key", "n": b64(n), "e": b64(bytes([k]))}]}, open(d + "/e%d.jwks" % k, "w"))
def token(name, payload, header=None):
    h = b64(json.dumps(header or {"alg": "RS256", "kid": "test-key", "typ": "JWT"}).encode())
    p = b64(json.dumps(payload).encode())
    sig = key.sign((h + "." + p).encode(), padding.PKCS1v15(), hashes.SHA256())
    open(d + "/" + name + ".jwt", "w").write(h + "." + p + "." + b64(sig) + "\n")
T = {"iat": 2000000000, "nbf": 2000000000, "exp": 2000003600, "iss": "https://test.attest.example"}
tdx = dict(T, **{"x-ms-attestation-type": "tdxvm", "x-ms-compliance-status": "azure-compliant-cvm",
                 "attester_tcb_status": "UpToDate", "tdx_mrtd": mrtd, "tdx_rtmr0": "00" * 48, "tdx_rtmr1": "11" * 48,
                 "tdx_rtmr2": "22" * 48, "tdx_rtmr3": "33" * 48, "tdx_report_data": "44" * 64,
                 "tdx_td_attributes_debug": False})
token("tdx", tdx)
token("tdx-debug", dict(tdx, tdx_td_attributes_debug=True))
token("tdx-nodebug", {k: v for k, v in tdx.items() if k != "tdx_td_attributes_debug"})
token("tdx-noexp", {k: v for k, v in tdx.items() if k != "exp"})
token("tdx-expfloat", dict(tdx, exp=2000003600.5))
token("tdx-iat-late", dict(tdx, iat=2000001000))
token("tdx-shortmrtd", dict(tdx, tdx_mrtd="ab" * 47))
token("tdx-nomrtd", {k: v for k, v in tdx.items() if k != "tdx_mrtd"})
token("sgx", dict(T, **{"x-ms-attestation-type": "sgx"}))
token("trusted-launch", dict(T, **{"x-ms-attestation-type": "azurevm"}))
# as MAA's real azurevm tokens (maa vectors README): compliance status and VMPL inside x-ms-isolation-tee
tee = {"x-ms-attestation-type": "sevsnpvm", "x-ms-compliance-status": "azure-compliant-cvm", "x-ms-sevsnpvm-vmpl": 0,
       "x-ms-sevsnpvm-launchmeasurement": lm, "x-ms-sevsnpvm-is-debuggable": False}
token("azurevm", dict(T, **{"x-ms-attestation-type": "azurevm", "x-ms-isolation-tee": tee}))
token("snp-vmpl3", dict(T, **{"x-ms-attestation-type": "azurevm", "x-ms-isolation-tee": dict(tee, **{"x-ms-sevsnpvm-vmpl": 3})}))
token("snp-novmpl", dict(T, **{"x-ms-attestation-type": "azurevm",
                               "x-ms-isolation-tee": {k: v for k, v in tee.items() if k != "x-ms-sevsnpvm-vmpl"}}))
token("snp-noncompliant", dict(T, **dict(tee, **{"x-ms-compliance-status": "not-compliant"})))
token("tdx-nocompliance", {k: v for k, v in tdx.items() if k != "x-ms-compliance-status"})
token("crit", tdx, {"alg": "RS256", "kid": "test-key", "crit": ["exp"]})
# claims a policy reads, typed as MAA writes them (vectors/azure/maa/*.decoded.json): numbers, booleans, hex strings
snp = dict(T, **dict(tee, **{"x-ms-sevsnpvm-guestsvn": 4, "x-ms-sevsnpvm-bootloader-svn": 3, "x-ms-sevsnpvm-tee-svn": 0,
                             "x-ms-sevsnpvm-snpfw-svn": 8, "x-ms-sevsnpvm-microcode-svn": 115, "x-ms-sevsnpvm-smt-allowed": True,
                             "x-ms-sevsnpvm-migration-allowed": False, "x-ms-sevsnpvm-chip-family": "Milan"}))
token("snp-full", snp)
for name, claim, value in (("guestsvn-str", "x-ms-sevsnpvm-guestsvn", "4"), ("vmpl-str", "x-ms-sevsnpvm-vmpl", "0"),
                           ("smt-str", "x-ms-sevsnpvm-smt-allowed", "true"), ("svn-big", "x-ms-sevsnpvm-bootloader-svn", 256),
                           ("svn-neg", "x-ms-sevsnpvm-tee-svn", -1), ("family-num", "x-ms-sevsnpvm-chip-family", 2),
                           ("familyid-num", "x-ms-sevsnpvm-familyId", 1)):
    token("snp-" + name, dict(snp, **{claim: value}))
tdxp = dict(tdx, **{"tdx_mrseam": "55" * 48, "tdx_td_attributes": "0000001000000000", "tdx_xfam": "e718060000000000",
                    "tdx_tee_tcb_svn": "0d010500000000000000000000000000", "tdx_seamsvn": 269, "tdx_mrconfigid": "00" * 48,
                    "tdx_mrowner": "00" * 48, "tdx_mrownerconfig": "00" * 48})
token("tdx-full", tdxp)
for name, claim, value in (("attr-short", "tdx_td_attributes", "00" * 7), ("tcbsvn-num", "tdx_tee_tcb_svn", 13),
                           ("status-num", "attester_tcb_status", 0), ("seamsvn-str", "tdx_seamsvn", "269"),
                           ("debug-disagrees", "tdx_td_attributes", "0100001000000000")):
    token("tdx-" + name, dict(tdxp, **{claim: value}))
b = lambda h: base64.b64encode(bytes.fromhex(h)).decode()
pol = {"policy": {"measurement": b(lm), "vmpl": 0, "minimum_guest_svn": 4, "policy": 0x230000,  # CXL allowed: no claim needed
                  "minimum_tcb": 3 | 8 << 48 | 115 << 56, "product": {"name": 1}}}
json.dump(pol, open(d + "/snp-pol.json", "w"))
json.dump(dict(pol, policy=dict(pol["policy"], minimum_tcb=3 | 9 << 48 | 115 << 56)), open(d + "/snp-pol-tcb.json", "w"))
json.dump(dict(pol, policy=dict(pol["policy"], policy=0x330000)), open(d + "/snp-pol-single.json", "w"))
json.dump(dict(pol, policy=dict(pol["policy"], host_data=b("00" * 32))), open(d + "/snp-pol-host.json", "w"))
# a chip family MAA does not name (not Milan, Genoa, Turin): its REPORTED_TCB layout is not known, so a TCB rule
# written in Turin's layout (bootloader bits 8-15, SNP bits 24-31) must not be read in Milan's (where 24-31 are reserved)
token("snp-venice", dict(snp, **{"x-ms-sevsnpvm-chip-family": "Venice"}))
token("snp-turin", dict(snp, **{"x-ms-sevsnpvm-chip-family": "Turin"}))
token("snp-nofamily", {k: v for k, v in snp.items() if k != "x-ms-sevsnpvm-chip-family"})
turin_tcb = 9 << 24 | 115 << 56  # SNP SVN 9 in Turin's layout: the tokens carry 8
json.dump({"policy": {"measurement": b(lm), "minimum_tcb": turin_tcb}}, open(d + "/snp-pol-turin.json", "w"))
json.dump({"policy": {"measurement": b(lm), "minimum_tcb": 8 << 24 | 115 << 56}}, open(d + "/snp-pol-turin-ok.json", "w"))
json.dump({"policy": {"measurement": b(lm), "product": {"name": 3}}}, open(d + "/snp-pol-product.json", "w"))
json.dump({"policy": {"measurement": b(lm)}, "root_of_trust": {"product_line": "Venice"}},
          open(d + "/snp-pol-rot.json", "w"))
body = {"mr_td": b(mrtd), "mr_seam": b("55" * 48), "td_attributes": b("0000001000000000"), "xfam": b("e718060000000000"),
        "rtmrs": [b(h * 48) for h in ("00", "11", "22", "33")], "report_data": b("44" * 64),
        "minimum_tee_tcb_svn": b("0d010500000000000000000000000000"), "tdattributes_debug": False,
        "mr_config_id": b("00" * 48), "mr_owner": b("00" * 48), "mr_owner_config": b("00" * 48)}
json.dump({"td_quote_body": body, "accept_tcb_status": ["UpToDate"]}, open(d + "/tdx-pol.json", "w"))
json.dump({"td_quote_body": dict(body, xfam=b("e718060000000001"))}, open(d + "/tdx-pol-xfam.json", "w"))
json.dump({"td_quote_body": dict(body, minimum_tee_tcb_svn=b("0d020500000000000000000000000000"))}, open(d + "/tdx-pol-svn.json", "w"))
json.dump({"td_quote_body": body, "accept_tcb_status": ["OutOfDate"]}, open(d + "/tdx-pol-status.json", "w"))
json.dump({"td_quote_body": body, "min_tcb_date": "2024-01-01T00:00:00Z"}, open(d + "/tdx-pol-date.json", "w"))
json.dump({"td_quote_body": body, "header": {"minimum_qe_svn": 0}}, open(d + "/tdx-pol-qesvn.json", "w"))
token("kidnum", tdx, {"alg": "RS256", "kid": 5})
PY
J="--jwks $TMP/jwks.json"
AT=2000000100
printf '{"schema":"measure/v1","platform":"tdx","observed":true,"measurements":{"mrtd":["%s"],"rtmr1":"%s"}}' "$MRTD" "$(printf '11%.0s' $(seq 48))" >"$TMP/tdx.json"
expect_rc 0 "tdxvm claims: mrtd (observed) and rtmr1 match" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_out "tdx_report_data is the freshness: listed claims" "attester_tcb_status"
expect_rc 0 "tdxvm: --nonce is tdx_report_data" compare $J --at @$AT --nonce "$(printf '44%.0s' $(seq 64))" "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_rc 0 "--at evidence: judged at the token's iat" compare $J --at evidence "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_out "... and the validity row says so" "2033-05-18T03:33:20Z (at the token's iat, not now)"
expect_rc 1 "tdxvm: a debug TD fails" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-debug.jwt"
expect_rc 0 "... unless --allow-debug" compare $J --allow-debug --at @$AT "$TMP/tdx.json" "$TMP/tdx-debug.jwt"
expect_rc 1 "a token that does not say whether the TD is debuggable fails closed" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-nodebug.jwt"
printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%s","rtmr2":"%096d"}}' "$MRTD" 0 >"$TMP/tdx-rtmr2.json"
expect_rc 1 "tdxvm: an RTMR that differs is exit 1" compare $J --at @$AT "$TMP/tdx-rtmr2.json" "$TMP/tdx.jwt"
expect_refused 3 "the check time before iat (a token from the future): exit 3" "issued after" \
	compare $J --at @2000000500 "$TMP/tdx.json" "$TMP/tdx-iat-late.jwt"
expect_failure 2 "no exp: exit 2" '"exp" is missing' compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-noexp.jwt"
expect_failure 2 "a fractional exp: exit 2" "NumericDate" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-expfloat.jwt"
expect_failure 2 "an MRTD claim of 47 bytes: exit 2" "tdx_mrtd" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-shortmrtd.jwt"
expect_failure 2 "no MRTD claim: exit 2" "tdx_mrtd" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-nomrtd.jwt"
expect_refused 5 "an sgx token: exit 5" "sgx" compare $J --at @$AT "$TMP/tdx.json" "$TMP/sgx.jwt"
expect_refused 5 "a Trusted Launch azurevm token (no isolation TEE): exit 5" "Trusted Launch" compare $J --at @$AT "$TMP/tdx.json" "$TMP/trusted-launch.jwt"
printf '{"schema":"measure/v1","platform":"sev-snp","observed":true,"measurements":{"measurement":"%s"}}' "$LM" >"$TMP/snp.json"
expect_rc 0 "an azurevm token: the nested isolation TEE's sevsnpvm claims" compare $J --at @$AT "$TMP/snp.json" "$TMP/azurevm.jwt"
expect_out "... MAA's compliance verdict judged" "ok   x-ms-compliance-status     azure-compliant-cvm"
expect_out "... and the VMPL" "ok   x-ms-sevsnpvm-vmpl"
expect_rc 1 "an sevsnpvm token MAA does not call azure-compliant-cvm: exit 1" \
	compare $J --at @$AT "$TMP/snp.json" "$TMP/snp-noncompliant.jwt"
expect_out "... the claim named" "FAIL x-ms-compliance-status     azure-compliant-cvm                        not-compliant"
expect_rc 1 "a report from VMPL 3: exit 1" compare $J --at @$AT "$TMP/snp.json" "$TMP/snp-vmpl3.jwt"
expect_out "... the claim named" "FAIL x-ms-sevsnpvm-vmpl         0                                          3"
expect_rc 1 "an sevsnpvm token without x-ms-sevsnpvm-vmpl: exit 1" compare $J --at @$AT "$TMP/snp.json" "$TMP/snp-novmpl.jwt"
expect_out "... the claim named" "FAIL x-ms-sevsnpvm-vmpl         0                                          (absent)"
expect_rc 1 "a tdxvm token without x-ms-compliance-status: exit 1" compare $J --at @$AT "$TMP/tdx.json" "$TMP/tdx-nocompliance.jwt"
expect_out "... the claim named" "FAIL x-ms-compliance-status     azure-compliant-cvm                        (absent)"
expect_rc 1 "a tdx manifest against an sevsnpvm token: platform differs" compare $J --at @$AT "$TMP/tdx.json" "$TMP/azurevm.jwt"
expect_refused 5 "a crit header: exit 5" "crit" compare $J --at @$AT "$TMP/tdx.json" "$TMP/crit.jwt"
expect_failure 2 "a kid that is not a string: exit 2" "kid" compare $J --at @$AT "$TMP/tdx.json" "$TMP/kidnum.jwt"
expect_refused 5 "an RSA-1024 JWKS key: exit 5" "modulus" compare --jwks "$TMP/small.jwks" --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_refused 5 "a JWKS key with e = 3: exit 5 (weak key)" "exponent 3 is not an odd number of at least 65537" \
	compare --jwks "$TMP/e3.jwks" --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_refused 5 "a JWKS key with e = 1: exit 5 (weak key)" "exponent 1 is not an odd number of at least 65537" \
	compare --jwks "$TMP/e1.jwks" --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_rc 0 "a JWK with only x5c (MAA's /certs): the certificate's key verifies" \
	compare --jwks "$TMP/x5c.jwks" --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_rc 0 "a JWK with n/e and the same key's x5c" compare --jwks "$TMP/x5c-ne.jwks" --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_failure 2 "a JWK whose n/e are not its x5c[0]'s key: exit 2" "not the key of its certificate" \
	compare --jwks "$TMP/x5c-other.jwks" --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
run compare --json $J --at @$AT "$TMP/tdx.json" "$TMP/tdx.jwt"
expect_out "--json: the receipt's signer is the MAA instance" '"signed_by": "MAA https://test.attest.example (key test-key)"'
expect_failure 2 "pin add refuses an observed allow-list as recomputed values" "not recomputed" \
	pin add d1 --store "$TMP/pins.db" --expected "$TMP/tdx.json" --evidence "$TMP/tdx.jwt" $J --at @$AT
# --policy on MAA tokens: claims judged as the report's or quote's fields; missing claims fail; wrong types exit 2
expect_rc 0 "--policy on an sevsnpvm token: VMPL, guest SVN, guest policy, REPORTED_TCB, product from the claims" \
	compare $J --at @$AT --policy "$TMP/snp-pol.json" "$TMP/snp-full.jwt"
expect_out "... REPORTED_TCB read from the four SVN claims" "ok   REPORTED_TCB"
for c in guestsvn chip-family bootloader-svn snpfw-svn smt-allowed migration-allowed; do
	if grep -q "x-ms-sevsnpvm-$c *not checked" "$TMP/out"; then
		not_ok "... x-ms-sevsnpvm-$c, judged by a rule, is not also listed as not checked" "$(grep "$c" "$TMP/out")"
	else ok "... x-ms-sevsnpvm-$c, judged by a rule, is not also listed as not checked"; fi
done
printf '{"policy": {"measurement": "%s", "vmpl": 0}}' "$(printf '%s' "$LM" | xxd -r -p | base64 -w0)" >"$TMP/snp-pol-vmpl.json"
expect_rc 0 "a policy judging only the measurement and VMPL" compare $J --at @$AT --policy "$TMP/snp-pol-vmpl.json" "$TMP/snp-full.jwt"
expect_out "... still lists the SVN claims it did not judge" "x-ms-sevsnpvm-snpfw-svn    not checked: 8"
expect_out "... and the guest policy booleans" "x-ms-sevsnpvm-smt-allowed  not checked: true"
expect_rc 1 "... an SNP SVN one above the token's: exit 1" compare $J --at @$AT --policy "$TMP/snp-pol-tcb.json" "$TMP/snp-full.jwt"
expect_out "... at REPORTED_TCB" "FAIL REPORTED_TCB"
expect_rc 1 "... SINGLE_SOCKET required, the token has no singlesocket claim: exit 1" \
	compare $J --at @$AT --policy "$TMP/snp-pol-single.json" "$TMP/snp-full.jwt"
expect_out "... naming the claim" "the token does not carry x-ms-sevsnpvm-singlesocket"
expect_rc 1 "... host_data pinned, the token has no hostdata claim: exit 1" \
	compare $J --at @$AT --policy "$TMP/snp-pol-host.json" "$TMP/snp-full.jwt"
expect_out "... naming the claim" "the token does not carry x-ms-sevsnpvm-hostdata"
expect_rc 1 "an unknown chip family (Venice) with a Turin-layout minimum_tcb: exit 1, not read in Milan's layout" \
	compare $J --at @$AT --policy "$TMP/snp-pol-turin.json" "$TMP/snp-venice.jwt"
expect_out "... saying the family and so the TCB layout is not known" \
	"the token's chip family Venice is not known, so its TCB layout is not"
expect_rc 1 "... the same rule on chip family Turin: exit 1 at REPORTED_TCB (SNP SVN 8 < 9)" \
	compare $J --at @$AT --policy "$TMP/snp-pol-turin.json" "$TMP/snp-turin.jwt"
expect_out "... judged in Turin's layout" "FAIL REPORTED_TCB"
expect_rc 0 "... and SNP SVN 8 in Turin's layout passes on Turin" \
	compare $J --at @$AT --policy "$TMP/snp-pol-turin-ok.json" "$TMP/snp-turin.jwt"
expect_rc 1 "... but not on the unknown family" compare $J --at @$AT --policy "$TMP/snp-pol-turin-ok.json" "$TMP/snp-venice.jwt"
expect_rc 1 "a token without the chip family: a TCB rule fails naming the claim" \
	compare $J --at @$AT --policy "$TMP/snp-pol-turin-ok.json" "$TMP/snp-nofamily.jwt"
expect_out "... naming the claim" "the token does not carry x-ms-sevsnpvm-chip-family"
expect_rc 1 "an unknown chip family: a product rule fails closed" \
	compare $J --at @$AT --policy "$TMP/snp-pol-product.json" "$TMP/snp-venice.jwt"
expect_rc 1 "an unknown chip family: root_of_trust.product_line naming it still fails (not a string match)" \
	compare $J --at @$AT --policy "$TMP/snp-pol-rot.json" "$TMP/snp-venice.jwt"
expect_out "... saying the family is not known" "chip family Venice is not known"
for t in "guestsvn-str:x-ms-sevsnpvm-guestsvn" "vmpl-str:x-ms-sevsnpvm-vmpl" "smt-str:x-ms-sevsnpvm-smt-allowed" \
	"svn-big:x-ms-sevsnpvm-bootloader-svn" "svn-neg:x-ms-sevsnpvm-tee-svn" "family-num:x-ms-sevsnpvm-chip-family" \
	"familyid-num:x-ms-sevsnpvm-familyId"; do
	expect_failure 2 "a claim of the wrong type (${t%%:*}): exit 2 naming it" "${t#*:}" \
		compare $J --at @$AT --policy "$TMP/snp-pol.json" "$TMP/snp-${t%%:*}.jwt"
done
expect_rc 0 "--policy on a tdxvm token: td_quote_body and accept_tcb_status (attester_tcb_status) from the claims" \
	compare $J --at @$AT --policy "$TMP/tdx-pol.json" "$TMP/tdx-full.jwt"
expect_out "... the TCB status claim judged" "ok   TCB status (attester_tcb_status)"
expect_rc 1 "... xfam one bit off: exit 1" compare $J --at @$AT --policy "$TMP/tdx-pol-xfam.json" "$TMP/tdx-full.jwt"
expect_out "... at xfam" "FAIL xfam"
expect_rc 1 "... minimum_tee_tcb_svn above the claim: exit 1" compare $J --at @$AT --policy "$TMP/tdx-pol-svn.json" "$TMP/tdx-full.jwt"
expect_out "... at TEE_TCB_SVN" "FAIL TEE_TCB_SVN"
expect_rc 1 "... a TCB status not accepted: exit 1" compare $J --at @$AT --policy "$TMP/tdx-pol-status.json" "$TMP/tdx-full.jwt"
expect_out "... at the TCB status" "FAIL TCB status (attester_tcb_status)"
expect_rc 1 "... min_tcb_date (no claim): exit 1" compare $J --at @$AT --policy "$TMP/tdx-pol-date.json" "$TMP/tdx-full.jwt"
expect_out "... naming what is missing" "the token does not carry the TCB level's tcbDate"
expect_rc 1 "... minimum_qe_svn (no claim): exit 1" compare $J --at @$AT --policy "$TMP/tdx-pol-qesvn.json" "$TMP/tdx-full.jwt"
expect_out "... naming what is missing" "the token does not carry the quote header's QE SVN"
expect_rc 1 "... td_quote_body rules on a token without tdx_mrseam and the rest: exit 1" \
	compare $J --at @$AT --policy "$TMP/tdx-pol.json" "$TMP/tdx.jwt"
expect_out "... naming the claim" "the token does not carry tdx_mrseam"
for t in "attr-short:tdx_td_attributes" "tcbsvn-num:tdx_tee_tcb_svn" "status-num:attester_tcb_status" \
	"seamsvn-str:tdx_seamsvn" "debug-disagrees:tdx_td_attributes_debug"; do
	expect_failure 2 "a tdxvm claim of the wrong type or value (${t%%:*}): exit 2 naming it" "${t#*:}" \
		compare $J --at @$AT --policy "$TMP/tdx-pol.json" "$TMP/tdx-${t%%:*}.jwt"
done
python3 -c 'import sys; sys.stdout.write("eyJ" + "A" * (1 << 20) + ".e30.AA\n")' >"$TMP/huge.jwt"
expect_failure 2 "a token larger than 1 MiB: exit 2" "huge.jwt" compare $J --at @$AT "$TMP/tdx.json" "$TMP/huge.jwt"
head -c 100 "$TMP/tdx.jwt" >"$TMP/short.jwt"
expect_failure 2 "a truncated token: exit 2" "token" compare --type maa $J --at @$AT "$TMP/tdx.json" "$TMP/short.jwt"
echo "1..$n"
