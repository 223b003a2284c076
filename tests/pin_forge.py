#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Forges a pin log entry the way an attacker with write access to the database would, for
tests/cli/test_pin_policy.sh: it appends an entry and rewrites every tree node and the new tree
head so that the tree itself is consistent (RFC 9162, hashed as tests/pin_log_oracle.py does), and prints the SQL.

  pin_forge.py ENTRIES --from SEQ [--set KEY=JSON]... [--drop KEY]... [--sign KEY.pem]
  pin_forge.py ENTRIES --entry FILE

ENTRIES: the stored entry texts, one per line in seq order. The new entry starts as a copy of
entry SEQ; "seq" becomes the log size, "time" is kept, "previous_root" (when kept) becomes the
root of the log it is appended to, the overrides apply, and --sign signs the canonical entry
without "signature" with the openssl CLI (Ed25519 raw, P-256 ECDSA-SHA256). --entry appends
the entry text of FILE byte for byte (a replayed entry). The SQL (for sqlite3 and psql alike) inserts
the entry, replaces tree_nodes, adds the tree head and, for an add or update, moves the
deployment's pin to it.
"""
import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tempfile

from pin_log_oracle import canon, leaf, mth  # the tree hashing the tests check against


def levels(leaves):
    out = [list(leaves)]
    while len(out[-1]) >= 2:
        prev = out[-1]
        out.append([hashlib.sha256(b"\x01" + prev[2 * i] + prev[2 * i + 1]).digest() for i in range(len(prev) // 2)])
    return out


def sign(text, key):
    pub = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    kind = subprocess.run(["openssl", "pkey", "-in", key, "-noout", "-text"], check=True,
                          capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile() as msg:
        msg.write(text.encode())
        msg.flush()
        if "ED25519" in kind:
            alg = "ed25519"
            cmd = ["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", msg.name]
        else:
            alg = "ecdsa-p256-sha256"
            cmd = ["openssl", "dgst", "-sha256", "-sign", key, msg.name]
        value = subprocess.run(cmd, check=True, capture_output=True).stdout
    return {"algorithm": alg, "public_key": base64.b64encode(pub).decode(),
            "key_sha256": hashlib.sha256(pub).hexdigest(), "value": base64.b64encode(value).decode()}


def q(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("entries")
    ap.add_argument("--from", dest="src", type=int)
    ap.add_argument("--entry", help="append this file's entry text byte for byte (a replayed entry)")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--sign")
    a = ap.parse_args()
    texts = open(a.entries).read().splitlines()
    n = len(texts)
    leaves = [leaf(t) for t in texts]
    if a.entry:
        text = open(a.entry).read().rstrip("\n")
        e = json.loads(text)
    else:
        e = json.loads(texts[a.src])
        e.pop("signature", None)
        e["seq"] = n
        if "previous_root" in e:
            e["previous_root"] = mth(leaves).hex()
        for kv in a.set:
            k, v = kv.split("=", 1)
            e[k] = json.loads(v)
        for k in a.drop:
            e.pop(k, None)
        if a.sign:
            e["signature"] = sign(canon(e), a.sign)
        text = canon(e)
    leaves.append(leaf(text))
    sql = ["INSERT INTO entries (seq, deployment, kind, entry, leaf_hash, time) VALUES (%d, %s, %s, %s, %s, %s);" %
           (n, q(e["deployment"]), q(e["kind"]), q(text), q(leaves[-1].hex()), q(e["time"])),
           "DELETE FROM tree_nodes;"]
    for lv, hashes in enumerate(levels(leaves)):
        for i, h in enumerate(hashes):
            sql.append("INSERT INTO tree_nodes (level, idx, hash) VALUES (%d, %d, '%s');" % (lv, i, h.hex()))
    sql.append("INSERT INTO tree_heads (size, root, time) VALUES (%d, '%s', %s);" % (n + 1, mth(leaves).hex(), q(e["time"])))
    if e["kind"] in ("add", "update"):
        sql.append("UPDATE deployments SET pin_seq = %d, state = 'pinned', updated = %s WHERE name = %s;" %
                   (n, q(e["time"]), q(e["deployment"])))
    print("\n".join(sql))
    return 0


if __name__ == "__main__":
    sys.exit(main())
