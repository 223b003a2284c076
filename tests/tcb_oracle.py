#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent TCB-status evaluation of a TDX quote against Intel PCS collateral,
for the conformance tests: python3-cryptography for X.509 and ECDSA, a DER walk of its
own for the PCK's SGX extension, the level rules of Intel's QVL as documented.

usage: tcb_oracle.py QUOTE TCBINFO QEIDENTITY CHAIN
prints one line: "signature ok" or "signature bad" for each document, then
"fmspc-mismatch PCK TCBINFO", "no-sgx-level", "no-tdx-level" or "status S".
"""
import json
import re
import sys
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

SGX_EXT = x509.ObjectIdentifier("1.2.840.113741.1.13.1")


def tlvs(b):
    out, i = [], 0
    while i < len(b):
        tag, ln = b[i], b[i + 1]
        i += 2
        if ln & 0x80:
            n = ln & 0x7F
            ln = int.from_bytes(b[i:i + n], "big")
            i += n
        out.append((tag, b[i:i + ln]))
        i += ln
    return out


def arcs(oid):
    out, x = [oid[0] // 40, oid[0] % 40], 0
    for c in oid[1:]:
        x = (x << 7) | (c & 0x7F)
        if not c & 0x80:
            out.append(x)
            x = 0
    return out


def signed_ok(body, key, signer):
    text = body.decode()
    start = text.index('"%s":' % key) + len(key) + 3
    end = text.rindex(',"signature"')
    sig = bytes.fromhex(json.loads(body)["signature"])
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    try:
        signer.public_key().verify(utils.encode_dss_signature(r, s), body[start:end], ec.ECDSA(hashes.SHA256()))
        return True
    except Exception:
        return False


def main():
    quote = open(sys.argv[1], "rb").read()
    tcb_body = open(sys.argv[2], "rb").read()
    qe_body = open(sys.argv[3], "rb").read()
    chain = urllib.parse.unquote(open(sys.argv[4]).read())
    signer = x509.load_pem_x509_certificates(chain.encode())[0]
    print("tcbinfo signature", "ok" if signed_ok(tcb_body, "tcbInfo", signer) else "bad")
    print("qeidentity signature", "ok" if signed_ok(qe_body, "enclaveIdentity", signer) else "bad")
    pck = x509.load_pem_x509_certificate(
        re.search(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", quote, re.S).group(0))
    ext = pck.extensions.get_extension_for_oid(SGX_EXT).value.value
    fields = {}
    for _, pair in tlvs(tlvs(ext)[0][1]):
        (_, oid), (_, val) = tlvs(pair)
        fields[arcs(oid)[-1]] = val
    comps, pcesvn = [0] * 16, 0
    for _, pair in tlvs(fields[2]):
        (_, oid), (_, val) = tlvs(pair)
        arc = arcs(oid)[-1]
        if arc <= 16:
            comps[arc - 1] = int.from_bytes(val, "big")
        elif arc == 17:
            pcesvn = int.from_bytes(val, "big")
    fmspc = fields[4].hex()
    body_off = 48 + (6 if quote[0] == 5 else 0)
    tee_tcb_svn = quote[body_off:body_off + 16]
    qe = quote[48 + (6 if quote[0] == 5 else 0) + (648 if quote[0] == 5 and quote[48] == 3 else 584) + 4 + 128 + 6:]
    qe_isvsvn = int.from_bytes(qe[258:260], "little")
    ti = json.loads(tcb_body)["tcbInfo"]
    qi = json.loads(qe_body)["enclaveIdentity"]
    if fmspc != ti["fmspc"].lower():
        print("fmspc-mismatch", fmspc, ti["fmspc"].lower())
        return
    sgx = tdx = None
    for lvl in ti["tcbLevels"]:
        t = lvl["tcb"]
        if all(c >= x["svn"] for c, x in zip(comps, t["sgxtcbcomponents"])) and pcesvn >= t["pcesvn"]:
            sgx = sgx or lvl
            start = 2 if tee_tcb_svn[1] > 0 else 0
            if all(tee_tcb_svn[k] >= t["tdxtcbcomponents"][k]["svn"] for k in range(start, 16)):
                tdx = lvl
                break
    if not sgx:
        print("no-sgx-level")
        return
    if not tdx:
        print("no-tdx-level")
        return
    status = tdx["tcbStatus"]
    qs = next((l["tcbStatus"] for l in qi["tcbLevels"] if qe_isvsvn >= l["tcb"]["isvsvn"]), None)
    if qs == "OutOfDate":
        status = {"UpToDate": "OutOfDate", "SWHardeningNeeded": "OutOfDate",
                  "ConfigurationNeeded": "OutOfDateConfigurationNeeded",
                  "ConfigurationAndSWHardeningNeeded": "OutOfDateConfigurationNeeded"}.get(status, status)
    elif qs == "Revoked":
        status = "Revoked"
    print("status", status)


if __name__ == "__main__":
    main()
