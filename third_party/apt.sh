# Sourced helper: a private apt configuration that reuses the Debian mirror this machine's own apt
# sources name (or VERINIT_DEBIAN_MIRROR), so nothing in the repository names a host, and nothing
# touches the machine's apt state. After `apt_private DIR TYPE SUITE...`, "${apt_opts[@]}" holds
# the options for apt-get/apt-cache.

debian_mirror() {
	if [ -n "${VERINIT_DEBIAN_MIRROR:-}" ]; then echo "$VERINIT_DEBIAN_MIRROR"; return; fi
	local m
	# deb822 stanzas first, then one-line sources; the first Debian archive (not -security) wins.
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
		/^URIs:/ { u=$2 } /^Suites:/ { s=$0 }
		/^$/ { if (u != "" && s ~ /[ ]bookworm( |$)/ && u !~ /security/) { print u; exit } u=""; s="" }
		END { if (u != "" && s ~ /[ ]bookworm( |$)/ && u !~ /security/) print u }' | head -n1)
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i+1) == "bookworm") print $i; break } }' |
		grep -v security | head -n1)
	[ -n "$m" ] || { echo "apt: no Debian mirror found in /etc/apt/sources.list*; set VERINIT_DEBIAN_MIRROR" >&2; return 1; }
	echo "$m"
}

apt_private() { # DIR TYPE(deb|deb-src) SUITE...
	local d=$1 type=$2 m s
	shift 2
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/none"
	m=$(debian_mirror) || return 1
	: >"$d/sources.list"
	for s in "$@"; do echo "$type $m $s main" >>"$d/sources.list"; done
	: >"$d/preferences"
	apt_opts=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=$d/none"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o "Dir::Etc::preferences=$d/preferences" -o "Dir::Etc::preferencesparts=$d/none"
		-o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
}
