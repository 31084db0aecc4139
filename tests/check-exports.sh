#!/bin/sh
# check-exports.sh - the shared libraries export exactly the functions their
# public headers declare (GRT_API in grt.h, GTCRN_API in gtcrn.h), and the
# plugin exports ladspa_descriptor alone: nothing internal leaks into the ABI.
# Environment (set by make check): GRT_BUILDDIR, GRT_SRCDIR.
set -u
B=${GRT_BUILDDIR:?} S=${GRT_SRCDIR:?}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

# exports LIB: the functions and data LIB defines in its dynamic symbol table
# (sanitizer builds add their own instrumentation symbols: not ours)
exports() {
	nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
		grep -v -e '^__' -e '^_init$' -e '^_fini$' -e '^_edata$' -e '^_end$' | sort
}
compare() {   # name, library, expected list
	exports "$2" >"$tmp/got"
	if diff -u "$3" "$tmp/got" >"$tmp/diff"; then
		echo "check-exports: $1: $(wc -l <"$3") symbols, as declared"
	else
		echo "check-exports: $1 exports differ from its header (- declared, + exported):"
		cat "$tmp/diff"
		fails=$((fails + 1))
	fi
}
sed -n 's/^GRT_API [^(]*[ *]\(grt_[a-z_0-9]*\)(.*/\1/p' "$S/runtime/grt.h" | sort >"$tmp/grt"
sed -n 's/^GTCRN_API [^(]*[ *]\(gtcrn_[a-z_0-9]*\)(.*/\1/p' "$S/enhance/gtcrn.h" | sort >"$tmp/gtcrn"
compare libgrt.so "$B/.libs/libgrt.so" "$tmp/grt"
compare libgtcrn.so "$B/.libs/libgtcrn.so" "$tmp/gtcrn"
if [ -r "$B/plugins/.libs/gtcrn_ladspa.so" ]; then
	echo ladspa_descriptor >"$tmp/plugin"
	compare gtcrn_ladspa.so "$B/plugins/.libs/gtcrn_ladspa.so" "$tmp/plugin"
fi
[ $fails -eq 0 ]
