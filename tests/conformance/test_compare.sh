# SPDX-License-Identifier: Apache-2.0
# measure compare and inspect on the real evidence in ../shared/vectors: every outcome its READMEs list.
. "$(dirname "$0")/../cli/lib.sh"
N=$VECTORS/nitro/attestation
S=$VECTORS/snp
T=$VECTORS/tdx
if [ ! -d "$N" ]; then
	echo "# SKIP vectors not found at $VECTORS: evidence conformance not checked"
	echo "not ok 1 # SKIP evidence vectors"
	echo "1..1"
	exit 0
fi
manifest() { # file platform key value
	printf '{"schema":"measure/v1","platform":"%s","algorithm":"sha384","measurements":{"%s":"%s"}}\n' "$2" "$3" "$4" >"$1"
}

# Nitro (vectors/nitro/README.md)
PCR1=bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b214a414b7607236edf26fcb78654e63f
manifest "$TMP/n.json" aws-nitro pcr1 "$PCR1"
expect_failure 2 "a manifest pinning only pcr1 is refused" "pins no pcr0 (the launch measurement)" compare --at evidence "$TMP/n.json" "$N/evervault-beta-valid-attestation-doc.cbor"
expect_rc 0 "beta document verifies at its own time" compare --allow-partial --at evidence "$TMP/n.json" "$N/evervault-beta-valid-attestation-doc.cbor"
expect_out "at 2022-10-13" "every certificate valid at 2022-10-13T08:58:02Z (the document's time)"
expect_rc 0 "and at an explicit RFC 3339 time" compare --allow-partial --at 2022-10-13T09:00:00Z "$TMP/n.json" "$N/evervault-beta-valid-attestation-doc.cbor"
run compare --allow-partial "$TMP/n.json" "$N/evervault-beta-valid-attestation-doc.cbor"
if [ "$rc" -eq 3 ] && grep -q "has expired" "$TMP/err"; then ok "verifying an expired leaf now fails and says so"; else not_ok "verifying an expired leaf now fails and says so"; fi
expect_rc 3 "tampered signature: exit 3" compare --allow-partial --at evidence "$TMP/n.json" "$N/tampered-signature-attestation-doc.cbor"
expect_out "at the COSE signature" "FAIL COSE_Sign1 signature"
manifest "$TMP/z.json" aws-nitro pcr0 000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
expect_rc 1 "debug document (all-zero PCRs): never a match" compare --at evidence --allow-debug "$TMP/z.json" "$N/evervault-beta-debug-mode-attestation-doc.cbor"
expect_out "reported as debug" "a debug-mode enclave"
expect_rc 1 "base64 GA document (debug): verifies, never matches" compare --at evidence "$TMP/z.json" "$N/evervault-ga-valid-attestation-doc.b64"
expect_out "GA document verified" "ok   certificate chain"
run inspect "$N/evervault-beta-valid-attestation-doc.cbor"
expect_out "inspect: PCR0" '"0": "f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936332687e6f66fc890ac8cf150142d8b"'
expect_out "inspect: PCR3 (IAM role)" '"3": "4a9329d6'
expect_out "inspect: the root" '"sha256": "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b"'
run inspect "$N/evervault-ga-valid-attestation-doc.b64"
expect_out "inspect base64: 256-byte nonce" '"nonce": "'
if grep -q '\[ *[0-9]' "$TMP/out"; then not_ok "inspect prints no integer arrays"; else ok "inspect prints no integer arrays"; fi

# SNP (vectors/snp/README.md)
M1=b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01
M2=7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f
manifest "$TMP/s1.json" sev-snp measurement "$M1"
manifest "$TMP/s2.json" sev-snp measurement "$M2"
AT=2022-09-25T00:00:00Z
expect_rc 1 "go-sev-guest report verifies; its policy allows DEBUG: no match" compare --at $AT --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_out "all six checks pass first" "ok   CHIP_ID"
expect_out "DEBUG named" "allows DEBUG (bit 19)"
expect_rc 0 "with --allow-debug it matches" compare --at $AT --allow-debug --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
RD=0102030405$(printf '00%.0s' $(seq 59))
expect_rc 0 "REPORT_DATA is 01 02 03 04 05 then zeros (all 64 bytes)" compare --at $AT --allow-debug --nonce $RD --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_rc 1 "a wrong nonce" compare --at $AT --allow-debug --nonce 0102030406$(printf '00%.0s' $(seq 59)) --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_failure 2 "a 5-byte prefix of REPORT_DATA is refused" "REPORT_DATA is 64 bytes; this nonce is 5" compare --at $AT --allow-debug --nonce 0102030405 --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_failure 2 "and is too short even as an explicit prefix" "a prefix is 16 to 64 bytes" compare --at $AT --allow-debug --report-data-prefix --nonce 0102030405 --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_rc 0 "a 16-byte prefix with --report-data-prefix" compare --at $AT --allow-debug --report-data-prefix --nonce 0102030405$(printf '00%.0s' $(seq 11)) --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_failure 2 "the same 16 bytes without it" "needs --report-data-prefix" compare --at $AT --allow-debug --nonce 0102030405$(printf '00%.0s' $(seq 11)) --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
xxd -r -p "$S/virtee-sev/report_milan.hex" >"$TMP/milan.bin"
expect_rc 0 "virtee Milan report (non-positive VCEK serial) verifies and matches" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
expect_rc 3 "measurement bit flipped: signature fails" compare --at $AT --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/oracle/neg_attestation_measurement_bitflip.bin"
expect_out "at the report signature" "FAIL report signature"
expect_rc 3 "signature R bit flipped" compare --at $AT --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/oracle/neg_attestation_sig_r_bitflip.bin"
expect_rc 3 "virtee's invalid report (byte 21)" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$S/oracle/neg_report_milan_byte21.bin"
expect_rc 3 "virtee's invalid VCEK (byte 40): VCEK <- ASK fails" compare --vcek "$S/oracle/neg_vcek_milan_byte40.der" "$TMP/s2.json" "$TMP/milan.bin"
expect_out "at the VCEK's link" "FAIL certificate chain          ARK-Milan (pinned) -> ASK -> VCEK          AMD chain: SEV-VCEK (depth 0): certificate signature failure"
expect_rc 3 "the other report's VCEK: signature fails" compare --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin" --at 2024-01-01T00:00:00Z
expect_refused 4 "no VCEK: collateral missing (exit 4)" "AMD KDS serves it at https://kdsintf.amd.com/vcek/v1/{Milan,Genoa,Turin}/3ac3fe21e13fb099" compare "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
run inspect "$S/go-sev-guest/attestation.bin"
expect_out "inspect: measurement" "\"measurement\": \"$M1\""
expect_out "inspect: reported TCB" '"raw": "4405000000000002"'

# TDX (vectors/tdx/README.md)
manifest "$TMP/t4.json" tdx mrtd 6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb
expect_rc 0 "SPR E4 quote v4 verifies at 2023-07-01" compare --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_rc 3 "and fails at 2053-07-01 (expired)" compare --at 2053-07-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
MRTD5=$("$MEASURE" inspect "$T/quote_v5_sample.dat" | grep '"mrtd"' | cut -d'"' -f4)
case $MRTD5 in 7348651a*) ok "v5 quote's MRTD is 7348651a..." ;; *) not_ok "v5 quote's MRTD is 7348651a..." "$MRTD5" ;; esac
manifest "$TMP/t5.json" tdx mrtd "$MRTD5"
expect_rc 0 "v5 quote (body type 3) verifies at 2026-02-03" compare --at 2026-02-03T00:00:00Z "$TMP/t5.json" "$T/quote_v5_sample.dat"
expect_refused 3 "and is not yet valid at 2025-06-01" "is not yet valid" compare --at 2025-06-01T00:00:00Z "$TMP/t5.json" "$T/quote_v5_sample.dat"
manifest "$TMP/td.json" tdx mrtd 91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7
expect_rc 0 "dstack quote verifies" compare --at 2025-01-01T00:00:00Z "$TMP/td.json" "$T/dstack_ra-tls_tdx_quote.dat"
# the event log's replay, as a manifest, against the COS quote: the four RTMRs
"$MEASURE" tdx eventlog --json "$T/ccel_data.dat" >"$TMP/ccel.json"
expect_failure 2 "the CCEL replay pins no MRTD: refused without --allow-partial" "pins no mrtd" compare --at 2024-08-01T00:00:00Z "$TMP/ccel.json" "$T/cos-113-tdx-quote.dat"
expect_rc 0 "CCEL replay manifest matches the COS-113 quote's RTMR0-3" compare --allow-partial --at 2024-08-01T00:00:00Z "$TMP/ccel.json" "$T/cos-113-tdx-quote.dat"
expect_out "rtmr2 compared" "ok   rtmr2"
expect_out "the MRTD nothing pins is listed as not checked" "  --   mrtd                       not checked: dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a"
# several pairs, across vendors: all must pass
expect_rc 0 "two quotes, two manifests: both pass" compare --at 2026-02-03T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/t5.json" "$T/quote_v5_sample.dat"
expect_rc 1 "one differing pair fails the whole" compare --at 2026-02-03T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/t4.json" "$T/quote_v5_sample.dat"
expect_rc 3 "one unverifiable pair fails the whole" compare --at 2025-01-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/t5.json" "$T/quote_v5_sample.dat"
run compare --json --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_out "json: verdict" '"verdict": "match"'
expect_out "json: receipt with the evidence digest" '"evidence_sha256": "'
expect_out "json: receipt signer" '"signed_by": "CN=Intel SGX PCK Certificate'
# tampered quotes (README): body, QE report, QE auth data
cp "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/q.dat"; patch "$TMP/q.dat" $((48 + 200)) ff
expect_refused 3 "quote body byte flipped: quote signature fails" "the quote's signature does not verify" compare --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$TMP/q.dat"
cp "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/q.dat"; patch "$TMP/q.dat" $((636 + 128 + 6 + 10)) ff
expect_refused 3 "QE report byte flipped: PCK signature fails" "QE report's signature does not verify" compare --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$TMP/q.dat"
cp "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/q.dat"; patch "$TMP/q.dat" $((636 + 128 + 6 + 384 + 64 + 2 + 3)) ff
expect_refused 3 "QE auth data byte flipped: binding fails" "does not bind the attestation key" compare --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$TMP/q.dat"
head -c 1000 "$T/tdx_prod_quote_SPR_E4.dat" >"$TMP/q.dat"
expect_failure 2 "truncated certification data" "runs past the end" compare "$TMP/t4.json" "$TMP/q.dat"
cp "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/q.dat"; patch "$TMP/q.dat" $((636 + 128 + 2)) ffff0000
expect_failure 2 "certification data length past the end" "certification data size 65535 (offset 0x2fe) does not fit the signature data" inspect "$TMP/q.dat"

# --crl: Intel's root and PCK Platform CA lists
expect_rc 0 "both Intel CRLs current at 2023-07-01, nothing revoked" compare --at 2023-07-01T00:00:00Z --crl "$T/pckcrl" --crl "$T/rootcrl.der" "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_out "reported" "2 CRLs on the path, nothing revoked"
expect_refused 4 "a stale CRL is missing collateral (exit 4)" "is not current at 2024-07-01T00:00:00Z (next update 2024-04-02T10:22:51Z)" compare --at 2024-07-01T00:00:00Z --crl "$T/rootcrl.der" "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_failure 2 "a CRL of no chain checked" "this CRL is issued by no certificate of any chain checked" compare --allow-partial --at evidence --crl "$T/rootcrl.der" "$TMP/n.json" "$N/evervault-beta-valid-attestation-doc.cbor"
expect_failure 2 "not a CRL" "not a PEM or DER CRL" compare --crl "$TMP/t4.json" "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"

# a CBOR envelope {platform: "tdx", tdx_wire: <quote>, user_data: h''} (EphemeralML's shape), built here
qlen=$(wc -c <"$T/tdx_prod_quote_SPR_E4.dat")
{ printf '\243\150platform\143tdx\150tdx_wire\131'; printf "\\$(printf '%03o' $((qlen >> 8)))\\$(printf '%03o' $((qlen & 255)))";
  cat "$T/tdx_prod_quote_SPR_E4.dat"; printf '\151user_data\100'; } >"$TMP/envelope.cbor"
expect_rc 0 "a quote inside a CBOR envelope is unwrapped and verified" compare --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$TMP/envelope.cbor"
run inspect "$TMP/envelope.cbor"
expect_out "inspect unwraps it too" '"mrtd": "6363b8043668a3ad'

# --policy (Cocos / go-sev-guest JSON)
P=$S/cocos/attestation_policy_sev-snp.json
expect_rc 1 "Cocos example policy against the virtee report: rules fail" compare --policy "$P" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
expect_out "64-bit minimum TCB kept exact" "FAIL LAUNCH_TCB                 >= d50e000000000003 (each component)       7308000000000003"
expect_out "vmpl is exact" "FAIL vmpl                       2                                          0"
expect_out "report_id_ma passes" "ok   report_id_ma"
B64M2=$(echo "$M2" | xxd -r -p | base64 -w0)
policy() { # file tcb-decimal extra-json
	printf '{"policy":{"measurement":"%s","policy":196608,"vmpl":0,"minimum_tcb":%s,"minimum_launch_tcb":%s,"minimum_build":4,"minimum_version":"1.52","product":{"name":1}%s},"root_of_trust":{"product_line":"Milan"}}\n' \
		"$B64M2" "$2" "$2" "$3" >"$1"
}
# 0x7308000000000003 = 8288875114175397891 (past 2^53): bl 3 tee 0 snp 8 ucode 0x73, the report's own TCB
policy "$TMP/p-ok.json" 8288875114175397891 ""
expect_rc 0 "a policy the report meets" compare --policy "$TMP/p-ok.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
policy "$TMP/p-bl.json" 8288875114175397892 ""
expect_rc 1 "minimum boot loader SPL one above (low byte of a uint64 past 2^53)" compare --policy "$TMP/p-bl.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
policy "$TMP/p-x.json" 8288875114175397891 ',"require_sev_snp_debug":true'
expect_refused 5 "an unknown policy field is refused (exit 5)" 'field "require_sev_snp_debug" is not supported' compare --policy "$TMP/p-x.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
sed 's/"product_line":"Milan"/"product_line":"Milan","check_crl":true/' "$TMP/p-ok.json" >"$TMP/p-crl.json"
expect_refused 4 "check_crl: fails closed without CRL support (exit 4)" "check_crl is set" compare --policy "$TMP/p-crl.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
sed 's/"name":1/"name":2/' "$TMP/p-ok.json" >"$TMP/p-genoa.json"
expect_rc 1 "product Genoa required, Milan found" compare --policy "$TMP/p-genoa.json" --vcek "$S/virtee-sev/vcek_milan.der" "$TMP/s2.json" "$TMP/milan.bin"
printf '{"policy":{"policy":196608,"vmpl":0}}' >"$TMP/p-smt.json"
expect_rc 1 "guest policy: SMT and DEBUG set but not allowed" compare --policy "$TMP/p-smt.json" --allow-debug --at $AT --vcek "$S/go-sev-guest/vcek.testcer" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_out "named" "FAIL guest policy"
MRTD4=6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb
B64T=$(echo "$MRTD4" | xxd -r -p | base64 -w0)
printf '{"td_quote_body":{"mr_td":"%s","td_attributes":"AAAAQAAAAAA=","xfam":"5xoGAAAAAAA="},"header":{"minimum_qe_svn":0,"minimum_pce_svn":0,"qe_vendor_id":"k5pyM/ecTKmUCg2zlX8GBw=="}}' "$B64T" >"$TMP/tp.json"
expect_rc 0 "TDX policy met (MRTD, TDATTRIBUTES, XFAM, header QE/PCE SVN, vendor)" compare --policy "$TMP/tp.json" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
# go-tdx-guest judges minimum_qe_svn against the quote header's QE SVN, which is 0 in this quote
sed 's/"minimum_qe_svn":0/"minimum_qe_svn":1/' "$TMP/tp.json" >"$TMP/tp5.json"
expect_rc 1 "TDX policy: header QE SVN 1 required, 0 found" compare --policy "$TMP/tp5.json" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
printf '{"td_quote_body":{"any_mr_td":["%s","%s"]}}' "$(printf '%096d' 0 | xxd -r -p | base64 -w0)" "$B64T" >"$TMP/tany.json"
expect_rc 0 "TDX policy: MRTD in any_mr_td" compare --policy "$TMP/tany.json" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
printf '{"policy":' >"$TMP/bad-policy.json"
expect_failure 2 "a malformed policy" "policy: unexpected end of input at offset 0xa" compare --policy "$TMP/bad-policy.json" "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"

# bad input, any type: exit 2, one line, nothing on stdout
head -c 100 "$N/evervault-beta-valid-attestation-doc.cbor" >"$TMP/cut.cbor"
expect_failure 2 "truncated CBOR" "CBOR string at offset" inspect "$TMP/cut.cbor"
printf '\204' >"$TMP/deep.cbor"; for _ in $(seq 40); do printf '\201' >>"$TMP/deep.cbor"; done; printf '\000\100\100\100' >>"$TMP/deep.cbor"
expect_failure 2 "deeply nested CBOR" "nested deeper than 6" inspect --type nitro "$TMP/deep.cbor"
head -c 2000000 /dev/zero | tr '\0' 'A' >"$TMP/big.b64"
expect_failure 2 "oversized evidence" "larger than" inspect --type nitro "$TMP/big.b64"
printf 'hello' >"$TMP/junk"
expect_failure 2 "unrecognised evidence" "not recognised" inspect "$TMP/junk"
expect_failure 2 "an SNP report of the wrong size" "an SNP report is 1184 bytes, this is 5" inspect --type snp "$TMP/junk"
printf -- '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n' >"$TMP/garbage.pem"
expect_failure 2 "garbage in a PEM VCEK" "not a PEM or DER X.509 certificate" compare --vcek "$TMP/garbage.pem" "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
expect_failure 2 "a manifest that is not one" "not a measure/v1 manifest" compare "$TMP/junk" "$S/go-sev-guest/attestation.bin"
expect_failure 2 "an odd number of arguments" "give EXPECTED EVIDENCE pairs" compare "$TMP/s1.json"
expect_failure 2 "a bad --at" "--at: 'yesterday' is not RFC 3339" compare --at yesterday "$TMP/s1.json" "$S/go-sev-guest/attestation.bin"
# AMD's bundle as dstack embeds it (ASK then VCEK, one PEM), vectors/real/README.md
R=$VECTORS/real/snp
if [ -f "$R/dstack-0.6.0a2-vcek-ask.pem" ]; then
	manifest "$TMP/dstack.json" sev-snp measurement 7f51e17f72a04d5422cb2c00998166536019a217376f3aa45a630e59c805a599847ff250dbffcd07e1ba639771d6f05d
	expect_rc 0 "dstack SNP report with AMD's ASK+VCEK bundle as --vcek: verifies and matches" compare --vcek "$R/dstack-0.6.0a2-vcek-ask.pem" "$TMP/dstack.json" "$R/dstack-0.6.0a2-snp-report.bin"
	expect_out "its chain, from the bundle" "ok   certificate chain          ARK-Milan (pinned) -> ASK -> VCEK"
fi
# every --crl must play its part: an unrelated one beside the two that apply is named (exit 2)
mkdir -p "$TMP/ca" && (
	cd "$TMP/ca" || exit 1
	: >index.txt && echo 01 >crlnumber
	printf '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' >ca.cnf
	openssl ecparam -genkey -name prime256v1 -out k.pem 2>/dev/null &&
		openssl req -x509 -new -key k.pem -subj /CN=unrelated-ca -days 3650 -out c.pem 2>/dev/null &&
		openssl ca -config ca.cnf -gencrl -keyfile k.pem -cert c.pem -out unrelated.crl 2>/dev/null
)
if [ -s "$TMP/ca/unrelated.crl" ]; then
	expect_failure 2 "an unrelated CRL beside two that apply" "unrelated.crl: this CRL is issued by no certificate of any chain checked" \
		compare --at 2023-07-01T00:00:00Z --crl "$T/pckcrl" --crl "$T/rootcrl.der" --crl "$TMP/ca/unrelated.crl" "$TMP/t4.json" "$T/tdx_prod_quote_SPR_E4.dat"
else
	skip "openssl could not make a CRL here"
fi
echo "1..$n"
