#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes fixtures/pin/snp-*: synthetic SEV-SNP evidence for the pin tests (tests/cli/test_pin_snp.sh).

A test ARK and ASK (ECDSA P-384, given to measure as --root, AMD's cert_chain order: ASK then ARK)
and a VCEK with AMD's extensions (product Milan-B0, TCB bl 3 / tee 0 / snp 8 / ucode 0x73, hwID 64 x
0x5a), valid 2020-2045. Version 2 reports (1184 bytes, AMD SEV-SNP ABI table 22) signed by the VCEK
(ECDSA P-384 / SHA-384 over bytes 0..0x29f, r and s little-endian at 0x2a0 and 0x2e8), whose
MEASUREMENT is the launch digest virtee/sev-snp-measure 0.0.13 gives for the synthetic firmware in
fixtures/snp (shared vectors snp/synthetic/cases.json, copied here as facts):

  snp-a.bin  case 3: --mode=snp --vcpus=2 --vcpu-type=EPYC-Milan --ovmf=synth-amdsev.bin --kernel=synth-kernel.bin
  snp-b.bin  case 4: --mode=snp --vcpus=4 --vcpu-type=EPYC-Genoa --ovmf=synth-amdsev.bin --kernel=synth-kernel.bin
                     --initrd=synth-initrd.bin --append='console=ttyS0 root=/dev/vda'
  snp-debug.bin  case 3 with the DEBUG policy bit (19) set

Run from the repository root: python3 tests/make_snp_pin_fixtures.py
"""
import datetime
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

OUT = "fixtures/pin/"
CASE3 = "b1af66a4b390d80eff200a56c6a2cff5e29a2ec0c0722b1891c9524e300dcd24e240c9f7b5b4b6f19a6a8a9e00524fff"
CASE4 = "130e719e0af093476ed2096c291172cf87a3875f06931906d76186f9de0476c48f8f46a73b396428a4a8c8f61902a885"
TCB = 0x7308000000000003  # bl 3, tee 0, snp 8, ucode 0x73
FROM = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
TO = datetime.datetime(2045, 1, 1, tzinfo=datetime.timezone.utc)


def cert(cn, key, issuer_cert, issuer_key, ca, extra=()):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(name)
         .issuer_name(issuer_cert.subject if issuer_cert else name)
         .public_key(key.public_key()).serial_number(1).not_valid_before(FROM).not_valid_after(TO)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                      encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             (issuer_key or key).public_key()), critical=False))
    for oid, value in extra:
        b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value), critical=False)
    return b.sign(issuer_key or key, hashes.SHA384())


def report(key, measurement_hex, policy=0x30000):
    r = bytearray(1184)
    struct.pack_into("<I", r, 0, 2)                 # VERSION
    struct.pack_into("<Q", r, 8, policy)            # POLICY
    struct.pack_into("<I", r, 0x34, 1)              # SIGNATURE_ALGO: ECDSA P-384 with SHA-384
    struct.pack_into("<Q", r, 0x38, TCB)            # CURRENT_TCB
    r[0x90:0xc0] = bytes.fromhex(measurement_hex)   # MEASUREMENT
    r[0xe0:0x110] = b"\x1d" * 48                    # ID_KEY_DIGEST
    r[0x110:0x140] = b"\xa7" * 48                   # AUTHOR_KEY_DIGEST
    r[0x160:0x180] = b"\xff" * 32                   # REPORT_ID_MA
    struct.pack_into("<Q", r, 0x180, TCB)           # REPORTED_TCB
    r[0x1a0:0x1e0] = b"\x5a" * 64                   # CHIP_ID
    struct.pack_into("<Q", r, 0x1e0, TCB)           # COMMITTED_TCB
    r[0x1e8:0x1eb] = bytes([4, 52, 1])              # CURRENT_BUILD, _MINOR, _MAJOR
    r[0x1ec:0x1ef] = bytes([4, 52, 1])              # COMMITTED_BUILD, _MINOR, _MAJOR
    struct.pack_into("<Q", r, 0x1f0, TCB)           # LAUNCH_TCB
    rr, ss = decode_dss_signature(key.sign(bytes(r[:0x2a0]), ec.ECDSA(hashes.SHA384())))
    r[0x2a0:0x2e8] = rr.to_bytes(72, "little")
    r[0x2e8:0x330] = ss.to_bytes(72, "little")
    return bytes(r)


def main():
    ark_key, ask_key, vcek_key = (ec.generate_private_key(ec.SECP384R1()) for _ in range(3))
    ark = cert("ARK-Milan", ark_key, None, None, True)
    ask = cert("SEV-Milan", ask_key, ark, ark_key, True)
    spl = lambda v: bytes([0x02, 0x01, v])  # noqa: E731 (a DER INTEGER of one byte)
    vcek = cert("SEV-VCEK", vcek_key, ask, ask_key, False, [
        ("1.3.6.1.4.1.3704.1.2", bytes([0x16, 8]) + b"Milan-B0"),
        ("1.3.6.1.4.1.3704.1.3.1", spl(3)), ("1.3.6.1.4.1.3704.1.3.2", spl(0)),
        ("1.3.6.1.4.1.3704.1.3.3", spl(8)), ("1.3.6.1.4.1.3704.1.3.8", spl(0x73)),
        ("1.3.6.1.4.1.3704.1.4", b"\x5a" * 64)])
    with open(OUT + "snp-chain.pem", "wb") as f:
        f.write(ask.public_bytes(serialization.Encoding.PEM) + ark.public_bytes(serialization.Encoding.PEM))
    with open(OUT + "snp-vcek.der", "wb") as f:
        f.write(vcek.public_bytes(serialization.Encoding.DER))
    for name, meas, policy in (("snp-a.bin", CASE3, 0x30000), ("snp-b.bin", CASE4, 0x30000),
                               ("snp-debug.bin", CASE3, 0x30000 | 1 << 19)):
        with open(OUT + name, "wb") as f:
            f.write(report(vcek_key, meas, policy))


if __name__ == "__main__":
    main()
