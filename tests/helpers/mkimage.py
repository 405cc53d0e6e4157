#!/usr/bin/env python3
# mkimage.py: container images for the images suite, made from scratch so
# the test depends on no registry: an OCI layout of busybox-static in two
# layers (the second deletes a file of the first and replaces a directory
# opaquely), the same as docker save's format, and hostile layers.
#   mkimage.py layout OUT BUSYBOX       an OCI image layout directory
#   mkimage.py layout-zstd OUT BUSYBOX  the same, its layers zstd-compressed
#   mkimage.py docker OUT.tar BUSYBOX   a docker-archive (docker save)
#   mkimage.py hostile OUT KIND [ARG]   a one-layer layout whose layer is hostile
import gzip, hashlib, io, json, os, subprocess, sys, tarfile, zlib

def blob(out, data):
    h = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return h

def tar_of(members):
    """members: (TarInfo, bytes or None)"""
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.GNU_FORMAT) as t:
        for ti, data in members:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return b.getvalue()

def ent(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.linkname = link
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    ti.mtime = 1700000000
    return (ti, data if kind == tarfile.REGTYPE else None)

def busybox_layers(bb):
    with open(bb, "rb") as f:
        bbdata = f.read()
    l1 = [ent("bin", tarfile.DIRTYPE, mode=0o755), ent("bin/busybox", data=bbdata, mode=0o755)]
    for a in ["sh", "cat", "ls", "echo", "id", "sleep", "test", "env", "pwd", "find", "httpd", "nc", "wc"]:
        l1.append(ent("bin/" + a, tarfile.SYMTYPE, link="busybox"))
    l1 += [ent("etc", tarfile.DIRTYPE, mode=0o755),
           ent("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\napp:x:4242:4343::/home/app:/bin/sh\n"),
           ent("etc/group", data=b"root:x:0:\nstaff:x:50:app\nops:x:51:root,app\napp:x:4343:\n"),
           ent("etc/gone", data=b"deleted by the second layer\n"),
           ent("etc/kept", data=b"kept\n"),
           ent("opq", tarfile.DIRTYPE, mode=0o755),
           ent("opq/old1", data=b"old\n"), ent("opq/old2", data=b"old\n"),
           ent("work", tarfile.DIRTYPE, mode=0o755)]
    l2 = [ent("etc", tarfile.DIRTYPE, mode=0o755), ent("etc/.wh.gone"),
          ent("opq", tarfile.DIRTYPE, mode=0o755), ent("opq/.wh..wh..opq"),
          ent("opq/new", data=b"upper\n")]
    return [tar_of(l1), tar_of(l2)]

CONFIG = {"Env": ["PATH=/bin", "GREETING=hello-from-env"], "WorkingDir": "/work",
          "Cmd": ["sh", "-c", "echo cmd:$GREETING:$(pwd):$(id -u)"]}

def layout(out, tars, config=CONFIG, gz=True, mangle=None):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    layers = []
    diff_ids = []
    for t in tars:
        diff_ids.append("sha256:" + hashlib.sha256(t).hexdigest())
        if gz == "zstd":
            data = subprocess.run(["zstd", "-q", "-c"], input=t, stdout=subprocess.PIPE, check=True).stdout
        else:
            data = gzip.compress(t, mtime=0) if gz else t
        h = blob(out, data)
        if mangle == "digest":
            # the blob is stored under a digest it does not have
            wrong = hashlib.sha256(b"not the layer").hexdigest()
            os.rename(os.path.join(out, "blobs", "sha256", h), os.path.join(out, "blobs", "sha256", wrong))
            h = wrong
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+" + ("zstd" if gz == "zstd" else "gzip") if gz else
                       "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + h, "size": len(data)})
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": config,
                      "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    ch = blob(out, cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": "sha256:" + ch, "size": len(cfg)}, "layers": layers}).encode()
    mh = blob(out, man)
    idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": "sha256:" + mh, "size": len(man), "platform": {"architecture": "amd64", "os": "linux"}}]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(idx, f)

def docker(out, tars):
    members = []
    diff_ids = ["sha256:" + hashlib.sha256(t).hexdigest() for t in tars]
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": dict(CONFIG, User="app"),
                      "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    ch = hashlib.sha256(cfg).hexdigest()
    names = []
    for t in tars:
        d = hashlib.sha256(t).hexdigest()
        names.append(d + "/layer.tar")
        members += [ent(d, tarfile.DIRTYPE, mode=0o755), ent(d + "/layer.tar", data=t)]
    members.append(ent(ch + ".json", data=cfg))
    man = json.dumps([{"Config": ch + ".json", "RepoTags": ["dockerish:1"], "Layers": names}]).encode()
    members.append(ent("manifest.json", data=man))
    with open(out, "wb") as f:
        f.write(tar_of(members))

def hostile(out, kind, arg):
    gz = True
    mangle = None
    if kind == "dotdot":
        m = [ent("ok", data=b"x"), ent("../../../tmp/" + arg, data=b"escaped")]
    elif kind == "absolute":
        m = [ent("/tmp/" + arg, data=b"escaped")]
    elif kind == "symlink":
        m = [ent("lnk", tarfile.SYMTYPE, link="/tmp"), ent("lnk/" + arg, data=b"written through")]
    elif kind == "hardlink":
        m = [ent("h", tarfile.LNKTYPE, link="../../../../etc/passwd")]
    elif kind == "device":
        ti = tarfile.TarInfo("dev/mem")
        ti.type = tarfile.CHRTYPE
        ti.devmajor, ti.devminor = 1, 1
        m = [(ti, None)]
    elif kind == "fifo":
        m = [ent("p", tarfile.FIFOTYPE)]
    elif kind == "digest":
        m = [ent("file", data=b"honest bytes\n")]
        mangle = "digest"
    elif kind == "entries":
        m = [ent("f%d" % i) for i in range(int(arg))]
    elif kind == "zeros":
        # a 1 GiB file of zeros, gzipped (about 1 MiB): each MiB deflated
        # once after a full flush (so its bytes do not depend on what came
        # before) and repeated, the gzip trailer's CRC computed alongside
        size = 1 << 30
        ti = tarfile.TarInfo("zeros")
        ti.size = size
        hdr = ti.tobuf(format=tarfile.GNU_FORMAT)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = c.compress(hdr) + c.flush(zlib.Z_FULL_FLUSH)
        chunk = bytes(1 << 20)
        rep = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        tail = bytes(1024)
        last = c.compress(tail) + c.flush()
        crc = zlib.crc32(hdr)
        for _ in range(size >> 20):
            crc = zlib.crc32(chunk, crc)
        crc = zlib.crc32(tail, crc)
        total = len(hdr) + size + len(tail)
        data = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first + rep * (size >> 20) + last +
                crc.to_bytes(4, "little") + (total & 0xffffffff).to_bytes(4, "little"))
        h = hashlib.sha256(b"diff_id not verified for a gzipped OCI layer")
        os.makedirs(out, exist_ok=True)
        lay = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + blob(out, data),
               "size": len(data)}
        return finish(out, [lay], ["sha256:" + h.hexdigest()])
    else:
        sys.exit("unknown kind " + kind)
    layout(out, [tar_of(m)], gz=gz, mangle=mangle)

def finish(out, layers, diff_ids):
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    ch = blob(out, cfg)
    man = json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:" + ch, "size": len(cfg)},
                      "layers": layers}).encode()
    mh = blob(out, man)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"digest": "sha256:" + mh, "size": len(man)}]}, f)

if __name__ == "__main__":
    what, out = sys.argv[1], sys.argv[2]
    if what == "layout":
        layout(out, busybox_layers(sys.argv[3]))
    elif what == "layout-zstd":
        layout(out, busybox_layers(sys.argv[3]), gz="zstd")
    elif what == "docker":
        docker(out, busybox_layers(sys.argv[3]))
    elif what == "docker-opaque-etc":
        # a third layer makes /etc opaque, with a passwd and no group: the
        # first layer's /etc/group is not in the container's root
        l3 = [ent("etc", tarfile.DIRTYPE, mode=0o755), ent("etc/.wh..wh..opq"),
              ent("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\napp:x:4242:4343::/home/app:/bin/sh\n")]
        docker(out, busybox_layers(sys.argv[3]) + [tar_of(l3)])
    elif what == "hostile":
        hostile(out, sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "x")
