#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent reading of an EIF's signature section for the tests: a small CBOR
decoder of its own, no code shared with measure.

  eif_sig_check.py EIF OUTDIR
writes OUTDIR/cert.pem, OUTDIR/tbs.bin (the COSE Sig_structure), OUTDIR/sig.der
(r||s as an ASN.1 ECDSA-Sig-Value) and prints: alg register_index register_value_hex
"""
import os
import struct
import sys


def decode(b, i=0):
    ib = b[i]
    major, info = ib >> 5, ib & 31
    i += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        n = 1 << (info - 24)
        arg = int.from_bytes(b[i:i + n], "big")
        i += n
    else:
        raise ValueError("indefinite or reserved CBOR")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        data = b[i:i + arg]
        return (data if major == 2 else data.decode()), i + arg
    if major == 4:
        out = []
        for _ in range(arg):
            v, i = decode(b, i)
            out.append(v)
        return out, i
    if major == 5:
        out = {}
        for _ in range(arg):
            k, i = decode(b, i)
            v, i = decode(b, i)
            out[k] = v
        return out, i
    raise ValueError("unexpected major type %d" % major)


def enc_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    return bytes([major << 5 | 25]) + n.to_bytes(2, "big")


def der_int(x):
    b = x.to_bytes((x.bit_length() + 8) // 8 or 1, "big")
    return b"\x02" + der_len(len(b)) + b


def der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])


d = open(sys.argv[1], "rb").read()
out = sys.argv[2]
off, section = 548, None
while off + 12 <= len(d):
    t, _, size = struct.unpack(">HHQ", d[off:off + 12])
    if t == 4:
        section = d[off + 12:off + 12 + size]
    off += 12 + size
entries, end = decode(section)
assert end == len(section) and len(entries) == 1
entry = entries[0]
cert = bytes(entry["signing_certificate"])
cose, end = decode(bytes(entry["signature"]))
assert len(cose) == 4 and cose[1] == {}
protected, payload, sig = cose[0], cose[2], cose[3]
alg = decode(protected)[0][1]
info = decode(payload)[0]
tbs = enc_head(4, 4) + enc_head(3, 10) + b"Signature1" + enc_head(2, len(protected)) + protected + \
    enc_head(2, 0) + enc_head(2, len(payload)) + payload
half = len(sig) // 2
body = der_int(int.from_bytes(sig[:half], "big")) + der_int(int.from_bytes(sig[half:], "big"))
open(os.path.join(out, "cert.pem"), "wb").write(cert)
open(os.path.join(out, "tbs.bin"), "wb").write(tbs)
open(os.path.join(out, "sig.der"), "wb").write(b"\x30" + der_len(len(body)) + body)
print(alg, info["register_index"], bytes(info["register_value"]).hex())
