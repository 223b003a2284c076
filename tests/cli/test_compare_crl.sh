#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# measure compare and the CRLs it is given (--crl, a cache's CRL): a CRL counts only when a CA of the
# chain issued it (its name and its signature), and a certificate any current CRL of its issuer lists
# is revoked; and the VCEK's key must be P-384. The SNP PKI (ARK -> ASK -> VCEK), its CRLs and a report signed by the VCEK are made
# here with the openssl CLI and python (tests/cli/snp_lib.sh, tests/snp_report.py).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snp_lib.sh"

P=$TMP/pki
HWID=$(printf '0123456789abcdeffedcba9876543210%.0s' 1 2 3 4)
TCB_HEX=d517000000000004
snp_test_pki "$P" "$HWID"
MEAS=$(printf 'a5%.0s' $(seq 48))
snp_report "$P" "$HWID" "$TCB_HEX" "$MEAS" "$P/report.bin"
printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s"}}\n' "$MEAS" >"$TMP/snp.json"
ROOT=$P/cert_chain.pem
S="$TMP/snp.json $P/report.bin"

# gencrl DIR-NAME ISSUER-CERT ISSUER-KEY OUT [openssl ca options...]: a CRL with its own CA database
gencrl() {
	d=$P/ca-$1 cert=$2 key=$3 out=$4
	shift 4
	mkdir -p "$d" && { [ -e "$d/index.txt" ] || : >"$d/index.txt"; } && echo 01 >"$d/crlnumber" &&
		printf '[ca]\ndefault_ca=x\n[x]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha384\ndefault_crl_days=30\n' \
			"$d" "$d" >"$d/ca.cnf" &&
		openssl ca -config "$d/ca.cnf" -keyfile "$key" -cert "$cert" -gencrl "$@" 2>/dev/null | openssl crl -outform DER -out "$out"
}

# a CRL in the VCEK's name ("CN=SEV-VCEK, O=measure test", its public subject), signed by a key of nobody's:
# the leaf issues no CRL, so this is no CRL of the chain
(
	cd "$P" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout stranger.key \
		-subj "/CN=SEV-VCEK/O=measure test" -days 30 -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out stranger.pem 2>/dev/null &&
		gencrl leafname stranger.pem stranger.key crl-leafname.der
) >>"$TMP/pki.log" 2>&1
if openssl crl -inform DER -in "$P/crl-leafname.der" -noout -issuer 2>/dev/null | grep -q "CN *= *SEV-VCEK"; then
	ok "a CRL in the VCEK's name, made with openssl"; else not_ok "a CRL in the VCEK's name, made with openssl"; fi

# refused WANT_RC DESC WORDS ARGS...: exit WANT_RC, and the line after the root override's notice holds WORDS
refused() {
	want=$1 desc=$2 words=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$TMP/err")" -eq 2 ] && tail -1 "$TMP/err" | grep -qF -- "$words"; then ok "$desc"; else
		not_ok "$desc" "exit $rc (want $want)" "stderr: $(head -c 600 "$TMP/err")" "want words: $words"; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# mkcache DIR [CRL]: an SNP collateral cache with the VCEK, the chain and (when given) CRL as the ARK's CRL
mkcache() {
	D=$1
	put() { h=$(sha "$2"); mkdir -p "$D/blobs/sha256" "$D/refs/$(dirname "$1")"; cp "$2" "$D/blobs/sha256/$h"; echo "$h" >"$D/refs/$1"; }
	put "amd/Milan/vcek/$HWID/$TCB_HEX" "$P/vcek.der"
	put amd/Milan/cert_chain "$P/cert_chain.pem"
	[ -z "${2:-}" ] || put amd/Milan/crl "$2"
}
mkcache "$TMP/c-clean" "$P/crl-clean.der"
mkcache "$TMP/c-leafname" "$P/crl-leafname.der"
mkcache "$TMP/c-nocrl"

# --- a CRL in the leaf's name is issued by no certificate of the chain ---------------------------------
expect_rc 0 "the cache with the ARK's CRL: verified" compare --root "$ROOT" --cache "$TMP/c-clean" $S
expect_out "... revocation checked" "1 CRL on the path, nothing revoked"
refused 3 "a cached CRL in the VCEK's name: exit 3, not a pass with revocation unchecked" \
	"not issued by a certificate of its chain" compare --root "$ROOT" --cache "$TMP/c-leafname" $S
refused 4 "a cache without a CRL and --crl in the VCEK's name: exit 4" "no --crl is issued by its ARK" \
	compare --root "$ROOT" --cache "$TMP/c-nocrl" --crl "$P/crl-leafname.der" $S
refused 2 "--vcek and --crl in the VCEK's name: exit 2, that CRL checks nothing" \
	"this CRL is issued by no certificate of any chain checked" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$P/crl-leafname.der" $S
refused 2 "... and beside the ARK's own CRL, the one in the VCEK's name is still named as checking nothing" \
	"crl-leafname.der: this CRL is issued by no certificate of any chain checked" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$P/crl-clean.der" --crl "$P/crl-leafname.der" $S

# --- several CRLs of the ARK: every one of them is applied --------------------------------------------
# the ASK revoked in a CRL a day older than the clean one; the two clean and revoking CRLs of one date
mkdir -p "$P/ca-ask-old" && cp "$P/ca-ask/index.txt" "$P/ca-ask-old/index.txt"
gencrl ask-old "$P/ark.pem" "$P/ark.key" "$P/crl-ask-old.der" -crl_lastupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
if openssl crl -inform DER -in "$P/crl-ask-old.der" -noout -text 2>/dev/null | grep -q "Serial Number: 1001"; then
	ok "an older CRL of the ARK that revokes the ASK, made with openssl"; else not_ok "an older CRL of the ARK that revokes the ASK"; fi
for pair in "crl-ask-old crl-clean" "crl-clean crl-ask-old" "crl-ask crl-clean" "crl-clean crl-ask"; do
	set -- $pair
	refused 3 "--crl $1 --crl $2: the ASK one of them lists is revoked, whichever OpenSSL prefers" "revoked" \
		compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$P/$1.der" --crl "$P/$2.der" $S
done
refused 3 "a cache's clean CRL and a --crl of the same ARK that revokes the ASK: revoked" "revoked" \
	compare --root "$ROOT" --cache "$TMP/c-clean" --crl "$P/crl-ask-old.der" $S
refused 3 "the VCEK's serial in one of two CRLs of the ARK: revoked" "revoked" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$P/crl-clean.der" --crl "$P/crl-vcek.der" $S

# --- a CRL in the ARK's name that the ARK's key did not sign, beside the real one ---------------------
(
	cd "$P" || exit 1
	openssl req -x509 -new -key ask.key -subj "/CN=ARK-Milan/O=measure test" -days 30 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out fake-ark.pem 2>/dev/null &&
		gencrl forged fake-ark.pem ask.key crl-forged.der
) >>"$TMP/pki.log" 2>&1
for pair in "crl-clean crl-forged" "crl-forged crl-clean"; do
	set -- $pair
	refused 3 "--crl $1 --crl $2: a forged CRL in the ARK's name is refused in either order" "CRL signature failure" \
		compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$P/$1.der" --crl "$P/$2.der" $S
done

# --- --vcek with --cache: the cache's CRL is applied as without --vcek; no CRL at all is said -----------
mkcache "$TMP/c-ask" "$P/crl-ask.der"
expect_rc 0 "--vcek and a cache with the ARK's CRL: verified" compare --root "$ROOT" --vcek "$P/vcek.der" --cache "$TMP/c-clean" $S
expect_out "... the cached CRL is named" "CRL from the cache"
expect_out "... and applied" "1 CRL on the path, nothing revoked"
refused 3 "--vcek and a cache whose CRL revokes the ASK: exit 3" "SEV-Milan is revoked" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --cache "$TMP/c-ask" $S
refused 3 "--vcek and a cached CRL in the VCEK's name: exit 3" "not issued by a certificate of its chain" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --cache "$TMP/c-leafname" $S
expect_rc 0 "--vcek and a cache without a CRL: verified, as --vcek alone" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --cache "$TMP/c-nocrl" $S
expect_out "... with a row saying revocation was not checked" "not checked: no CRL was given"
expect_rc 0 "--vcek alone: verified" compare --root "$ROOT" --vcek "$P/vcek.der" $S
expect_out "... with a row saying revocation was not checked" "not checked: no CRL was given"

# --- the VCEK's key on another curve than P-384 (its report signed by it): exit 3 -----------------------
for curve in P-256 P-521; do
	d=$P/$curve
	mkdir -p "$d" && cp "$P/ask.pem" "$P/ask.key" "$d/" && snp_vcek "$d" "$HWID" "$curve" >>"$TMP/pki.log" 2>&1 &&
		snp_report "$d" "$HWID" "$TCB_HEX" "$MEAS" "$d/report.bin"
	if openssl x509 -inform DER -in "$d/vcek.der" -noout -text 2>/dev/null | grep -q "NIST CURVE: $curve"; then
		ok "a VCEK on $curve and a report it signed, made with openssl"; else not_ok "a VCEK on $curve, made with openssl"; fi
	refused 3 "a VCEK on $curve: exit 3, the report's algorithm is ECDSA P-384" "not ECDSA P-384" \
		compare --root "$ROOT" --vcek "$d/vcek.der" --crl "$P/crl-clean.der" "$TMP/snp.json" "$d/report.bin"
done

# --- compare --batch from a stream: a --crl or --root file replaced between lines is read anew ---------
# Each line's --vcek is a FIFO that the line opens after its --root and --crl files are read: when the
# writer gets through, the line has read them, and they are replaced before the next line is sent.
mkfifo "$TMP/in.fifo" "$TMP/v1" "$TMP/v2"
cp "$P/crl-clean.der" "$TMP/live.crl"
cp "$P/cert_chain.pem" "$TMP/live-root.pem"
"$MEASURE" compare --batch - <"$TMP/in.fifo" >"$TMP/batch.out" 2>"$TMP/batch.err" &
bpid=$!
exec 7>"$TMP/in.fifo"
L="--root $TMP/live-root.pem --crl $TMP/live.crl"
echo "$L --vcek $TMP/v1 $S" >&7
timeout 60 sh -c 'cat "$1" >"$2"' - "$P/vcek.der" "$TMP/v1"
cp "$P/crl-ask.der" "$TMP/live.crl.new" && mv "$TMP/live.crl.new" "$TMP/live.crl"
echo "$L --vcek $TMP/v2 $S" >&7
timeout 60 sh -c 'cat "$1" >"$2"' - "$P/vcek.der" "$TMP/v2"
cp "$P/crl-clean.der" "$TMP/live.crl"
cat "$P/cert_chain2.pem" >"$TMP/live-root.pem"
echo "$L --vcek $P/vcek.der $S" >&7
exec 7>&-
wait $bpid
got=$(sed -n 's/^line \([0-9]\): .*(exit \([0-9]\)).*/\1=\2/p' "$TMP/batch.out" | tr '\n' ' ')
if [ "$got" = "1=0 2=3 3=3 " ]; then
	ok "a streamed batch reads a --crl and a --root replaced between lines anew (exits 0, 3, 3)"; else
	not_ok "a streamed batch reads a --crl and a --root replaced between lines anew" "got: $got, want 1=0 2=3 3=3" \
		"$(head -c 600 "$TMP/batch.out")"; fi

# several CRLs in one file: OpenSSL reads the first and drops the rest, so the file is refused
# (outside review: the clean CRL first, the one listing the ASK second, passed with "nothing revoked")
openssl crl -inform DER -in "$P/crl-clean.der" >"$TMP/bundle.pem" 2>/dev/null
openssl crl -inform DER -in "$P/crl-ask.der" >>"$TMP/bundle.pem" 2>/dev/null
cat "$P/crl-clean.der" "$P/crl-ask.der" >"$TMP/concat.der"
# bad_file DESC WORDS ARGS...: exit 2 with one line on stderr holding WORDS
bad_file() {
	desc=$1 words=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF -- "$words" "$TMP/err"; then ok "$desc"; else
		not_ok "$desc" "exit $rc (want 2)" "stderr: $(head -c 600 "$TMP/err")" "want words: $words"; fi
}
bad_file "--crl with two PEM CRLs in one file: exit 2, not the first alone" "a second PEM block at offset 0x" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$TMP/bundle.pem" $S
bad_file "--crl with two DER CRLs back to back: exit 2" "bytes after the DER CRL (at offset 0x" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$TMP/concat.der" $S
mkcache "$TMP/c-concat" "$TMP/concat.der"
refused 2 "a cached CRL blob holding two CRLs: exit 2" "bytes after the DER CRL" \
	compare --root "$ROOT" --cache "$TMP/c-concat" $S
openssl crl -inform DER -in "$P/crl-ask.der" >"$TMP/one.pem" 2>/dev/null
printf '\n\n' >>"$TMP/one.pem"
refused 3 "one PEM CRL with blank lines after it is read as before (it revokes the ASK)" "revoked" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$TMP/one.pem" $S
openssl crl -inform DER -in "$P/crl-clean.der" >"$TMP/crl-then-text.pem" 2>/dev/null
echo "trailing words" >>"$TMP/crl-then-text.pem"
bad_file "--crl with text after its PEM block: exit 2" "bytes after the PEM CRL (at offset 0x" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$TMP/crl-then-text.pem" $S
echo "1..$n"
