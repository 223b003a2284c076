#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates fixtures/compare/synthetic-pck-*.der: PCK-like certificates whose SGX extension
# (1.2.840.113741.1.13.1) is complete (PPID, TCB, PCE-ID, FMSPC, SGX Type) but for the one defect
# each names. openssl req -x509 with a throwaway P-256 key, valid one day: only the extension is read.
# Usage: sh tests/make_pck_fixtures.sh [OUTDIR]   (default fixtures/compare)
set -eu
out=${1:-fixtures/compare}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
X=1.2.840.113741.1.13.1

tcb() { # the TCB SEQUENCE: component SVNs 1..16, PCESVN, CPUSVN
	echo "[tcb]"
	for i in $(seq 1 16); do echo "c$i = SEQUENCE:tcb$i"; done
	echo "c17 = SEQUENCE:tcb17"
	echo "c18 = SEQUENCE:tcb18"
	for i in $(seq 1 16); do printf '[tcb%d]\noid = OID:%s.2.%d\nv = INTEGER:%d\n' "$i" "$X" "$i" "$i"; done
	printf '[tcb17]\noid = OID:%s.2.17\nv = INTEGER:13\n' "$X"
	printf '[tcb18]\noid = OID:%s.2.18\nv = FORMAT:HEX,OCTETSTRING:0102030405060708090a0b0c0d0e0f10\n' "$X"
}

# make NAME FMSPC-LINES: FMSPC-LINES are the extension's entries after the PCE-ID
make() {
	name=$1
	shift
	{
		printf '[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = ext\n[dn]\nCN = synthetic PCK\n'
		printf '[ext]\n%s = ASN1:SEQUENCE:sgx\n' "$X"
		printf '[sgx]\nppid = SEQUENCE:ppid\ntcb = SEQUENCE:tcbpair\npceid = SEQUENCE:pceid\n'
		for l in "$@"; do echo "$l"; done
		printf 'type = SEQUENCE:sgxtype\n'
		printf '[ppid]\noid = OID:%s.1\nv = FORMAT:HEX,OCTETSTRING:00112233445566778899aabbccddeeff\n' "$X"
		printf '[tcbpair]\noid = OID:%s.2\nv = SEQUENCE:tcb\n' "$X"
		printf '[pceid]\noid = OID:%s.3\nv = FORMAT:HEX,OCTETSTRING:0000\n' "$X"
		printf '[fmspc]\noid = OID:%s.4\nv = FORMAT:HEX,OCTETSTRING:00906ed50000\n' "$X"
		printf '[fmspc7]\noid = OID:%s.4\nv = FORMAT:HEX,OCTETSTRING:00906ed5000000\n' "$X"
		printf '[sgxtype]\noid = OID:%s.5\nv = ENUMERATED:0\n' "$X"
		tcb
	} >"$tmp/$name.cnf"
	openssl req -x509 -new -key "$tmp/key.pem" -config "$tmp/$name.cnf" -days 1 -outform DER -out "$out/$name.der"
}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/key.pem" 2>/dev/null
make synthetic-pck-fmspc "fmspc = SEQUENCE:fmspc"
make synthetic-pck-fmspc-7bytes "fmspc = SEQUENCE:fmspc7"
make synthetic-pck-fmspc-twice "fmspc = SEQUENCE:fmspc" "fmspc2 = SEQUENCE:fmspc"
make synthetic-pck-no-fmspc
