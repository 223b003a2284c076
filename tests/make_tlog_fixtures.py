#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Signed checkpoints and proof JSON for tests/unit/test_checkpoint.c, made without measure.

The note bytes are assembled here from the C2SP signed-note and tlog-checkpoint
texts, the Ed25519 signatures come from the openssl CLI (pkeyutl -rawin), key
ids from hashlib, the roots and proofs from fixtures/tlog/vectors.txt (which
tests/tlog_vectors.py computes from RFC 9162). Ed25519 is deterministic, so
with the committed keys a rerun reproduces every file byte for byte:

    tests/make_tlog_fixtures.py DIR      writes the files into DIR (keys are
                                         generated there only if missing)
"""
import base64
import hashlib
import json
import os
import subprocess
import sys

NAME = "measure.example/test-log"
WITNESS = "witness.example/w1"


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, stdout=subprocess.PIPE, check=True).stdout


def ensure_key(path):
    if not os.path.exists(path):
        openssl("genpkey", "-algorithm", "ed25519", "-out", path)


def raw_public(key):
    der = openssl("pkey", "-in", key, "-pubout", "-outform", "DER")
    assert len(der) == 44, "an Ed25519 SubjectPublicKeyInfo is 44 bytes"
    return der[-32:]


def key_id(name, pub):
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + pub).digest()[:4]


def sign(key, text, tmpdir):
    msg = os.path.join(tmpdir, "msg.bin")
    with open(msg, "wb") as f:
        f.write(text)
    sig = openssl("pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", msg)
    os.unlink(msg)
    assert len(sig) == 64
    return sig


def sig_line(name, key, text, tmpdir):
    pub = raw_public(key)
    blob = key_id(name, pub) + sign(key, text, tmpdir)
    return "\u2014 %s %s\n" % (name, base64.b64encode(blob).decode())


def vectors(path):
    roots, incl, leaves = {}, {}, {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w or w[0] == "#":
                continue
            if w[0] == "root":
                roots[int(w[1])] = bytes.fromhex(w[2])
            elif w[0] == "leaf":
                leaves[int(w[1])] = (bytes.fromhex(w[2]) if w[2] != "-" else b"", w[3])
            elif w[0] == "inclusion":
                incl[(int(w[1]), int(w[2]))] = [] if w[3] == "-" else w[3].split(",")
    return roots, incl, leaves


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        print("usage: make_tlog_fixtures.py DIR", file=sys.stderr)
        return 2
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    roots, incl, leaves = vectors(os.path.join(here, "..", "fixtures", "tlog", "vectors.txt"))
    key = os.path.join(out, "note-key.pem")
    other = os.path.join(out, "witness-key.pem")
    ensure_key(key)
    ensure_key(other)
    write(os.path.join(out, "note-pub.pem"), openssl("pkey", "-in", key, "-pubout"))
    pub = raw_public(key)
    vkey = "%s+%s+%s\n" % (NAME, key_id(NAME, pub).hex(), base64.b64encode(b"\x01" + pub).decode())
    write(os.path.join(out, "note.vkey"), vkey.encode())

    size = 70
    text = ("%s\n%d\n%s\n" % (NAME, size, base64.b64encode(roots[size]).decode())).encode()
    ours = sig_line(NAME, key, text, out).encode()
    write(os.path.join(out, "checkpoint.txt"), text)
    write(os.path.join(out, "checkpoint.note"), text + b"\n" + ours)
    # Cosigned: a witness's signature first (unknown to the verifier, so ignored), then the log's.
    witness = sig_line(WITNESS, other, text, out).encode()
    write(os.path.join(out, "checkpoint-cosigned.note"), text + b"\n" + witness + ours)
    # Only the witness: no signature by the log's key.
    write(os.path.join(out, "checkpoint-witness-only.note"), text + b"\n" + witness)
    # With an extension line, signed over the whole text.
    ext_text = text + b"timestamp 1764547200\n"
    write(os.path.join(out, "checkpoint-ext.note"), ext_text + b"\n" + sig_line(NAME, key, ext_text, out).encode())

    # The inclusion proof of leaf 9 ("measure tlog vector 9") in the size-70 tree.
    index = 9
    entry, leaf_hash = leaves[index]
    proof = {
        "schema": "measure/tlog-proof/v1",
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": leaf_hash,
        "inclusion_path": incl[(index, size)],
        "entry": entry.decode(),
        "checkpoint": (text + b"\n" + ours).decode(),
    }
    write(os.path.join(out, "proof.json"), (json.dumps(proof, indent=2, ensure_ascii=False) + "\n").encode())

    # Where Python's cryptography is installed, it checks the notes too (a second, unrelated verifier).
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return 0
    for name in ("checkpoint.note", "checkpoint-ext.note"):
        with open(os.path.join(out, name), "rb") as f:
            note = f.read()
        body, _, sigs = note.rpartition(b"\n\n")
        blob = base64.b64decode(sigs.decode().split(" ")[2])
        Ed25519PublicKey.from_public_bytes(pub).verify(blob[4:], body + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
