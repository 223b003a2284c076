#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# libcurl and libtss2-mu are loaded at run time by the one part that needs them: the binary does not
# link them (ldd), and a library that cannot be loaded, or lacks a function, is exit 5 with one line
# naming it (a stand-in library in LD_LIBRARY_PATH plays the broken install), never a crash.
. "$(dirname "$0")/lib.sh"

if command -v ldd >/dev/null 2>&1; then
	libs=$(ldd "$MEASURE")
	case $libs in *libcurl*) not_ok "measure does not link libcurl" "$libs" ;; *) ok "measure does not link libcurl" ;; esac
	case $libs in *libtss2*) not_ok "measure does not link libtss2-mu" "$libs" ;; *) ok "measure does not link libtss2-mu" ;; esac
else
	skip "ldd not installed"
fi

F=$TMP/fake
mkdir -p "$F/empty" "$F/nosyms"
: >"$F/empty/libcurl.so.4"
: >"$F/empty/libtss2-mu.so.0"
if printf 'int curl_global_init;\nint Tss2_MU_TPMS_ATTEST_Unmarshal;\n' >"$F/s.c" &&
	${CC:-cc} -shared -fPIC -o "$F/nosyms/libcurl.so.4" "$F/s.c" 2>/dev/null &&
	cp "$F/nosyms/libcurl.so.4" "$F/nosyms/libtss2-mu.so.0"; then
	have_cc=1
else
	have_cc=
fi

REPORT=$VECTORS/snp/go-sev-guest/attestation.bin
if [ -f "$REPORT" ]; then
	# port 1 on loopback: the fetch never gets as far as connecting
	LD_LIBRARY_PATH=$F/empty expect_failure 5 "fetch with an unloadable libcurl.so.4: exit 5, named" \
		"libcurl.so.4 cannot be loaded" fetch --cache "$TMP/c1" --product milan --base-url amd=http://127.0.0.1:1/ "$REPORT"
	if [ -n "$have_cc" ]; then
		LD_LIBRARY_PATH=$F/nosyms expect_failure 5 "fetch with a libcurl lacking curl_easy_init: exit 5, named" \
			"lacks curl_easy_init" fetch --cache "$TMP/c2" --product milan --base-url amd=http://127.0.0.1:1/ "$REPORT"
	else
		skip "no C compiler for the stand-in library"
	fi
	expect_failure 4 "with the real libcurl the same fetch reaches the network (exit 4: refused)" \
		"127.0.0.1" fetch --cache "$TMP/c3" --product milan --base-url amd=http://127.0.0.1:1/ "$REPORT"
else
	skip "$REPORT absent"
fi

W=$VECTORS/azure/swtpm
if [ -f "$W/quote_rsa.msg" ]; then
	LD_LIBRARY_PATH=$F/empty expect_failure 5 "tpm quote with an unloadable libtss2-mu.so.0: exit 5, named" \
		"libtss2-mu.so.0 cannot be loaded" tpm quote "$W/quote_rsa.msg" --sig "$W/quote_rsa.sig" --ak "$W/ak_rsa.pub.pem" --pcrs "$W/quote_rsa.pcrs"
	if [ -n "$have_cc" ]; then
		LD_LIBRARY_PATH=$F/nosyms expect_failure 5 "tpm quote with a libtss2-mu lacking a function: exit 5, named" \
			"lacks Tss2_MU_TPMT_SIGNATURE_Unmarshal" tpm quote "$W/quote_rsa.msg" --sig "$W/quote_rsa.sig" --ak "$W/ak_rsa.pub.pem" --pcrs "$W/quote_rsa.pcrs"
	fi
	expect_rc 0 "a TPM quote with the real libtss2-mu still verifies" \
		tpm quote "$W/quote_rsa.msg" --sig "$W/quote_rsa.sig" --ak "$W/ak_rsa.pub.pem" --pcrs "$W/quote_rsa.pcrs"
else
	skip "$W absent"
fi
echo "1..$n"
