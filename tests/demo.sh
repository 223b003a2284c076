#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: the main job on the bundled fixtures, then verification on the vectors (or a synthetic document).
set -e
M=${1:-build/measure}
F=fixtures/eif
step() { printf '\n$ %s\n' "$*"; "$@"; }

echo "measure $($M --version | cut -d' ' -f2): expected launch measurements from build artifacts"
step "$M" eif "$F/tiny-signed.eif"
step "$M" eif --json "$F/tiny.eif"
step "$M" eif --format nitro-cli "$F/one-ramdisk.eif"
step "$M" snp --vcpus=4 --vcpu-type=EPYC-Milan --ovmf=fixtures/firmware/OVMF_CODE.fd
step "$M" snp --explain --vcpus=2 --vmm-type=ec2 --ovmf=fixtures/snp/synth-amdsev.bin --kernel=fixtures/snp/synth-kernel.bin --append=quiet
step "$M" tdx --firmware fixtures/firmware/OVMF.fd --memory 2G --kernel fixtures/kernel/vmlinuz-6.1.0-56-amd64 --cmdline "console=ttyS0" --qemu-version 9.2

# the verification half: inspect and compare, on the real vectors when present
V=${MEASURE_VECTORS:-../shared/vectors}
if [ -d "$V/tdx" ] && [ -d "$V/snp/virtee-sev" ]; then
	T=$(mktemp -d)
	trap 'rm -rf "$T"' EXIT
	printf '{"schema":"measure/v1","platform":"tdx","measurements":{"mrtd":"%s"}}\n' \
		6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb >"$T/expected.json"
	# the MEASUREMENT of virtee's Milan report (vectors/snp/README.md) with its last byte changed
	printf '{"schema":"measure/v1","platform":"sev-snp","measurements":{"measurement":"%s"}}\n' \
		7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841e >"$T/snp.json"
	step "$M" inspect "$V/snp/virtee-sev/report_milan.hex"
	step "$M" compare --at 2023-07-01T00:00:00Z "$T/expected.json" "$V/tdx/tdx_prod_quote_SPR_E4.dat"
	step "$M" compare --vcek "$V/snp/virtee-sev/vcek_milan.der" "$T/snp.json" "$V/snp/virtee-sev/report_milan.hex" || true
else
	C=fixtures/compare
	echo
	echo "($V not found: a synthetic Nitro document signed by a test root instead)"
	step "$M" inspect "$C/synthetic-nitro.doc"
	step "$M" compare --root "$C/synthetic-nitro-root.pem" --at evidence "$C/synthetic-nitro.json" "$C/synthetic-nitro.doc"
	step "$M" compare --root "$C/synthetic-nitro-root.pem" --at evidence "$C/synthetic-nitro-differ.json" "$C/synthetic-nitro.doc" || true
fi
