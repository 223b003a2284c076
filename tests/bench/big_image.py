#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes an OCI image layout of about SIZE_MIB MiB for `make bench`: two
uncompressed layers (files of 4 MiB, then a layer that rewrites 16 of them
as small files and adds 1,984 small ones), written and hashed as a stream.

  big_image.py DIR SIZE_MIB
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def put_file(root, path):
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    d = h.hexdigest()
    os.rename(path, os.path.join(root, "blobs", "sha256", d))
    return "sha256:" + d, n


def put_bytes(root, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def main(root, mib):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    block = os.urandom(1 << 20)
    layers = []
    for li, (count, size) in enumerate([(mib // 4, 4 << 20), (2000, 4096)]):
        path = os.path.join(root, "layer%d.tmp" % li)
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
            for d in ("usr", "usr/share", "usr/share/data"):
                info = tarfile.TarInfo(d)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                t.addfile(info)
            for i in range(count):
                info = tarfile.TarInfo("usr/share/data/%s%05d" % ("fg"[li] if i >= 16 else "f", i))
                info.size, info.mode, info.mtime = size, 0o644, 1700000000 + i
                data = (block * (size // len(block) + 1))[:size] if size >= len(block) else block[i:i + size]
                t.addfile(info, io.BytesIO(data))
        layers.append(put_file(root, path))
    diff_ids = [d for d, _ in layers]
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/app"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cd, cn = put_bytes(root, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": n}
                           for d, n in layers]}
    md, mn = put_bytes(root, json.dumps(manifest).encode())
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": manifest["mediaType"], "digest": md,
                                                      "size": mn}]}, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


main(sys.argv[1], int(sys.argv[2]))
