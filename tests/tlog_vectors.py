#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Merkle tree vectors for tests/unit/test_tlog.c, computed the slow, obvious way.

Written from the definitions in RFC 9162 section 2.1 (MTH, PATH, PROOF and
SUBPROOF), recursing over the list of entries exactly as the RFC text does:
no stored nodes, no iteration tricks, so that it shares nothing with
pin/tlog.c but the RFC. The first eight entries are the Certificate
Transparency test leaves (so the roots of sizes 1..8 can also be held against
the published CT values); later ones are "measure tlog vector <i>".

Output (to stdout, or compared with --check FILE), one fact per line:
    leaf <i> <entry hex or -> <leaf hash>
    root <n> <MTH of the first n entries>
    inclusion <i> <n> <hash,hash,...|->
    consistency <m> <n> <hash,hash,...|->
"""
import hashlib
import sys

MAX_SIZE = 70

CT_ENTRIES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]


def entry(i):
    if i < len(CT_ENTRIES):
        return bytes.fromhex(CT_ENTRIES[i])
    return ("measure tlog vector %d" % i).encode()


def sha256(data):
    return hashlib.sha256(data).digest()


def largest_power_of_two_below(n):
    # "k is the largest power of two smaller than n (i.e., k < n <= 2k)"
    k = 1
    while 2 * k < n:
        k *= 2
    return k


def mth(d):
    n = len(d)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return sha256(b"\x00" + d[0])
    k = largest_power_of_two_below(n)
    return sha256(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    n = len(d)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def proof(m, d):
    return subproof(m, d, True)


def hashes(hs):
    return ",".join(h.hex() for h in hs) if hs else "-"


def generate():
    d = [entry(i) for i in range(MAX_SIZE)]
    out = ["# RFC 9162 Merkle tree vectors from tests/tlog_vectors.py; regenerate, do not edit"]
    for i, e in enumerate(d):
        out.append("leaf %d %s %s" % (i, e.hex() or "-", sha256(b"\x00" + e).hex()))
    for n in range(0, MAX_SIZE + 1):
        out.append("root %d %s" % (n, mth(d[:n]).hex()))
    for n in range(1, MAX_SIZE + 1):
        for i in range(n):
            out.append("inclusion %d %d %s" % (i, n, hashes(path(i, d[:n]))))
    for n in range(1, MAX_SIZE + 1):
        for m in range(1, n + 1):
            out.append("consistency %d %d %s" % (m, n, hashes(proof(m, d[:n]))))
    return "\n".join(out) + "\n"


def main():
    text = generate()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as f:
            if f.read() != text:
                print("tlog_vectors: %s differs from a fresh run" % sys.argv[2], file=sys.stderr)
                return 1
        return 0
    if len(sys.argv) != 1:
        print("usage: tlog_vectors.py [--check FILE]", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
