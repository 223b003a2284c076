# SPDX-License-Identifier: Apache-2.0
# Helpers for the CLI tests: each check prints one TAP line.
set -u
MEASURE=${MEASURE:-build/measure}
FIXTURES=${MEASURE_FIXTURES:-fixtures}
VECTORS=${MEASURE_VECTORS:-../shared/vectors}
TMP=$(mktemp -d)
trap 'stop_server; stop_swtpm; rm -rf "$TMP"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "not ok $n # SKIP $1"; }

# run ARGS...: runs measure, leaving $TMP/out, $TMP/err and $rc.
run() {
	"$MEASURE" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# expect_rc WANT DESC ARGS...
expect_rc() {
	want=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc" "exit $rc, want $want" "stderr: $(head -c 400 "$TMP/err")"; fi
}

# expect_bad_input WANT_RC DESC WORDS ARGS...: exit WANT_RC, one stderr line holding WORDS, empty stdout.
expect_failure() {
	want=$1 desc=$2 words=$3
	shift 3
	run "$@"
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && [ ! -s "$TMP/out" ] &&
		grep -qF -- "$words" "$TMP/err"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc (want $want), $lines stderr lines, stdout $(wc -c <"$TMP/out") bytes" \
			"stderr: $(head -c 600 "$TMP/err")" "want words: $words"
	fi
}

# expect_refused WANT_RC DESC WORDS ARGS...: exit WANT_RC and one stderr line holding WORDS (stdout may hold a report).
expect_refused() {
	want=$1 desc=$2 words=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF -- "$words" "$TMP/err"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc (want $want)" "stderr: $(head -c 600 "$TMP/err")" "want words: $words"
	fi
}

# expect_out DESC FIXED-STRING: the last run's stdout holds the string.
expect_out() {
	if grep -qF -- "$2" "$TMP/out"; then ok "$1"; else
		not_ok "$1" "stdout lacks: $2" "stdout: $(head -c 600 "$TMP/out")"; fi
}

# expect_golden DESC FILE: the last run's stdout equals FILE.
expect_golden() {
	if cmp -s "$TMP/out" "$2"; then ok "$1"; else
		not_ok "$1" "differs from $2:" "$(diff "$2" "$TMP/out" | head -20 | tr '\n' '|')"; fi
}

# unhex HEX: writes the bytes HEX spells. Octal escapes, because POSIX printf (dash's) has no \x.
unhex() {
	_bytes=
	for _b in $(echo "$1" | sed 's/../& /g'); do _bytes="$_bytes$(printf '\\%03o' "0x$_b")"; done
	printf "$_bytes"
}

# patch FILE OFFSET HEXBYTES: overwrites bytes in place.
patch() { unhex "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# be64 VALUE: 16 hex digits, big-endian.
be64() { printf '%016x' "$1"; }

# start_server ROUTES [--tls CERT KEY]: tests/fetch_server.py on 127.0.0.1 (a stand-in for AMD KDS and
# Intel PCS); sets $PORT, and $LOG, the requests it serves. stop_server stops it (also on exit).
SERVER_PID=""
start_server() {
	routes=$1
	shift
	LOG=$TMP/requests.log
	: >"$LOG"
	rm -f "$TMP/port"
	python3 tests/fetch_server.py "$routes" "$LOG" "$TMP/port" "$@" 2>"$TMP/server.err" &
	SERVER_PID=$!
	for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	PORT=$(cat "$TMP/port")
}
stop_server() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
	SERVER_PID=""
}

# start_swtpm DIR: a swtpm with its state in DIR on the Unix socket DIR/sock, which tpm2-tools reach
# through $TPM2TOOLS_TCTI; stop_swtpm stops it (also on exit). tpm_flush frees the TPM's transient
# objects and sessions, which a swtpm holds only a few of.
SWTPM_PID=""
start_swtpm() {
	mkdir -p "$1"
	swtpm socket --tpmstate dir="$1" --tpm2 --server type=unixio,path="$1/sock" \
		--ctrl type=unixio,path="$1/sock.ctrl" --flags not-need-init,startup-clear 2>/dev/null &
	SWTPM_PID=$!
	export TPM2TOOLS_TCTI="swtpm:path=$1/sock"
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$1/sock" ] && break; sleep 0.2; done
}
stop_swtpm() {
	if [ -n "$SWTPM_PID" ]; then kill "$SWTPM_PID" 2>/dev/null; fi
	SWTPM_PID=""
}
tpm_flush() { tpm2_flushcontext -t >/dev/null 2>&1; tpm2_flushcontext -s >/dev/null 2>&1; }
