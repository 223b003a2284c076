#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent model of nitro-cli's ramdisks (../shared/spec/nitro-ramdisk.md),
written from the spec with tarfile and hashlib only, for the tests of
`measure eif ramdisk`. It never runs measure.

  ramdisk_oracle.py customer LAYOUT_DIR   sha384 of the customer ramdisk of an
                                          OCI layout (one manifest)
  ramdisk_oracle.py bootstrap DIR         sha384 of the bootstrap ramdisk
  ramdisk_oracle.py layered DIR           writes an OCI layout whose layers use
                                          whiteouts, an opaque directory, hard
                                          links, symlinks, a fifo, a device,
                                          suid bits and odd owners
  ramdisk_oracle.py hostile KIND DIR      a layout with one hostile layer
  ramdisk_oracle.py many N DIR            a layout of N one-file layers
"""
import gzip
import hashlib
import io
import json
import os
import posixpath
import sys
import tarfile

MTIME = 1492533000
HOSTS = ("127.0.0.1       localhost\n::1     localhost ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\n"
         "ff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n").encode()
RESOLV = b"/run/resolvconf/resolv.conf"
S_DIR, S_REG, S_LNK, S_CHR, S_BLK, S_FIFO = 0o040000, 0o100000, 0o120000, 0o020000, 0o060000, 0o010000


class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 0x2D1

    def pad(self):
        while len(self.out) % 4:
            self.out.append(0)

    def entry(self, name, typ, perm, uid=0, gid=0, mtime=MTIME, data=b"", rdev=(0, 0)):
        nlink = 2 if typ == S_DIR else 1
        fields = [self.ino, typ | (perm & 0o7777), uid, gid, nlink, mtime, len(data), 3, 1, rdev[0], rdev[1],
                  len(name.encode()) + 1, 0]
        self.ino += 1
        self.out += b"070701" + "".join("%08x" % f for f in fields).encode() + name.encode() + b"\0"
        self.pad()
        self.out += data
        self.pad()

    def trailer(self):
        fields = [self.ino, 0, 0, 0, 1, 0, 0, 3, 1, 0, 0, 11, 0]
        self.out += b"070701" + "".join("%08x" % f for f in fields).encode() + b"TRAILER!!!\0"
        self.pad()
        while len(self.out) % 512:
            self.out.append(0)
        return bytes(self.out)


def bootstrap(d):
    c = Cpio()
    c.entry("dev", S_DIR, 0o755)
    for n in ("init", "nsm.ko"):
        with open(os.path.join(d, n), "rb") as f:
            c.entry(n, S_REG, 0o755, data=f.read())
    return c.trailer()


def blob(root, digest):
    with open(os.path.join(root, "blobs", *digest.split(":")), "rb") as f:
        return f.read()


class Node:
    def __init__(self, kind, perm=0o755, uid=0, gid=0, mtime=0, data=None, link=None, ino=None, rdev=(0, 0)):
        self.kind, self.perm, self.uid, self.gid, self.mtime = kind, perm, uid, gid, mtime
        self.data, self.link, self.ino, self.rdev = data, link, ino, rdev


def customer(root):
    index = json.loads(open(os.path.join(root, "index.json")).read())
    manifest = json.loads(blob(root, index["manifests"][0]["digest"]))
    config = json.loads(blob(root, manifest["config"]["digest"]))
    fs = {"": Node("dir")}  # path -> Node
    inodes = 0

    def parents(path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p not in fs:
                fs[p] = Node("dir")

    def remove(path):
        for p in [k for k in fs if k == path or k.startswith(path + "/")]:
            del fs[p]

    for desc in manifest["layers"]:
        raw = blob(root, desc["digest"])
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        tf = tarfile.open(fileobj=io.BytesIO(raw))
        members = tf.getmembers()
        data = {id(m): tf.extractfile(m).read() for m in members if m.isreg()}  # by member: a name may repeat
        def norm(n):
            n = n.rstrip("/")
            while n.startswith("./"):
                n = n[2:]
            return "" if n == "." else n
        for m in members:
            base = posixpath.basename(norm(m.name))
            d = posixpath.dirname(norm(m.name))
            if base == ".wh..wh..opq":
                for p in [k for k in fs if d == "" and k != "" or k.startswith(d + "/")]:
                    del fs[p]
            elif base.startswith(".wh."):
                remove(posixpath.join(d, base[4:]))
        for m in members:
            name = norm(m.name)
            base = posixpath.basename(name)
            if not name or base.startswith(".wh."):
                continue
            parents(name)
            attrs = dict(perm=m.mode & 0o7777, uid=m.uid, gid=m.gid, mtime=int(m.mtime))
            if m.isdir():
                if name in fs and fs[name].kind == "dir":
                    fs[name].perm, fs[name].uid, fs[name].gid, fs[name].mtime = (attrs["perm"], attrs["uid"],
                                                                               attrs["gid"], attrs["mtime"])
                    continue
                remove(name)
                fs[name] = Node("dir", **attrs)
                continue
            remove(name)
            if m.islnk():
                t = fs[norm(m.linkname)]
                fs[name] = Node("reg", t.perm, t.uid, t.gid, t.mtime, data=t.data, ino=t.ino)
            elif m.isreg():
                inodes += 1
                fs[name] = Node("reg", data=data[id(m)], ino=inodes, **attrs)
            elif m.issym():
                fs[name] = Node("lnk", link=m.linkname, **attrs)
            elif m.ischr() or m.isblk():
                fs[name] = Node("chr" if m.ischr() else "blk", rdev=(m.devmajor, m.devminor), **attrs)
            elif m.isfifo():
                fs[name] = Node("fifo", **attrs)
    # docker's init layer
    init = [("dev/pts", "dir"), ("dev/shm", "dir"), ("proc", "dir"), ("sys", "dir"), (".dockerenv", "file"),
            ("etc/resolv.conf", "file"), ("etc/hosts", "file"), ("etc/hostname", "file"), ("dev/console", "file"),
            ("etc/mtab", "/proc/mounts")]
    for path, kind in init:
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p in fs and fs[p].kind != "dir":
                remove(p)
        if path in fs:
            continue
        parents(path)
        if kind == "dir":
            fs[path] = Node("dir")
        elif kind == "file":
            inodes += 1
            fs[path] = Node("reg", data=b"", ino=inodes)
        else:
            fs[path] = Node("lnk", 0o755, link=kind)

    c = Cpio()
    c.entry("rootfs", S_DIR, 0o755)
    exclude = {".dockerenv", "Dockerfile", "dev/console", "dev/pts", "dev/shm", "etc/hostname"}
    touch = ["dev/", "dev/pts/", "dev/shm/", "etc/", "etc/hosts", "etc/mtab", "etc/resolv.conf", "proc/", "sys/"]
    found, first = set(), {}
    typ = {"dir": S_DIR, "reg": S_REG, "lnk": S_LNK, "chr": S_CHR, "blk": S_BLK, "fifo": S_FIFO}

    def walk(d):
        kids = sorted(k for k in fs if k and posixpath.dirname(k) == d)
        for k in kids:
            n = fs[k]
            name = k + ("/" if n.kind == "dir" else "")
            full = "rootfs/" + name
            if name in exclude:
                pass
            elif name == "etc/hosts":
                found.add(name)
                c.entry(full, typ[n.kind], n.perm, n.uid, n.gid, MTIME, HOSTS)
            elif name == "etc/resolv.conf":
                found.add(name)
                c.entry(full, S_LNK, n.perm, n.uid, n.gid, MTIME, RESOLV)
            else:
                mtime = n.mtime
                if name in touch:
                    found.add(name)
                    mtime = MTIME
                if n.kind == "reg" and n.ino in first:
                    rel = posixpath.relpath("rootfs/" + first[n.ino], posixpath.dirname(full))
                    c.entry(full, S_LNK, n.perm, n.uid, n.gid, mtime, rel.encode())
                elif n.kind == "reg":
                    first[n.ino] = k
                    c.entry(full, S_REG, n.perm, n.uid, n.gid, mtime, n.data)
                elif n.kind == "lnk":
                    c.entry(full, S_LNK, n.perm, n.uid, n.gid, mtime, n.link.encode())
                else:
                    c.entry(full, typ[n.kind], n.perm, n.uid, n.gid, mtime, rdev=n.rdev)
            if n.kind == "dir":
                walk(k)

    walk("")
    assert found == set(touch), sorted(set(touch) - found)
    for d in ("rootfs", "rootfs/dev", "rootfs/run", "rootfs/sys", "rootfs/var", "rootfs/proc", "rootfs/tmp"):
        c.entry(d, S_DIR, 0o755)
    cfg = config.get("config") or {}
    cmd = cfg.get("Cmd") if cfg.get("Cmd") is not None else cfg.get("Entrypoint")
    c.entry("cmd", S_REG, 0o644, data="".join(x + "\n" for x in cmd).encode())
    c.entry("env", S_REG, 0o644, data="".join(x + "\n" for x in (cfg.get("Env") or [])).encode())
    return c.trailer()


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            info = tarfile.TarInfo(e[0])
            info.type = e[1]
            info.mode, info.uid, info.gid, info.mtime = e[2], e[3], e[4], e[5]
            body = b""
            if e[1] == tarfile.REGTYPE:
                body = e[6]
                info.size = len(body)
            elif e[1] in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = e[6]
            elif e[1] == tarfile.CHRTYPE:
                info.devmajor, info.devminor = e[6]
            t.addfile(info, io.BytesIO(body) if body else None)
    return buf.getvalue()


def write_layout(root, layers, cfg):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)

    def put(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
            f.write(data)
        return "sha256:" + d, len(data)

    descs, diff_ids = [], []
    for i, raw in enumerate(layers):
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        stored = gzip.compress(raw, mtime=0) if i % 2 == 0 else raw
        d, n = put(stored)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if i % 2 == 0 else ""),
                      "digest": d, "size": n})
    config = {"architecture": "amd64", "os": "linux", "config": cfg,
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cd, cn = put(json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                "layers": descs}
    md, mn = put(json.dumps(manifest).encode())
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                      "digest": md, "size": mn}]}, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


def layered(root):
    R, D, L, H, C, F = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, \
        tarfile.FIFOTYPE
    base = layer([
        ("bin", D, 0o755, 0, 0, 1600000000), ("bin/sh", R, 0o4755, 0, 0, 1600000001, b"#!sh\n"),
        ("bin/ls", H, 0o4755, 0, 0, 1600000001, "bin/sh"), ("etc", D, 0o755, 0, 0, 1600000002),
        ("etc/hosts", R, 0o644, 0, 0, 1600000003, b"image hosts\n"), ("etc/passwd", R, 0o644, 0, 0, 1, b"root\n"),
        ("opt", D, 0o1777, 1000, 1000, 1600000004), ("opt/old", R, 0o600, 1000, 1000, 5, b"old"),
        ("opt/sub", D, 0o700, 7, 8, 1600000005), ("opt/sub/deep", R, 0o640, 7, 8, 6, b"deep"),
        ("var", D, 0o755, 0, 0, 9), ("var/gone", R, 0o644, 0, 0, 9, b"gone"),
        ("dev", D, 0o755, 0, 0, 10), ("dev/null", C, 0o666, 0, 0, 10, (1, 3)),
        ("run", D, 0o755, 0, 0, 11), ("run/fifo", F, 0o644, 0, 0, 11),
        ("usr", D, 0o755, 0, 0, 12), ("usr/lib", D, 0o755, 0, 0, 12),
        ("usr/lib/libx.so.1", R, 0o755, 0, 0, 12, b"\x7fELF" + bytes(3000)),
        ("usr/lib/libx.so", L, 0o777, 0, 0, 12, "libx.so.1"), ("Dockerfile", R, 0o644, 0, 0, 13, b"FROM x\n"),
    ])
    top = layer([
        ("opt", D, 0o1777, 1000, 1000, 1700000000), ("opt/.wh..wh..opq", R, 0o644, 0, 0, 0, b""),
        ("opt/new", R, 0o644, 0, 0, 1700000001, b"new"), ("var/.wh.gone", R, 0o644, 0, 0, 0, b""),
        ("usr/lib/liby.so", H, 0o755, 0, 0, 12, "usr/lib/libx.so.1"),
        ("bin/sh", R, 0o755, 0, 0, 1700000002, b"#!new sh\n"),
        ("etc/motd", R, 0o644, 0, 0, 1700000003, b"hello " * 5000),
    ])
    write_layout(root, [base, top], {"Entrypoint": ["/bin/sh"], "Cmd": ["-c", "echo hi"],
                                      "Env": ["PATH=/usr/bin:/bin", "A=b c"]})


def hostile(kind, root):
    """A layout with one layer broken in one way; measure must refuse it (exit 2)."""
    R, D, L, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
    ok = ("etc", D, 0o755, 0, 0, 1)
    bad = {
        "dotdot": [("../evil", R, 0o644, 0, 0, 1, b"x")],
        "absolute": [("/etc/evil", R, 0o644, 0, 0, 1, b"x")],
        "escape-symlink": [ok, ("etc/up", L, 0o777, 0, 0, 1, "../../outside")],
        "below-symlink": [("lnk", L, 0o777, 0, 0, 1, "/etc"), ("lnk/passwd", R, 0o644, 0, 0, 1, b"x")],
        "hardlink-missing": [ok, ("etc/h", H, 0o644, 0, 0, 1, "etc/nothere")],
        "long-name": [("a/" * 600 + "f", R, 0o644, 0, 0, 1, b"x")],
        "huge-uid": [("f", R, 0o644, 1 << 40, 0, 1, b"x")],
    }[kind]
    write_layout(root, [layer(bad)], {"Cmd": ["/bin/sh"]})


def many_layers(root, n):
    write_layout(root, [layer([("f%d" % i, tarfile.REGTYPE, 0o644, 0, 0, 1, b"x")]) for i in range(n)],
                 {"Cmd": ["/bin/sh"]})


def opaque_stack(root, n, width):
    """n layers over one directory: each makes it opaque, refills it, and revives, retypes and whites out
    subdirectories and links, so the order of deaths and rebirths decides what survives."""
    R, D, L, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
    layers = [layer([("d", D, 0o755, 0, 0, 1), ("d/sub", D, 0o700, 0, 0, 1), ("d/sub/deep", D, 0o755, 0, 0, 1),
                     ("d/sub/deep/x", R, 0o644, 0, 0, 1, b"x"), ("d/keep", L, 0o777, 0, 0, 1, "sub/deep/x"),
                     ("top", R, 0o644, 0, 0, 1, b"top")] +
                    [("d/f%d" % j, R, 0o644, 0, 0, 1, b"") for j in range(width)])]
    for i in range(1, n):
        e = [("d/.wh..wh..opq", R, 0o644, 0, 0, 0, b"")]
        if i % 7 == 3:
            e.append((".wh..wh..opq", R, 0o644, 0, 0, 0, b""))  # the root too
        e += [("d/g%d_%d" % (i, j), R, 0o644, 0, 0, i, b"%d" % i) for j in range(width if i % 2 else 2)]
        if i % 3 == 0:
            e += [("d/sub/deep/y%d" % i, R, 0o600, 0, 0, i, b"y"), ("d/sub", L, 0o777, 0, 0, i, "deep")]
        elif i % 3 == 1:
            e += [("d/sub", D, 0o711, 0, 0, i), ("d/sub/z%d" % i, R, 0o644, 0, 0, i, b"z"),
                  ("d/sub/h%d" % i, H, 0o644, 0, 0, i, "d/sub/z%d" % i)]
        else:
            e += [("d/sub/.wh.z%d" % (i - 1), R, 0o644, 0, 0, 0, b""), ("d/sub/deep/w", R, 0o644, 0, 0, i, b"w")]
        if i % 5 == 0:
            e += [("d", R, 0o644, 0, 0, i, b"d is a file"), ("d", D, 0o750, 0, 0, i), ("d/after", R, 0o644, 0, 0, i, b"a")]
        layers.append(layer(e))
    write_layout(root, layers, {"Cmd": ["/bin/sh"]})


if __name__ == "__main__":
    if sys.argv[1] == "customer":
        print(hashlib.sha384(customer(sys.argv[2])).hexdigest())
    elif sys.argv[1] == "bootstrap":
        print(hashlib.sha384(bootstrap(sys.argv[2])).hexdigest())
    elif sys.argv[1] == "layered":
        layered(sys.argv[2])
    elif sys.argv[1] == "hostile":
        hostile(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "opaque-stack":
        opaque_stack(sys.argv[4], int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "many":
        many_layers(sys.argv[3], int(sys.argv[2]))
