#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seeds of fuzz_jwt and fuzz_hcl, and the JWKS fuzz_jwt embeds.

fuzz_jwt: tokens signed RS256 with a key made here (its private half is not
kept; the tokens stay valid for the public half, which is printed to paste
into fuzz_jwt.c when the seeds are remade), a JWKS, base64url text.
fuzz_hcl: a synthetic HCL report (header, a zero SNP report, request data,
runtime data naming an AK) and trustee v0/v1 JSON around it.
Each seed starts with the harness's selector byte.
Run from the repository root: python3 tests/fuzz/make_azure_seeds.py
"""
import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(harness, name, selector, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes([selector]) + data)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
n = key.public_key().public_numbers().n.to_bytes(256, "big")
jwks = {"keys": [{"kty": "RSA", "kid": "k", "alg": "RS256", "use": "sig", "e": "AQAB", "n": b64u(n)}]}


def token(payload, header=None, sign=True):
    h = b64u(json.dumps(header or {"alg": "RS256", "kid": "k"}).encode())
    p = b64u(json.dumps(payload).encode())
    s = key.sign((h + "." + p).encode(), padding.PKCS1v15(), hashes.SHA256()) if sign else b""
    return (h + "." + p + "." + b64u(s)).encode()


T = {"iat": 2000000000, "nbf": 2000000000, "exp": 2000003600, "iss": "https://fuzz.example"}
tdx = dict(T, **{"x-ms-attestation-type": "tdxvm", "tdx_mrtd": "ab" * 48, "tdx_rtmr0": "00" * 48,
                 "tdx_report_data": "11" * 64, "tdx_td_attributes_debug": False, "attester_tcb_status": "UpToDate"})
snp = dict(T, **{"x-ms-attestation-type": "sevsnpvm", "x-ms-sevsnpvm-launchmeasurement": "cd" * 48,
                 "x-ms-sevsnpvm-hostdata": "00" * 32, "x-ms-sevsnpvm-reportdata": "22" * 64,
                 "x-ms-sevsnpvm-is-debuggable": False, "x-ms-sevsnpvm-vmpl": 0})
azurevm = dict(T, **{"x-ms-attestation-type": "azurevm", "x-ms-isolation-tee": {
    "x-ms-attestation-type": "sevsnpvm", "x-ms-sevsnpvm-launchmeasurement": "cd" * 48}})
for sel in (0, 2):
    write("fuzz_jwt", "tdx-%d" % sel, sel, token(tdx))
    write("fuzz_jwt", "snp-%d" % sel, sel, token(snp))
    write("fuzz_jwt", "azurevm-%d" % sel, sel, token(azurevm))
    write("fuzz_jwt", "none-%d" % sel, sel, token(tdx, {"alg": "none", "kid": "k"}, sign=False))
    write("fuzz_jwt", "hs256-%d" % sel, sel, token(tdx, {"alg": "HS256", "kid": "k"}))
write("fuzz_jwt", "jwks", 1, json.dumps(jwks).encode())
write("fuzz_jwt", "b64url", 3, b64u(bytes(range(40))).encode())

# HCL report: header, a zero SNP report, request data, runtime data
runtime = json.dumps({"keys": [{"kid": "HCLAkPub", "key_ops": ["sign"], "kty": "RSA", "e": "AQAB", "n": b64u(n)}],
                      "vm-configuration": {"secure-boot": True}, "user-data": "00" * 8}).encode()
report = bytearray(1184)
report[0x50:0x70] = hashlib.sha256(runtime).digest()
size = 0x20 + 1184 + 20 + len(runtime)
hcl = (b"HCLA" + struct.pack("<IIII", 1, size, 2, 0) + bytes(12) + bytes(report) +
       struct.pack("<IIIII", 20 + len(runtime), 1, 2, 1, len(runtime)) + runtime)
hcl += bytes(2600 - len(hcl))
write("fuzz_hcl", "hcl", 0, hcl)
quote = {"signature": "00" * 256, "message": "ff544347801800" + "00" * 60, "pcrs": ["00" * 32] * 24}
v1 = {"version": 1, "tpm_quote": quote, "hcl_report": base64.urlsafe_b64encode(hcl).decode(),
      "vcek": base64.urlsafe_b64encode(b"\x30\x00").decode()}
v0 = {"quote": {"signature": [0] * 256, "message": [0xff, 0x54, 0x43, 0x47], "pcrs": [[0] * 32] * 24},
      "report": list(hcl), "vcek": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"}
for sel in (1, 2):
    write("fuzz_hcl", "v1-%d" % sel, sel, json.dumps(v1).encode())
    write("fuzz_hcl", "v0-%d" % sel, sel, json.dumps(v0).encode())
print(jwks["keys"][0]["n"])
