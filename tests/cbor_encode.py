#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A small CBOR (RFC 8949) encoder for the tests, independent of libcbor.

Reads JSON on stdin and writes CBOR on stdout. JSON strings named in --bytes
(dotted paths, '*' for every array element) become byte strings from their hex;
other strings stay text, integers become major type 0, objects maps in the
order given (duplicate keys are impossible in a Python dict; --dup KEY repeats
the first top-level KEY to make one). Usage:
  cbor_encode.py --bytes ovmf_hash,kernel_hash < in.json > out.cbor
"""
import json
import sys


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError("integer too large")


def enc(v, path, as_bytes):
    if isinstance(v, bool) or v is None:
        return bytes([0xF5 if v is True else 0xF4 if v is False else 0xF6])
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, str):
        if path in as_bytes:
            b = bytes.fromhex(v)
            return head(2, len(b)) + b
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x, path + ".*", as_bytes) for x in v)
    if isinstance(v, dict):
        out = head(5, len(v))
        for k, x in v.items():
            out += enc(k, None, as_bytes) + enc(x, (path + "." if path else "") + k, as_bytes)
        return out
    raise TypeError(type(v))


def main():
    args = sys.argv[1:]
    as_bytes, dup = set(), None
    while args:
        if args[0] == "--bytes":
            as_bytes = set(args[1].split(","))
            args = args[2:]
        elif args[0] == "--dup":
            dup = args[1]
            args = args[2:]
        else:
            sys.exit("usage: cbor_encode.py [--bytes a,b.c] [--dup KEY] < json > cbor")
    doc = json.load(sys.stdin)
    out = enc(doc, "", as_bytes)
    if dup is not None:
        items = list(doc.items())
        first = [kv for kv in items if kv[0] == dup][0]
        out = head(5, len(items) + 1) + enc(first[0], None, as_bytes) + enc(first[1], dup, as_bytes)
        for k, x in items:
            out += enc(k, None, as_bytes) + enc(x, k, as_bytes)
    sys.stdout.buffer.write(out)


main()
