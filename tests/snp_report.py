#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A synthetic SEV-SNP attestation report signed with the openssl CLI, for the CLI tests.

  snp_report.py KEYDIR HWID TCB MEASUREMENT OUT [VERSION [CPUID [SIGNER_INFO]]]

KEYDIR/vcek.key (P-384) signs bytes 0..0x2a0 with ECDSA-SHA384; r and s go in little-endian,
72 bytes each (AMD SEV-SNP ABI, ATTESTATION_REPORT and SIGNATURE). HWID: 64 bytes of hex; TCB:
the 8-byte TCB_VERSION as a hex number, used as current, reported, committed and launch TCB;
MEASUREMENT: 48 bytes of hex. VERSION defaults to 3; CPUID 1 (the default) writes the Milan
family/model/stepping, 0 leaves them zero, six hex digits write those three bytes; SIGNER_INFO defaults to 0 (a VCEK signed it).
"""
import struct
import subprocess
import sys


def integer(b, at):
    """One INTEGER of an ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }: its value and the next offset."""
    assert b[at] == 2
    n = b[at + 1]
    return int.from_bytes(b[at + 2:at + 2 + n], 'big'), at + 2 + n


def report(keydir, hwid, tcb, meas, version=3, cpuid=True, signer_info=0):
    r = bytearray(1184)
    struct.pack_into('<IIQ', r, 0, version, 0, 0x30000)
    struct.pack_into('<I', r, 0x34, 1)
    struct.pack_into('<Q', r, 0x38, tcb)
    struct.pack_into('<I', r, 0x48, signer_info)
    r[0x90:0xc0] = meas
    struct.pack_into('<Q', r, 0x180, tcb)
    if isinstance(cpuid, bytes):
        r[0x188:0x18b] = cpuid
    elif cpuid:
        r[0x188:0x18b] = bytes([0x19, 0x01, 0x01])
    r[0x1a0:0x1e0] = hwid
    struct.pack_into('<Q', r, 0x1e0, tcb)
    struct.pack_into('<Q', r, 0x1f0, tcb)
    der = subprocess.run(['openssl', 'dgst', '-sha384', '-sign', keydir + '/vcek.key'], input=bytes(r[:0x2a0]),
                         capture_output=True, check=True).stdout
    at = 2 if der[1] < 0x80 else 3
    rr, at = integer(der, at)
    ss, at = integer(der, at)
    r[0x2a0:0x2e8] = rr.to_bytes(72, 'little')
    r[0x2e8:0x330] = ss.to_bytes(72, 'little')
    return bytes(r)


def main():
    a = sys.argv[1:]
    if not 5 <= len(a) <= 8:
        print(__doc__, file=sys.stderr)
        return 2
    cpuid = True if len(a) <= 6 else bytes.fromhex(a[6]) if len(a[6]) == 6 else a[6] != '0'
    extra = [int(a[5]) if len(a) > 5 else 3, cpuid, int(a[7], 0) if len(a) > 7 else 0]
    with open(a[4], 'wb') as f:
        f.write(report(a[0], bytes.fromhex(a[1]), int(a[2], 16), bytes.fromhex(a[3]), *extra))
    return 0


if __name__ == '__main__':
    sys.exit(main())
