#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make bench: wall times of measure against the plain hashing floor.
set -eu
MEASURE=${1:-build/measure}
DIR=${BENCH_DIR:-build-bench}
RUNS=${BENCH_RUNS:-5}
mkdir -p "$DIR"

# Deterministic pseudo-random bytes: AES-128-CTR keystream under a fixed key.
stream() { # size-in-MiB seed-byte file
	[ -f "$3" ] && [ "$(stat -c %s "$3")" -eq $(($1 << 20)) ] && return
	openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$2")" -iv 0 </dev/zero 2>/dev/null |
		head -c $(($1 << 20)) >"$3"
}

# best_of CMD...: the fastest of $RUNS wall times, in seconds.
best_of() {
	best=
	for _ in $(seq "$RUNS"); do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		t=$(((e - s) / 1000))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}

peak_rss() { # in MiB, when GNU time is installed
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ printf "%.1f MiB", $1 / 1024 }'
	else
		echo "n/a (no /usr/bin/time)"
	fi
}

pin_bench_section() {
	echo
	echo "== measure pin: checks per second on one SQLite store (WAL, synchronous=FULL)"
	if [ -x "${PIN_BENCH:-}" ]; then
		"$PIN_BENCH" checks "$DIR/pin-bench.db" fixtures/compare/synthetic-nitro.doc fixtures/compare/synthetic-nitro-root.pem 300
		rm -f "$DIR/pin-cli.db" "$DIR/pin-cli.db-wal" "$DIR/pin-cli.db-shm"
		"$MEASURE" pin add web --store "$DIR/pin-cli.db" --expected fixtures/compare/synthetic-nitro.json \
			--evidence fixtures/compare/synthetic-nitro.doc --root fixtures/compare/synthetic-nitro-root.pem --at evidence >/dev/null
		c=$(mean_ms 100 "$MEASURE" pin check web --store "$DIR/pin-cli.db" --evidence fixtures/compare/synthetic-nitro.doc \
			--root fixtures/compare/synthetic-nitro-root.pem --at evidence)
		awk -v c="$c" 'BEGIN { printf "one measure pin check process each: %.2f ms, %.0f checks/s (the process start included)\n", c, 1000 / c }'
		"$PIN_BENCH" proofs "$DIR/pin-big.db" 1000000
		# log verify streams: its memory must not grow with the log (built once, kept)
		if [ ! -f "$DIR/pin-verify-1m.db" ] && command -v python3 >/dev/null; then
			python3 tests/bench/make_big_log.py "$DIR/pin-verify-1m.db.tmp" 1000000 >/dev/null &&
				mv "$DIR/pin-verify-1m.db.tmp" "$DIR/pin-verify-1m.db"
		fi
		if [ -f "$DIR/pin-verify-1m.db" ]; then
			/usr/bin/time -f "pin log verify of a 1,000,000-entry log: %e s, peak RSS %M KiB" \
				"$MEASURE" pin log verify --store "$DIR/pin-verify-1m.db" >/dev/null
		fi
	else
		echo "skipped: pin_bench not built"
	fi
}

# mean_ms RUNS CMD...: mean wall time of one run, in milliseconds.
mean_ms() {
	runs=$1
	shift
	s=$(date +%s%N)
	for _ in $(seq "$runs"); do "$@" >/dev/null; done
	e=$(date +%s%N)
	awk -v ns=$((e - s)) -v n="$runs" 'BEGIN { printf "%.2f", ns / n / 1e6 }'
}

# BENCH=pin: the pin figures only
if [ "${BENCH:-}" = pin ]; then
	pin_bench_section
	exit 0
fi

echo "== measure eif: 512 MiB EIF (8 MiB kernel, 4 MiB bootstrap ramdisk, 500 MiB application ramdisk)"
stream 8 1 "$DIR/kernel"
stream 4 2 "$DIR/bootstrap.cpio"
stream 500 3 "$DIR/app.cpio"
if [ ! -f "$DIR/bench.eif" ] || [ "$DIR/app.cpio" -nt "$DIR/bench.eif" ]; then
	"$MEASURE" eif build -q --kernel "$DIR/kernel" --cmdline "console=ttyS0 reboot=k" \
		--ramdisk "$DIR/bootstrap.cpio" --ramdisk "$DIR/app.cpio" -o "$DIR/bench.eif"
fi
cat "$DIR/bench.eif" >/dev/null # warm the page cache for both contenders
echo "file       $(stat -c %s "$DIR/bench.eif") bytes, sha256 $(sha256sum <"$DIR/bench.eif" | cut -c1-16)..."
m=$(best_of "$MEASURE" eif "$DIR/bench.eif")
h=$(best_of sha384sum "$DIR/bench.eif")
echo "measure eif  ${m} s   (best of $RUNS; PCR0/1/2, CRC-32 and file SHA-256)"
echo "sha384sum    ${h} s   (best of $RUNS; one SHA-384 over the file)"
awk -v m="$m" -v h="$h" 'BEGIN { printf "ratio        %.2fx sha384sum (target: at most 1.20x)\n", m / h }'
echo "peak RSS     $(peak_rss "$MEASURE" eif "$DIR/bench.eif")"


echo
echo "== measure snp (mean of 50 runs; the process start is included)"
FW=fixtures/firmware/OVMF_CODE.fd
cat "$FW" "$DIR/kernel" "$DIR/bootstrap.cpio" fixtures/snp/synth-amdsev.bin >/dev/null # warm the page cache
SNP64="snp --vcpus=64 --vcpu-type=EPYC-v4 --ovmf=$FW"
SNPK="snp --vcpus=4 --vcpu-type=EPYC-Milan --ovmf=fixtures/snp/synth-amdsev.bin --kernel=$DIR/kernel --initrd=$DIR/bootstrap.cpio --append=console=ttyS0"
# shellcheck disable=SC2086
a=$(mean_ms 50 "$MEASURE" $SNP64)
# shellcheck disable=SC2086
b=$(mean_ms 50 "$MEASURE" $SNPK)
echo "OVMF_CODE.fd, 64 vCPUs                      ${a} ms"
echo "8 MiB kernel + 4 MiB initrd + cmdline       ${b} ms   (target: under 10 ms each)"
# sev-snp-measure, when installed (or SEV_SNP_MEASURE=/path/to/sev-snp-measure.py)
ref=${SEV_SNP_MEASURE:-$(command -v sev-snp-measure || true)}
if [ -n "$ref" ]; then
	case $ref in *.py) refcmd="python3 $ref" ;; *) refcmd=$ref ;; esac
	# shellcheck disable=SC2086
	ra=$(mean_ms 5 $refcmd --mode=snp $(echo "$SNP64" | cut -d' ' -f2-))
	# shellcheck disable=SC2086
	rb=$(mean_ms 5 $refcmd --mode=snp $(echo "$SNPK" | cut -d' ' -f2-))
	awk -v a="$a" -v b="$b" -v ra="$ra" -v rb="$rb" 'BEGIN {
		printf "sev-snp-measure: %.1f ms and %.1f ms: measure is %.0fx and %.0fx faster (target: 20x)\n", ra, rb, ra / a, rb / b }'
else
	echo "sev-snp-measure: not installed (set SEV_SNP_MEASURE=/path/to/sev-snp-measure.py to compare)"
fi

echo
echo "== measure tdx (mean of 50 runs; the process start is included)"
OVMF=fixtures/firmware/OVMF.fd
KERNEL=fixtures/kernel/vmlinuz-6.1.0-56-amd64
cat "$OVMF" "$KERNEL" >/dev/null
a=$(mean_ms 50 "$MEASURE" tdx --firmware "$OVMF")
b=$(mean_ms 50 "$MEASURE" tdx --firmware "$OVMF" --memory 2G --kernel "$KERNEL" --initrd "$DIR/bootstrap.cpio" \
	--cmdline console=ttyS0 --qemu-version 9)
echo "MRTD of OVMF.fd                             ${a} ms"
echo "MRTD + RTMR1/2 with the 8 MiB Debian kernel ${b} ms   (target: under 20 ms each)"

echo
echo "== measure compare: verifications per second in one process (signature, chain, validity)"
VECTORS=${VECTORS:-../shared/vectors}
if [ -d "$VECTORS" ] && [ -x "${VERIFY_BENCH:-}" ]; then
	"$VERIFY_BENCH" "$VECTORS"
else
	echo "skipped: ${VECTORS} not found (the real evidence lives there)"
fi

echo
echo "== transparency log: a 1,000,000-entry tree in memory (pin/tlog.c; the store adds its own reads)"
if [ -x "${TLOG_BENCH:-}" ]; then
	"$TLOG_BENCH"
else
	echo "skipped: build/tests/bench/tlog_bench not built (make bench builds it)"
fi

pin_bench_section
