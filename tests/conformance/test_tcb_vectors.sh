# SPDX-License-Identifier: Apache-2.0
# TDX TCB status from the sample PCS collateral in ../shared/vectors/tdx (FMSPC 50806f000000,
# issued 2023-06-18, next update 2023-07-18) against the real quotes there, checked at
# 2023-07-01. Expected outcomes come from tests/tcb_oracle.py (python3-cryptography and its
# own DER walk), run here beside measure, and from reading the collateral by hand:
#   tdx_prod_quote_SPR_E4: FMSPC 50806f000000 matches; its PCK SGX components 3,3,2,2,2,1,0,2
#     are below both levels' 5,5,2,2,3,1,0,3: no TCB level (Intel: TCB not supported), exit 1
#   quote_v5_sample (FMSPC 90c06f000000), cos-113 (00806f050000), dstack (b0c06f000000): other
#     FMSPCs; their PCKs are not yet valid at 2023-07-01 (exit 3), and at any time their PCKs
#     are valid the sample is stale (exit 4).
# The TCB signing chain is the public TCB-Info-Issuer-Chain header value fixtures/compare holds.
. "$(dirname "$0")/../cli/lib.sh"
T=$VECTORS/tdx
CHAIN=$FIXTURES/compare/intel_tcb_signing_chain.urlenc
AT=2023-07-01T00:00:00Z
if [ ! -f "$T/sample_tcbInfo_response" ]; then
	echo "# SKIP vectors not found at $VECTORS: TCB conformance not checked"
	echo "not ok 1 # SKIP TCB vectors"
	echo "1..1"
	exit 0
fi
manifest() { # file mrtd
	printf '{"schema":"measure/v1","platform":"tdx","algorithm":"sha384","measurements":{"mrtd":"%s"}}\n' "$2" >"$1"
}
MRTD=6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb
manifest "$TMP/spr.json" $MRTD
cp "$T/sample_tcbInfo_response" "$TMP/tcb.json"
cp "$T/sample_qeIdentity_response" "$TMP/qe.json"
cp "$CHAIN" "$TMP/tcb.json.issuer-chain"
cp "$CHAIN" "$TMP/qe.json.issuer-chain"
TCB="--tcb-info $TMP/tcb.json --qe-identity $TMP/qe.json"

oracle() { python3 tests/tcb_oracle.py "$T/$1" "$2" "$3" "$CHAIN" 2>&1 | tail -1; }
if python3 -c 'import cryptography' 2>/dev/null; then
	o=$(oracle tdx_prod_quote_SPR_E4.dat "$TMP/tcb.json" "$TMP/qe.json")
	if [ "$o" = "no-sgx-level" ]; then ok "oracle: SPR E4 has no SGX TCB level in the sample"; else not_ok "oracle: SPR E4" "$o"; fi
	if python3 tests/tcb_oracle.py "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/tcb.json" "$TMP/qe.json" "$CHAIN" | grep -c "signature ok" | grep -qx 2; then
		ok "oracle: both sample signatures verify with the public TCB signing key"
	else not_ok "oracle: sample signatures"; fi
	for q in quote_v5_sample:90c06f000000 cos-113-tdx-quote:00806f050000 dstack_ra-tls_tdx_quote:b0c06f000000; do
		o=$(oracle "${q%%:*}.dat" "$TMP/tcb.json" "$TMP/qe.json")
		if [ "$o" = "fmspc-mismatch ${q##*:} 50806f000000" ]; then ok "oracle: ${q%%:*} is FMSPC ${q##*:}"; else not_ok "oracle: ${q%%:*}" "$o"; fi
	done
else
	skip "python3-cryptography absent: the oracle is not run"
fi

# SPR E4: both signatures verify (issuer chain beside each file), no level covers the platform
expect_rc 1 "SPR E4 with the sample collateral: exit 1" compare --at $AT $TCB "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_out "the TCB info verifies" "ok   TCB info                   signed by Intel SGX TCB Signing, current   verifies; issued 2023-06-18T08:42:58Z, next update 2023-07-18T08:42:58Z"
expect_out "the QE identity verifies" "ok   QE identity collateral     signed by Intel SGX TCB Signing, current   verifies; issued 2023-06-08T07:24:59Z"
expect_out "no TCB level covers the PCK's SGX components" "FAIL TCB status                 UpToDate                                   no TCB level covers the PCK's SGX TCB (PCESVN 11; Intel: TCB not supported)"
expect_rc 1 "accepting every status does not make a missing level pass" compare --at $AT $TCB --accept-tcb UpToDate,OutOfDate,Revoked "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
run compare --json --at $AT $TCB "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_out "JSON receipt: no matching level" '"status": "no matching TCB level"'
expect_out "JSON receipt: the TCB info's SHA-256" "\"sha256\": \"$(sha256sum "$T/sample_tcbInfo_response" | cut -c1-64)\""
expect_out "JSON receipt: the QE identity's SHA-256" "\"sha256\": \"$(sha256sum "$T/sample_qeIdentity_response" | cut -c1-64)\""
expect_out "JSON receipt: next update" '"next_update": "2023-07-18T08:42:58Z"'
# with Intel's CRLs of the time (root CRL and PCK platform CRL)
expect_rc 1 "with the root and PCK CRLs: still verified, still no level" compare --at $AT --crl "$T/rootcrl.der" --crl "$T/pckcrl" $TCB "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_out "revocation checked" "2 CRLs on the path, nothing revoked"
# the chain given once, in plain PEM rather than URL-encoded
python3 -c 'import sys,urllib.parse; print(urllib.parse.unquote(open(sys.argv[1]).read()))' "$CHAIN" >"$TMP/chain.pem"
mkdir "$TMP/bare" && cp "$TMP/tcb.json" "$TMP/qe.json" "$TMP/bare/"
expect_rc 1 "--tcb-issuer-chain in plain PEM" compare --at $AT --tcb-info "$TMP/bare/tcb.json" --qe-identity "$TMP/bare/qe.json" --tcb-issuer-chain "$TMP/chain.pem" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_failure 4 "no issuer chain: exit 4" "no issuer chain" compare --at $AT --tcb-info "$TMP/bare/tcb.json" --qe-identity "$TMP/bare/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"

# stale: after nextUpdate (the quote's PCK is still valid then)
expect_refused 4 "after nextUpdate: stale, exit 4" "stale: nextUpdate 2023-07-18T08:42:58Z has passed" compare --at 2023-08-01T00:00:00Z $TCB "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"

# tampered: a TCB level edited, the FMSPC edited, the signature edited: exit 3
sed 's/"pcesvn":11/"pcesvn":3/' "$TMP/tcb.json" >"$TMP/lvl.json" && cp "$CHAIN" "$TMP/lvl.json.issuer-chain"
expect_refused 3 "a TCB level lowered: the signature fails" "signature does not verify" compare --at $AT --tcb-info "$TMP/lvl.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
sed 's/"fmspc":"50806f000000"/"fmspc":"90c06f000000"/' "$TMP/tcb.json" >"$TMP/fm.json" && cp "$CHAIN" "$TMP/fm.json.issuer-chain"
expect_refused 3 "the FMSPC edited: the signature fails" "signature does not verify" compare --at $AT --tcb-info "$TMP/fm.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
sed 's/"signature":"f6/"signature":"f7/' "$TMP/tcb.json" >"$TMP/sig.json" && cp "$CHAIN" "$TMP/sig.json.issuer-chain"
expect_refused 3 "the signature edited: exit 3" "signature does not verify" compare --at $AT --tcb-info "$TMP/sig.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
sed 's/"isvprodid":2/"isvprodid":3/' "$TMP/qe.json" >"$TMP/qe3.json" && cp "$CHAIN" "$TMP/qe3.json.issuer-chain"
expect_refused 3 "the QE identity edited: exit 3" "signature does not verify" compare --at $AT --tcb-info "$TMP/tcb.json" --qe-identity "$TMP/qe3.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
# the issuer chain must start with the TCB signing certificate (here: the root alone)
expect_refused 3 "an issuer chain without the TCB signing certificate" "not Intel SGX TCB Signing" compare --at $AT $TCB --tcb-issuer-chain "$T/intel_sgx_root_ca.pem" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"

# the other quotes: their PCKs are not valid at the sample's time; later the sample is stale
for q in quote_v5_sample cos-113-tdx-quote dstack_ra-tls_tdx_quote; do
	expect_rc 3 "$q at $AT: its PCK is not yet valid (exit 3)" compare --allow-partial --at $AT $TCB "$TMP/spr.json" "$T/$q.dat"
done
expect_rc 4 "dstack at 2024-09-01: the sample is stale (exit 4)" compare --allow-partial --at 2024-09-01T00:00:00Z $TCB "$TMP/spr.json" "$T/dstack_ra-tls_tdx_quote.dat"

# asking for a TCB check without collateral: exit 4, never a silent skip
expect_refused 4 "--require-tcb without collateral" "no TCB info and QE identity were given" compare --at $AT --require-tcb "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_refused 4 "--accept-tcb without collateral" "--tcb-info FILE --qe-identity FILE" compare --at $AT --accept-tcb OutOfDate "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_refused 4 "--min-tcb-date without collateral" "no TCB info" compare --at $AT --min-tcb-date 2023-01-01T00:00:00Z "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
# without collateral and without asking: as before, with the line that says it was not checked
expect_rc 0 "no collateral, no TCB check asked: a match" compare --at $AT "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_out "the TCB status is shown as not checked" "--   TCB status                 not checked: no PCS collateral (TCB info, QE identity) was given"

# bad input: exit 2 naming the file and the field
printf '{"tcbInfo":{"id":"TDX","version":3}' >"$TMP/trunc.json"
expect_failure 2 "truncated TCB info: exit 2" "trunc.json" compare --at $AT --tcb-info "$TMP/trunc.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
sed 's/"version":3/"version":4/' "$TMP/tcb.json" >"$TMP/v4.json"
expect_failure 5 "TCB info version 4: unsupported, exit 5" "tcbInfo.version: 4 is not supported" compare --at $AT --tcb-info "$TMP/v4.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
sed 's/"pcesvn":11/"pcesvn":"11"/' "$TMP/tcb.json" >"$TMP/type.json"
expect_failure 2 "a string pcesvn: exit 2 naming the field" "tcbInfo.tcbLevels[0].tcb.pcesvn: not a number" compare --at $AT --tcb-info "$TMP/type.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
sed 's/"id":"TD_QE",/"id":"TD_QE","id":"TD_QE",/' "$TMP/qe.json" >"$TMP/dup.json"
expect_failure 2 "a duplicate key: exit 2" "duplicate key" compare --at $AT --tcb-info "$TMP/tcb.json" --qe-identity "$TMP/dup.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
head -c 2000000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
expect_failure 2 "a 2 MB body: exit 2" "huge.json" compare --at $AT --tcb-info "$TMP/huge.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_failure 2 "the QE identity given as TCB info: exit 2" "unknown field \"enclaveIdentity\"" compare --at $AT --tcb-info "$TMP/qe.json" --qe-identity "$TMP/qe.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_failure 2 "--accept-tcb with an unknown status" "--accept-tcb: 'Fine'" compare --at $AT $TCB --accept-tcb Fine "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
expect_failure 2 "--tcb-info without --qe-identity" "go together" compare --at $AT --tcb-info "$TMP/tcb.json" "$TMP/spr.json" "$T/tdx_prod_quote_SPR_E4.dat"
# inspect decodes collateral: the signed span starts right after {"tcbInfo": (11 bytes) and {"enclaveIdentity": (19)
run inspect "$T/sample_tcbInfo_response"
expect_out "inspect: the TCB info's FMSPC" '"fmspc": "50806f000000"'
expect_out "inspect: the signed value starts at byte 11" '"signed_offset": 11,'
expect_out "inspect: the first level's SGX SVNs" '"sgx_svns": "05050202030100030000000000000000"'
expect_out "inspect: the body's SHA-256" "\"sha256\": \"$(sha256sum "$T/sample_tcbInfo_response" | cut -c1-64)\""
run inspect "$T/sample_qeIdentity_response"
expect_out "inspect: the QE identity's signed value starts at byte 19" '"signed_offset": 19,'
expect_out "inspect: the QE MRSIGNER" '"mrsigner": "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5"'
expect_failure 2 "inspect: a malformed TCB info names its field" "tcbInfo.tcbLevels[0].tcb.pcesvn: not a number" inspect "$TMP/type.json"
echo "1..$n"
