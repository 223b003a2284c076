#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# measure compare with a vTPM quote beside SNP evidence (--tpm-*): a Cocos policy's pcr_values judged
# against the swtpm vectors and against a quote from a swtpm started here, whose PCRs are extended with
# values a Python replay computes; tampering refused with the exit code of its check.
. "$(dirname "$0")/lib.sh"

S=$VECTORS/snp
V=$VECTORS/azure/swtpm
C=$S/cocos/attestation_policy_sev-snp.json
flip() { # flip FILE OFFSET OUT
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=0xff; open(sys.argv[3],"wb").write(b)' "$1" "$2" "$3"
}

# usage rules need no vectors
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%096d"}}\n' 0 >"$TMP/m.json"
expect_failure 2 "--tpm-quote without --tpm-sig/--tpm-ak is a usage error" "needs --tpm-quote, --tpm-sig, --tpm-ak" \
	compare --tpm-quote q.msg "$TMP/m.json" "$TMP/m.json"
expect_failure 2 "--tpm-pcrs and --tpm-eventlog together are a usage error" "one source of PCR values" \
	compare --tpm-quote q --tpm-sig s --tpm-ak a --tpm-pcrs p --tpm-eventlog l "$TMP/m.json" "$TMP/m.json"
expect_failure 2 "--tpm-quote given twice" "each --tpm-* option once" \
	compare --tpm-quote q --tpm-quote q "$TMP/m.json" "$TMP/m.json"

if [ ! -d "$V" ] || [ ! -f "$C" ] || [ ! -f "$S/virtee-sev/report_milan.hex" ]; then
	skip "vectors (azure/swtpm, snp/cocos, snp/virtee-sev) not present"
	echo "1..$n"
	exit 0
fi
VCEK=$S/virtee-sev/vcek_milan.der
xxd -r -p "$S/virtee-sev/report_milan.hex" >"$TMP/milan.bin"
# the report's measurement (snp vectors README), base64 as the policy wants it
M2=7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f
# the Cocos example's pcr_values: separator-only PCR2/3/6 (both banks) are what the swtpm vectors hold too
cocos_policy() { # OUT PCRS...: the example's pcr_values for those PCRs, its measurement replaced by the report's
	out=$1
	shift
	python3 - "$C" "$M2" "$out" "$@" <<'PY'
import base64, json, sys
p = json.load(open(sys.argv[1])); keep = sys.argv[4:]
v = p["pcr_values"]
pol = {"policy": {"measurement": base64.b64encode(bytes.fromhex(sys.argv[2])).decode()},
       "pcr_values": {b: {k: v[b][k] for k in (keep or v[b])} for b in ("sha256", "sha384")}}
json.dump(pol, open(sys.argv[3], "w"))
PY
}
cocos_policy "$TMP/p236.json" 2 3 6
cocos_policy "$TMP/pall.json"
N=$(cat "$V/nonce.hex")
Q="--tpm-quote $V/quote_2bank.msg --tpm-sig $V/quote_2bank.sig --tpm-ak $V/ak_rsa.pub.pem"

expect_rc 0 "Cocos pcr_values PCR2/3/6 (sha256+sha384) hold on the swtpm 2-bank quote beside the Milan report" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs" --tpm-nonce "$N"
expect_out "one row per PCR of the policy" "vTPM sha384 PCR6"
expect_out "the nonce row" "vTPM quote nonce"
expect_rc 0 "... and with the PCRs replayed from the event log" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" $Q --tpm-eventlog "$V/eventlog.bin"
run compare --policy "$TMP/pall.json" --vcek "$VCEK" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs"
if [ "$rc" -eq 1 ] && grep -q "FAIL vTPM sha256 PCR0 " "$TMP/out" && grep -q "ok   vTPM sha256 PCR2 " "$TMP/out"; then
	ok "the whole Cocos example pcr_values: PCR0 differs (exit 1), PCR2 holds"
else
	not_ok "the whole Cocos example pcr_values" "rc $rc" "$(head -c 600 "$TMP/out")"
fi
expect_rc 1 "a policy with pcr_values and no vTPM quote: exit 1, never not applicable" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin"
expect_out "... saying why" "no vTPM quote to check pcr_values against"
flip "$V/quote_2bank.sig" 40 "$TMP/bad.sig"
expect_refused 3 "a tampered quote signature is exit 3" "does not verify" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" --tpm-quote "$V/quote_2bank.msg" --tpm-sig "$TMP/bad.sig" \
	--tpm-ak "$V/ak_rsa.pub.pem" --tpm-pcrs "$V/quote_2bank.pcrs"
expect_refused 3 "another AK is exit 3" "does not verify" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" --tpm-quote "$V/quote_2bank.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$V/ak_pss.pub.pem" --tpm-pcrs "$V/quote_2bank.pcrs"
expect_rc 1 "a wrong --tpm-nonce is exit 1" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs" --tpm-nonce 00
sed 's/3d458cfe/3d458cff/' "$V/expected_pcrs_replay.json" >"$TMP/pcrs.json"
expect_rc 1 "PCR values that are not the quoted ones (pcrDigest differs) are exit 1" \
	compare --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" $Q --tpm-pcrs "$TMP/pcrs.json"
expect_out "... and the pcr_values are not judged against them" "no vTPM quote to check pcr_values against"
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s"}}\n' "$M2" >"$TMP/s.json"
expect_rc 0 "a manifest and a vTPM quote: the quote verified, its PCRs listed as not pinned" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs"
expect_out "... not pinned" "not checked: 20 PCR values quoted"
expect_failure 2 "a vTPM quote with two EVIDENCE files is a usage error" "exactly one SNP or TDX EVIDENCE" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" "$TMP/s.json" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs"
head -c 50 "$V/quote_2bank.msg" >"$TMP/short.msg"
expect_failure 2 "a truncated --tpm-quote is exit 2" "TPMS_ATTEST" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$TMP/short.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$V/ak_rsa.pub.pem" --tpm-pcrs "$V/quote_2bank.pcrs"
run compare --json --policy "$TMP/p236.json" --vcek "$VCEK" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs"
expect_out "--json lists the PCR rows" '"what": "vTPM sha256 PCR3"'

# The AK's objectAttributes (ak_rsa.tpmt_public is a TPM2B_PUBLIC: at offset 6, big-endian): tpm2_createak's AK passes; one that is
# not restricted (bit 16, byte 7 0x01) or can decrypt (bit 17, byte 7 0x02) signs any bytes: exit 3
ak_bits() { # IN BYTE XORMASK OUT
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=int(sys.argv[3],16); open(sys.argv[4],"wb").write(b)' "$@"
}
expect_rc 0 "the swtpm AK as TPM2B_PUBLIC (restricted, sign, fixedTPM, fixedParent) verifies the quote" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_2bank.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$V/ak_rsa.tpmt_public" --tpm-pcrs "$V/quote_2bank.pcrs" --tpm-nonce "$N"
if grep -q "AK attributes" "$TMP/out"; then not_ok "... and no 'AK attributes' row (they were checked)"; else ok "... and no 'AK attributes' row (they were checked)"; fi
ak_bits "$V/ak_rsa.tpmt_public" 7 01 "$TMP/ak_unrestricted.pub"
expect_refused 3 "an AK that is not restricted is exit 3, naming the attribute" "lacks restricted" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_2bank.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$TMP/ak_unrestricted.pub" --tpm-pcrs "$V/quote_2bank.pcrs" --tpm-nonce "$N"
ak_bits "$V/ak_rsa.tpmt_public" 7 02 "$TMP/ak_decrypt.pub"
expect_refused 3 "an AK that can decrypt is exit 3" "has decrypt" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_2bank.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$TMP/ak_decrypt.pub" --tpm-pcrs "$V/quote_2bank.pcrs" --tpm-nonce "$N"
tail -c +3 "$V/ak_rsa.tpmt_public" >"$TMP/ak.tpmt" # TPMT_PUBLIC: objectAttributes at offset 4
ak_bits "$TMP/ak.tpmt" 7 02 "$TMP/ak_notfixed.tpmt"
expect_refused 3 "a TPMT_PUBLIC AK that is not fixedTPM is exit 3" "lacks fixedTPM" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_2bank.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$TMP/ak_notfixed.tpmt" --tpm-pcrs "$V/quote_2bank.pcrs" --tpm-nonce "$N"
# Weak RSA AKs (exit 3: a key whose signatures can be forged proves nothing, as an AK without its attributes):
# TPM2B_PUBLIC areas written here by hand in Python (TPM 2.0 Part 2, 12.2.3 and 12.2.5), RSA with
# restricted|sign|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth, RSASSA-SHA256, and PEM keys
python3 - "$TMP" <<'PY'
import struct, sys
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
d = sys.argv[1]
def tpm2b_public(bits, exponent, modulus):
    body = struct.pack(">HHI", 0x0001, 0x000B, 0x00050072)        # type RSA, nameAlg SHA256, objectAttributes
    body += struct.pack(">H", 0)                                   # authPolicy: empty
    body += struct.pack(">H", 0x0010)                              # symmetric: TPM_ALG_NULL
    body += struct.pack(">HH", 0x0014, 0x000B)                     # scheme: RSASSA, SHA256
    body += struct.pack(">HI", bits, exponent)                     # keyBits, exponent (0 means 65537)
    body += struct.pack(">H", len(modulus)) + modulus              # unique: the modulus
    return struct.pack(">H", len(body)) + body
def key(bits, e):
    return rsa.generate_private_key(public_exponent=e, key_size=bits).public_key()
for name, bits, e, field in (("e3", 2048, 3, 3), ("rsa1024", 1024, 65537, 0), ("e65537", 2048, 65537, 65537)):
    k = key(bits, e)
    open(d + "/ak_" + name + ".tpm2b", "wb").write(tpm2b_public(bits, field, k.public_numbers().n.to_bytes(bits // 8, "big")))
    open(d + "/ak_" + name + ".pem", "wb").write(k.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
k = key(2048, 65537)
open(d + "/ak_keybits.tpm2b", "wb").write(tpm2b_public(1024, 0, k.public_numbers().n.to_bytes(256, "big")))
PY
WEAK="--vcek $VCEK $TMP/s.json $TMP/milan.bin --tpm-quote $V/quote_2bank.msg --tpm-sig $V/quote_2bank.sig --tpm-pcrs $V/quote_2bank.pcrs"
expect_refused 3 "a TPM2B_PUBLIC AK with exponent 3: exit 3" "RSA exponent 3 is not an odd number of at least 65537" \
	compare $WEAK --tpm-ak "$TMP/ak_e3.tpm2b"
expect_refused 3 "a TPM2B_PUBLIC AK of 1024 bits (exponent 0, i.e. 65537): exit 3" "modulus of 1024 bits is below 2048" \
	compare $WEAK --tpm-ak "$TMP/ak_rsa1024.tpm2b"
expect_refused 3 "a PEM AK with exponent 3: exit 3" "RSA exponent 3" compare $WEAK --tpm-ak "$TMP/ak_e3.pem"
expect_refused 3 "a PEM AK of 1024 bits: exit 3" "1024 bits" compare $WEAK --tpm-ak "$TMP/ak_rsa1024.pem"
expect_refused 3 "a strong hand-made TPM2B_PUBLIC (e = 65537 spelled out) loads; the quote is not its: exit 3 at the signature" \
	"does not verify" compare $WEAK --tpm-ak "$TMP/ak_e65537.tpm2b"
expect_failure 2 "a TPM2B_PUBLIC whose keyBits (1024) disagree with its 256-byte modulus: exit 2" "keyBits 1024" \
	compare $WEAK --tpm-ak "$TMP/ak_keybits.tpm2b"
# An AK on a curve other than P-256/P-384 (or with explicit parameters): never trusted, even when the quote
# verifies under it. The vector's ECC quote signed here by openssl with keys on weak curves (TPMT_SIGNATURE
# ECDSA-SHA256 written by hand, TPM 2.0 Part 2, 11.3.4); a PEM AK of each, and one with explicit parameters.
for c in secp112r1 prime192v1 secp160r1 sect163k1; do
	openssl ecparam -name $c -genkey -noout -out "$TMP/k_$c.pem" 2>/dev/null &&
		openssl ec -in "$TMP/k_$c.pem" -pubout -out "$TMP/ak_$c.pem" 2>/dev/null &&
		openssl dgst -sha256 -sign "$TMP/k_$c.pem" -out "$TMP/q_$c.der" "$V/quote_ecc.msg"
done
openssl ecparam -name prime256v1 -genkey -noout -param_enc explicit -out "$TMP/k_explicit.pem" 2>/dev/null
openssl ec -in "$TMP/k_explicit.pem" -pubout -param_enc explicit -out "$TMP/ak_explicit.pem" 2>/dev/null
openssl dgst -sha256 -sign "$TMP/k_explicit.pem" -out "$TMP/q_explicit.der" "$V/quote_ecc.msg"
python3 - "$TMP" secp112r1 prime192v1 secp160r1 sect163k1 explicit <<'PY'
import struct, sys
d = sys.argv[1]
def der_int(b, at):
    assert b[at] == 2
    n = b[at + 1]
    return b[at + 2:at + 2 + n].lstrip(b"\0"), at + 2 + n
for c in sys.argv[2:]:
    der = open(d + "/q_" + c + ".der", "rb").read()
    r, at = der_int(der, 2)
    s, _ = der_int(der, at)
    sig = struct.pack(">HH", 0x0018, 0x000B) + struct.pack(">H", len(r)) + r + struct.pack(">H", len(s)) + s
    open(d + "/q_" + c + ".sig", "wb").write(sig)
PY
for c in secp112r1 prime192v1 secp160r1 sect163k1; do
	expect_refused 5 "a PEM AK on $c whose signature over the quote verifies: exit 5, the curve named" \
		"EC curve $c is not supported (P-256, P-384)" \
		compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_ecc.msg" --tpm-sig "$TMP/q_$c.sig" \
		--tpm-pcrs "$V/quote_ecc.pcrs" --tpm-ak "$TMP/ak_$c.pem" --tpm-nonce "$N"
done
expect_refused 5 "a PEM AK on P-256 given by explicit parameters: exit 5" "explicit curve parameters" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_ecc.msg" --tpm-sig "$TMP/q_explicit.sig" \
	--tpm-pcrs "$V/quote_ecc.pcrs" --tpm-ak "$TMP/ak_explicit.pem" --tpm-nonce "$N"
expect_rc 0 "the vector's own P-256 AK (PEM) still verifies the ECC quote" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$V/quote_ecc.msg" --tpm-sig "$V/quote_ecc.sig" \
	--tpm-pcrs "$V/quote_ecc.pcrs" --tpm-ak "$V/ak_ecc.pub.pem" --tpm-nonce "$N"
# An RSA AK whose 2048-bit odd modulus is divisible by 3 (so trivially factored): OpenSSL's public-key check
# refuses it before any signature is tried; also as an RSA-PSS SubjectPublicKeyInfo of 1024 bits
python3 - "$TMP" <<'PY'
import secrets, struct, sys
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
d = sys.argv[1]
n = secrets.randbits(2048) | 1 << 2047 | 1
n -= n % 3
if n % 2 == 0:
    n -= 3
body = struct.pack(">HHIH", 0x0001, 0x000B, 0x00050072, 0) + struct.pack(">H", 0x0010) + struct.pack(">HH", 0x0014, 0x000B)
body += struct.pack(">HI", 2048, 0) + struct.pack(">H", 256) + n.to_bytes(256, "big")
open(d + "/ak_n3.tpm2b", "wb").write(struct.pack(">H", len(body)) + body)
PY
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:1024 -out "$TMP/pss1024.key" 2>/dev/null
openssl pkey -in "$TMP/pss1024.key" -pubout -out "$TMP/ak_pss1024.pem" 2>/dev/null
expect_refused 3 "a TPM2B_PUBLIC AK whose modulus has the factor 3: exit 3" "fails OpenSSL's public-key check" \
	compare $WEAK --tpm-ak "$TMP/ak_n3.tpm2b"
expect_refused 3 "an RSA-PSS PEM AK of 1024 bits: exit 3" "modulus of 1024 bits is below 2048" \
	compare $WEAK --tpm-ak "$TMP/ak_pss1024.pem"
expect_rc 0 "a PEM AK (attributes unknown) verifies ..." \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" $Q --tpm-pcrs "$V/quote_2bank.pcrs"
expect_out "... with an 'AK attributes' row not checked" "--   AK attributes              not checked: (a PEM key carries none)"
expect_out "... without --tpm-nonce a 'vTPM quote nonce' row not checked" "vTPM quote nonce           not checked: (no --tpm-nonce): a replayed quote passes"
expect_out "... and the AK listed as not bound to the report" "AK bound to the SNP/TDX report not checked: (AK trusted as given)"
# a quote whose pcrSelect selects nothing vouches for no value: zero every bank's select bytes
python3 - "$V/quote_2bank.msg" "$TMP/nosel.msg" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
o = 6
for _ in range(2):  # qualifiedSigner, extraData
    o += 2 + struct.unpack(">H", b[o:o + 2])[0]
o += 17 + 8  # clockInfo, firmwareVersion
count = struct.unpack(">I", b[o:o + 4])[0]; o += 4
for _ in range(count):
    size = b[o + 2]; b[o + 3:o + 3 + size] = bytes(size); o += 3 + size
open(sys.argv[2], "wb").write(b)
PY
expect_failure 2 "a quote selecting no PCR is refused (exit 2)" "selects no PCR" \
	compare --vcek "$VCEK" "$TMP/s.json" "$TMP/milan.bin" --tpm-quote "$TMP/nosel.msg" --tpm-sig "$V/quote_2bank.sig" \
	--tpm-ak "$V/ak_rsa.pub.pem" --tpm-pcrs "$V/quote_2bank.pcrs"

# A swtpm started here: PCR2/3/6 extended with the separator (reaching the Cocos example's own values),
# PCR0/1/4/5/7/9 with events whose results a Python replay computes; the policy takes the example's
# PCR2/3/6 as they are and the Python values for the rest.
if command -v swtpm >/dev/null && command -v tpm2_quote >/dev/null; then
	W=$TMP/swtpm
	start_swtpm "$W"
	python3 - "$C" "$M2" "$W" <<'PY'
import base64, hashlib, json, sys
cocos, m2, w = sys.argv[1:4]
sep = bytes(4)
ext = {}  # pcr -> list of (sha256 hex, sha384 hex) events
for p in (2, 3, 6):
    ext[p] = [(hashlib.sha256(sep).hexdigest(), hashlib.sha384(sep).hexdigest())]
for p in (0, 1, 4, 5, 7, 9):
    ext[p] = [(hashlib.sha256(b"measure-event-%d-%d" % (p, i)).hexdigest(), hashlib.sha384(b"measure-event-%d-%d" % (p, i)).hexdigest()) for i in range(2)]
with open(w + "/extend.txt", "w") as f:
    for p, evs in sorted(ext.items()):
        for a, b in evs:
            f.write("%d:sha256=%s,sha384=%s\n" % (p, a, b))
vals = {"sha256": {}, "sha384": {}}
for p, evs in ext.items():
    r256, r384 = bytes(32), bytes(48)
    for a, b in evs:
        r256 = hashlib.sha256(r256 + bytes.fromhex(a)).digest()
        r384 = hashlib.sha384(r384 + bytes.fromhex(b)).digest()
    vals["sha256"][str(p)] = r256.hex(); vals["sha384"][str(p)] = r384.hex()
c = json.load(open(cocos))["pcr_values"]
for b in vals:
    for p in ("2", "3", "6"):
        assert vals[b][p] == c[b][p], "the separator does not reach the Cocos value"
        vals[b][p] = c[b][p]
pol = {"policy": {"measurement": base64.b64encode(bytes.fromhex(m2)).decode()}, "pcr_values": vals}
json.dump(pol, open(w + "/policy.json", "w"))
bad = json.loads(json.dumps(pol)); bad["pcr_values"]["sha384"]["9"] = c["sha384"]["9"]
json.dump(bad, open(w + "/policy-bad.json", "w"))
PY
	extended=true
	while read -r line; do
		tpm2_pcrextend "$line" >/dev/null 2>&1 || extended=false
	done <"$W/extend.txt"
	if $extended && tpm2_createek -c "$W/ek.ctx" -G rsa -u "$W/ek.pub" >/dev/null 2>&1 && tpm_flush &&
		tpm2_createak -C "$W/ek.ctx" -c "$W/ak.ctx" -G rsa -g sha256 -s rsassa -u "$W/ak.pem" -f pem -n "$W/ak.name" >/dev/null 2>&1 &&
		tpm_flush && tpm2_quote -c "$W/ak.ctx" -l sha256:0,1,2,3,4,5,6,7,9+sha384:0,1,2,3,4,5,6,7,9 -q c0c05e -g sha256 \
			-m "$W/q.msg" -s "$W/q.sig" -o "$W/q.pcrs" >/dev/null 2>&1 && tpm_flush; then
		FQ="--tpm-quote $W/q.msg --tpm-sig $W/q.sig --tpm-ak $W/ak.pem --tpm-nonce c0c05e"
		expect_rc 0 "fresh swtpm quote: Cocos-shaped pcr_values (example PCR2/3/6, Python-replayed 0/1/4/5/7/9) pass" \
			compare --policy "$W/policy.json" --vcek "$VCEK" "$TMP/milan.bin" $FQ --tpm-pcrs "$W/q.pcrs"
		expect_out "... all 18 PCRs judged" "vTPM sha384 PCR9"
		expect_rc 1 "fresh swtpm quote: one PCR the policy expects differently is exit 1" \
			compare --policy "$W/policy-bad.json" --vcek "$VCEK" "$TMP/milan.bin" $FQ --tpm-pcrs "$W/q.pcrs"
		flip "$W/q.sig" 30 "$W/bad.sig"
		expect_rc 3 "fresh swtpm quote: a tampered signature is exit 3" \
			compare --policy "$W/policy.json" --vcek "$VCEK" "$TMP/milan.bin" --tpm-quote "$W/q.msg" --tpm-sig "$W/bad.sig" \
			--tpm-ak "$W/ak.pem" --tpm-pcrs "$W/q.pcrs"
		flip "$W/q.msg" 70 "$W/bad.msg"
		expect_rc 3 "fresh swtpm quote: a tampered quote body is exit 3" \
			compare --policy "$W/policy.json" --vcek "$VCEK" "$TMP/milan.bin" --tpm-quote "$W/bad.msg" --tpm-sig "$W/q.sig" \
			--tpm-ak "$W/ak.pem" --tpm-pcrs "$W/q.pcrs"
		expect_rc 1 "fresh swtpm quote: a replayed nonce is exit 1" \
			compare --policy "$W/policy.json" --vcek "$VCEK" "$TMP/milan.bin" --tpm-quote "$W/q.msg" --tpm-sig "$W/q.sig" \
			--tpm-ak "$W/ak.pem" --tpm-pcrs "$W/q.pcrs" --tpm-nonce c0c05f
	else
		not_ok "swtpm: extending PCRs or quoting failed"
	fi
	stop_swtpm
else
	skip "fresh swtpm quote: swtpm or tpm2-tools not installed"
fi
echo "1..$n"
