# SPDX-License-Identifier: Apache-2.0
# measure fetch and compare --cache/--fetch against a local stand-in for AMD KDS and Intel PCS
# (tests/fetch_server.py on 127.0.0.1). The SNP PKI, report and CRLs are made by tests/cli/snp_lib.sh with the openssl
# CLI; the Intel bodies are the samples in $MEASURE_VECTORS/tdx, read at test time. Digests are
# checked with sha256sum, never with the code under test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snp_lib.sh"

MEASURE_ABS=$(cd "$(dirname "$MEASURE")" && pwd)/$(basename "$MEASURE")
MEASURE=$MEASURE_ABS
P=$TMP/pki
mkdir -p "$P"
# --- the synthetic AMD PKI: ARK -> ASK -> VCEK (P-384), and CRLs from the ARK ----------------------
HWID=$(printf '%0128x' 0 | sed 's/^0\{32\}/0123456789abcdeffedcba98765432100123456789abcdeffedcba9876543210/' | cut -c1-128)
# REPORTED_TCB: bootloader 4, tee 0, snp 23, microcode 213 (bytes 0, 1, 6, 7, little-endian)
TCB_HEX=d517000000000004
(
	snp_ca "$P" && snp_vcek "$P" "$HWID" && snp_crls "$P"
	cd "$P"
	for k in tls-ca tls; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out $k.key 2>/dev/null
	done
	# one whose nextUpdate is a second after its thisUpdate: stale by the time it is used
	openssl ca -config ca-clean/ca.cnf -keyfile ark.key -cert ark.pem -gencrl -crlsec 1 2>/dev/null |
		openssl crl -outform DER -out crl-stale.der
	# a TLS server certificate for 127.0.0.1 from a test CA
	openssl req -x509 -new -key tls-ca.key -subj "/CN=measure test TLS CA" -days 30 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out tls-ca.pem
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >tls.ext
	openssl req -new -key tls.key -subj "/CN=127.0.0.1" |
		openssl x509 -req -CA tls-ca.pem -CAkey tls-ca.key -set_serial 7 -days 30 -extfile tls.ext -out tls.pem 2>/dev/null
) >"$TMP/pki.log" 2>&1
if [ -s "$P/vcek.der" ] && [ -s "$P/crl-vcek.der" ] && [ -s "$P/tls.pem" ]; then ok "test PKI made with openssl"; else
	not_ok "test PKI made with openssl" "$(tail -5 "$TMP/pki.log")"; echo "1..$n"; exit 1; fi

# the report: version 3, Milan CPUID, signed by the VCEK (r and s little-endian, 72 bytes each)
MEAS=$(printf 'a5%.0s' $(seq 48))
snp_report "$P" "$HWID" "$TCB_HEX" "$MEAS" "$P/report.bin"
snp_report "$P" "$HWID" "$TCB_HEX" "$MEAS" "$P/report-v2.bin" 2 0
snp_report "$P" "$HWID" "$TCB_HEX" "$MEAS" "$P/report-vlek.bin" 3 1 4 # SIGNER_INFO 1 << 2: signed by a VLEK
manifest() { printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s"}}\n' "$1" >"$2"; }
manifest "$MEAS" "$TMP/expected.json"
ROOT="$P/cert_chain.pem" # the ASK then the ARK: replaces AMD's pinned chain for the test PKI
expect_rc 0 "the synthetic report verifies with its VCEK given by hand (the PKI is sound)" \
	compare --root "$ROOT" --vcek "$P/vcek.der" --crl "$P/crl-clean.der" "$TMP/expected.json" "$P/report.bin"

# --- routes: what KDS serves for this chip and TCB -----------------------------------------------
R=$TMP/routes
mkdir -p "$R"
route() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
VCEK_PATH="/vcek/v1/Milan/$HWID?blSPL=4&teeSPL=0&snpSPL=23&ucodeSPL=213"
cp "$P/vcek.der" "$R/$(route "$VCEK_PATH")"
cp "$P/cert_chain.pem" "$R/$(route /vcek/v1/Milan/cert_chain)"
cp "$P/crl-clean.der" "$R/$(route /vcek/v1/Milan/crl)"
start_server "$R"
BASE=http://127.0.0.1:$PORT
C=$TMP/cache

sha() { sha256sum "$1" | cut -d' ' -f1; }
# expect_err WANT DESC WORDS ARGS...: exit WANT and WORDS on stderr (with --root, stderr also says the root is replaced)
expect_err() {
	want=$1 desc=$2 words=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ] && grep -qF -- "$words" "$TMP/err"; then ok "$desc"; else
		not_ok "$desc" "exit $rc (want $want)" "stderr: $(head -c 600 "$TMP/err")" "want words: $words"; fi
}
# cached KEY FILE: the ref names FILE's sha256 and the blob holds FILE
cached() {
	want=$(sha "$2")
	[ "$(cat "$3/refs/$1" 2>/dev/null)" = "$want" ] && cmp -s "$3/blobs/sha256/$want" "$2"
}

# --- fetch, SNP ------------------------------------------------------------------------------------
VKEY=amd/Milan/vcek/$HWID/$TCB_HEX
http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
	expect_rc 0 "fetch an SNP report's VCEK, cert_chain and CRL (loopback http: no proxy)" fetch --cache "$C" --base-url "amd=$BASE" "$P/report.bin"
if cached "$VKEY" "$P/vcek.der" "$C" && cached amd/Milan/cert_chain "$P/cert_chain.pem" "$C" &&
	cached amd/Milan/crl "$P/crl-clean.der" "$C"; then ok "the cache holds the three, named by their sha256"; else
	not_ok "the cache holds the three, named by their sha256" "$(find "$C" -type f | head)"; fi
expect_out "the output names the VCEK key, digest and size" "$VKEY"
expect_out "... its sha256" "$(sha "$P/vcek.der")"
expect_out "... its size" "$(wc -c <"$P/vcek.der") bytes"
if grep -qxF "plain $VCEK_PATH" "$LOG"; then ok "the VCEK URL carries the hwID and the TCB's SPLs"; else
	not_ok "the VCEK URL carries the hwID and the TCB's SPLs" "$(cat "$LOG")"; fi
if [ -z "$(find "$C" -name '.tmp*')" ]; then ok "no temporary file is left in the cache"; else not_ok "no temporary file left"; fi
run fetch --json --cache "$C" --base-url "amd=$BASE/" "$P/report.bin"
if [ "$rc" -eq 0 ] && python3 - "$TMP/out" "$VKEY" "$(sha "$P/vcek.der")" "$(wc -c <"$P/vcek.der")" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
e = [x for x in o['stored'] if x['key'] == sys.argv[2]]
assert len(o['stored']) == 3 and e and e[0]['sha256'] == sys.argv[3] and e[0]['size'] == int(sys.argv[4]), o
PY
then ok "--json lists key, sha256 and size (a base URL may end in /)"; else not_ok "--json lists key, sha256 and size" "$(head -c 400 "$TMP/out")"; fi

expect_failure 2 "a version 2 report without --product" "--product" fetch --cache "$TMP/c-v2" --base-url "amd=$BASE" "$P/report-v2.bin"
expect_rc 0 "... with --product Milan" fetch --cache "$TMP/c-v2" --base-url "amd=$BASE" --product milan "$P/report-v2.bin"
expect_failure 5 "a VLEK-signed report: KDS serves VLEKs to providers only" "VLEK" fetch --cache "$TMP/c-x" --base-url "amd=$BASE" "$P/report-vlek.bin"
head -c 1000 "$P/report.bin" >"$TMP/short.bin"
expect_failure 2 "a truncated report" "1184" fetch --cache "$TMP/c-x" --type snp --base-url "amd=$BASE" "$TMP/short.bin"
expect_failure 2 "plain http to another host is refused" "plain http:// is refused" fetch --cache "$TMP/c-x" --base-url amd=http://example.com "$P/report.bin"
expect_failure 2 "a base URL that is not http(s)" "only https://" fetch --cache "$TMP/c-x" --base-url amd=ftp://127.0.0.1/ "$P/report.bin"
expect_failure 2 "user information in a URL" "user information" fetch --cache "$TMP/c-x" --base-url "amd=http://127.0.0.1@example.com/" "$P/report.bin"
expect_failure 2 "an unknown service" "amd=URL or intel=URL" fetch --base-url "aws=$BASE" "$P/report.bin"
NITRO=$VECTORS/nitro/attestation/evervault-beta-valid-attestation-doc.cbor
if [ -f "$NITRO" ]; then
	expect_rc 0 "Nitro: nothing to fetch" fetch --cache "$TMP/c-n" "$NITRO"
	expect_out "... and it says why" "carries its certificate chain"
else
	skip "Nitro evidence: $NITRO absent"
fi

# --- failures: nothing partial is kept --------------------------------------------------------------
empty() { [ ! -e "$1/refs" ] || [ -z "$(find "$1/refs" -type f)" ]; }
fails_cleanly() { # WANT_RC DESC WORDS MODE [extra args]
	want=$1 desc=$2 words=$3 mode=$4
	shift 4
	rm -rf "$TMP/cf"
	expect_failure "$want" "$desc" "$words" fetch --cache "$TMP/cf" --base-url "amd=$BASE/$mode" "$@" "$P/report.bin"
	if empty "$TMP/cf" && [ -z "$(find "$TMP/cf" -name '.tmp*' 2>/dev/null)" ]; then ok "... and nothing is stored"; else
		not_ok "... and nothing is stored" "$(find "$TMP/cf" -type f | head)"; fi
}
fails_cleanly 4 "404 at KDS: exit 4" "not found (HTTP 404)" 404
fails_cleanly 4 "a body cut short of its Content-Length: exit 4" "cut short" truncate
fails_cleanly 2 "a Content-Length over the 16 MiB limit: exit 2" "larger than the 16777216-byte limit" huge
fails_cleanly 2 "17 MiB with no Content-Length: exit 2" "larger than the 16777216-byte limit" hugestream
start=$(date +%s)
fails_cleanly 4 "a slow response times out: exit 4" "timed out" slow --timeout 2
took=$(($(date +%s) - start))
if [ "$took" -le 8 ]; then ok "... after the timeout (${took}s)"; else not_ok "... after the timeout" "took ${took}s"; fi
: >"$LOG"
start=$(date +%s)
fails_cleanly 4 "503 every time: given up after retries" "HTTP 503 (service unavailable), after retrying" always503
took=$(($(date +%s) - start))
tries=$(grep -c "^always503 $VCEK_PATH\$" "$LOG")
if [ "$tries" -eq 3 ] && [ "$took" -ge 3 ]; then ok "... three attempts, 1 s then 2 s apart (${took}s)"; else
	not_ok "... three attempts with backoff" "$tries attempts in ${took}s"; fi
start=$(date +%s)
fails_cleanly 4 "Retry-After: 3600 is not waited for" "asks to retry after 3600 s" wait3600
took=$(($(date +%s) - start))
if [ "$took" -le 2 ]; then ok "... and the error comes at once"; else not_ok "... at once" "took ${took}s"; fi
: >"$LOG"
start=$(date +%s)
rm -rf "$TMP/cr"
expect_rc 0 "429 with Retry-After: 1, then the body" fetch --cache "$TMP/cr" --base-url "amd=$BASE/retry429" "$P/report.bin"
took=$(($(date +%s) - start))
tries=$(grep -c "^retry429 $VCEK_PATH\$" "$LOG")
if [ "$tries" -eq 2 ] && [ "$took" -ge 1 ] && cached "$VKEY" "$P/vcek.der" "$TMP/cr"; then
	ok "... asked twice, waited, stored"; else not_ok "... asked twice, waited, stored" "$tries requests, ${took}s"; fi
# a response that is not what it should be is not stored
cp "$R/$(route "$VCEK_PATH")" "$TMP/vcek.keep"
printf '<html>maintenance</html>\n' >"$R/$(route "$VCEK_PATH")"
fails_cleanly 2 "an HTML page where the VCEK should be: exit 2" "VCEK: the response is not DER" ""
cp "$TMP/vcek.keep" "$R/$(route "$VCEK_PATH")"

# --- compare --cache: offline -------------------------------------------------------------------------
stop_server
expect_rc 0 "compare --cache: VCEK, chain and CRL from the cache, server stopped" \
	compare --root "$ROOT" --cache "$C" "$TMP/expected.json" "$P/report.bin"
expect_out "... the table says where the VCEK came from" "VCEK from the cache"
expect_out "... and the CRL was applied" "1 CRL on the path, nothing revoked"
expect_err 4 "compare without --cache or --vcek: exit 4, as before" "--cache DIR" \
	compare --root "$ROOT" "$TMP/expected.json" "$P/report.bin"
expect_err 4 "compare --cache with an empty cache: exit 4 naming the key" "$VKEY" \
	compare --root "$ROOT" --cache "$TMP/empty-cache" "$TMP/expected.json" "$P/report.bin"
cp -r "$C" "$TMP/c-nocrl"
rm "$TMP/c-nocrl/refs/amd/Milan/crl"
expect_err 4 "a cache without the CRL: exit 4" "amd/Milan/crl" \
	compare --root "$ROOT" --cache "$TMP/c-nocrl" "$TMP/expected.json" "$P/report.bin"
expect_rc 0 "... unless --crl gives one" \
	compare --root "$ROOT" --cache "$TMP/c-nocrl" --crl "$P/crl-clean.der" "$TMP/expected.json" "$P/report.bin"
# a CRL issued by another CA, where the cache keeps the ARK's: it revokes nothing of this chain, so it checks nothing
(
	cd "$P" && mkdir -p ca-other && : >ca-other/index.txt && echo 01 >ca-other/crlnumber &&
	printf '[ca]\ndefault_ca=o\n[o]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnumber\ndefault_md=sha384\ndefault_crl_days=30\n' \
		"$P/ca-other" "$P/ca-other" >ca-other/ca.cnf &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout other.key -subj "/CN=ARK-Other" \
		-days 30 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out other.pem 2>/dev/null &&
	openssl ca -config ca-other/ca.cnf -keyfile other.key -cert other.pem -gencrl 2>/dev/null | openssl crl -outform DER -out crl-other.der
)
cp -r "$C" "$TMP/c-foreign"
fh=$(sha "$P/crl-other.der")
cp "$P/crl-other.der" "$TMP/c-foreign/blobs/sha256/$fh"
echo "$fh" >"$TMP/c-foreign/refs/amd/Milan/crl"
expect_err 3 "a cached CRL another CA issued: exit 3, revocation not checked" "not issued by a certificate of its chain" \
	compare --root "$ROOT" --cache "$TMP/c-foreign" "$TMP/expected.json" "$P/report.bin"
expect_err 4 "a cache without the CRL and a --crl of another CA: exit 4" "no --crl is issued by its ARK" \
	compare --root "$ROOT" --cache "$TMP/c-nocrl" --crl "$P/crl-other.der" "$TMP/expected.json" "$P/report.bin"
cp -r "$C" "$TMP/c-vrev"
vh=$(sha "$P/crl-vcek.der")
cp "$P/crl-vcek.der" "$TMP/c-vrev/blobs/sha256/$vh"
echo "$vh" >"$TMP/c-vrev/refs/amd/Milan/crl"
expect_err 3 "the cache's CRL is used beside a --crl of another CA: the VCEK it revokes is refused" "revoked" \
	compare --root "$ROOT" --cache "$TMP/c-vrev" --crl "$P/crl-other.der" "$TMP/expected.json" "$P/report.bin"
cp -r "$C" "$TMP/c-fifo"
rm "$TMP/c-fifo/refs/amd/Milan/crl"
mkfifo "$TMP/c-fifo/refs/amd/Milan/crl"
timeout 20 "$MEASURE" compare --root "$ROOT" --cache "$TMP/c-fifo" "$TMP/expected.json" "$P/report.bin" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "not a regular file" "$TMP/err"; then ok "a FIFO where a cache ref should be: exit 2 at once, not a hang"
else not_ok "a FIFO where a cache ref should be: exit 2 at once, not a hang" "exit $rc" "$(head -c 300 "$TMP/err")"; fi
cp -r "$C" "$TMP/c-bad"
printf 'x' >>"$TMP/c-bad/blobs/sha256/$(sha "$P/vcek.der")"
expect_err 2 "a corrupted blob is refused, not used" "corrupted" \
	compare --root "$ROOT" --cache "$TMP/c-bad" "$TMP/expected.json" "$P/report.bin"
expect_rc 0 "a version 2 report (no CPUID): compare --cache finds its product's VCEK" \
	compare --root "$ROOT" --cache "$TMP/c-v2" "$TMP/expected.json" "$P/report-v2.bin"
expect_rc 0 "--vcek given wins over the cache" \
	compare --root "$ROOT" --cache "$TMP/empty-cache" --vcek "$P/vcek.der" "$TMP/expected.json" "$P/report.bin"
expect_failure 2 "--base-url without --fetch" "apply to --fetch" \
	compare --cache "$C" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"

# revocation from the cached CRL: the ASK, or the VCEK's serial, listed by the ARK
for v in ask vcek; do
	cp -r "$C" "$TMP/c-rev-$v"
	h=$(sha "$P/crl-$v.der")
	cp "$P/crl-$v.der" "$TMP/c-rev-$v/blobs/sha256/$h"
	echo "$h" >"$TMP/c-rev-$v/refs/amd/Milan/crl"
	expect_err 3 "the ARK's CRL revokes the $(echo $v | tr a-z A-Z): exit 3" "revoked" \
		compare --root "$ROOT" --cache "$TMP/c-rev-$v" "$TMP/expected.json" "$P/report.bin"
done

# --- compare --fetch ------------------------------------------------------------------------------
start_server "$R"
BASE=http://127.0.0.1:$PORT
rm -rf "$TMP/cc"
expect_rc 0 "compare --fetch fills the cache, then verifies" \
	compare --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"
if cached "$VKEY" "$P/vcek.der" "$TMP/cc"; then ok "... the VCEK is in the cache"; else not_ok "... the VCEK is in the cache"; fi
run compare --json --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"
expect_out "... the receipt says the network may have been used" '"mode": "fetch"'
XDG_CACHE_HOME=$TMP/xdg HOME=/nonexistent run fetch --base-url "amd=$BASE" "$P/report.bin"
if [ "$rc" -eq 0 ] && cached "$VKEY" "$P/vcek.der" "$TMP/xdg/measure"; then ok "the default cache is \$XDG_CACHE_HOME/measure"; else
	not_ok "the default cache is \$XDG_CACHE_HOME/measure" "exit $rc"; fi
mkdir -p "$TMP/home"
env -u XDG_CACHE_HOME HOME="$TMP/home" "$MEASURE" fetch --base-url "amd=$BASE" "$P/report.bin" >/dev/null 2>&1
if cached "$VKEY" "$P/vcek.der" "$TMP/home/.cache/measure"; then ok "... else ~/.cache/measure"; else not_ok "... else ~/.cache/measure"; fi
stop_server
: >"$LOG"
expect_rc 0 "compare --fetch with all in the cache needs no server" \
	compare --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"
h=$(sha "$P/crl-stale.der")
cp "$P/crl-stale.der" "$TMP/cc/blobs/sha256/$h"
echo "$h" >"$TMP/cc/refs/amd/Milan/crl"
expect_err 4 "a stale CRL in the cache: exit 4 offline" "CRL" \
	compare --root "$ROOT" --cache "$TMP/cc" "$TMP/expected.json" "$P/report.bin"
start_server "$R"
BASE=http://127.0.0.1:$PORT
expect_rc 0 "... compare --fetch fetches it again, and verifies" \
	compare --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"
if cached amd/Milan/crl "$P/crl-clean.der" "$TMP/cc" && [ "$(grep -c . "$LOG")" -eq 1 ] &&
	grep -qx "plain /vcek/v1/Milan/crl" "$LOG"; then ok "... the CRL alone was asked for, and replaced"; else
	not_ok "... the CRL alone was asked for, and replaced" "$(cat "$LOG")"; fi
# a cached CRL another CA issued checks nothing of this chain: --fetch counts it as missing and replaces it
fh=$(sha "$P/crl-other.der")
cp "$P/crl-other.der" "$TMP/cc/blobs/sha256/$fh"
echo "$fh" >"$TMP/cc/refs/amd/Milan/crl"
: >"$LOG"
expect_rc 0 "a cached CRL another CA issued: compare --fetch replaces it, and verifies" \
	compare --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"
if cached amd/Milan/crl "$P/crl-clean.der" "$TMP/cc" && [ "$(grep -c . "$LOG")" -eq 1 ] &&
	grep -qx "plain /vcek/v1/Milan/crl" "$LOG"; then ok "... the foreign CRL alone was asked for again, and replaced"; else
	not_ok "... the foreign CRL alone was asked for again, and replaced" "$(cat "$LOG")"; fi
: >"$LOG"
expect_rc 0 "... and the ARK's own CRL, once cached, is kept" \
	compare --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"
if [ ! -s "$LOG" ]; then ok "... nothing asked of the server"; else not_ok "... nothing asked of the server" "$(cat "$LOG")"; fi
# checked at the cached CRL's nextUpdate exactly: not current there (as OpenSSL reads it), so --fetch asks again
NEXT=$(date -u -d "$(openssl crl -inform DER -in "$P/crl-clean.der" -noout -nextupdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
: >"$LOG"
run compare --root "$ROOT" --fetch --cache "$TMP/cc" --base-url "amd=$BASE" --at "$NEXT" "$TMP/expected.json" "$P/report.bin"
if [ "$rc" = 4 ] && grep -qx "plain /vcek/v1/Milan/crl" "$LOG" && grep -q "not current at $NEXT" "$TMP/err"; then
	ok "at the cached CRL's nextUpdate: --fetch asks for it again, and the same one is still not current (exit 4)"; else
	not_ok "at the cached CRL's nextUpdate: --fetch asks for it again (exit 4)" "exit $rc at $NEXT" "log: $(cat "$LOG")" \
		"$(head -c 400 "$TMP/err")"; fi
stop_server
expect_err 4 "compare --fetch with the server down and the cache empty: exit 4" "Couldn't connect" \
	compare --root "$ROOT" --fetch --cache "$TMP/cc-empty" --base-url "amd=$BASE" "$TMP/expected.json" "$P/report.bin"

# the progress line: drawn on a terminal (script(1) gives one) and erased; never into a pipe
if command -v script >/dev/null 2>&1; then
	start_server "$R"
	script -qec "$MEASURE fetch --cache $TMP/c-tty --base-url amd=http://127.0.0.1:$PORT $P/report.bin" /dev/null >"$TMP/tty" 2>&1
	if grep -q "measure: fetching http://127.0.0.1:$PORT/vcek/v1/Milan/" "$TMP/tty" && grep -q "$(printf '\r\033\\[K')" "$TMP/tty"; then
		ok "on a terminal one progress line is drawn, then erased"; else not_ok "progress line on a terminal" "$(head -c 300 "$TMP/tty" | od -c | head -5)"; fi
	run fetch --cache "$TMP/c-tty" --base-url "amd=http://127.0.0.1:$PORT" "$P/report.bin"
	if [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok "... and nothing on a stderr that is not a terminal"; else not_ok "... no progress into a pipe" "$(head -c 200 "$TMP/err")"; fi
	stop_server
else
	skip "script(1) absent: the progress line is not tested"
fi

# --- HTTPS with a test CA ---------------------------------------------------------------------------
start_server "$R" --tls "$P/tls.pem" "$P/tls.key"
rm -rf "$TMP/ct"
expect_rc 0 "HTTPS to a server whose CA is given with --ca-file" \
	fetch --cache "$TMP/ct" --ca-file "$P/tls-ca.pem" --base-url "amd=https://127.0.0.1:$PORT" "$P/report.bin"
if cached "$VKEY" "$P/vcek.der" "$TMP/ct"; then ok "... stored"; else not_ok "... stored"; fi
rm -rf "$TMP/ct2"
expect_failure 4 "... and refused without it (certificates are verified)" "certificate" \
	fetch --cache "$TMP/ct2" --base-url "amd=https://127.0.0.1:$PORT" "$P/report.bin"
stop_server

# --- a real Milan report (dstack, real/README.md): the VCEK URL from its bytes, read here with python -------
REAL=$VECTORS/real/snp/dstack-0.6.0a2-snp-report.bin
if [ -f "$REAL" ]; then
	want_url=$(python3 - "$REAL" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
tcb = b[0x180:0x188]  # bootloader, tee, reserved x4, snp, microcode (before Turin)
print('/vcek/v1/Milan/%s?blSPL=%d&teeSPL=%d&snpSPL=%d&ucodeSPL=%d' % (b[0x1a0:0x1e0].hex(), tcb[0], tcb[1], tcb[6], tcb[7]))
PY
)
	start_server "$R"
	expect_failure 4 "a real Milan report: KDS (here) does not know it, exit 4" "not found (HTTP 404)" \
		fetch --cache "$TMP/c-real" --base-url "amd=http://127.0.0.1:$PORT" "$REAL"
	if [ "$(head -1 "$LOG")" = "plain $want_url" ]; then ok "... it asked for the VCEK at the URL its CHIP_ID and TCB give"; else
		not_ok "... the VCEK URL of a real report" "asked: $(head -1 "$LOG")" "want: plain $want_url"; fi
	stop_server
else
	skip "real SNP report: $REAL absent"
fi

# --- Intel PCS: TDX collateral ------------------------------------------------------------------
T=$VECTORS/tdx
if [ -f "$T/tdx_prod_quote_SPR_E4.dat" ] && [ -f "$T/sample_tcbInfo_response" ]; then
	Q=$T/tdx_prod_quote_SPR_E4.dat
	# the FMSPC and the PCK's CA, read independently: openssl asn1parse of the PCK certificate in the quote
	python3 - "$Q" "$TMP/pck.pem" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
s = b.index(b'-----BEGIN CERTIFICATE-----')
e = b.index(b'-----END CERTIFICATE-----', s) + 25
open(sys.argv[2], 'wb').write(b[s:e] + b'\n')
PY
	FMSPC=$(python3 - "$TMP/pck.pem" <<'PY'
import subprocess, sys
der = subprocess.run(['openssl', 'x509', '-in', sys.argv[1], '-outform', 'DER'], capture_output=True, check=True).stdout
out = subprocess.run(['openssl', 'asn1parse', '-inform', 'DER', '-i'], input=der, capture_output=True, check=True).stdout.decode()
# the SGX extension's value is an OCTET STRING holding a SEQUENCE: parse that too, then find the FMSPC OID's sibling
lines = out.splitlines()
for i, l in enumerate(lines):
    if '1.2.840.113741.1.13.1' in l and 'OBJECT' in l and l.rstrip().endswith(':1.2.840.113741.1.13.1'):
        off = int(lines[i + 1].split(':')[0])
        inner = subprocess.run(['openssl', 'asn1parse', '-inform', 'DER', '-strparse', str(off)], input=der,
                               capture_output=True, check=True).stdout.decode().splitlines()
        for j, m in enumerate(inner):
            if m.rstrip().endswith(':1.2.840.113741.1.13.1.4'):
                print(inner[j + 1].split('[HEX DUMP]:')[1].strip().lower())
PY
)
	CA=$(openssl x509 -in "$TMP/pck.pem" -noout -issuer | sed -n 's/.*Intel SGX PCK \(Platform\|Processor\) CA.*/\1/p' | tr A-Z a-z)
	if [ "$FMSPC" = 50806f000000 ] && [ -n "$CA" ]; then ok "openssl reads FMSPC $FMSPC and the $CA CA from the PCK"; else
		not_ok "openssl reads the FMSPC and the CA" "fmspc '$FMSPC' ca '$CA'"; fi
	# issuer chains: a test certificate, URL-encoded in the header as PCS does
	enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$P/cert_chain.pem")
	cp "$T/sample_tcbInfo_response" "$R/$(route "/tdx/certification/v4/tcb?fmspc=$FMSPC")"
	echo "TCB-Info-Issuer-Chain: $enc" >"$R/$(route "/tdx/certification/v4/tcb?fmspc=$FMSPC").headers"
	cp "$T/sample_qeIdentity_response" "$R/$(route /tdx/certification/v4/qe/identity)"
	echo "SGX-Enclave-Identity-Issuer-Chain: $enc" >"$R/$(route /tdx/certification/v4/qe/identity).headers"
	cp "$T/pckcrl" "$R/$(route "/sgx/certification/v4/pckcrl?ca=$CA&encoding=der")"
	echo "SGX-PCK-CRL-Issuer-Chain: $enc" >"$R/$(route "/sgx/certification/v4/pckcrl?ca=$CA&encoding=der").headers"
	cp "$T/rootcrl.der" "$R/$(route /IntelSGXRootCA.der)"
	start_server "$R"
	BASE=http://127.0.0.1:$PORT
	expect_rc 0 "fetch a TDX quote's TCB info, QE identity, PCK CRL and root CRL" fetch --cache "$TMP/ci" --base-url "intel=$BASE" "$Q"
	if cached "intel/tdx/tcbinfo/$FMSPC" "$T/sample_tcbInfo_response" "$TMP/ci" &&
		cached intel/tdx/qe-identity "$T/sample_qeIdentity_response" "$TMP/ci" &&
		cached "intel/pckcrl/$CA" "$T/pckcrl" "$TMP/ci" && cached intel/rootcrl "$T/rootcrl.der" "$TMP/ci"; then
		ok "... the four bodies are cached by their sha256"; else not_ok "... the four bodies are cached" "$(cat "$TMP/out")"; fi
	if cached "intel/tdx/tcbinfo/$FMSPC.issuer-chain" "$P/cert_chain.pem" "$TMP/ci" &&
		cached intel/tdx/qe-identity.issuer-chain "$P/cert_chain.pem" "$TMP/ci" &&
		cached "intel/pckcrl/$CA.issuer-chain" "$P/cert_chain.pem" "$TMP/ci"; then
		ok "... with the issuer chains, URL-decoded to the PEM sent"; else not_ok "... the issuer chains"; fi
	# compare --fetch fills the cache for a TDX quote too (the TCB evaluation reads it from there); with this
	# test's issuer chain, which is not Intel's, that evaluation (where built in) refuses the collateral: exit 3
	printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%s"}}\n' \
		6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb >"$TMP/t4.json"
	run compare --fetch --cache "$TMP/ci3" --base-url "intel=$BASE" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$Q"
	if { [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && cached "intel/tdx/tcbinfo/$FMSPC" "$T/sample_tcbInfo_response" "$TMP/ci3" &&
		cached intel/rootcrl "$T/rootcrl.der" "$TMP/ci3"; then ok "compare --fetch on a TDX quote fills the cache with Intel's collateral"; else
		not_ok "compare --fetch on a TDX quote fills the cache" "exit $rc" "$(head -c 300 "$TMP/err")"; fi
	rm "$R/$(route /tdx/certification/v4/qe/identity).headers"
	expect_failure 2 "a QE identity without its issuer chain header: exit 2" "no SGX-Enclave-Identity-Issuer-Chain header" \
		fetch --cache "$TMP/ci2" --base-url "intel=$BASE" "$Q"
	if empty "$TMP/ci2"; then ok "... and nothing is stored"; else not_ok "... and nothing is stored"; fi
	stop_server
	# compare --cache on a TDX quote, offline: Intel's signing chain, the sample collateral, and the PCK CA's and
	# root's CRLs, which are required beside the TCB info as the ARK's CRL is for SNP
	D=$TMP/ctdx
	put() { h=$(sha "$2"); mkdir -p "$D/blobs/sha256" "$D/refs/$(dirname "$1")"; cp "$2" "$D/blobs/sha256/$h"; echo "$h" >"$D/refs/$1"; }
	python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(open(sys.argv[1]).read().strip()), end="")' \
		fixtures/compare/intel_tcb_signing_chain.urlenc >"$TMP/intel-chain.pem"
	put "intel/tdx/tcbinfo/$FMSPC" "$T/sample_tcbInfo_response"
	put "intel/tdx/tcbinfo/$FMSPC.issuer-chain" "$TMP/intel-chain.pem"
	put intel/tdx/qe-identity "$T/sample_qeIdentity_response"
	put intel/tdx/qe-identity.issuer-chain "$TMP/intel-chain.pem"
	expect_err 4 "compare --cache on a TDX quote without the PCK CRL in the cache: exit 4 naming it" "intel/pckcrl/$CA" \
		compare --cache "$D" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$Q"
	put "intel/pckcrl/$CA" "$T/pckcrl"
	put intel/rootcrl "$T/rootcrl.der"
	run compare --cache "$D" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$Q"
	if [ "$rc" = 1 ] && grep -q "TCB not supported" "$TMP/out" && grep -q "2 CRLs on the path, nothing revoked" "$TMP/out"; then
		ok "with both CRLs: verified, revocation checked, and the sample TCB info covers no level of this PCK (exit 1)"
	else not_ok "compare --cache on a TDX quote with its CRLs" "exit $rc" "$(head -c 300 "$TMP/err")"; fi
	put intel/rootcrl "$P/crl-other.der"
	expect_err 4 "a cached root CRL another CA issued: the PCK CA's revocation is unchecked, exit 4" "no CRL was given for Intel SGX PCK" \
		compare --cache "$D" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$Q"
	# with --fetch that foreign CRL counts as missing: the root's CRL (issuer in the quote's chain) replaces it;
	# the PCK CA's CRL, issued by the CA in the quote's chain, is kept (given the issuer chain --fetch keeps with it)
	put "intel/pckcrl/$CA.issuer-chain" "$TMP/intel-chain.pem"
	start_server "$R"
	BASE=http://127.0.0.1:$PORT
	run compare --fetch --cache "$D" --base-url "intel=$BASE" --at 2023-07-01T00:00:00Z "$TMP/t4.json" "$Q"
	if [ "$rc" = 1 ] && grep -q "TCB not supported" "$TMP/out" && cached intel/rootcrl "$T/rootcrl.der" "$D" &&
		[ "$(grep -c . "$LOG")" -eq 1 ] && grep -q "/IntelSGXRootCA.der" "$LOG"; then
		ok "a cached root CRL another CA issued: compare --fetch replaces it alone, then verifies (exit 1 as above)"
	else not_ok "compare --fetch replaces a foreign root CRL" "exit $rc" "$(head -c 300 "$TMP/err")" "$(cat "$LOG")"; fi
	stop_server
else
	skip "Intel PCS: $T absent"
fi
echo "1..$n"
