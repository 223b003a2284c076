# SPDX-License-Identifier: Apache-2.0
# Shared by the SNP test scripts (after lib.sh): a synthetic AMD PKI made with the openssl CLI, and
# reports signed by its VCEK (tests/snp_report.py).

# snp_ca DIR [SUFFIX]: P-384 keys and certificates ark$SUFFIX.pem (ARK-Milan, self-signed) and
# ask$SUFFIX.pem (SEV-Milan, under it), and cert_chain$SUFFIX.pem (the ASK then the ARK).
snp_ca() {
	(
		cd "$1" || exit 1
		s=${2-}
		for k in ark$s ask$s; do
			openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out $k.key 2>/dev/null
		done
		openssl req -x509 -new -key ark$s.key -subj "/CN=ARK-Milan/O=measure test" -days 3650 \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ark$s.pem
		printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
		openssl req -new -key ask$s.key -subj "/CN=SEV-Milan/O=measure test" |
			openssl x509 -req -CA ark$s.pem -CAkey ark$s.key -set_serial 0x1001 -days 3650 -extfile ca.ext -out ask$s.pem 2>/dev/null
		cat ask$s.pem ark$s.pem >cert_chain$s.pem
	)
}

# snp_vcek DIR HWID [CURVE]: vcek.key, vcek.der and vcek.pem under DIR's ASK, for a Milan-B0 chip HWID (128 hex
# digits) at TCB bootloader 4, tee 0, snp 23, microcode 213 (as a report, the hex number d517000000000004);
# the key on CURVE, P-384 unless given (AMD's only one).
snp_vcek() {
	(
		cd "$1" || exit 1
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"${3:-P-384}" -out vcek.key 2>/dev/null
		cat >vcek.ext <<EXT
1.3.6.1.4.1.3704.1.1 = ASN1:NULL
1.3.6.1.4.1.3704.1.2 = ASN1:IA5STRING:Milan-B0
1.3.6.1.4.1.3704.1.3.1 = ASN1:INTEGER:4
1.3.6.1.4.1.3704.1.3.2 = ASN1:INTEGER:0
1.3.6.1.4.1.3704.1.3.3 = ASN1:INTEGER:23
1.3.6.1.4.1.3704.1.3.8 = ASN1:INTEGER:213
1.3.6.1.4.1.3704.1.4 = DER:$2
EXT
		openssl req -new -key vcek.key -subj "/CN=SEV-VCEK/O=measure test" |
			openssl x509 -req -CA ask.pem -CAkey ask.key -set_serial 0x2002 -days 3650 -extfile vcek.ext -outform DER -out vcek.der 2>/dev/null
		openssl x509 -inform DER -in vcek.der -out vcek.pem
	)
}

# snp_crls DIR: CRLs issued by DIR's ARK, in DER: crl-clean.der (none revoked), crl-ask.der (the ASK
# revoked), crl-vcek.der (the VCEK's serial revoked). DIR/ca-clean/ca.cnf stays for more CRLs.
snp_crls() {
	(
		cd "$1" || exit 1
		for v in clean ask vcek; do
			mkdir -p ca-$v
			: >ca-$v/index.txt
			echo 01 >ca-$v/crlnumber
			printf '[ca]\ndefault_ca=ark\n[ark]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha384\ndefault_crl_days=30\n' \
				"$PWD/ca-$v" "$PWD/ca-$v" >ca-$v/ca.cnf
			case $v in
			ask) openssl ca -config ca-$v/ca.cnf -keyfile ark.key -cert ark.pem -revoke ask.pem 2>/dev/null ;;
			vcek) openssl ca -config ca-$v/ca.cnf -keyfile ark.key -cert ark.pem -revoke vcek.pem 2>/dev/null ;;
			esac
			openssl ca -config ca-$v/ca.cnf -keyfile ark.key -cert ark.pem -gencrl 2>/dev/null | openssl crl -outform DER -out crl-$v.der
		done
	)
}

# snp_report DIR HWID TCB MEASUREMENT OUT [VERSION [CPUID [SIGNER_INFO]]]: see tests/snp_report.py.
snp_report() { python3 tests/snp_report.py "$@"; }

# snp_test_pki DIR HWID: two ARK/ASK chains, a VCEK for HWID under the first and
# the CRLs, reported as one test; a test that cannot make them stops here.
snp_test_pki() {
	mkdir -p "$1"
	(
		snp_ca "$1" && snp_ca "$1" 2 && snp_vcek "$1" "$2" && snp_crls "$1"
	) >"$TMP/pki.log" 2>&1
	if [ -s "$1/vcek.der" ] && [ -s "$1/crl-ask.der" ] && [ -s "$1/cert_chain2.pem" ]; then
		ok "test PKI made with openssl"
	else
		not_ok "test PKI made with openssl" "$(tail -5 "$TMP/pki.log")"
		echo "1..$n"
		exit 1
	fi
}
