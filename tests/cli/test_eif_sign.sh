# SPDX-License-Identifier: Apache-2.0
# measure eif sign and eif build --sign-*: the signature checked by measure eif and independently (python CBOR
# decoding, openssl dgst over the Sig_structure), PCR8 against the vector's and against openssl + python.
. "$(dirname "$0")/lib.sh"
V=$VECTORS/nitro/eif
E=$FIXTURES/eif
# expected values: vectors/nitro/eif/expected-pcrs.json (tiny.eif, tiny-signed.eif)
PCR0=e7cd3d5d2eb903e70661b7ec0bcdb535ea11b8ea70cae71779fe39820177292079c400bee3a0f90d702f092ccaebb6dd
PCR8=47be456921b551cce865a39f774c310d3c015feccce8755008d50b7a1d288b18c49063bf66f54b58df558e92958bdffb

# independent IN KEYFILE-LABEL DGST: python decodes the section, openssl verifies the signature
independent() {
	mkdir -p "$TMP/ind"
	line=$(python3 tests/eif_sig_check.py "$1" "$TMP/ind") || { not_ok "$2: python reads the signature section"; return; }
	set -- "$1" "$2" "$3" $line
	openssl x509 -in "$TMP/ind/cert.pem" -pubkey -noout >"$TMP/ind/pub.pem"
	if openssl dgst "-$3" -verify "$TMP/ind/pub.pem" -signature "$TMP/ind/sig.der" "$TMP/ind/tbs.bin" >/dev/null 2>&1; then
		ok "$2: openssl verifies the COSE signature"
	else not_ok "$2: openssl verifies the COSE signature"; fi
	[ "$5" = 0 ] && [ "$6" = "$PCR0" ] && ok "$2: the payload signs PCR0" || not_ok "$2: the payload signs PCR0" "$line"
	case $3 in sha256) want=-7 ;; sha384) want=-35 ;; *) want=-36 ;; esac
	[ "$4" = "$want" ] && ok "$2: COSE alg $want" || not_ok "$2: COSE alg $want" "$line"
	der_pcr8=$(openssl x509 -in "$TMP/ind/cert.pem" -outform DER | python3 -c '
import hashlib, sys; print(hashlib.sha384(bytes(48) + hashlib.sha384(sys.stdin.buffer.read()).digest()).hexdigest())')
	run eif --json "$1"
	expect_out "$2: measure eif reports PCR8 = SHA384(0^48 || SHA384(cert DER))" "\"pcr8\": \"$der_pcr8\""
}

if [ -f "$E/tiny.eif" ]; then
	expect_rc 0 "eif sign with the vector's test key" eif sign "$E/tiny.eif" --sign-cert "$E/test-sign-cert.pem" \
		--sign-key "$E/test-sign-key.pem" -o "$TMP/s.eif"
	expect_rc 0 "measure eif verifies the signed EIF" eif "$TMP/s.eif"
	expect_out "signature over PCR0" "ES384 over PCR0, verified"
	run eif --json "$TMP/s.eif"
	expect_out "PCR8 is the vector's" "\"pcr8\": \"$PCR8\""
	expect_out "PCR0 unchanged" "\"pcr0\": \"$PCR0\""
	independent "$TMP/s.eif" "ES384" sha384
	# everything before the signature section is tiny.eif's; the section starts as the vector's does
	if cmp -s -i 548:548 -n 4440 "$TMP/s.eif" "$E/tiny-signed.eif"; then ok "sections before the signature equal tiny-signed.eif's"; else
		not_ok "sections before the signature equal tiny-signed.eif's"; fi
	if cmp -s -i 5000:5000 -n 1438 "$TMP/s.eif" "$E/tiny-signed.eif"; then ok "certificate bytes in the section equal tiny-signed.eif's"; else
		not_ok "certificate bytes in the section equal tiny-signed.eif's"; fi
	expect_rc 0 "re-signing replaces the signature" eif sign "$TMP/s.eif" --sign-cert "$E/test-sign-cert.pem" \
		--sign-key "$E/test-sign-key.pem" -o "$TMP/s2.eif"
	run eif "$TMP/s2.eif"
	expect_out "re-signed: still 6 sections" "6 sections"

	for curve in P-256:sha256 P-521:sha512; do
		c=${curve%%:*} d=${curve#*:}
		openssl req -x509 -newkey ec -pkeyopt "ec_paramgen_curve:$c" -nodes -keyout "$TMP/$c.key" -out "$TMP/$c.pem" \
			-subj "/CN=test $c" -days 3650 >/dev/null 2>&1
		expect_rc 0 "build --sign-* with $c" eif build --kernel "$E/tiny-kernel.bin" --cmdline console=ttyS0 \
			--ramdisk "$E/tiny-rd1.bin" --ramdisk "$E/tiny-rd2.bin" --sign-cert "$TMP/$c.pem" --sign-key "$TMP/$c.key" -o "$TMP/$c.eif"
		independent "$TMP/$c.eif" "$c" "$d"
	done
	ls "$TMP" | grep -q unsigned && not_ok "no unsigned temporary left" || ok "no unsigned temporary left"
	expect_failure 3 "a key that is not the certificate's" "not the key of the signing certificate" \
		eif sign "$E/tiny.eif" --sign-cert "$E/test-sign-cert.pem" --sign-key "$TMP/P-256.key" -o "$TMP/x.eif"
	[ ! -e "$TMP/x.eif" ] && ok "nothing written on failure" || not_ok "nothing written on failure"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/rsa.key" 2>/dev/null
	openssl req -x509 -key "$TMP/rsa.key" -out "$TMP/rsa.pem" -subj /CN=rsa -days 30 2>/dev/null
	expect_failure 5 "an RSA key is unsupported" "not an EC key" \
		eif sign "$E/tiny.eif" --sign-cert "$TMP/rsa.pem" --sign-key "$TMP/rsa.key" -o "$TMP/x.eif"
	expect_failure 2 "sign without a key" "--sign-key is required" eif sign "$E/tiny.eif" --sign-cert "$E/test-sign-cert.pem" -o "$TMP/x.eif"
	expect_failure 2 "build with only --sign-cert" "go together" eif build --kernel "$E/tiny-kernel.bin" --cmdline x \
		--ramdisk "$E/tiny-rd1.bin" --sign-cert "$E/test-sign-cert.pem" -o "$TMP/x.eif"
	expect_failure 2 "sign onto itself" "another file" eif sign "$E/tiny.eif" --sign-cert "$E/test-sign-cert.pem" \
		--sign-key "$E/test-sign-key.pem" -o "$E/tiny.eif"
	printf 'garbage' >"$TMP/bad.key"
	expect_failure 2 "a key file that is not PEM" "not a PEM private key" eif sign "$E/tiny.eif" \
		--sign-cert "$E/test-sign-cert.pem" --sign-key "$TMP/bad.key" -o "$TMP/x.eif"
else
	skip "fixtures/eif not found"
fi
echo "1..$n"
