#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the synthesised-path seeds of fuzz_evidence_{nitro,snp,tdx}.

Each seed is the harness's field layout (documented at the top of each
harness), starting with FZ_SYNTH; the harness builds and signs the evidence
with its test PKI, so most of these verify and reach the policy code.
Run from the repository root: python3 tests/fuzz/make_evidence_seeds.py
"""
import base64
import json
import os
import struct

SYNTH = b"\xa5"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "synth-" + name), "wb") as f:
        f.write(data)


def b64(b):
    return base64.b64encode(b).decode()


def pol(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


# TDX: ctl0, ctl1, 40 header bytes, body, 384 QE report bytes, auth, extras, chain garbage, trailing, policy
def tdx(ctl0=0, ctl1=0, body_len=584, mrtd=0x11, auth=b"\xaa" * 32, extras=b"", garbage=b"", trailing=b"",
        policy=b"{}", isvsvn=4):
    hdr = struct.pack("<HH", 7, 13) + bytes(range(16)) + b"\x00" * 20
    body = bytearray(body_len)
    body[0:16] = bytes([3] * 16)           # TEE_TCB_SVN
    body[136:184] = bytes([mrtd]) * 48      # MRTD
    for i in range(4):
        body[328 + 48 * i:376 + 48 * i] = bytes([0x50 + i]) * 48
    body[520:584] = bytes([0xde, 0xad]) + bytes(62)
    qe = bytearray(384)
    qe[258:260] = struct.pack("<H", isvsvn)
    return (SYNTH + bytes([ctl0, ctl1]) + hdr + bytes(body) + bytes(qe) + bytes([len(auth)]) + auth + extras +
            bytes([len(garbage)]) + garbage + bytes([len(trailing)]) + trailing + policy)


def tdx_seeds():
    mrtd = b64(bytes([0x11]) * 48)
    full = pol({"header": {"qe_vendor_id": b64(bytes(range(16))), "minimum_qe_svn": 2, "minimum_pce_svn": 13},
                "td_quote_body": {"mr_td": mrtd, "td_attributes": b64(bytes(8)), "xfam": b64(bytes(8)),
                                  "rtmrs": [b64(bytes([0x50 + i]) * 48) for i in range(4)],
                                  "any_mr_td": [b64(bytes(48)), mrtd], "minimum_tee_tcb_svn": b64(bytes([2] * 16)),
                                  "report_data": b64(bytes([0xde, 0xad]) + bytes(62))}})
    write("fuzz_evidence_tdx", "v4-ok", tdx(policy=full))
    write("fuzz_evidence_tdx", "v4-crl-current", tdx(ctl1=1, policy=pol({"policy": {"td_quote_body": {"mr_td": mrtd}}})))
    write("fuzz_evidence_tdx", "v4-crl-revoked", tdx(ctl1=2))
    write("fuzz_evidence_tdx", "v4-crl-stale", tdx(ctl1=4))
    write("fuzz_evidence_tdx", "v5-tdx10", tdx(ctl0=1, policy=pol({"td_quote_body": {"mr_td": b64(bytes(48))}})))
    write("fuzz_evidence_tdx", "v5-tdx15", tdx(ctl0=3, body_len=648, policy=full))
    write("fuzz_evidence_tdx", "v4-extra-certs", tdx(ctl1=2 << 5, extras=b"\x03\x05"))
    write("fuzz_evidence_tdx", "v4-foreign-qe", tdx(ctl0=4 | 8))
    write("fuzz_evidence_tdx", "v4-no-auth", tdx(auth=b"", trailing=b"\x00" * 8,
                                                 policy=pol({"header": {"minimum_qe_svn": 9}})))


# SNP: ctl0, ctl1, ctl2, report fields, extra certificate selectors, garbage, policy
def snp(ctl0=0, ctl1=0, ctl2=0, policy_bits=0x30000, signer_info=0, chip=None, measurement=0x11, extras=b"",
        garbage=b"", rest=b"{}", version_raw=0):
    f = b""
    f += bytes([version_raw])
    f += struct.pack("<I", 1)                       # guest_svn
    f += struct.pack("<Q", policy_bits)             # policy
    f += bytes([0xf1]) * 16 + bytes([0x1a]) * 16    # family_id, image_id
    f += struct.pack("<I", 0)                       # vmpl
    f += struct.pack("<Q", 0)                       # current_tcb (forced unless asked)
    f += struct.pack("<Q", 3)                       # platform_info
    f += struct.pack("<I", signer_info)             # signer_info
    f += bytes([0xde, 0xad]) + bytes(62)            # report_data
    f += bytes([measurement]) * 48                  # measurement
    f += bytes([0x40]) * 32                         # host_data
    f += bytes([0x1d]) * 48 + bytes([0xa7]) * 48    # id_key_digest, author_key_digest
    f += bytes([0x33]) * 32 + bytes([0xff]) * 32    # report_id, report_id_ma
    f += struct.pack("<Q", 0)                       # reported_tcb (forced unless asked)
    f += bytes(3)                                   # cpuid (forced unless asked)
    f += (chip if chip is not None else bytes(64))  # chip_id (forced unless asked)
    f += struct.pack("<Q", 0)                       # committed_tcb
    f += bytes([4, 52, 1, 4, 52, 1])                # current, committed build/minor/major
    f += struct.pack("<Q", 0)                       # launch_tcb
    f += bytes(16)                                  # mitigation vectors (v5)
    return SYNTH + bytes([ctl0, ctl1, ctl2]) + f + extras + bytes([len(garbage)]) + garbage + rest


def snp_seeds():
    meas = b64(bytes([0x11]) * 48)
    full = pol({"policy": {"measurement": meas, "host_data": b64(bytes([0x40]) * 32), "vmpl": 0,
                           "minimum_guest_svn": 1, "policy": 0x30000, "minimum_build": 4, "minimum_version": "1.52",
                           "family_id": b64(bytes([0xf1]) * 16), "image_id": b64(bytes([0x1a]) * 16),
                           "report_id_ma": b64(bytes([0xff]) * 32), "product": {"name": 1},
                           "require_id_block": True, "trusted_id_key_hashes": [b64(bytes([0x1d]) * 48)],
                           "minimum_tcb": 0, "minimum_launch_tcb": 0, "platform_info": 3},
                "root_of_trust": {"product_line": "Milan", "check_crl": True, "disallow_network": True}})
    write("fuzz_evidence_snp", "v2-der-ok", snp(rest=full))
    write("fuzz_evidence_snp", "v3-der-crl", snp(ctl0=1, ctl1=1, rest=full))
    write("fuzz_evidence_snp", "v5-pem-bundle", snp(ctl0=2, ctl1=1 << 5 | 7, ctl2=1 << 5 | 1 << 6,
                                                    rest=pol({"policy": {"measurement": meas}})))
    write("fuzz_evidence_snp", "v3-cert-table", snp(ctl0=1, ctl1=2 << 5, ctl2=2 << 2, extras=b"\x01\x02",
                                                    rest=pol({"policy": {"report_data": b64(bytes(64))}})))
    write("fuzz_evidence_snp", "v2-vlek", snp(ctl0=1 << 2, rest=pol({"policy": {"chip_id": b64(bytes(64))}})))
    write("fuzz_evidence_snp", "v3-genoa", snp(ctl0=1 | 2 << 2, ctl1=0, rest=pol({"root_of_trust": {"product": "Genoa"},
                                                                                "policy": {}})))
    write("fuzz_evidence_snp", "v5-turin", snp(ctl0=2 | 3 << 2, ctl1=4, rest=pol({"policy": {"minimum_tcb": 1}})))
    write("fuzz_evidence_snp", "v2-debug-author", snp(policy_bits=0x30000 | 1 << 19, signer_info=1,
                                                      rest=pol({"policy": {"require_author_key": True,
                                                                           "trusted_author_key_hashes": [b64(bytes([0xa7]) * 48)]}})))
    write("fuzz_evidence_snp", "v2-revoked", snp(ctl1=2))
    write("fuzz_evidence_snp", "v2-bundle-extras", snp(ctl1=1 << 5, ctl2=2 << 2, extras=b"\x01\x04", garbage=b"junk"))


# Nitro: ctl0, ctl1, timestamp, pcrs, module_id, public_key/user_data/nonce, extra keys, extra certificates, policy
def opt(kind, data=b""):
    if kind == "absent":
        return b"\x00"
    if kind == "null":
        return b"\x01"
    return b"\x02" + bytes([len(data)]) + data


def nitro(ctl0=0, ctl1=0, ts=0, pcrs=None, module=b"i-0123456789abcdef0-enc0123456789abcdef", pk=None, ud=None,
          nonce=None, extra_keys=(), extras=b"", rest=b"{}"):
    if pcrs is None:
        pcrs = [(i, 1, bytes([0x11 if i < 3 else 0x44]) * 48) for i in range(5)]
    f = struct.pack("<Q", ts) + bytes([len(pcrs)])
    for idx, sel, val in pcrs:
        f += bytes([idx, sel]) + val
    f += bytes([len(module)]) + module
    f += pk or opt("null")
    f += ud or opt("null")
    f += nonce or opt("absent")
    f += bytes([len(extra_keys)])
    for k, v in extra_keys:
        f += bytes([len(k)]) + k + bytes([len(v)]) + v
    return SYNTH + bytes([ctl0, ctl1]) + f + extras + rest


def nitro_seeds():
    write("fuzz_evidence_nitro", "ok", nitro(rest=pol({"policy": {}})))
    write("fuzz_evidence_nitro", "tagged-at-evidence-crl", nitro(ctl0=3, ctl1=1, nonce=opt("bytes", b"\x01\x02\x03")))
    write("fuzz_evidence_nitro", "base64", nitro(ctl0=128, ud=opt("bytes", b"user"), pk=opt("bytes", b"\x04" * 65)))
    write("fuzz_evidence_nitro", "revoked", nitro(ctl1=2))
    write("fuzz_evidence_nitro", "stale-crl", nitro(ctl1=4))
    write("fuzz_evidence_nitro", "extra-keys", nitro(extra_keys=[(b"x-extra", b"\x01")]))
    write("fuzz_evidence_nitro", "extra-certs", nitro(ctl1=2 << 5, extras=b"\x01\x02"))
    write("fuzz_evidence_nitro", "debug-pcrs", nitro(pcrs=[(i, 0, bytes(32)) for i in range(3)]))


if __name__ == "__main__":
    tdx_seeds()
    snp_seeds()
    nitro_seeds()
