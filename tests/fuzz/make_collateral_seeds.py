#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Seeds for fuzz_collateral, made here: a TDX TCB info and a TD_QE identity in PCS layout
(signatures are random: the parsers do not check them), an SGX extension DER written
by hand, and an issuer chain (a fresh self-signed P-256 certificate) URL-encoded."""
import datetime
import os
import sys
import urllib.parse

out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/seeds/fuzz_collateral"
comps = lambda v: ",".join('{"svn":%d}' % x for x in v)
sig = os.urandom(64).hex()
tcb = ('{"tcbInfo":{"id":"TDX","version":3,"issueDate":"2024-01-01T00:00:00Z","nextUpdate":"2024-02-01T00:00:00Z",'
       '"fmspc":"00606a000000","pceId":"0000","tcbType":0,"tcbEvaluationDataNumber":16,'
       '"tdxModule":{"mrsigner":"%s","attributes":"0000000000000000","attributesMask":"FFFFFFFFFFFFFFFF"},'
       '"tdxModuleIdentities":[{"id":"TDX_01","mrsigner":"%s","attributes":"0000000000000000",'
       '"attributesMask":"FFFFFFFFFFFFFFFF","tcbLevels":[{"tcb":{"isvsvn":2},"tcbDate":"2024-01-01T00:00:00Z",'
       '"tcbStatus":"UpToDate"}]}],"tcbLevels":[{"tcb":{"sgxtcbcomponents":[%s],"pcesvn":13,"tdxtcbcomponents":[%s]},'
       '"tcbDate":"2024-01-01T00:00:00Z","tcbStatus":"SWHardeningNeeded","advisoryIDs":["INTEL-SA-00001"]}]},'
       '"signature":"%s"}') % ("0" * 96, "0" * 96, comps([7, 7, 2, 2, 3, 1, 0, 3] + [0] * 8),
                              comps([4, 1, 2] + [0] * 13), sig)
qe = ('{"enclaveIdentity":{"id":"TD_QE","version":2,"issueDate":"2024-01-01T00:00:00Z",'
      '"nextUpdate":"2024-02-01T00:00:00Z","tcbEvaluationDataNumber":16,"miscselect":"00000000",'
      '"miscselectMask":"FFFFFFFF","attributes":"11000000000000000000000000000000",'
      '"attributesMask":"FBFFFFFFFFFFFFFF0000000000000000","mrsigner":"%s","isvprodid":2,'
      '"tcbLevels":[{"tcb":{"isvsvn":4},"tcbDate":"2024-01-01T00:00:00Z","tcbStatus":"UpToDate"}]},'
      '"signature":"%s"}') % ("AB" * 32, sig)


def tlv(tag, body):
    n = len(body)
    head = bytes([tag, n]) if n < 128 else bytes([tag, 0x82, n >> 8, n & 0xFF])
    return head + body


def pair(arcs, tag, value):
    oid = bytes([0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01] + arcs)
    return tlv(0x30, tlv(0x06, oid) + (tlv(tag, value) if tag else value))


tcbseq = b"".join(pair([2, i + 1], 0x02, bytes([3])) for i in range(16))
tcbseq += pair([2, 17], 0x02, bytes([13])) + pair([2, 18], 0x04, bytes(16))
ext = tlv(0x30, pair([1], 0x04, os.urandom(16)) + pair([2], 0, tlv(0x30, tcbseq)) + pair([3], 0x04, bytes(2)) +
          pair([4], 0x04, bytes.fromhex("00606a000000")) + pair([5], 0x0A, bytes([1])))

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz seed TCB Signing")])
now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256()))
pem = cert.public_bytes(serialization.Encoding.PEM).decode()

os.makedirs(out, exist_ok=True)
seeds = {"tcbinfo": b"\x00" + tcb.encode(), "qeidentity": b"\x01" + qe.encode(), "sgx-ext": b"\x02" + ext,
         "chain-urlencoded": b"\x03" + urllib.parse.quote(pem, safe="").encode(), "chain-pem": b"\x03" + pem.encode()}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
