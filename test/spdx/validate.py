#!/usr/bin/python3
# Validates SPDX 2.3 JSON documents offline, as strict SBOM tools do: the structure against
# test/spdx/spdx-2.3.schema.json (Debian's python3-jsonschema), then the specification's rules that
# cross fields, which a schema cannot state:
#   8.4   every file has a SHA1 checksum; each checksum's value has its algorithm's length
#   6.3   every SPDXID is unique in the document
#   11.1  every relationship, documentDescribes, hasFiles and snippetFromFile names an element
#         of this document (or of an external document it declares); the document DESCRIBES
#         something when it holds more than one package or any file
#   7.8   a package with filesAnalyzed false contains no file, has no verification code and no
#         licenseInfoFromFiles
#   7.9   a package whose files were analyzed has a verification code, and it is the one its
#         files' SHA1s give
#   8.1   file names are relative
# Usage: test/spdx/validate.py FILE...
# Prints "FILE: valid SPDX 2.3 (...)" or one line per problem, "FILE: WHERE: WHAT"; exits 1 if a
# document is invalid, 2 on a usage error.
import hashlib
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spdx-2.3.schema.json")
MAX_LINES = 20  # per document: past that, a count

# Hex digits per algorithm (7.10, 8.4): a fixed length, or (least, most).
HEX_DIGITS = {
    "SHA1": 40, "SHA224": 56, "SHA256": 64, "SHA384": 96, "SHA512": 128, "SHA3-256": 64, "SHA3-384": 96,
    "SHA3-512": 128, "BLAKE2b-256": 64, "BLAKE2b-384": 96, "BLAKE2b-512": 128, "BLAKE3": (64, None), "MD2": 32,
    "MD4": 32, "MD5": 32, "MD6": (1, 128), "ADLER32": 8,
}
ELEMENT_LISTS = ("packages", "files", "snippets")


def where(doc, path):
    """A JSON path, with the SPDXID (or the relationship) of the element it is in."""
    text, node, label = "$", doc, ""
    for i, key in enumerate(path):
        text += f"[{key}]" if isinstance(key, int) else f".{key}"
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if i == 1 and isinstance(node, dict):
            if path[0] in ELEMENT_LISTS and isinstance(node.get("SPDXID"), str):
                label = node["SPDXID"]
            elif path[0] == "relationships":
                label = " ".join(str(node.get(k, "?")) for k in ("spdxElementId", "relationshipType", "relatedSpdxElement"))
    return f"{text} ({label})" if label else text


def schema_problems(validator, doc):
    for e in sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        msg = e.message
        if e.validator == "enum" and "title" in e.schema:
            msg = f"{e.instance!r} is not an SPDX 2.3 {e.schema['title']}"
        elif e.validator == "pattern" and "title" in e.schema:
            msg = f"{e.instance!r} is not {e.schema['title']}"
        yield where(doc, list(e.absolute_path)), msg


def hex_length_problem(c):
    algorithm, value = c.get("algorithm"), c.get("checksumValue")
    want = HEX_DIGITS.get(algorithm)
    if want is None or not isinstance(value, str):
        return None  # the schema reports it
    least, most = (want, want) if isinstance(want, int) else want
    if len(value) >= least and (most is None or len(value) <= most):
        return None
    wants = f"{least}" if least == most else f"at least {least}" if most is None else f"{least} to {most}"
    return f"{algorithm} value has {len(value)} hex digits, wants {wants}"


def sha1_of(f):
    """The file's SHA1 if it has one well-formed, else None."""
    for c in f.get("checksums", []):
        if isinstance(c, dict) and c.get("algorithm") == "SHA1" and hex_length_problem(c) is None:
            v = c.get("checksumValue")
            if isinstance(v, str) and all(ch in "0123456789abcdef" for ch in v):
                return v
    return None


def rule_problems(doc):
    """The rules across fields. Only reached for documents the schema accepts."""
    lists = {k: doc.get(k, []) for k in ELEMENT_LISTS}
    rels = doc.get("relationships", [])

    # 6.3: unique identifiers.
    seen = {"SPDXRef-DOCUMENT": "$"}
    for k, items in lists.items():
        for i, x in enumerate(items):
            first = seen.setdefault(x["SPDXID"], f"$.{k}[{i}]")
            if first != f"$.{k}[{i}]":
                yield where(doc, [k, i, "SPDXID"]), f"{x['SPDXID']} is already the SPDXID of {first}"
    external = {r["externalDocumentId"] for r in doc.get("externalDocumentRefs", [])}
    files = {f["SPDXID"]: f for f in lists["files"]}

    def undefined(ref):
        if ref in ("NONE", "NOASSERTION") or ref in seen:
            return None
        if ":" in ref:
            docref = ref.split(":", 1)[0]
            return None if docref in external else f"{docref} is not declared in externalDocumentRefs"
        return f"{ref} is not defined in this document"

    # 8.1, 8.4: relative names, a SHA1 on every file, checksum lengths everywhere.
    for i, f in enumerate(lists["files"]):
        if f["fileName"].startswith("/"):
            yield where(doc, ["files", i, "fileName"]), f"{f['fileName']!r} is absolute; file names are relative (./path)"
        if not any(c["algorithm"] == "SHA1" for c in f["checksums"]):
            yield where(doc, ["files", i, "checksums"]), "no SHA1 checksum (SPDX 2.3 8.4 requires one on every file)"
    for k in ("files", "packages"):
        for i, x in enumerate(lists[k]):
            for j, c in enumerate(x.get("checksums", [])):
                problem = hex_length_problem(c)
                if problem:
                    yield where(doc, [k, i, "checksums", j, "checksumValue"]), problem
    for i, r in enumerate(doc.get("externalDocumentRefs", [])):
        problem = hex_length_problem(r["checksum"])
        if problem:
            yield where(doc, ["externalDocumentRefs", i, "checksum", "checksumValue"]), problem

    # 11.1: no dangling reference.
    for i, r in enumerate(rels):
        for side in ("spdxElementId", "relatedSpdxElement"):
            problem = undefined(r[side])
            if problem:
                yield where(doc, ["relationships", i, side]), problem
    for i, ref in enumerate(doc.get("documentDescribes", [])):
        problem = undefined(ref)
        if problem:
            yield where(doc, ["documentDescribes", i]), problem
    for i, s in enumerate(lists["snippets"]):
        if s["snippetFromFile"] not in files:
            yield where(doc, ["snippets", i, "snippetFromFile"]), f"{s['snippetFromFile']} is not a file of this document"
    describes = doc.get("documentDescribes") or [
        r for r in rels if (r["spdxElementId"], r["relationshipType"]) == ("SPDXRef-DOCUMENT", "DESCRIBES")
        or (r["relationshipType"], r["relatedSpdxElement"]) == ("DESCRIBED_BY", "SPDXRef-DOCUMENT")]
    if not describes and (len(lists["packages"]) > 1 or lists["files"]):
        yield "$", "SPDXRef-DOCUMENT DESCRIBES nothing (SPDX 2.3 11.1: required with more than one package or any file)"

    # 7.8, 7.9: what a package's files say.
    contained = {}
    for r in rels:
        if r["relationshipType"] == "CONTAINS" and r["relatedSpdxElement"] in files:
            contained.setdefault(r["spdxElementId"], set()).add(r["relatedSpdxElement"])
        elif r["relationshipType"] == "CONTAINED_BY" and r["spdxElementId"] in files:
            contained.setdefault(r["relatedSpdxElement"], set()).add(r["spdxElementId"])
    for i, p in enumerate(lists["packages"]):
        pid = p["SPDXID"]
        mine = contained.get(pid, set()) | {f for f in p.get("hasFiles", []) if f in files}
        for j, f in enumerate(p.get("hasFiles", [])):
            if f not in files:
                yield where(doc, ["packages", i, "hasFiles", j]), f"{f} is not a file of this document"
        code = p.get("packageVerificationCode")
        if p.get("filesAnalyzed", True) is False:
            if mine:
                yield where(doc, ["packages", i]), \
                    f"filesAnalyzed is false but it contains {len(mine)} files (SPDX 2.3 7.8: then it contains none)"
            if code:
                yield where(doc, ["packages", i, "packageVerificationCode"]), "present although filesAnalyzed is false (7.9)"
            if p.get("licenseInfoFromFiles"):
                yield where(doc, ["packages", i, "licenseInfoFromFiles"]), "present although filesAnalyzed is false (7.14)"
            continue
        if not code:
            yield where(doc, ["packages", i]), \
                "no packageVerificationCode: filesAnalyzed is true (or omitted), and SPDX 2.3 7.9 then requires one"
            continue
        excluded = set(code.get("packageVerificationCodeExcludedFiles", []))
        sha1s = [sha1_of(files[f]) for f in sorted(mine) if files[f]["fileName"] not in excluded]
        if None in sha1s:
            continue  # a file without a usable SHA1: already reported
        want = hashlib.sha1("".join(sorted(sha1s)).encode()).hexdigest()
        if code["packageVerificationCodeValue"] != want:
            yield where(doc, ["packages", i, "packageVerificationCode"]), \
                f"{code['packageVerificationCodeValue']} is not the verification code of its {len(sha1s)} files' SHA1s, {want}"


def validate(path, validator):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return [f"{path}: not readable as JSON: {e}"]
    if not isinstance(doc, dict):
        return [f"{path}: $: not a JSON object"]
    problems = list(schema_problems(validator, doc))
    if not problems:  # the rules rely on the structure the schema checked
        problems = list(rule_problems(doc))
    lines = [f"{path}: {w}: {m}".replace("\n", " ") for w, m in problems]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"{path}: and {len(lines) - MAX_LINES} more problems"]
    return lines


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        print("usage: test/spdx/validate.py FILE...", file=sys.stderr)
        return 2
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    bad = 0
    for path in argv[1:]:
        lines = validate(path, validator)
        if lines:
            bad += 1
            print("\n".join(lines))
        else:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            counts = ", ".join(f"{len(doc.get(k, []))} {k}" for k in ELEMENT_LISTS + ("relationships",))
            print(f"{path}: valid SPDX 2.3 ({counts})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
