#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (test/fuzz/corpus/<name>/) and the enrolled test certificates
(test/fuzz/certs/). Run from anywhere: python3 test/fuzz/mkseeds.py. Needs openssl, veritysetup,
mkfs.erofs and blkid (hooks/verinit-sign usr signs a small /usr image as the lab does).
With --digest-set, only the SignedData.digestAlgorithms seeds and regression inputs, derived from the
committed corpus/sigverify/db.p7s (no new keys); with --veritytop, only the verity superblock seeds;
with --slot, only the slot chooser's disks and the efivar seeds; with --execinterp, only the
executable heads; with --sepolicy, only the SELinux readers' inputs; with --geometry, only the
disks whose GPT and kernel partitions are compared; with --fssize, only the file systems' heads;
with --tpm2attest, only the attestation structures and the reference PCR values (pcrjson).

Keys are made in a temporary directory and deleted when this ends: only public certificates, and
signatures and JSON that carry nothing but public certificates, are written into the tree. Running
this again makes new keys, so it rewrites certs/ and every signed seed together; everything else it
writes is the same every time. Seeds come from the unit tests' tables, the lab's configuration and
command lines, and what hooks/verinit-sign writes; binary formats are built here byte by byte.
"""
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
CERTS = os.path.join(HERE, "certs")
RH = "2b0b1b1e7f5c6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00"  # sigverify.c's FUZZ_ROOT_HASH
HASH = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
UUID = "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
GPT_ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
GPT_USR = "8484680c-9521-48c6-9c11-b0720656f69e"
GPT_VERITY = "77ff5f63-e7b6-4633-acf4-1565b864c0e6"
GPT_SIG = "e7bb33fb-06cf-4e81-8273-e543b413e2e2"
GPT_ROOT = "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"


def seed(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 65536, (harness, name, len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw).stdout


def uuid_of(h):
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


# ---- keys, certificates, signatures (temporary keys) ---------------------------------------------
def make_cert(tmp, name, subj, serial, rsa=False):
    key, cert = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
    newkey = ["-newkey", "rsa:2048"] if rsa else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    run("openssl", "req", "-x509", *newkey, "-nodes", "-keyout", key, "-out", cert, "-subj", subj,
        "-days", "36500", "-set_serial", str(serial), "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "subjectKeyIdentifier=hash")
    return key, cert


def cms_sign(tmp, key, cert, content, *extra):
    src = os.path.join(tmp, "content")
    with open(src, "w") as f:
        f.write(content)
    return run("openssl", "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER", "-signer", cert,
               "-inkey", key, "-in", src, *extra)


def der_of(cert):
    return run("openssl", "x509", "-in", cert, "-outform", "DER")


def signed_seeds(tmp):
    shutil.rmtree(CERTS, ignore_errors=True)
    os.makedirs(CERTS)
    subj = "/CN=verinit fuzz db/O=verinit test"
    db_key, db = make_cert(tmp, "db", subj, 1)
    rsa_key, rsa = make_cert(tmp, "rsa", "/CN=verinit fuzz rsa/O=verinit test", 2, rsa=True)
    # Same issuer and serial as db, another key: the signer's issuer+serial names both.
    twin_key, twin = make_cert(tmp, "twin", subj, 1)
    att_key, att = make_cert(tmp, "attacker", subj, 3)
    shutil.copy(db, os.path.join(CERTS, "db.pem"))
    with open(os.path.join(CERTS, "rsa.der"), "wb") as f:
        f.write(der_of(rsa))
    shutil.copy(twin, os.path.join(CERTS, "0-twin.crt"))  # PEM under .crt; sorts first

    # certs: the enrolled ones, a bundle, a public key (not a certificate), an attacker's.
    seed("certs", "db.pem", open(db).read())
    seed("certs", "rsa.der", der_of(rsa))
    seed("certs", "bundle.pem", open(db).read() + "text between blocks\n" + open(rsa).read())
    seed("certs", "attacker.der", der_of(att))
    seed("certs", "pubkey.pem", run("openssl", "pkey", "-in", db_key, "-pubout"))

    # sigverify: raw DER over RH, as the lab signs (-noattr -nosmimecap), and off-profile ones.
    lab = ("-noattr", "-nosmimecap")
    sv = {
        "db.p7s": cms_sign(tmp, db_key, db, RH, *lab),
        "db-nocerts.p7s": cms_sign(tmp, db_key, db, RH, *lab, "-nocerts"),
        "db-keyid.p7s": cms_sign(tmp, db_key, db, RH, *lab, "-nocerts", "-keyid"),
        "rsa.p7s": cms_sign(tmp, rsa_key, rsa, RH, *lab),
        "twin.p7s": cms_sign(tmp, twin_key, twin, RH, *lab, "-nocerts"),
        "attacker.p7s": cms_sign(tmp, att_key, att, RH, *lab),
        "other-hash.p7s": cms_sign(tmp, db_key, db, HASH, *lab, "-nocerts"),
        "signed-attrs.p7s": cms_sign(tmp, db_key, db, RH, "-nocerts"),
        "sha512.p7s": cms_sign(tmp, db_key, db, RH, *lab, "-nocerts", "-md", "sha512"),
        "attached.p7s": cms_sign(tmp, db_key, db, RH, *lab, "-nodetach", "-nocerts"),
    }
    for name, data in sv.items():
        seed("sigverify", name, data)
    digest_set_seeds(sv["db.p7s"])

    # sigjson: what hooks/verinit-sign usr writes for a small erofs /usr, padded as repart pads it.
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "lib"))
    with open(os.path.join(tree, "lib", "os-release"), "w") as f:
        f.write("ID=verinit-fuzz\n")
    img = os.path.join(tmp, "usr.img")
    run("mkfs.erofs", "-T0", img, tree)
    size = os.path.getsize(img)
    os.truncate(img, (size + 4095) // 4096 * 4096)
    outs = {}
    for label, key, cert, extra in (("db", db_key, db, []), ("db-nocerts", db_key, db, ["--nocerts"]),
                                    ("rsa", rsa_key, rsa, ["--nocerts"]), ("attacker", att_key, att, [])):
        out = os.path.join(tmp, "sign-" + label)
        run(os.path.join(REPO, "hooks", "verinit-sign"), "usr", "--key", key, "--cert", cert, "--output", out,
            *extra, img)
        outs[label] = out
    part = open(os.path.join(outs["db"], "usr-verity-sig.img"), "rb").read()
    seed("sigjson", "repart-padded.img", part)
    seed("sigjson", "compact.json", part.rstrip(b"\0"))
    for label in ("db-nocerts", "rsa", "attacker"):
        seed("sigjson", label + ".json", open(os.path.join(outs[label], "usr-verity-sig.img"), "rb").read().rstrip(b"\0"))
    envtext = open(os.path.join(outs["db"], "usr.env")).read()
    seed("envfile", "usr.env", envtext)
    # Over RH, with the fixed-hash signatures: pretty, reordered, an unknown field, no fingerprint.
    fpr = hashlib.sha256(der_of(db)).hexdigest()
    b64 = lambda d: base64.b64encode(d).decode()
    seed("sigjson", "pretty.json", json.dumps({"signature": b64(sv["db-nocerts.p7s"]), "rootHash": RH,
                                               "certificateFingerprint": fpr, "extra": [1, {"a": None}]}, indent=2))
    seed("sigjson", "no-fpr.json", json.dumps({"rootHash": RH, "signature": b64(sv["twin.p7s"])}))
    seed("sigjson", "keyid.json", json.dumps({"rootHash": RH, "signature": b64(sv["db-keyid.p7s"])}))
    seed("sigjson", "rsa-rh.json", json.dumps({"rootHash": RH, "signature": b64(sv["rsa.p7s"])}))
    seed("sigjson", "signed-attrs.json", json.dumps({"rootHash": RH, "signature": b64(sv["signed-attrs.p7s"])}))
    seed("sigjson", "dup-key.json", '{"rootHash":"%s","rootHash":"%s","signature":"%s"}' % (RH, HASH, b64(sv["db.p7s"])))
    seed("sigjson", "escaped-key.json", '{"r\\u006fotHash":"%s","signature":"%s"}' % (RH, b64(sv["db.p7s"])))
    seed("sigjson", "foreign-fpr.json", json.dumps({"rootHash": RH, "signature": b64(sv["db.p7s"]),
                                                    "certificateFingerprint": HASH}))

    # ipe: policies signed as hooks/verinit-sign ipe-policy signs them (attached, no attributes).
    for name, version, key, cert in (("fuzz_pinned", "1.2.3", db_key, db), ("default", "0.9.0", db_key, db),
                                     ("attacker", "65535.0.1", att_key, att)):
        pol, p7 = os.path.join(tmp, name + ".pol"), os.path.join(tmp, name + ".p7s")
        run(os.path.join(REPO, "hooks", "verinit-sign"), "ipe-pin", "--roothash", RH, "--name", name,
            "--version", version, "--output", pol)
        run(os.path.join(REPO, "hooks", "verinit-sign"), "ipe-policy", "--key", key, "--cert", cert,
            "--output", p7, pol)
        seed("ipe", name + ".p7s", open(p7, "rb").read())
    full = open(os.path.join(tmp, "fuzz_pinned.p7s"), "rb").read()
    seed("ipe", "truncated.p7s", full[: len(full) // 2])
    seed("ipe", "detached.p7s", sv["db.p7s"])
    src = os.path.join(tmp, "content")
    with open(src, "w") as f:
        f.write("policy_version=2.0.0\tpolicy_name=tabbed\r\nDEFAULT action=ALLOW\n")
    seed("ipe", "tabbed.p7s", run("openssl", "smime", "-sign", "-binary", "-noattr", "-nodetach", "-outform", "DER",
                                  "-signer", db, "-inkey", db_key, "-in", src))
    seed("ipe", "version.txt", "1.2.3\n")
    seed("ipe", "version-max.txt", "65535.65535.0")


# ---- SignedData.digestAlgorithms: what CMS_verify starts a digest for ---------------------------------
def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_tlv(data, pos):
    """(tag byte, header length, content length) of the definite-length TLV at pos."""
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    return tag, 2 + n, int.from_bytes(data[pos + 2:pos + 2 + n], "big")


def with_digest_set(p7, algs):
    """p7 (ContentInfo { oid, [0] SignedData { version, digestAlgorithms, rest } }) with the SET's content
    replaced by algs, the outer lengths recomputed; what is signed does not change."""
    _, h0, _ = der_tlv(p7, 0)
    _, h1, l1 = der_tlv(p7, h0)
    oid = p7[h0:h0 + h1 + l1]
    pos = h0 + h1 + l1
    _, h2, _ = der_tlv(p7, pos)
    sd = pos + h2
    _, h3, _ = der_tlv(p7, sd)
    ver = sd + h3
    _, h4, l4 = der_tlv(p7, ver)
    dset = ver + h4 + l4
    tag, h5, l5 = der_tlv(p7, dset)
    assert tag == 0x31, "digestAlgorithms is not a SET"
    rest = p7[dset + h5 + l5:]
    body = p7[ver:ver + h4 + l4] + b"\x31" + der_len(len(algs)) + algs + rest
    signed = b"\x30" + der_len(len(body)) + body
    inner = b"\xa0" + der_len(len(signed)) + signed
    return b"\x30" + der_len(len(oid) + len(inner)) + oid + inner


SHA256_ALG = bytes.fromhex("300b0609608648016503040201")  # as openssl cms writes it: no parameters


def digest_set_seeds(p7):
    """Seeds, and regression inputs of both signature harnesses: OpenSSL 3.0.19's CMS_verify leaked its
    content BIO on an unknown algorithm in the set (issue 19). One with NULL parameters is what
    systemd-repart's PKCS7_sign writes, and must verify."""
    unknown = SHA256_ALG[:-1] + b"\x7f"  # 2.16.840.1.101.3.4.2.127: no digest anyone knows
    sha512 = SHA256_ALG[:-1] + b"\x03"
    variants = {
        "digestalgs-unknown": unknown,
        "digestalgs-sha256-unknown": SHA256_ALG + unknown,
        "digestalgs-sha512": sha512,
        "digestalgs-twice": SHA256_ALG + SHA256_ALG,
        "digestalgs-empty": b"",
        "digestalgs-sha256-int": bytes.fromhex("300e0609608648016503040201020101"),
    }
    for name, algs in variants.items():
        bad = with_digest_set(p7, algs)
        wrapped = json.dumps({"rootHash": RH, "signature": base64.b64encode(bad).decode()})
        for kind, harness, ext, data in (("seed", "sigverify", ".p7s", bad), ("seed", "sigjson", ".json", wrapped),
                                         ("regression", "sigverify", ".p7s", bad),
                                         ("regression", "sigjson", ".json", wrapped)):
            if kind == "seed":
                seed(harness, name + ext, data)
            else:
                d = os.path.join(HERE, "regressions", harness)
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, name + ext), "wb") as f:
                    f.write(data.encode() if isinstance(data, str) else data)
    null = with_digest_set(p7, bytes.fromhex("300d06096086480165030402010500"))
    seed("sigverify", "digestalgs-null.p7s", null)
    seed("sigjson", "digestalgs-null.json", json.dumps({"rootHash": RH, "signature": base64.b64encode(null).decode()}))


# ---- veritytop: a flag, the hash area's offset, a verity superblock as veritysetup writes it ---------
def veritytop_seeds():
    with tempfile.TemporaryDirectory(prefix="verinit-mkseeds.") as tmp:
        data, hash_ = os.path.join(tmp, "data"), os.path.join(tmp, "hash")
        for name, blocks, bs, salt in (("one-block", 1, 4096, "00ff"), ("two-levels", 129, 4096, "01"),
                                       ("repart-512", 300, 512, "02"), ("no-salt", 7, 4096, "-")):
            with open(data, "wb") as f:
                f.write(bytes(range(256)) * (blocks * bs // 256))
            run("veritysetup", "format", "--data-block-size=%d" % bs, "--hash-block-size=%d" % bs,
                "--salt=" + salt, "--uuid=" + UUID, data, hash_)
            with open(hash_, "rb") as f:
                sb = f.read(512)
            seed("veritytop", name, b"\x01" + struct.pack("<Q", 0) + sb)
        seed("veritytop", "offset-1m", b"\x01" + struct.pack("<Q", 1 << 20) + sb)
        seed("veritytop", "no-superblock", b"\x00" + struct.pack("<Q", 8192) + sb)


# ---- text formats -------------------------------------------------------------------------------
def text_seeds():
    cmdlines = [
        "", "console=ttyS0 panic=-1", "console=ttyS0 panic=-1 verinit.kernel_verify=optional",
        "console=ttyS0 panic=-1 usrhash=" + "0" * 64, "console=ttyS0 panic=-1 mount.usrflags=nosuid,noatime",
        "lsm=lockdown,capability,landlock,yama,selinux,ipe console=ttyS0",
        "BOOT_IMAGE=/vmlinuz console=ttyS0,115200 ro quiet panic=-1\n",
        "quiet\tro\nverinit.tpm=optional\n", 'systemd.verity_usr_data="PARTLABEL=usr a"',
        'quiet "systemd.verity_usr_hash=PARTLABEL=usr b" ro', 'foo="a verinit.failure=halt" verinit.debug',
        'quiet "usr"hash=' + HASH, 'init=/usr/"bin/x"', 'quiet foo="bar baz', "quiet ro\0 verinit.debug", "quiet\r\n",
        "ro usrhash=" + HASH, "systemd.verity_usr_data=/dev/vda2 systemd.verity-usr-data=/dev/vdb2",
        "mount.usr=/dev/mapper/usr mount.usrfstype=erofs mount.usrflags=ro,nodev,nosuid,noatime",
        "systemd.verity_usr_data=PARTUUID=" + UUID.upper() + " systemd.verity_usr_hash=/dev/vda3",
        "systemd.verity_usr_options=panic-on-corruption,restart-on-corruption",
        "systemd.verity_usr_options=root-hash-signature=/tmp/mine.p7s",
        "verinit.verity.on_corruption=restart systemd.verity_usr_options=panic-on-corruption",
        "root=PARTUUID=" + UUID.upper() + " rootfstype=xfs rootflags=noatime", "root=tmpfs rootfstype=tmpfs",
        "init=/usr/sbin/init", "quiet init=/bin/sh", "verinit.failure-delay=0 verinit.debug verinit.tpm=required",
        "verinit.verity.on_corruption=eio", "verinit.allow_unsigned=1", "enforcing=0 selinux=0 ipe.enforce=0",
        "rd.break", "rd.emergency=reboot rd.shell=0 systemd.debug_shell=false rd.systemd.debug-shell=off",
        '"rd.shell=0 "', "BOOT_IMAGE=/vmlinuz root=tmpfs usrhash=" + HASH + " systemd.verity_usr_data=PARTLABEL=usr "
        "systemd.verity_usr_hash=PARTLABEL=usr-verity systemd.verity_usr_options=panic-on-corruption "
        "mount.usr=/dev/mapper/usr mount.usrfstype=erofs mount.usrflags=ro init=/usr/lib/systemd/systemd "
        "verinit.debug verinit.tpm=required console=ttyS0\n",
        " ".join("verinit.w%d" % i for i in range(17)), "verinit." + "0" * 56 + "=1",
        "quiet systemd.verity_usr_data=/dev/" + "1".rjust(250, "0"),
    ]
    for i, c in enumerate(cmdlines):
        seed("cmdline", "cmdline-%02d" % i, c)

    configs = {"lab.conf": open(os.path.join(REPO, "qemu", "verinit.conf")).read()}
    confdir = os.path.join(REPO, "qemu", "conf")
    for f in sorted(os.listdir(confdir)):
        configs[f] = open(os.path.join(confdir, f)).read()
    configs.update({
        "explicit-root.conf": "usr.discovery=explicit\nusr.data=/dev/vda2\nusr.hash=PARTLABEL=usr-verity\n"
                              "root=PARTUUID=" + UUID.upper() + "\nroot.fstype=xfs\nroot.flags=noatime,data=ordered\n"
                              "root.exec=unverified\n",
        "loose.conf": "kernel_verify=optional\ntpm=optional\nverity.on_corruption=eio\ncmdline.init=allow\n"
                      "failure=poweroff\nfailure_delay=3600\npcr.phase=23\npcr.facts=8\n",
        "policies.conf": "ipe.policy=/etc/i\nipe.mode=audit\nipe=optional\nselinux.policy=/usr/share/p\n"
                         "selinux.mode=permissive\nselinux=optional\ncertificates=/etc/verinit/certs\n",
        "all.conf": "usr.discovery=partuuid\nusr.signature=/etc/verinit/usr.p7s\nusr.fstype=squashfs\n"
                    "root=/dev/vda4\nroot.fstype=btrfs\nroot.flags=noexec\nmodules=a b-c d_e\ndevice_timeout=600\ntpm_timeout=1\n"
                    "init=/usr/lib/systemd/systemd\n# comment\n\n",
        "bad-dup.conf": "tpm=optional\ntpm=required\n", "bad-crlf.conf": "tpm=optional\r\n",
        "bad-space.conf": "tpm = optional\n", "bad-mode.conf": "ipe.mode=audit\n",
    })
    for name, text in configs.items():
        seed("config", name, text)

    for i, (sel, opts) in enumerate([(0, "ro,noatime,data=ordered"), (1, "nodev,nosuid,noexec,relatime"),
                                     (0x80 | 0x10, "mode=0755,size=10%"), (0, "dev"), (0, "ro,,x"), (0, ""),
                                     (0, "rw,exec,sync,dirsync,lazytime,strictatime,nodiratime,errors=remount-ro"),
                                     (0xbf, "a" * 70), (0, "suid,")]):
        seed("mountopts", "opts-%02d" % i, bytes([sel]) + opts.encode())

    seed("envfile", "table.env", "# c\n\n  \nA=1\nB='two words $x'\nC=\"two words\"\nD=\nFSTYPE=erofs")
    seed("envfile", "bad.env", "A=1\nB=$A\nexport C=1\n")
    seed("envfile", "twice.env", "A=1\nB=2\nA=3\n")

    for i, (sel, text) in enumerate([(0, RH), (0, ""), (1, "0A"), (0, "AAECAwQ="), (0, "AA=="), (2, "AAA="),
                                     (0, "AB=="), (0, "===="), (3, base64.b64encode(bytes(range(48))).decode())]):
        seed("hexb64", "in-%02d" % i, bytes([sel]) + text.encode())

    lines = ["# sysfs, upper case", "sha1 0 " + "AB" * 20, "sha256 11 " + HASH, "sha384\t15\t" + "cd" * 48,
             "sha512 23 " + "ef" * 64, ""]
    seed("pcrlist", "all-banks", "\n".join(lines))
    seed("pcrlist", "predict", "sha256 11 %s\nsha256 15 %s" % (HASH, RH))
    seed("pcrlist", "twice", "sha256 11 %s\nsha256 11 %s\n" % (HASH, HASH))

    sig_uuid = uuid_of(hashlib.sha256(b"usr-verity-sig:" + RH.encode()).hexdigest())
    lab = ["vda||||", f"vda1|{GPT_ESP.upper()}|{uuid_of(HASH)}|ESP|2048|131072",
           f"vda2|{GPT_USR}|{uuid_of(RH)}|usr|133120|20480",
           f"vda3|{GPT_VERITY}|{uuid_of(RH[32:])}|usr-verity|153600|2048",
           f"vda4|{GPT_SIG}|{sig_uuid}|usr-verity-sig|155648|2048"]
    seed("discover", "lab", "\n".join(lab) + "\n")
    seed("discover", "two-usr", "\n".join(lab + [f"vdb2|{GPT_USR}|{UUID}|usr"]) + "\n")
    # qemu/gpt-craft.py overlap: a fifth entry across the ends of usr and usr-verity.
    seed("discover", "overlap", "\n".join(lab + [f"vda5|{GPT_ROOT}|{UUID}|data|151552|4096"]) + "\n")
    seed("discover", "explicit", "\n".join(["vda||||", "vdb||||", "vdc||||", f"vda2|{GPT_ROOT}|{UUID.upper()}|root",
                                            f"W|PARTUUID={UUID}", "W|/dev/vdb", f"W{GPT_ROOT}|PARTLABEL=root"]) + "\n")
    # sysupdate's placeholders for slot B, and a usr with no-auto (bit 63; 60 read-only, 59 grow-fs).
    ab_empty = lab + [f"vda{5 + i}|{t}|{uuid_of(HASH[i:] + HASH[:i])}|_empty|{165888 + i * 2048}|2048|0"
                      for i, t in enumerate((GPT_USR, GPT_VERITY, GPT_SIG))]
    seed("discover", "ab-empty", "\n".join(ab_empty + [f"W{GPT_USR}||d", "W|PARTLABEL=_empty|d"]) + "\n")
    no_auto = lab[:2] + [lab[2] + "|" + str((1 << 63) | (1 << 60) | (1 << 59))] + lab[3:]
    seed("discover", "no-auto", "\n".join(no_auto + [f"W{GPT_USR}||d", f"W{GPT_USR}||"]) + "\n")


def geometry_seeds():
    """The lab's disk as libblkid and sysfs show it, and what each qemu/gpt-craft.py mode makes of it
    (libblkid's numbers as it read copies of the lab's disk; the kernel's by efi.c's rules)."""
    lab = [(1, 2048, 131072), (2, 133120, 4096), (3, 137216, 2048), (4, 139264, 2048)]

    def disk(ents, kparts, after=None):
        lines = [f"E|{n}|{s}|{z}" for n, s, z in ents] + [f"K|{n}|{s}|{z}|vda{n}" for n, s, z in kparts]
        lines += [f"A|{n}|{s}|{z}|vda{n}" for n, s, z in (kparts if after is None else after)]
        return "\n".join(lines) + "\n"

    seed("geometry", "lab", disk(lab, lab))
    seed("geometry", "not-yet", disk(lab, []))
    seed("geometry", "scanning", disk(lab, lab[:2], lab))
    # end-before-start: the kernel's size wraps (2^64 - 999 sectors), libblkid's is negative.
    seed("geometry", "end-before-start", disk(lab + [(5, 142000, -999)], lab + [(5, 142000, 2**64 - 999)]))
    seed("geometry", "below-first-usable", disk(lab, lab + [(5, 34, 2014)]))
    seed("geometry", "beyond-last-usable", disk(lab, lab + [(5, 141312, 2047)]))
    many = lab + [(n, 141307 + n, 1) for n in range(5, 301)]
    seed("geometry", "too-many", disk(many, many[:255]))
    seed("geometry", "size-differs", disk(lab, lab[:1] + [(2, 133120, 8192)] + lab[2:]))


# ---- binary formats ------------------------------------------------------------------------------
def eventlog_seeds():
    def digests(s, banks):
        return [{"hashAlg": b, "digest": hashlib.new(b, s.encode()).hexdigest()} for b in banks]

    def record(pcr, s, banks, ctype, etype):
        content = {"string": s, "bootId": "0123456789abcdef0123456789abcdef", "timestamp": 1234567,
                   "eventType": etype}
        return "\x1e" + json.dumps({"pcr": pcr, "digests": digests(s, banks), "content_type": ctype,
                                    "content": content}, separators=(",", ":")) + "\n"

    all4 = ["sha1", "sha256", "sha384", "sha512"]
    boot = [record(11, "enter-initrd", ["sha256"], "systemd", "phase"),
            record(15, "verinit.usr.roothash=" + RH, ["sha256"], "verinit", "verinit"),
            record(15, "verinit.usr.signer.sha256=" + HASH, ["sha256"], "verinit", "verinit"),
            record(15, "verinit.usr.kernel_verified=yes", ["sha256"], "verinit", "verinit"),
            record(15, "verinit.ipe.policy.sha256=%s mode=enforce" % HASH, ["sha256"], "verinit", "verinit"),
            record(11, "leave-initrd", ["sha256"], "systemd", "phase")]
    seed("eventlog", "boot-sha256.log", "".join(boot))
    seed("eventlog", "all-banks.log", record(11, "enter-initrd", all4, "systemd", "phase") +
         record(11, "verinit.failure stage=signature reason=SIG_UNTRUSTED", all4, "verinit", "verinit-failure"))
    seed("eventlog", "one.log", record(11, "enter-initrd", ["sha256"], "systemd", "phase"))
    seed("eventlog", "escapes.log", "\x1e" + '{"pcr":15,"digests":[{"hashAlg":"sha1","digest":"%s"}],'
         '"content_type":"verinit","content":{"string":"a\\"b\\\\c\\u00e9\\n","x":[1,2.5e3,null,true]}}\n'
         % hashlib.sha1(b"").hexdigest())


def tcglog_seeds():
    SHA1, SHA256, SHA384, SM3 = 0x0004, 0x000B, 0x000C, 0x0012
    size = {SHA1: 20, SHA256: 32, SHA384: 48, SM3: 32}

    def spec_id(algs):
        body = b"Spec ID Event03\0" + struct.pack("<IBBBBI", 0, 0, 2, 0, 2, len(algs))
        body += b"".join(struct.pack("<HH", a, size[a]) for a in algs) + b"\0"
        return struct.pack("<II", 0, 3) + bytes(20) + struct.pack("<I", len(body)) + body

    def event(pcr, etype, data, algs):
        out = struct.pack("<III", pcr, etype, len(algs))
        for a in algs:
            name = {SHA1: "sha1", SHA256: "sha256", SHA384: "sha384"}.get(a)
            d = hashlib.new(name, data).digest() if name else bytes(size[a])
            out += struct.pack("<H", a) + d
        return out + struct.pack("<I", len(data)) + data

    def utf16(s):
        return s.encode("utf-16-le")

    def variable(name, data):
        return bytes(range(16)) + struct.pack("<QQ", len(name), len(data)) + utf16(name) + data

    def ovmf(algs):
        log = spec_id(algs)
        log += event(0, 3, b"StartupLocality\0\x03", algs)
        log += event(0, 0x8, utf16("OVMF 2023\0"), algs)
        log += event(0, 0x80000008, struct.pack("<QQ", 0xffc00000, 0x400000), algs)
        for v in ("SecureBoot", "PK", "KEK", "db", "dbx"):
            log += event(7, 0x80000001, variable(v, b"\x01"), algs)
        for pcr in range(8):
            log += event(pcr, 4, bytes(4), algs)
        log += event(4, 0x80000007, b"Calling EFI Application from Boot Option", algs)
        log += event(1, 0x80000002, variable("BootOrder", b"\x00\x00\x01\x00"), algs)
        log += event(5, 0x80000006, b"EFI PART" + bytes(84), algs)
        log += event(4, 0x80000003, bytes(32), algs)
        for sec in (".linux", ".osrel", ".cmdline", ".initrd"):
            log += event(11, 0xd, utf16(sec + "\0"), algs)
            log += event(11, 0xd, b"section data", algs)
        log += event(12, 0xd, utf16("console=ttyS0 panic=-1\0"), algs)
        log += event(7, 0x800000e0, variable("db", bytes(40)), algs)
        return log

    seed("tcglog", "ovmf-sha1-sha256.bin", ovmf([SHA1, SHA256]))
    seed("tcglog", "ovmf-sha256.bin", ovmf([SHA256]))
    seed("tcglog", "ovmf-all.bin", ovmf([SHA1, SHA256, SHA384, SM3]))
    seed("tcglog", "spec-only.bin", spec_id([SHA256]))


def pe_seeds():
    stub = open("/usr/lib/systemd/boot/efi/linuxx64.efi.stub", "rb").read()
    seed("pe", "stub-head.efi", stub[:4096])  # the real headers; the sections' data is cut off
    pe_off = struct.unpack_from("<I", stub, 0x3C)[0]
    nsec = struct.unpack_from("<H", stub, pe_off + 6)[0]
    opt_size = struct.unpack_from("<H", stub, pe_off + 20)[0]
    table = pe_off + 24 + opt_size
    # A small UKI: the stub's headers, its sections without raw data, and the UKI's sections.
    img = bytearray(stub[:table])
    secs = []
    for i in range(nsec):
        h = bytearray(stub[table + 40 * i: table + 40 * i + 40])
        struct.pack_into("<II", h, 16, 0, 0)  # SizeOfRawData, PointerToRawData
        secs.append(bytes(h))
    payload = [(b".osrel", b"ID=verinit-fuzz\n"), (b".cmdline", b"console=ttyS0 panic=-1\0"),
               (b".linux", b"MZ kernel" * 40), (b".initrd", bytes(300)), (b".pcrpkey", b"-----BEGIN PUBLIC KEY-----")]
    data_off = (table + 40 * (nsec + len(payload)) + 511) // 512 * 512
    vaddr = 0x30000
    raw = bytearray()
    for name, body in payload:
        h = bytearray(40)
        h[: len(name)] = name
        rsize = (len(body) + 511) // 512 * 512
        struct.pack_into("<IIII", h, 8, len(body), vaddr, rsize, data_off + len(raw))
        secs.append(bytes(h))
        raw += body + bytes(rsize - len(body))
        vaddr += (len(body) + 0xFFF) // 0x1000 * 0x1000
    struct.pack_into("<H", img, pe_off + 6, len(secs))
    struct.pack_into("<I", img, pe_off + 24 + 56, vaddr)  # SizeOfImage
    img += b"".join(secs)
    img += bytes(data_off - len(img)) + raw
    seed("pe", "uki.efi", bytes(img))

    # unit/test-pe.c's image: PE32+, three sections, one name of all 8 bytes.
    t = bytearray(0x800)
    t[0:2] = b"MZ"
    struct.pack_into("<I", t, 0x3C, 0x40)
    t[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HH", t, 0x44, 0x8664, 3)
    struct.pack_into("<H", t, 0x44 + 16, 240)
    struct.pack_into("<H", t, 0x58, 0x20B)
    struct.pack_into("<I", t, 0x58 + 56, 0x4000)
    for i, (name, vs, va, rs, rp) in enumerate([(b".text", 0x200, 0x1000, 0x200, 0x200),
                                               (b".linux", 0x100, 0x2000, 0x200, 0x400),
                                               (b".cmdline", 0x10, 0x3000, 0x200, 0x600)]):
        o = 0x148 + 40 * i
        t[o: o + len(name)] = name
        struct.pack_into("<IIII", t, o + 8, vs, va, rs, rp)
    seed("pe", "test-pe.efi", bytes(t))


def module_seeds():
    """modules.alias as depmod writes it for the lab's initramfs, and uevents as the kernel sends them."""
    lab = ("# Aliases extracted from modules themselves.\n"
           "alias cpu:type:x86,ven*fam*mod*:feature:*0094* crc32c_intel\nalias fs-ext4 ext4\nalias fs-erofs erofs\n"
           "alias virtio:d00000002v* virtio_blk\nalias vmbus:d96361baa104294db60572e2ffb1dc7f hv_storvsc\n"
           "alias scsi:t-0x00* sd_mod\nalias block-major-8-* sd_mod\nalias devname:mapper/control dm_mod\n"
           "alias acpi*:VMBUS:* hv_vmbus\nalias pci:v*d*sv*sd*bc01sc08i02* nvme\nalias [ab]\\*:x? x-y\n")
    seed("modalias", "lab", lab)
    seed("modalias", "devices", "#virtio:d00000002v00001AF4\n#acpi:VMBUS:\n#scsi:t-0x00\n"
         "#pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02\n" + lab)
    seed("modalias", "bad-line", "alias a b\noptions nvme x=1\n")
    seed("modalias", "empty", "")
    events = {
        "virtio": "add@/devices/pci0000:00/0000:00:02.0/virtio0\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:02.0/"
                  "virtio0\0SUBSYSTEM=virtio\0MODALIAS=virtio:d00000002v00001AF4\0SEQNUM=1042\0",
        "block": "add@/devices/virtual/block/dm-0\0ACTION=add\0DEVPATH=/devices/virtual/block/dm-0\0SUBSYSTEM=block\0",
        "mismatch": "remove@/d\0ACTION=add\0MODALIAS=scsi:t-0x00\0",
        "libudev": "libudev\0ACTION=add\0",
        "unterminated": "add@/d\0ACTION=add",
    }
    for name, ev in events.items():
        seed("uevent", name, ev)


# ---- slot: disks of A/B slots, placeholders and no-auto partitions, with the rules ------------------
def slot_seeds():
    ha, hb = "a1" * 32, "b2" * 32

    def slot(k, label, flags=0):
        return [f"vda{3 * k + 1}|{GPT_SIG}|5165165f-0000-0000-0000-00000000000{k}|{label}_verity_sig|{100 * k + 1}|10|0",
                f"vda{3 * k + 2}|{GPT_USR}|=D{k}|{label}|{100 * k + 20}|10|{flags}",
                f"vda{3 * k + 3}|{GPT_VERITY}|=H{k}|{label}_verity|{100 * k + 40}|10|0"]

    empty = [f"vda7|{GPT_SIG}|e0000000-0000-0000-0000-000000000001|_empty|700|10|0",
             f"vda8|{GPT_USR}|e0000000-0000-0000-0000-000000000002|_empty|720|10|0",
             f"vda9|{GPT_VERITY}|e0000000-0000-0000-0000-000000000003|_empty|740|10|0"]
    ab = ["vda||||0|0|0"] + slot(0, "usr_1") + slot(1, "usr_2")
    sigs = [f"S|1|{ha}", f"S|4|{hb}"]
    disks = {
        "one-slot": ["vda||||0|0|0"] + slot(0, "usr_1") + [f"S|1|{ha}", "R||||"],
        "ab-pinned-b": ab + sigs + [f"R|{hb}|||"],
        "ab-unknown-hash": ab + sigs + ["R|" + "00" * 32 + "|||"],
        "ab-unpinned": ab + sigs + ["R||||"],
        "ab-newest": ab + sigs + ["R||n||"],
        "ab-tie": ["vda||||0|0|0"] + slot(0, "usr_2") + slot(1, "usr_2") + sigs + ["R||n||"],
        "a-empty-b": ["vda||||0|0|0"] + slot(0, "usr_1") + empty + [f"S|1|{ha}", "R||||"],
        "no-auto": ["vda||||0|0|0"] + slot(0, "usr_1", 1 << 63) + [f"S|1|{ha}", "R||||"],
        "named": ab + sigs + [f"R|{ha}||PARTLABEL=usr-a|/dev/vda3",
                              f"vdb1|0fc63daf-8483-4772-8e79-3d69d8477de4|0fc00000-0000-0000-0000-000000000001|usr-a|0|10|0"],
        "file": ["vda||||0|0|0"] + slot(0, "usr_1")[1:] + [f"S|-1|{ha}", f"R|{ha}|||"],
        "versions": ["vda||||0|0|0"] + slot(0, "usr_1.10~rc1") + slot(1, "usr_1.9^2") + sigs + ["R||n||"],
    }
    for name, lines in disks.items():
        seed("slot", name, "\n".join(lines) + "\n")


# ---- efivar: LoaderDevicePartUUID as efivarfs gives it (attributes, UTF-16LE) -------------------
def efivar_seeds():
    attrs = b"\x07\x00\x00\x00"
    u = "6F6A8B3E-1B0C-4D6E-9F10-A2B3C4D5E6F7"
    seed("efivar", "stub", attrs + (u + "\0").encode("utf-16-le"))
    seed("efivar", "no-nul", attrs + u.lower().encode("utf-16-le"))
    seed("efivar", "short", attrs + u[:-1].encode("utf-16-le"))
    seed("efivar", "empty", attrs)


# ---- execinterp: the first bytes of an executable (byte 0: 1 = a prefix of a longer file) -------
def execinterp_seeds():
    loader = b"/lib64/ld-linux-x86-64.so.2\0"
    ehdr = (b"\x7fELF\x02\x01\x01" + bytes(9)
            + struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0x1040, 64, 0, 0, 64, 56, 2, 64, 0, 0))
    interp = struct.pack("<IIQQQQQQ", 3, 4, 64 + 2 * 56, 0, 0, len(loader), len(loader), 1)
    load = struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, 4096, 4096, 4096)
    seed("execinterp", "dynamic", b"\x01" + ehdr + interp + load + loader)
    seed("execinterp", "static", b"\x00" + ehdr[:56] + struct.pack("<H", 1) + ehdr[58:] + load)
    seed("execinterp", "script", b"\x00#!/usr/bin/busybox sh\necho hi\n")
    seed("execinterp", "script-prefix", b"\x01#! /bin/sh -e")


# ---- sepolicy: a policy header, /sys/kernel/security/lsm, a selinuxfs boolean ---------------------
def sepolicy_seeds():
    hdr = struct.pack("<II", 0xF97CFF8C, 8) + b"SE Linux" + struct.pack("<IIII", 33, 0, 8, 7)
    seed("sepolicy", "header-33", b"\x00" + hdr)
    seed("sepolicy", "header-xen", b"\x00" + struct.pack("<II", 0xF97CFF8C, 8) + b"XenFlask" + struct.pack("<I", 33))
    seed("sepolicy", "lsm", b"\x01lockdown,capability,landlock,yama,selinux,ipe\n")
    seed("sepolicy", "lsm-lookalike", b"\x01capability,selinuxx")
    seed("sepolicy", "config", b"\x02# store\nSELINUX=enforcing\nSELINUXTYPE=targeted\nSETLOCALDEFS=0\n")
    seed("sepolicy", "config-twice", b"\x02SELINUX=permissive\nSELINUXTYPE=a\nSELINUX=enforcing\n")
    seed("sepolicy", "bool", b"\x031 1")
    seed("sepolicy", "bool-pending", b"\x030 1\n")


# ---- fssize: a type selector, then a device's first 2 KiB with a superblock as mkfs writes it -------
def fssize_seeds():
    def head(*fields, size=2048):
        b = bytearray(size)
        for off, fmt, value in fields:
            struct.pack_into("<" + fmt, b, off, value)
        return bytes(b)

    def erofs(bits, blocks, *more):
        return head((1024, "I", 0xE0F5E1E2), (1036, "B", bits), (1060, "I", blocks), *more)

    def ext4(log, blocks, *more):
        return head((1080, "H", 0xEF53), (1048, "I", log), (1028, "I", blocks), *more)

    squashfs = head((0, "I", 0x73717368), (28, "H", 4), (30, "H", 0), (40, "Q", 300277), size=96)
    seed("fssize", "erofs-lab", b"\x00" + erofs(12, 512))
    seed("fssize", "erofs-48bit", b"\x00" + erofs(12, 10, (1038, "H", 1), (1104, "I", 0x80)))
    seed("fssize", "erofs-512", b"\x00" + erofs(9, 3)[:1108])
    seed("fssize", "squashfs", b"\x01" + squashfs)
    seed("fssize", "ext4-4k", b"\x02" + ext4(2, 8192))
    seed("fssize", "ext4-64bit", b"\x02" + ext4(2, 16, (1120, "I", 0x80 | 0x2 | 0x40), (1360, "I", 2)))
    seed("fssize", "ext4-1k", b"\x02" + ext4(0, 8192)[:1364])
    seed("fssize", "other-type", b"\x03" + ext4(2, 8192))

def tpm2attest_seeds():
    # The swtpm quotes, signatures and AKs embedded in the unit test (one copy of those bytes), and
    # hand-built ones: a quote of three banks, an RSAPSS signature, an ECC key with a KDF.
    import re
    with open(os.path.join(REPO, "test", "unit", "test-tpm2attest.c")) as f:
        src = f.read()
    for name, body in re.findall(r'static const char (real_\w+)\[\] =\n((?:\t"[0-9a-f]+";?\n)+)', src):
        seed("tpm2attest", name.replace("_", "-"), bytes.fromhex("".join(re.findall(r'"([0-9a-f]+)"', body))))

    def b2(data):
        return struct.pack(">H", len(data)) + data

    def sel(alg, pcrs, size=3):
        return struct.pack(">HB", alg, size) + sum(1 << p for p in pcrs).to_bytes(size, "little")

    head = struct.pack(">IH", 0xFF544347, 0x8018) + b2(b"\x00\x0b" + bytes(32)) + b2(b"nonce")
    head += struct.pack(">QIIBQ", 1000, 1, 0, 1, 0x2019102300163636)
    sels = sel(0x000B, range(8)) + sel(0x0004, [0, 7]) + sel(0x000C, [23], 4)
    seed("tpm2attest", "quote-3-banks", head + struct.pack(">I", 3) + sels + b2(bytes(32)))
    seed("tpm2attest", "quote-no-bank", head + struct.pack(">I", 0) + b2(b""))
    seed("tpm2attest", "sig-rsapss", struct.pack(">HH", 0x0016, 0x000D) + b2(bytes(range(64))))
    ecc = struct.pack(">HHI", 0x0023, 0x0004, 0x00060072) + b2(b"\xab\xcd") + struct.pack(">HHHHH", 0x0010, 0x0010, 3, 0x20, 0x0B)
    seed("tpm2attest", "public-ecc-kdf", b2(ecc + b2(b"\x11") + b2(b"\x22\x23")))
    rsa = struct.pack(">HHI", 0x0001, 0x000B, 0x00050072) + b2(b"") + struct.pack(">HHHHHHI", 6, 128, 0x43, 0x14, 0x0B, 32, 0)
    seed("tpm2attest", "public-rsa-aes", b2(rsa + b2(b"\xc1\xc2\xc3\xc4")))


def pcrjson_seeds():
    seed("pcrjson", "uki", json.dumps({"sha1": {"11": "ab" * 20, "15": "cd" * 20},
                                       "sha256": {"11": HASH, "15": RH}}, separators=(",", ":")) + "\n")
    seed("pcrjson", "all-pcrs", json.dumps({"sha512": {str(p): "%02x" % p * 64 for p in range(24)}}))
    seed("pcrjson", "bad", '{"sha256":{"011":"%s"},"SHA1":{}}' % HASH)


def main():
    if sys.argv[1:] == ["--slot"]:
        slot_seeds()  # no keys involved
        efivar_seeds()
        return
    if sys.argv[1:] == ["--geometry"]:
        geometry_seeds()  # no keys involved
        return
    if sys.argv[1:] == ["--execinterp"]:
        execinterp_seeds()  # no keys involved
        return
    if sys.argv[1:] == ["--sepolicy"]:
        sepolicy_seeds()  # no keys involved
        return
    if sys.argv[1:] == ["--tpm2attest"]:
        tpm2attest_seeds()  # no keys involved
        pcrjson_seeds()
        return
    if sys.argv[1:] == ["--fssize"]:
        fssize_seeds()  # no keys involved
        return
    if sys.argv[1:] == ["--veritytop"]:
        veritytop_seeds()  # no keys involved
        return
    if sys.argv[1:] == ["--digest-set"]:
        # Only the digestAlgorithms seeds and regressions, from the committed db.p7s: no new keys.
        with open(os.path.join(CORPUS, "sigverify", "db.p7s"), "rb") as f:
            digest_set_seeds(f.read())
        return
    for d in ("certs", "corpus"):
        shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="verinit-mkseeds.") as tmp:
        signed_seeds(tmp)
    text_seeds()
    veritytop_seeds()
    slot_seeds()
    efivar_seeds()
    execinterp_seeds()
    sepolicy_seeds()
    geometry_seeds()
    fssize_seeds()
    module_seeds()
    eventlog_seeds()
    tcglog_seeds()
    tpm2attest_seeds()
    pcrjson_seeds()
    pe_seeds()
    for name in sorted(os.listdir(CORPUS)):
        print(name, len(os.listdir(os.path.join(CORPUS, name))), file=sys.stderr)


if __name__ == "__main__":
    main()
