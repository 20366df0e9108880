#!/usr/bin/python3
# SPDX 2.3 JSON for a verinit initramfs (called by hooks/verinit-mkinitramfs).
# Usage: sbom.py MANIFEST LOCK KVER EPOCH IMAGE_SHA256 ROOT CERT_DIR
#   ROOT, CERT_DIR  the unpacked image, and the certificates' directory inside it (/etc/verinit/certs)
#   MANIFEST  "path size sha256" lines of every file in the image
#   LOCK      third_party/sources.lock: the libraries linked into verinit, by Debian version
# Deterministic: the same inputs give the same bytes (no clock, no random namespace).
# Each file carries SHA1 beside SHA-256, and each package whose files are listed (the image, each
# module) says filesAnalyzed with its verification code: SPDX 2.3 requires a SHA1 on every file
# (8.4) and forbids a package with filesAnalyzed false to contain files (7.8), and strict SBOM
# tools reject a document without them. test/spdx/validate.py checks these rules in make check.
import datetime
import hashlib
import json
import os
import subprocess
import sys

manifest, lock, kver, epoch, image_sha, root, cert_dir = sys.argv[1:]


def spdx_id(kind, name):
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in name)
    return f"SPDXRef-{kind}-{safe}"


def verification_code(fs):
    """SPDX 2.3 7.9: the SHA1 of the files' SHA1s, sorted and concatenated."""
    sha1s = sorted(c["checksumValue"] for f in fs for c in f["checksums"] if c["algorithm"] == "SHA1")
    return {"packageVerificationCodeValue": hashlib.sha1("".join(sha1s).encode()).hexdigest()}


files = []
for line in open(manifest, encoding="utf-8"):
    path, size, sha = line.split()
    # SHA1 from the file itself; its SHA-256 again, so that the two cannot describe different bytes.
    data = open(os.path.join(root, path.lstrip("/")), "rb").read()
    if hashlib.sha256(data).hexdigest() != sha:
        sys.exit(f"sbom.py: {path}: the image's file is not the manifest's (SHA-256 differs)")
    files.append({"SPDXID": spdx_id("File", path.strip("/")), "fileName": "." + path,
                  "checksums": [{"algorithm": "SHA256", "checksumValue": sha},
                                {"algorithm": "SHA1", "checksumValue": hashlib.sha1(data).hexdigest()}]})

packages = [{
    "SPDXID": "SPDXRef-Package-initramfs", "name": "verinit-initramfs", "versionInfo": kver,
    "downloadLocation": "NOASSERTION", "filesAnalyzed": True, "packageVerificationCode": verification_code(files),
    "checksums": [{"algorithm": "SHA256", "checksumValue": image_sha}],
}, {
    "SPDXID": "SPDXRef-Package-verinit", "name": "verinit", "downloadLocation": "NOASSERTION",
    "filesAnalyzed": False, "comment": "static-pie /init; the libraries below are linked into it",
}]
relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                  "relatedSpdxElement": "SPDXRef-Package-initramfs"},
                 {"spdxElementId": "SPDXRef-Package-initramfs", "relationshipType": "CONTAINS",
                  "relatedSpdxElement": "SPDXRef-Package-verinit"}]

libs = {}
for line in open(lock, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    lib, source, version = line.split()[:3]
    libs.setdefault(lib, (source, version))
for lib, (source, version) in sorted(libs.items()):
    pid = spdx_id("Package", lib)
    packages.append({"SPDXID": pid, "name": lib, "versionInfo": version, "downloadLocation": "NOASSERTION",
                     "filesAnalyzed": False, "supplier": "Organization: Debian",
                     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                       "referenceLocator": f"pkg:deb/debian/{source}@{version}?arch=source"}]})
    relationships.append({"spdxElementId": "SPDXRef-Package-verinit", "relationshipType": "STATIC_LINK",
                          "relatedSpdxElement": pid})

for f in files:
    name = f["fileName"]
    if name.endswith((".ko", ".ko.xz", ".ko.zst", ".ko.gz")):
        module = os.path.basename(name).split(".ko")[0]
        pid = spdx_id("Package", "module-" + module)
        packages.append({"SPDXID": pid, "name": module, "versionInfo": kver, "downloadLocation": "NOASSERTION",
                         "filesAnalyzed": True, "packageVerificationCode": verification_code([f]),
                         "comment": "Linux kernel module"})
        relationships.append({"spdxElementId": pid, "relationshipType": "CONTAINS", "relatedSpdxElement": f["SPDXID"]})

cert_prefix = "." + cert_dir.rstrip("/") + "/"
for f in files:
    if not f["fileName"].startswith(cert_prefix) or "/" in f["fileName"][len(cert_prefix):]:
        continue
    src = os.path.join(root, f["fileName"])
    form = "DER" if open(src, "rb").read(1) == b"\x30" else "PEM"
    der = subprocess.run(["openssl", "x509", "-inform", form, "-outform", "DER", "-in", src],
                         check=True, capture_output=True).stdout
    f["comment"] = "X.509 certificate, SHA-256 fingerprint (DER) " + hashlib.sha256(der).hexdigest()

for f in files:
    relationships.append({"spdxElementId": "SPDXRef-Package-initramfs", "relationshipType": "CONTAINS",
                          "relatedSpdxElement": f["SPDXID"]})

created = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
doc = {
    "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
    "name": f"verinit-initramfs-{kver}",
    "documentNamespace": f"https://spdx.org/spdxdocs/verinit-initramfs-{image_sha}",
    "creationInfo": {"created": created, "creators": ["Tool: verinit-mkinitramfs"]},
    "packages": packages, "files": files, "relationships": relationships,
}
json.dump(doc, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
