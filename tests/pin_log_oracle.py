#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent view of a pin log, for tests/cli/test_pin.sh.

Reads the stored entry texts, one per line in seq order (as the sqlite3 or psql
client prints them), and prints "size <n> root <hex>": the RFC 9162 Merkle Tree
Hash over leaves SHA-256(0x00 || entry), computed by the recursive definition of
RFC 9162 section 2.1.1. Exits 1 if an entry is not canonical JSON (keys sorted,
no whitespace) or does not carry its own position as "seq". With --consistency M, prints instead
the RFC 9162 consistency proof PROOF(M, D[n]) (section 2.1.4.1), one hash per line.
"""
import hashlib
import json
import sys


def canon(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def leaf(text):
    return hashlib.sha256(b"\x00" + text.encode()).digest()


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while 2 * k < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def subproof(m, leaves, complete):
    """RFC 9162 section 2.1.4.1 SUBPROOF(m, D[n], b), by its recursive definition."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1
    while 2 * k < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def main():
    consistency = None
    if len(sys.argv) == 3 and sys.argv[1] == "--consistency":
        consistency = int(sys.argv[2])
    leaves = []
    for i, line in enumerate(sys.stdin.read().splitlines()):
        entry = json.loads(line)
        if canon(entry) != line:
            print("entry %d is not canonical JSON" % i, file=sys.stderr)
            return 1
        if entry.get("seq") != i:
            print("entry %d says seq %r" % (i, entry.get("seq")), file=sys.stderr)
            return 1
        leaves.append(leaf(line))
    if consistency is not None:
        # PROOF(m, D[n]): one hash per line, in RFC 9162 order
        for h in subproof(consistency, leaves, True):
            print(h.hex())
        return 0
    print("size %d root %s" % (len(leaves), mth(leaves).hex()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
