#!/usr/bin/env bash
# The SBOMs hooks/sbom.py writes, checked as strict SBOM tools check them, offline
# (test/spdx/validate.py: SPDX 2.3's JSON structure, then its rules across fields). Both ways: every
# SBOM the lab built is valid, and the lab initramfs's SHA1s and verification code are those of the
# image's own files; the same document broken one way at a time (the table below) is refused with a
# line naming what and where, and changed harmlessly it is still valid.
# Usage: test/sbom-spdx.sh BUILD   (needs the lab's initramfs images and their *.spdx.json)
# shellcheck disable=SC2015 # "check && pass || fail": pass never fails
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: test/sbom-spdx.sh BUILD}" && pwd)
lab=$build/lab
validate=$here/test/spdx/validate.py
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	{ echo "sbom-spdx: python3-jsonschema is missing (third_party/host-packages.sh installs it)"; exit 1; }
[ -r "$lab/initramfs.spdx.json" ] && [ -r "$lab/initramfs.img" ] || { echo "sbom-spdx: the lab's initramfs is not built"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
checks=0 failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)) failures=$((failures + 1)); echo "sbom-spdx: FAIL $*"; }

# Every SBOM the lab built.
for f in "$lab"/*.spdx.json; do
	out=$("$validate" "$f" 2>&1) && pass || fail "$(basename "$f") is refused: $(head -n 3 <<<"$out")"
done

# The lab initramfs's SHA1s are its files' own, and the verification code is theirs (SPDX 2.3 7.9,
# computed here with sha1sum, not by the validator).
mkdir -p "$w/root"
(cd "$w/root" && zstd -dc "$lab/initramfs.img" | cpio -idm --quiet) || fail "the lab initramfs does not unpack"
(cd "$w/root" && find . -type f -print0 | xargs -0 -r sha1sum | awk '{ print $2, $1 }' | LC_ALL=C sort) >"$w/sha1.files"
jq -r '.files[] | .fileName + " " + (.checksums[] | select(.algorithm == "SHA1") | .checksumValue)' \
	"$lab/initramfs.spdx.json" | LC_ALL=C sort >"$w/sha1.sbom"
[ -s "$w/sha1.files" ] && cmp -s "$w/sha1.files" "$w/sha1.sbom" && pass ||
	fail "the SBOM's SHA1s are not the image's files': $(diff "$w/sha1.sbom" "$w/sha1.files" | grep '^[<>]' | head -n 2 | xargs)"
code=$(cut -d' ' -f2 "$w/sha1.files" | LC_ALL=C sort | tr -d '\n' | sha1sum | cut -d' ' -f1)
[ "$(jq -r '.packages[] | select(.SPDXID == "SPDXRef-Package-initramfs") | .packageVerificationCode.packageVerificationCodeValue' \
	"$lab/initramfs.spdx.json")" = "$code" ] && pass || fail "the image's verification code is not $code"

# The same document, changed by a jq filter. refused: exit 1, every line "FILE: WHERE: WHAT", one of
# them holding every TEXT; accepted: exit 0.
base=$w/base.json
cp "$lab/initramfs.spdx.json" "$base"
n=0
refused() { # DESCRIPTION FILTER TEXT...
	local what=$1 filter=$2 doc=$w/case$((n += 1)).json out rc line t
	shift 2
	jq "$filter" "$base" >"$doc" || { fail "$what: the filter does not apply"; return; }
	out=$("$validate" "$doc" 2>&1)
	rc=$?
	line=""
	if [ $rc = 1 ] && ! grep -qv "^$doc: [^ ].*: " <<<"$out"; then
		line=$(grep -F -- "$1" <<<"$out")
		for t in "$@"; do line=$(grep -F -- "$t" <<<"$line"); done
	fi
	[ -n "$line" ] && pass || fail "$what: rc $rc, '$(head -n 3 <<<"$out")'"
}
accepted() { # DESCRIPTION FILTER
	local what=$1 doc=$w/case$((n += 1)).json out
	jq "$2" "$base" >"$doc" || { fail "$what: the filter does not apply"; return; }
	out=$("$validate" "$doc" 2>&1) && pass || fail "$what is refused: '$(head -n 3 <<<"$out")'"
}
init='.files[] | select(.SPDXID == "SPDXRef-File-init")'
image='.packages[] | select(.SPDXID == "SPDXRef-Package-initramfs")'
sha1='.checksums[] | select(.algorithm == "SHA1") | .checksumValue'
rel() { printf '.relationships += [{"spdxElementId": "%s", "relationshipType": "%s", "relatedSpdxElement": "%s"}]' "$@"; }
x40=0123456789abcdef0123456789abcdef01234567

refused "a file without SHA1"          "($init | .checksums) |= map(select(.algorithm != \"SHA1\"))" \
	"(SPDXRef-File-init): no SHA1 checksum"
refused "a SHA1 one digit short"       "($init | $sha1) |= .[1:]" "(SPDXRef-File-init): SHA1 value has 39 hex digits, wants 40"
refused "a SHA-256 in capitals"        "($init | .checksums[0].checksumValue) |= ascii_upcase" \
	".checksums[0].checksumValue (SPDXRef-File-init): '" "is not lowercase hexadecimal"
refused "an unknown algorithm"         "($init | .checksums[1].algorithm) = \"SHA-1\"" \
	"(SPDXRef-File-init): 'SHA-1' is not an SPDX 2.3 checksum algorithm"
refused "a file's SHA1 changed"        "($init | $sha1) = \"$x40\"" \
	".packageVerificationCode (SPDXRef-Package-initramfs): " "is not the verification code of its"
refused "files in a package not analysed" "($image | .filesAnalyzed) = false" \
	"(SPDXRef-Package-initramfs): filesAnalyzed is false but it contains"
refused "no verification code"         "del($image | .packageVerificationCode)" \
	"(SPDXRef-Package-initramfs): no packageVerificationCode"
refused "a dangling relationship"      "$(rel SPDXRef-Package-verinit STATIC_LINK SPDXRef-Package-nosuch)" \
	"(SPDXRef-Package-verinit STATIC_LINK SPDXRef-Package-nosuch): SPDXRef-Package-nosuch is not defined in this document"
refused "a relationship from nowhere"  "$(rel SPDXRef-Package-gone CONTAINS SPDXRef-File-init)" \
	".spdxElementId (SPDXRef-Package-gone CONTAINS SPDXRef-File-init): SPDXRef-Package-gone is not defined"
refused "an undeclared document"       "$(rel SPDXRef-Package-verinit DEPENDS_ON DocumentRef-other:SPDXRef-x)" \
	"DocumentRef-other is not declared in externalDocumentRefs"
refused "a dangling documentDescribes" '.documentDescribes = ["SPDXRef-Package-gone"]' \
	"\$.documentDescribes[0]: SPDXRef-Package-gone is not defined in this document"
refused "an unknown relationship type" "$(rel SPDXRef-Package-verinit LINKS_TO SPDXRef-File-init)" \
	"(SPDXRef-Package-verinit LINKS_TO SPDXRef-File-init): 'LINKS_TO' is not an SPDX 2.3 relationship type"
refused "an SPDXID with an underscore" 'walk(if . == "SPDXRef-Package-json-c" then "SPDXRef-Package-json_c" else . end)' \
	".SPDXID (SPDXRef-Package-json_c): 'SPDXRef-Package-json_c' is not an SPDX identifier"
refused "an SPDXID without SPDXRef-"   '(.packages[] | select(.name == "kmod") | .SPDXID) = "Package-kmod"' \
	".SPDXID (Package-kmod): 'Package-kmod' is not an SPDX identifier"
refused "a duplicate SPDXID"           '.packages[1].SPDXID = .packages[0].SPDXID' \
	"\$.packages[1].SPDXID (SPDXRef-Package-initramfs): SPDXRef-Package-initramfs is already the SPDXID of \$.packages[0]"
refused "SPDX 2.2"                     '.spdxVersion = "SPDX-2.2"' "\$.spdxVersion: 'SPDX-2.3' was expected"
refused "another data licence"         '.dataLicense = "CC-BY-4.0"' "\$.dataLicense: 'CC0-1.0' was expected"
refused "another document SPDXID"      '.SPDXID = "SPDXRef-DOC"' "\$.SPDXID: 'SPDXRef-DOCUMENT' was expected"
refused "no namespace"                 'del(.documentNamespace)' "\$: 'documentNamespace' is a required property"
refused "a namespace with a fragment"  '.documentNamespace += "#1"' "\$.documentNamespace: '" "' is not an absolute URI without a fragment (#)"
refused "no creators"                  'del(.creationInfo.creators)' "\$.creationInfo: 'creators' is a required property"
refused "a creator of no kind"         '.creationInfo.creators = ["verinit-mkinitramfs"]' \
	"\$.creationInfo.creators[0]: 'verinit-mkinitramfs' is not Person:, Organization: or Tool:"
refused "a creation time not in UTC"   '.creationInfo.created = "1970-01-01T01:00:00+01:00"' "\$.creationInfo.created: '1970-01-01T01:00:00+01:00' is not a UTC time"
refused "an absolute file name"        "($init | .fileName) = \"/init\"" "(SPDXRef-File-init): '/init' is absolute"
refused "a misspelt field"             "($init) |= (.checksum = .checksums | del(.checksums))" \
	"(SPDXRef-File-init): 'checksums' is a required property"
refused "no DESCRIBES"                 '.relationships |= map(select(.relationshipType != "DESCRIBES"))' \
	"\$: SPDXRef-DOCUMENT DESCRIBES nothing"
accepted "the files in another order"  '.files |= reverse'
accepted "filesAnalyzed omitted"       "del($image | .filesAnalyzed)"
accepted "a SHA512 as well"            "($init | .checksums) += [{\"algorithm\": \"SHA512\", \"checksumValue\": \"$x40$x40$x40${x40:0:8}\"}]"
accepted "a relationship to NOASSERTION" "$(rel SPDXRef-Package-verinit DEPENDS_ON NOASSERTION)"
accepted "documentDescribes instead"   '.documentDescribes = ["SPDXRef-Package-initramfs"] | .relationships |= map(select(.relationshipType != "DESCRIBES"))'
accepted "a declared document"         "$(rel SPDXRef-Package-verinit DEPENDS_ON DocumentRef-kernel:SPDXRef-Package-linux) |
	.externalDocumentRefs = [{\"externalDocumentId\": \"DocumentRef-kernel\", \"spdxDocument\": \"https://example.org/spdx/linux\",
		\"checksum\": {\"algorithm\": \"SHA1\", \"checksumValue\": \"$x40\"}}]"

# Not JSON, and no argument.
head -c 200 "$base" >"$w/truncated.json"
out=$("$validate" "$w/truncated.json" 2>&1)
[ $? = 1 ] && [ "$out" = "$(grep "^$w/truncated.json: not readable as JSON: " <<<"$out")" ] && pass || fail "a truncated file: '$out'"
"$validate" >/dev/null 2>&1
[ $? = 2 ] && pass || fail "no argument is not a usage error"

[ $failures -eq 0 ] && echo "sbom-spdx: all $checks checks passed"
exit $((failures > 0))
