#!/bin/sh
# installcheck.sh - what `make install` put under the prefix works as a user
# would use it (run by `make installcheck`, after `make install` and `make
# install-model`; `make distcheck` does all three in a temporary prefix):
#  - pkg-config finds gtcrn and grt at the package's version;
#  - tests/install/denoise.c compiles and links against the installed
#    headers and shared libraries with pkg-config's flags alone, and runs on
#    the installed default model;
#  - the installed gtcrn-run, with no model named, enhances mix.wav exactly
#    as the build tree's does with the model named;
#  - the installed plugin is found through LADSPA_PATH by analyseplugin and
#    sox and matches the installed gtcrn-run;
#  - the examples that need the installed files run as written
#    (tests/check-examples.sh --installed);
#  - the man pages are installed, render without warnings, and each API
#    function has its page.
#
# Usage: installcheck.sh SRCDIR BUILDDIR (the rest from the environment,
# set by Makefile.am: bindir libdir includedir mandir pkgdatadir ladspadir
# PACKAGE_VERSION CC MAKE MODEL MIX DESTDIR)
set -u
S=$1 B=$2
D=${DESTDIR:-}
fails=0
fail() { echo "installcheck: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

export PKG_CONFIG_PATH="$D$libdir/pkgconfig"
export LD_LIBRARY_PATH="$D$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
unset GTCRN_MODEL

# --- pkg-config
for m in gtcrn grt; do
	v=$(pkg-config --modversion $m) || { fail "pkg-config does not find $m"; continue; }
	[ "$v" = "$PACKAGE_VERSION" ] || fail "pkg-config $m: version $v, not $PACKAGE_VERSION"
done
cflags=$(pkg-config --cflags gtcrn) && libs=$(pkg-config --libs gtcrn) || fail "pkg-config gtcrn"
echo "pkg-config gtcrn: $cflags $libs"
case "$cflags" in *"$includedir/gtcrn"*) ;; *) fail "cflags lack $includedir/gtcrn" ;; esac
for h in gtcrn.h grt.h; do
	[ -r "$D$includedir/gtcrn/$h" ] || fail "$includedir/gtcrn/$h not installed"
done
ls "$D$libdir"/libgtcrn.so.0 "$D$libdir"/libgrt.so.0 >/dev/null || fail "versioned libraries"

# --- a program built against the installed files only (with DESTDIR, the
# .pc files name the final prefix: point the compiler at the staged one)
if [ -n "$D" ]; then cflags="-I$D$includedir/gtcrn" libs="-L$D$libdir -lgtcrn"; fi
if $CC -Wall -Werror -o "$tmp/denoise" "$S/tests/install/denoise.c" $cflags $libs -lm; then
	if [ -z "$D" ]; then
		"$tmp/denoise" || fail "denoise failed"
		ldd "$tmp/denoise" | grep -q "$libdir/libgtcrn.so.0" ||
			fail "denoise does not use $libdir/libgtcrn.so.0: $(ldd "$tmp/denoise")"
	fi
else
	fail "denoise.c does not build with pkg-config's flags"
fi

if [ -z "$D" ]; then
	# --- the installed gtcrn-run, default model, as the build tree's
	"$bindir/gtcrn-run" --version || fail "gtcrn-run --version"
	"$bindir/gtcrn-run" -q "$MIX" "$tmp/a.wav" || fail "installed gtcrn-run IN OUT (default model)"
	"$B/tools/gtcrn-run" -q "$MODEL" "$MIX" "$tmp/b.wav" || fail "build tree gtcrn-run"
	cmp "$tmp/a.wav" "$tmp/b.wav" || fail "installed gtcrn-run differs from the build tree's"

fi
if [ -z "$D" ] && [ -n "$ladspadir" ]; then   # configured with the plugin
	# --- the installed plugin, found through LADSPA_PATH
	export LADSPA_PATH="$ladspadir"
	analyseplugin gtcrn_ladspa | grep -q 'Plugin Label: "gtcrn_stereo"' ||
		fail "analyseplugin does not list the installed plugin"
	sox "$MIX" -e floating-point -b 32 "$tmp/p.wav" ladspa gtcrn_ladspa gtcrn_mono 1 100 0 0 ||
		fail "sox with the installed plugin"
	"$bindir/gtcrn-run" -q -e float "$MIX" "$tmp/r.wav" || fail "gtcrn-run -e float"
	lat=$("$B/tests/ladspa/probe" "$ladspadir/gtcrn_ladspa.so" gtcrn_mono 16000) &&
		"$B/tests/ladspa/wavcmp" --shift "$lat" "$tmp/p.wav" "$tmp/r.wav" ||
		fail "the installed plugin differs from the installed gtcrn-run"
fi

# --- make install-model refuses a file that is not a GTCRN export (the
# installed model stays), warns about an offline export, and replaces the
# model in one step
if [ -z "$D" ]; then
	m=$pkgdatadir/model.onnx
	if $MAKE -s -C "$B" install-model MODEL="$S/README.md" >"$tmp/im.txt" 2>&1; then
		fail "install-model accepted README.md"
	fi
	grep -q "cannot load the model" "$tmp/im.txt" || fail "install-model README.md: $(cat "$tmp/im.txt")"
	cmp -s "$m" "$MODEL" || fail "a refused install-model changed $m"
	off=$(dirname "$MODEL")/gtcrn_offline_op13.onnx
	if [ -r "$off" ]; then
		$MAKE -s -C "$B" install-model MODEL="$off" >"$tmp/im.txt" 2>&1 || fail "install-model $off"
		grep -q "warning: .* is an offline export" "$tmp/im.txt" ||
			fail "no warning for an offline export: $(cat "$tmp/im.txt")"
		cmp -s "$m" "$off" || fail "install-model did not install $off"
		$MAKE -s -C "$B" install-model MODEL="$MODEL" >/dev/null 2>&1 || fail "install-model back"
	fi
	# the speech models: each checked for its kind; a GTCRN export is no VAD
	v=$pkgdatadir/vad.onnx
	cp "$v" "$tmp/vad.before" || fail "make install-model installed no $v"
	if $MAKE -s -C "$B" install-model VAD_MODEL="$MODEL" >"$tmp/im.txt" 2>&1; then
		fail "install-model VAD_MODEL=(a GTCRN export) was accepted"
	fi
	grep -q "is not a Silero VAD model" "$tmp/im.txt" || fail "install-model VAD_MODEL: $(cat "$tmp/im.txt")"
	cmp -s "$v" "$tmp/vad.before" || fail "a refused install-model changed $v"
	[ -r "$pkgdatadir/dnsmos.onnx" ] || fail "make install-model installed no dnsmos.onnx"
fi

# --- the examples of README.md and the man pages that need the installed
# files (tests/check-examples.sh; make check runs the others)
if [ -z "$D" ]; then
	GRT_SRCDIR=$S GRT_BUILDDIR=$B GRT_MODELS_DIR=$(dirname "$MODEL") \
		GRT_TESTDATA_DIR=$(dirname "$MIX") bindir=$bindir ladspadir=$ladspadir \
		sh "$S/tests/check-examples.sh" --installed || fail "the examples (above)"
fi

# --- man pages
for p in man1/gtcrn-run.1 man3/gtcrn.3 man3/grt.3; do
	f=$D$mandir/$p
	if [ ! -r "$f" ]; then fail "$mandir/$p not installed"; continue; fi
	w=$(groff -man -ww -z -Tutf8 "$f" 2>&1) && [ -z "$w" ] || fail "$p: groff: $w"
done
for fn in $(sed -n 's/^GTCRN_API [^(]*[ *]\(gtcrn_[a-z_]*\)(.*/\1/p' "$S/enhance/gtcrn.h") \
	$(sed -n 's/^GRT_API [^(]*[ *]\(grt_[a-z_]*\)(.*/\1/p' "$S/runtime/grt.h"); do
	[ -r "$D$mandir/man3/$fn.3" ] || fail "no man page for $fn"
done
echo "installcheck: $fails failed"
[ $fails -eq 0 ]
