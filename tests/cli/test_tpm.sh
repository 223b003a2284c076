#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# measure tpm quote: the swtpm vectors, tampered copies, bad input, and fresh quotes from a swtpm
# started here (skipped when swtpm or tpm2-tools are missing).
. "$(dirname "$0")/lib.sh"

V=$VECTORS/azure/swtpm
flip() { # flip FILE OFFSET OUT: OUT is FILE with the byte at OFFSET inverted
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=0xff; open(sys.argv[3],"wb").write(b)' "$1" "$2" "$3"
}

if [ -d "$V" ]; then
	N=$(cat "$V/nonce.hex")
	for k in rsa pss ecc; do
		expect_rc 0 "swtpm vector quote_$k verifies (PEM AK, tpm2_quote -o PCRs, nonce)" \
			tpm quote "$V/quote_$k.msg" --sig "$V/quote_$k.sig" --ak "$V/ak_$k.pub.pem" --pcrs "$V/quote_$k.pcrs" --nonce "$N"
		expect_rc 0 "swtpm vector quote_$k verifies with the TPM2B_PUBLIC AK" \
			tpm quote "$V/quote_$k.msg" --sig "$V/quote_$k.sig" --ak "$V/ak_$k.tpmt_public" --pcrs "$V/quote_$k.pcrs" --nonce "$N"
	done
	expect_rc 0 "two-bank quote (sha256 + sha384) verifies" \
		tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_2bank.pcrs" --nonce "$N"
	expect_rc 0 "the Python replay's PCR values (JSON) match the quote" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/expected_pcrs_replay.json" --nonce "$N"
	# tpm2_quote's own calcDigest (quote_rsa.yaml)
	run tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs" --json
	expect_out "pcrDigest equals tpm2_quote's calcDigest" '"computed_pcr_digest": "ec447ca539367939b766e07872a6ef9acaff096c5f736e6bbd77925fa5346326"'
	expect_out "--json lists quoted PCR0" '"0": "4f956cadffca9d866f3f6402d1d5e4d6ce20c5757a5a4635145168e0ebf29f7b"'
	expect_out "--json decodes the magic" '"magic": "ff544347"'

	flip "$V/quote_rsa.sig" 100 "$TMP/bad.sig"
	expect_failure 3 "a flipped signature byte is exit 3" "does not verify" \
		tpm quote "$V/quote_rsa.msg" --sig "$TMP/bad.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	flip "$V/quote_ecc.sig" 10 "$TMP/bad_ecc.sig"
	expect_failure 3 "a flipped ECDSA r byte is exit 3" "does not verify" \
		tpm quote "$V/quote_ecc.msg" --sig "$TMP/bad_ecc.sig" --ak "$V/ak_ecc.pub.pem" --pcrs "$V/quote_ecc.pcrs"
	flip "$V/quote_rsa.msg" 60 "$TMP/bad.msg"
	expect_failure 3 "a changed quote body is exit 3" "does not verify" \
		tpm quote "$TMP/bad.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	expect_failure 3 "another AK is exit 3" "does not verify" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_pss.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	expect_failure 3 "an ECDSA signature with an RSA AK is exit 3" "cannot be made" \
		tpm quote "$V/quote_ecc.msg" --sig "$V/quote_ecc.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_ecc.pcrs"
	# the AK's objectAttributes: a TPM2B_PUBLIC that is not restricted (offset 7, 0x01) signs any bytes
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[7]^=1; open(sys.argv[2],"wb").write(b)' \
		"$V/ak_rsa.tpmt_public" "$TMP/ak_unrestricted.pub"
	expect_failure 3 "an AK that is not restricted is exit 3" "lacks restricted" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$TMP/ak_unrestricted.pub" --pcrs "$V/quote_rsa.pcrs"
	expect_rc 0 "the swtpm AK as TPM2B_PUBLIC verifies" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.tpmt_public" --pcrs "$V/quote_rsa.pcrs" --json
	expect_out "... its attributes checked" '"ak_attributes": true'
	expect_rc 0 "a PEM AK verifies ..." \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	expect_out "... saying its attributes are not checked" "AK attributes: not checked (a PEM key carries none)"
	expect_refused 1 "a different nonce is exit 1" "extraData" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs" --nonce 00
	sed 's/4f956cad/4f956cae/' "$V/expected_pcrs_replay.json" >"$TMP/pcrs.json"
	expect_refused 1 "one changed PCR value is exit 1" "pcrDigest" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$TMP/pcrs.json"
	printf '{"sha256": {"0": "4f956cadffca9d866f3f6402d1d5e4d6ce20c5757a5a4635145168e0ebf29f7b"}}' >"$TMP/one.json"
	expect_refused 1 "a quoted PCR without a value is exit 1" "has no value" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$TMP/one.json"

	# event log: the replay equals the README's Python replay (expected_pcrs_replay.json), every bank
	run tpm eventlog "$V/eventlog.bin" --json
	if [ "$rc" -eq 0 ] && python3 -c 'import json,sys
got=json.load(open(sys.argv[1]))["pcrs"]; want=json.load(open(sys.argv[2]))
want={b:{k:v for k,v in want[b].items()} for b in ("sha256","sha384")}
sys.exit(0 if all(got[b]==want[b] for b in want) else 1)' "$TMP/out" "$V/expected_pcrs_replay.json"; then
		ok "eventlog.bin replays to expected_pcrs_replay.json (sha256 and sha384)"
	else
		not_ok "eventlog.bin replays to expected_pcrs_replay.json" "rc $rc" "$(head -c 400 "$TMP/out")"
	fi
	expect_rc 0 "quote_2bank verifies against the event log's replay" \
		tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --eventlog "$V/eventlog.bin" --nonce "$N"
	expect_rc 0 "quote_2bank: the tool's PCR file and the replay agree" \
		tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_2bank.pcrs" \
		--eventlog "$V/eventlog.bin" --nonce "$N"
	# the last byte of the first sha256 digest of the EV_IPL event into PCR9: find it with Python
	python3 -c 'import sys
b=bytearray(open(sys.argv[1],"rb").read()); i=b.find(b"/boot/vmlinuz")
# walk back from the event data to the record start: PCR index 9, type EV_IPL (0xd)
j=b.rfind(bytes([9,0,0,0,0xd,0,0,0]),0,i); b[j+12+2+31]^=1; open(sys.argv[2],"wb").write(b)' "$V/eventlog.bin" "$TMP/bad.log"
	expect_refused 1 "a changed event digest: the replay no longer matches pcrDigest (exit 1)" "pcrDigest" \
		tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --eventlog "$TMP/bad.log"
	expect_refused 1 "a changed event digest against the quoted PCRs names sha256 PCR9" "sha256 PCR9" \
		tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_2bank.pcrs" \
		--eventlog "$TMP/bad.log"
	head -c 300 "$V/eventlog.bin" >"$TMP/short.log"
	expect_failure 2 "a truncated event log is exit 2" "event" tpm eventlog "$TMP/short.log"
	run tpm eventlog "$V/eventlog.bin" --transcript
	expect_out "the transcript names the EV_IPL event into PCR9" '7 PCR9 EV_IPL "/boot/vmlinuz"'

	# Cocos pcr_values: the example policy's own PCR2/3/6 (separator only) hold for the swtpm quote, its PCR0 not
	C=$VECTORS/snp/cocos/attestation_policy_sev-snp.json
	if [ -f "$C" ]; then
		expect_refused 1 "the Cocos example policy against the swtpm quote fails at sha256 PCR0" "sha256 PCR0 is 4f956cad" \
			tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --eventlog "$V/eventlog.bin" --policy "$C"
		python3 -c 'import json,sys
p=json.load(open(sys.argv[1])); v=p["pcr_values"]["sha256"]
p["pcr_values"]={"sha256":{k:v[k] for k in ("2","3","6")}}; json.dump(p,open(sys.argv[2],"w"))' "$C" "$TMP/cocos236.json"
		expect_rc 0 "the Cocos example policy reduced to its PCR2/3/6 passes on the swtpm quote" \
			tpm quote "$V/quote_2bank.msg" --sig "$V/quote_2bank.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_2bank.pcrs" --policy "$TMP/cocos236.json"
		expect_out "--policy reports pcr_values ok" "pcr_values: ok"
	else
		skip "Cocos example policy not present"
	fi
	printf '{"pcr_values": {"sha256": {"10": "%s"}}}' "$(printf '%064d' 0)" >"$TMP/pcr10.json"
	expect_refused 1 "a policy PCR the quote does not cover fails" "does not cover" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs" --policy "$TMP/pcr10.json"
	printf '{"pcr_values": {}}' >"$TMP/empty.json"
	expect_refused 1 "an empty pcr_values never passes" "empty" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs" --policy "$TMP/empty.json"
	printf '{"pcr_values": {"sha256": {"0": "zz"}}}' >"$TMP/badpol.json"
	expect_failure 2 "a malformed pcr_values value is exit 2" "PCR values" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs" --policy "$TMP/badpol.json"
	flip "$V/quote_rsa.sig" 100 "$TMP/bad2.sig"
	expect_rc 3 "pcr_values are not judged on a quote whose signature fails (exit 3)" \
		tpm quote "$V/quote_rsa.msg" --sig "$TMP/bad2.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs" --policy "$TMP/cocos236.json"

	# inspect decodes a TPMS_ATTEST; values from tpm2_print (quote_rsa.print.yaml)
	run inspect "$V/quote_rsa.msg"
	expect_out "inspect: a TPMS_ATTEST is recognised by its magic" '"type": "tpm2-quote"'
	expect_out "inspect: clock as tpm2_print shows it" '"clock": 2049'
	expect_out "inspect: qualified signer" '"qualified_signer": "000bf73f2ec54e3b37026f292daace3b3363e373689d957d98e9552059a686b4dc4f"'
	expect_out "inspect: pcrDigest" '"pcr_digest": "ec447ca539367939b766e07872a6ef9acaff096c5f736e6bbd77925fa5346326"'
	expect_failure 2 "inspect --type tpm on a signature file is exit 2" "TPMS_ATTEST" inspect --type tpm "$V/quote_rsa.sig"

	head -c 70 "$V/quote_rsa.msg" >"$TMP/short.msg"
	expect_failure 2 "a truncated TPMS_ATTEST is exit 2" "TPMS_ATTEST" \
		tpm quote "$TMP/short.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	{ cat "$V/quote_rsa.sig"; printf 'x'; } >"$TMP/long.sig"
	expect_failure 2 "trailing bytes after TPMT_SIGNATURE are exit 2" "trailing" \
		tpm quote "$V/quote_rsa.msg" --sig "$TMP/long.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	head -c 200 "$V/quote_rsa.pcrs" >"$TMP/short.pcrs"
	expect_failure 2 "a truncated PCR file is exit 2" "PCR file" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$TMP/short.pcrs"
	printf '{"sha256": {"0": "00", "0": "00"}}' >"$TMP/dup.json"
	expect_failure 2 "duplicate keys in PCR JSON are exit 2" "duplicate" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$TMP/dup.json"
	printf '{"md5": {"0": "00"}}' >"$TMP/md5.json"
	expect_failure 5 "an unknown PCR bank is exit 5" "md5" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$TMP/md5.json"
	# TPMT_SIGNATURE with sigAlg HMAC (0x0005): a TPMT_HA, well formed but not a quote signature
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("0005000b") + bytes(32))' >"$TMP/hmac.sig"
	expect_failure 5 "an HMAC signature is exit 5" "not RSASSA" \
		tpm quote "$V/quote_rsa.msg" --sig "$TMP/hmac.sig" --ak "$V/ak_rsa.pub.pem" --pcrs "$V/quote_rsa.pcrs"
	printf 'not a key' >"$TMP/ak.bad"
	expect_failure 2 "a malformed AK is exit 2" "AK" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$TMP/ak.bad" --pcrs "$V/quote_rsa.pcrs"
	head -c 100 "$V/ak_rsa.tpmt_public" >"$TMP/ak.short"
	expect_failure 2 "a truncated TPM2B_PUBLIC is exit 2" "AK" \
		tpm quote "$V/quote_rsa.msg" --sig "$V/quote_rsa.sig" --ak "$TMP/ak.short" --pcrs "$V/quote_rsa.pcrs"
else
	skip "swtpm vectors: $V not present"
fi
expect_rc 2 "--sig, --ak and --pcrs or --eventlog are required" tpm quote /dev/null
# A synthetic PC Client log with StartupLocality 3, an unknown bank and a huge event size, made by Python here.
python3 - "$TMP" <<'PY'
import hashlib, struct, sys
d = sys.argv[1]
def spec(algs):
    body = b"Spec ID Event03\0" + struct.pack("<IBBBB", 0, 0, 2, 0, 2) + struct.pack("<I", len(algs))
    body += b"".join(struct.pack("<HH", a, s) for a, s in algs) + b"\0"
    return struct.pack("<II", 0, 3) + bytes(20) + struct.pack("<I", len(body)) + body
def ev(pcr, typ, digests, data):
    r = struct.pack("<III", pcr, typ, len(digests))
    r += b"".join(struct.pack("<H", a) + dg for a, dg in digests)
    return r + struct.pack("<I", len(data)) + data
algs = [(0x0b, 32), (0x0c, 48)]
loc = ev(0, 3, [(0x0b, bytes(32)), (0x0c, bytes(48))], b"StartupLocality\0\x03")
e1 = (hashlib.sha256(b"crtm").digest(), hashlib.sha384(b"crtm").digest())
log = spec(algs) + loc + ev(0, 8, [(0x0b, e1[0]), (0x0c, e1[1])], b"crtm")
open(d + "/loc.log", "wb").write(log)
p256 = hashlib.sha256(bytes(31) + b"\x03" + e1[0]).hexdigest()
p384 = hashlib.sha384(bytes(47) + b"\x03" + e1[1]).hexdigest()
open(d + "/loc.want", "w").write(p256 + " " + p384)
open(d + "/sm3.log", "wb").write(spec([(0x12, 32)]) + ev(0, 8, [(0x12, bytes(32))], b"x"))
open(d + "/huge.log", "wb").write(spec(algs) + struct.pack("<III", 0, 8, 1) + b"\x0b\0" + bytes(32) + struct.pack("<I", 0xfffffff0))
open(d + "/pcr30.log", "wb").write(spec(algs) + ev(30, 8, [(0x0b, bytes(32)), (0x0c, bytes(48))], b""))
PY
run tpm eventlog "$TMP/loc.log" --json
set -- $(cat "$TMP/loc.want")
if [ "$rc" -eq 0 ] && grep -qF "\"0\": \"$1\"" "$TMP/out" && grep -qF "\"0\": \"$2\"" "$TMP/out"; then
	ok "StartupLocality 3 starts PCR0 at 3 in both banks (Python replay)"
else
	not_ok "StartupLocality 3 starts PCR0 at 3" "rc $rc" "$(head -c 400 "$TMP/out")"
fi
expect_failure 5 "a log whose bank is SM3 is exit 5" "bank 0x0012" tpm eventlog "$TMP/sm3.log"
expect_failure 2 "an event size past the end is exit 2" "event size" tpm eventlog "$TMP/huge.log"
expect_failure 2 "PCR index 30 is exit 2" "PCR index 30" tpm eventlog "$TMP/pcr30.log"


# Fresh quotes from a swtpm on a Unix socket in $TMP.
if command -v swtpm >/dev/null && command -v tpm2_quote >/dev/null; then
	S=$TMP/swtpm
	start_swtpm "$S"
	# PCR 16 (resettable, starts at zero) extended twice; expected value computed here with Python
	e1=$(printf 'measure-1' | sha256sum | cut -c1-64)
	e2=$(printf 'measure-2' | sha256sum | cut -c1-64)
	pcr16=$(python3 -c 'import hashlib,sys; r=bytes(32)
for e in sys.argv[1:]: r=hashlib.sha256(r+bytes.fromhex(e)).digest()
print(r.hex())' "$e1" "$e2")
	if tpm2_pcrreset 16 >/dev/null 2>&1 && tpm2_pcrextend "16:sha256=$e1" >/dev/null 2>&1 &&
		tpm2_pcrextend "16:sha256=$e2" >/dev/null 2>&1 &&
		tpm2_createek -c "$S/ek.ctx" -G rsa -u "$S/ek.pub" >/dev/null 2>&1 && tpm_flush; then
		for alg in "rsa rsassa" "rsa rsapss" "ecc ecdsa"; do
			set -- $alg
			q=$S/q_$2
			if tpm2_createak -C "$S/ek.ctx" -c "$S/ak_$2.ctx" -G "$1" -g sha256 -s "$2" -u "$S/ak_$2.pem" -f pem \
				-n "$S/ak_$2.name" >/dev/null 2>&1 && tpm_flush &&
				tpm2_quote -c "$S/ak_$2.ctx" -l sha256:16 -q 51a7e0 -g sha256 --scheme "$2" -m "$q.msg" -s "$q.sig" \
					-o "$q.pcrs" >/dev/null 2>&1 && tpm_flush; then
				printf '{"sha256": {"16": "%s"}}' "$pcr16" >"$q.want.json"
				expect_rc 0 "fresh swtpm $2 quote verifies against the independently computed PCR16" \
					tpm quote "$q.msg" --sig "$q.sig" --ak "$S/ak_$2.pem" --pcrs "$q.want.json" --nonce 51a7e0
				expect_rc 0 "fresh swtpm $2 quote verifies with tpm2_quote's PCR file" \
					tpm quote "$q.msg" --sig "$q.sig" --ak "$S/ak_$2.pem" --pcrs "$q.pcrs" --nonce 51a7e0
				flip "$q.sig" 20 "$q.bad.sig"
				expect_rc 3 "fresh swtpm $2 quote: tampered signature is exit 3" \
					tpm quote "$q.msg" --sig "$q.bad.sig" --ak "$S/ak_$2.pem" --pcrs "$q.pcrs"
				expect_rc 1 "fresh swtpm $2 quote: wrong nonce is exit 1" \
					tpm quote "$q.msg" --sig "$q.sig" --ak "$S/ak_$2.pem" --pcrs "$q.pcrs" --nonce 51a7e1
				printf '{"pcr_values": {"sha256": {"16": "%s"}}}' "$pcr16" >"$q.policy.json"
				expect_rc 0 "fresh swtpm $2 quote: a policy with the independently computed PCR16 passes" \
					tpm quote "$q.msg" --sig "$q.sig" --ak "$S/ak_$2.pem" --pcrs "$q.pcrs" --policy "$q.policy.json"
				printf '{"pcr_values": {"sha256": {"16": "%s"}}}' "$e1" >"$q.badpolicy.json"
				expect_rc 1 "fresh swtpm $2 quote: a policy with another PCR16 fails" \
					tpm quote "$q.msg" --sig "$q.sig" --ak "$S/ak_$2.pem" --pcrs "$q.pcrs" --policy "$q.badpolicy.json"
				printf '{"sha256": {"16": "%s"}}' "$e1" >"$q.wrong.json"
				expect_rc 1 "fresh swtpm $2 quote: a PCR value that is not the TPM's is exit 1" \
					tpm quote "$q.msg" --sig "$q.sig" --ak "$S/ak_$2.pem" --pcrs "$q.wrong.json"
			else
				not_ok "swtpm: tpm2_createak/tpm2_quote $2 failed"
			fi
		done
	else
		not_ok "swtpm: could not extend PCR 16 or create the EK"
	fi
	stop_swtpm
else
	skip "fresh swtpm quotes: swtpm or tpm2-tools not installed"
fi
echo "1..$n"
