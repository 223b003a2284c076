#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make bench, pin part: writes a SQLite pin store whose log holds N entries (one add, then
verified checks of it), with every tree node and tree head as measure writes them, computed here
(RFC 9162), so that 'measure pin log verify' can be timed and its memory measured on a long log.

  make_big_log.py STORE N       (STORE must not exist; the schema is measure's, version 2)
"""
import hashlib
import json
import sqlite3
import sys

SCHEMA = [
    "CREATE TABLE schema_version (version BIGINT NOT NULL)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE deployments (name TEXT PRIMARY KEY, platform TEXT NOT NULL, state TEXT NOT NULL, "
    "pin_seq BIGINT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)",
    "CREATE TABLE entries (seq BIGINT PRIMARY KEY, deployment TEXT NOT NULL, kind TEXT NOT NULL, "
    "entry TEXT NOT NULL, leaf_hash TEXT NOT NULL, time TEXT NOT NULL)",
    "CREATE INDEX entries_by_deployment ON entries (deployment, seq)",
    "CREATE TABLE tree_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL, "
    "PRIMARY KEY (level, idx))",
    "CREATE TABLE tree_heads (size BIGINT PRIMARY KEY, root TEXT NOT NULL, time TEXT NOT NULL)",
]
TIME = "2026-01-01T00:00:00Z"


def canon(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    for s in SCHEMA:
        db.execute(s)
    db.execute("INSERT INTO schema_version VALUES (2)")
    evidence = hashlib.sha256(b"bench evidence").hexdigest()
    peaks = []  # (level, hash) of the complete subtrees, for the root after each append
    nodes, heads = [], []

    rows = []
    root = None
    for i in range(n):
        e = {"schema": "measure/pin-entry/v1", "seq": i, "time": TIME, "deployment": "bench",
             "platform": "aws-nitro", "kind": "add" if i == 0 else "verified", "evidence_sha256": evidence}
        if i:
            e["pin_seq"] = 0
        text = canon(e)
        leaf = hashlib.sha256(b"\x00" + text.encode()).digest()
        # the nodes this append completes, and the root of the i + 1 leaves
        h, lv, idx = leaf, 0, i
        nodes.append((0, i, leaf.hex()))
        while peaks and peaks[-1][0] == lv:
            h = hashlib.sha256(b"\x01" + peaks.pop()[1] + h).digest()
            lv, idx = lv + 1, idx >> 1
            nodes.append((lv, idx, h.hex()))
        peaks.append((lv, h))
        root = peaks[-1][1]
        for _, p in reversed(peaks[:-1]):
            root = hashlib.sha256(b"\x01" + p + root).digest()
        heads.append((i + 1, root.hex(), TIME))
        rows.append((i, "bench", e["kind"], text, leaf.hex(), TIME))
        if len(rows) == 10000 or i == n - 1:
            db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT INTO tree_nodes VALUES (?, ?, ?)", nodes)
            db.executemany("INSERT INTO tree_heads VALUES (?, ?, ?)", heads)
            rows, nodes, heads = [], [], []
    db.execute("INSERT INTO deployments VALUES ('bench', 'aws-nitro', 'pinned', 0, ?, ?)", (TIME, TIME))
    db.commit()
    db.close()
    print("%d entries, root %s" % (n, root.hex()))


if __name__ == "__main__":
    main()
