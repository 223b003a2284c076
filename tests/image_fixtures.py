#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""OCI image layouts made from scratch with tarfile, gzip and hashlib: an
independent writer for the tests of `measure image`. Every digest it prints is
computed here, never by measure.

  image_fixtures.py multi DIR          two platforms plus a buildx-style
                                       attestation manifest; prints the
                                       expected digests as JSON
  image_fixtures.py bad KIND DIR       a layout broken in one way (KINDS)
  image_fixtures.py evil KIND SRC OUT  a tar of layout SRC with one hostile entry
  image_fixtures.py fanout DIR K       one image behind three index levels, each
                                       naming the next K times (K^3 paths);
                                       prints the manifest digest
  image_fixtures.py indexes DIR N      N distinct nested indexes, one image
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"


def sha(data):
    return hashlib.sha256(data).hexdigest()


def layer_tar(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(self, data, media_type, name=None, size=None):
        digest = sha(data)
        with open(os.path.join(self.root, "blobs", "sha256", name or digest), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + digest,
                "size": len(data) if size is None else size}

    def image(self, arch, files, variant=None, config_text=None, layer_media=LAYER_GZIP):
        layers, diff_ids = [], []
        for i, content in enumerate(files):
            raw = layer_tar([("file%d" % i, content)])
            diff_ids.append("sha256:" + sha(raw))
            stored = gzip.compress(raw, mtime=0) if layer_media.endswith("gzip") else raw
            layers.append(self.blob(stored, layer_media))
        config = {"architecture": arch, "os": "linux",
                  "config": {"Cmd": ["/bin/app"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        if variant:
            config["variant"] = variant
        config_bytes = (config_text or json.dumps(config, separators=(",", ":"))).encode()
        config_desc = self.blob(config_bytes, OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": layers}
        manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
        desc = self.blob(manifest_bytes, OCI_MANIFEST)
        expect = {"manifest": sha(manifest_bytes), "config": sha(config_bytes),
                  "diff_ids": [d[7:] for d in diff_ids], "layers": [l["digest"][7:] for l in layers]}
        return desc, expect

    def index(self, descs, path="index.json", text=None):
        data = text or json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descs},
                                  separators=(",", ":"))
        with open(os.path.join(self.root, path), "w") as f:
            f.write(data)


def multi(root):
    lay = Layout(root)
    amd, e_amd = lay.image("amd64", [b"amd64 base\n", b"amd64 app\n"])
    arm, e_arm = lay.image("arm64", [b"arm64 base\n"], variant="v8")
    amd["platform"] = {"architecture": "amd64", "os": "linux"}
    arm["platform"] = {"architecture": "arm64", "os": "linux", "variant": "v8"}
    att = lay.blob(b'{"schemaVersion":2}', OCI_MANIFEST)
    att["platform"] = {"architecture": "unknown", "os": "unknown"}
    att["annotations"] = {"vnd.docker.reference.type": "attestation-manifest"}
    inner = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm, att]},
                       separators=(",", ":")).encode()
    lay.index([lay.blob(inner, OCI_INDEX)])
    print(json.dumps({"amd64": e_amd, "arm64": e_arm}))


def nested(lay, descs, tag=None):
    doc = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descs}
    if tag is not None:
        doc["annotations"] = {"tag": str(tag)}
    return lay.blob(json.dumps(doc, separators=(",", ":")).encode(), OCI_INDEX)


def fanout(root, k):
    lay = Layout(root)
    img, e = lay.image("amd64", [b"fan\n"])
    inner = nested(lay, [img])
    middle = nested(lay, [inner] * k)
    outer = nested(lay, [middle] * k)
    lay.index([outer] * k)
    print(e["manifest"])


def indexes(root, n):
    lay = Layout(root)
    img, _ = lay.image("amd64", [b"many\n"])
    lay.index([nested(lay, [img], tag=i) for i in range(n)])


def bad(kind, root):
    lay = Layout(root)
    if kind == "dupkey-index":
        desc, _ = lay.image("amd64", [b"x\n"])
        d = json.dumps(desc)
        lay.index(None, text='{"schemaVersion":2,"manifests":[%s],"manifests":[]}' % d)
    elif kind == "dupkey-config":
        text = ('{"architecture":"amd64","os":"linux","os":"windows",'
                '"rootfs":{"type":"layers","diff_ids":[]}}')
        desc, _ = lay.image("amd64", [], config_text=text)
        lay.index([desc])
    elif kind == "trailing-index":
        desc, _ = lay.image("amd64", [b"x\n"])
        lay.index(None, text=json.dumps({"schemaVersion": 2, "manifests": [desc]}) + " {}")
    elif kind == "wrong-type":
        desc, _ = lay.image("amd64", [b"x\n"])
        desc["size"] = str(desc["size"])
        lay.index([desc])
    elif kind == "wrong-digest":
        # a layer whose bytes no longer hash to the name (and descriptor) it is stored under
        desc, exp = lay.image("amd64", [b"x\n"])
        path = os.path.join(root, "blobs", "sha256", exp["layers"][0])
        data = bytearray(open(path, "rb").read())
        data[-1] ^= 1
        open(path, "wb").write(bytes(data))
        lay.index([desc])
    elif kind == "wrong-size":
        desc, _ = lay.image("amd64", [b"x\n"])
        desc["size"] += 1
        lay.index([desc])
    elif kind == "missing-blob":
        desc, exp = lay.image("amd64", [b"x\n"])
        os.unlink(os.path.join(root, "blobs", "sha256", exp["config"]))
        lay.index([desc])
    elif kind == "diffid-mismatch":
        text = json.dumps({"architecture": "amd64", "os": "linux",
                           "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}})
        desc, _ = lay.image("amd64", [b"x\n"], config_text=text)
        lay.index([desc])
    elif kind == "sha512":
        desc, _ = lay.image("amd64", [b"x\n"])
        desc["digest"] = "sha512:" + hashlib.sha512(b"").hexdigest()
        lay.index([desc])
    elif kind == "zstd":
        zstd = b"\x28\xb5\x2f\xfd" + b"\0" * 8
        layer = lay.blob(zstd, "application/vnd.oci.image.layer.v1.tar+zstd")
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "1" * 64]}}).encode()
        cdesc = lay.blob(config, OCI_CONFIG)
        m = json.dumps({"schemaVersion": 2, "config": cdesc, "layers": [layer]}).encode()
        lay.index([lay.blob(m, OCI_MANIFEST)])
    elif kind == "many-layers":
        desc, _ = lay.image("amd64", [b"%d\n" % i for i in range(1001)], layer_media=LAYER_TAR)
        lay.index([desc])
    elif kind == "deep-index":
        desc, _ = lay.image("amd64", [b"x\n"])
        for _ in range(6):
            inner = json.dumps({"schemaVersion": 2, "manifests": [desc]}).encode()
            desc = lay.blob(inner, OCI_INDEX)
        lay.index([desc])
    elif kind == "no-platform-match":
        desc, _ = lay.image("amd64", [b"x\n"])
        desc["platform"] = {"architecture": "arm64", "os": "linux"}
        lay.index([desc])
    else:
        raise SystemExit("unknown kind " + kind)


def evil(kind, src, out):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for dirpath, _, files in os.walk(src):
            for name in sorted(files):
                full = os.path.join(dirpath, name)
                t.add(full, arcname=os.path.relpath(full, src))
        if kind == "dotdot":
            info = tarfile.TarInfo("blobs/../../escape")
            t.addfile(info, io.BytesIO(b""))
        elif kind == "absolute":
            info = tarfile.TarInfo("/etc/escape")
            t.addfile(info, io.BytesIO(b""))
        elif kind == "symlink-escape":
            info = tarfile.TarInfo("blobs/link")
            info.type = tarfile.SYMTYPE
            info.linkname = "../../../etc/passwd"
            t.addfile(info)
        elif kind == "hardlink-missing":
            info = tarfile.TarInfo("blobs/hard")
            info.type = tarfile.LNKTYPE
            info.linkname = "blobs/nothing"
            t.addfile(info)
        elif kind == "duplicate":
            data = open(os.path.join(src, "index.json"), "rb").read()
            info = tarfile.TarInfo("./index.json")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        elif kind == "longname":
            info = tarfile.TarInfo("blobs/" + "a" * 5000)
            t.addfile(info, io.BytesIO(b""))
        elif kind == "fifo":
            info = tarfile.TarInfo("blobs/fifo")
            info.type = tarfile.FIFOTYPE
            t.addfile(info)
        elif kind != "none":
            raise SystemExit("unknown kind " + kind)


if __name__ == "__main__":
    if sys.argv[1] == "multi":
        multi(sys.argv[2])
    elif sys.argv[1] == "fanout":
        fanout(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "indexes":
        indexes(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "bad":
        bad(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "evil":
        evil(sys.argv[2], sys.argv[3], sys.argv[4])
