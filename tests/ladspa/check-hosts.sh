#!/bin/sh
# check-hosts.sh - the LADSPA plugin in real hosts: sox's ladspa effect (with
# and without its latency compensation, -l; a mono plugin replicated over
# stereo, -r) and ladspa-sdk's applyplugin, on mix.wav and on stereo files, at
# 16, 44.1 and 48 kHz. Every output is compared with gtcrn-run's (the
# library's streaming output, latency removed) within 1e-5, after the
# latency the plugin reports (tests/ladspa/probe); analyseplugin's listing is
# compared with tests/ladspa/analyseplugin.expected.
#
# sox -l makes up for the latency by feeding the plugin that many zeros at
# the end; its reference is gtcrn-run on the input followed by those zeros,
# cut to the input's length (gtcrn-run ends a stream with gtcrn_flush, not
# with zeros, so the last latency's worth of samples differ otherwise).
#
# Environment (set by make check): GRT_BUILDDIR, GRT_SRCDIR, GRT_MODELS_DIR,
# GRT_TESTDATA_DIR.
set -u
B=${GRT_BUILDDIR:?}
S=${GRT_SRCDIR:?}
MODEL=${GRT_MODELS_DIR:?}/gtcrn_simple.onnx
MIX=${GRT_TESTDATA_DIR:?}/mix.wav
PLUGDIR=$B/plugins/.libs
PLUG=$PLUGDIR/gtcrn_ladspa.so
RUN=$B/tools/gtcrn-run
fails=0
checks=0

fail() { echo "check-hosts: $*"; fails=$((fails + 1)); }
need() { command -v "$1" >/dev/null || { echo "check-hosts: needs $1 (Debian: $2)"; exit 1; }; }
need sox sox
need applyplugin ladspa-sdk
need analyseplugin ladspa-sdk
[ -r "$PLUG" ] || { echo "check-hosts: $PLUG not built"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export LADSPA_PATH="$PLUGDIR" GTCRN_MODEL="$MODEL"

# A sanitizer build: the hosts are not instrumented, so the runtimes the
# plugin needs are preloaded; the hosts' own leaks are not ours to judge.
pre=$(ldd "$PLUG" | awk '/lib(a|ub)san\.so/ { print $3 }' | tr '\n' ' ')
if [ -n "$pre" ]; then
	export LD_PRELOAD="$pre"
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"   # the last setting wins
fi

# ref_l IN LATENCY OUT [gtcrn-run options]: the reference for sox -l
ref_l() {
	_in=$1 _lat=$2 _out=$3
	shift 3
	_n=$(soxi -s "$_in") && sox -D "$_in" "$tmp/pad.wav" pad 0 "${_lat}s" &&
		"$RUN" -q -e float "$@" "$MODEL" "$tmp/pad.wav" "$tmp/padref.wav" &&
		sox "$tmp/padref.wav" "$_out" trim 0 "${_n}s"
}

# ref_rs IN RATE OUT: the reference for a resampled path, independent of
# the library's speexdsp: IN to 16 kHz by sox's rate -v, gtcrn-run at the
# model's rate, back to RATE by sox's rate -v
ref_rs() {
	sox -D "$1" -e floating-point -b 32 "$tmp/in16.wav" rate -v 16000 &&
		"$RUN" -q -e float "$MODEL" "$tmp/in16.wav" "$tmp/enh16.wav" &&
		sox -D "$tmp/enh16.wav" -e floating-point -b 32 "$3" rate -v "$2"
}
# SNR and level bounds for it, from measurement (make check, then
# grep SNR tests/ladspa/check-hosts.log): SNR 70.4 to 71.7 dB at 44.1
# and 48 kHz, mono and stereo, levels within 0.001 dB. A 0.5%
# gain (0.043 dB, 46 dB SNR on its own) fails
RS_SNR=65
RS_LEVEL=0.02

# check NAME CMD...: run a command, count it, report its stderr on failure
check() {
	name=$1; shift
	checks=$((checks + 1))
	if ! "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
		fail "$name failed: $* ($(head -c 600 "$tmp/err.txt"; head -c 600 "$tmp/out.txt"))"
		return 1
	fi
	cat "$tmp/out.txt"
}

# --- analyseplugin lists both plugins, their ports, ranges and defaults
analyseplugin gtcrn_ladspa >"$tmp/analyse.txt" 2>&1 || fail "analyseplugin failed"
if ! diff -u "$S/tests/ladspa/analyseplugin.expected" "$tmp/analyse.txt"; then
	fail "analyseplugin's listing differs from tests/ladspa/analyseplugin.expected"
fi
checks=$((checks + 1))

# --- the inputs: mix.wav at three rates, mono and stereo (right: reversed)
sox "$MIX" "$tmp/rev.wav" reverse || exit 1
for r in 16000 44100 48000; do
	sox -D "$MIX" -r $r "$tmp/m$r.wav" && sox -D "$tmp/rev.wav" -r $r "$tmp/r$r.wav" &&
		sox -M "$tmp/m$r.wav" "$tmp/r$r.wav" "$tmp/s$r.wav" || exit 1
done

for r in 16000 44100 48000; do
	for ch in m s; do
		in=$tmp/$ch$r.wav
		if [ $ch = m ]; then label=gtcrn_mono; else label=gtcrn_stereo; fi
		what="$label at $r Hz"
		"$RUN" -q -e float "$MODEL" "$in" "$tmp/ref.wav" || { fail "gtcrn-run $what"; continue; }
		lat=$("$B/tests/ladspa/probe" "$PLUG" $label $r) || { fail "probe $what"; continue; }
		echo "$what: reported latency $lat samples"
		ref_l "$in" "$lat" "$tmp/ref_l.wav" || { fail "gtcrn-run (padded) $what"; continue; }

		# sox, latency compensated: aligned with the input
		check "sox -l $what" sox "$in" -e floating-point -b 32 "$tmp/sox_l.wav" \
			ladspa -l gtcrn_ladspa $label &&
			check "compare sox -l $what" "$B/tests/ladspa/wavcmp" "$tmp/sox_l.wav" "$tmp/ref_l.wav"
		# resampled: by level and waveform against other resamplers (0.3 s edges left out)
		if [ $r != 16000 ]; then
			ref_rs "$in" $r "$tmp/ref_rs.wav" || { fail "reference (sox rate -v) $what"; continue; }
			check "level and SNR $what" "$B/tests/ladspa/wavcmp" --snr $RS_SNR --level $RS_LEVEL \
				--edge $((r * 3 / 10)) "$tmp/sox_l.wav" "$tmp/ref_rs.wav"
		fi
		# sox without compensation (it wants a value for the output port too)
		check "sox $what" sox "$in" -e floating-point -b 32 "$tmp/sox.wav" \
			ladspa gtcrn_ladspa $label 1 100 0 0 0 &&
			check "compare sox $what" "$B/tests/ladspa/wavcmp" --shift "$lat" "$tmp/sox.wav" \
				"$tmp/ref.wav"
		# applyplugin: 16-bit output, floor(x * 32768)
		check "applyplugin $what" applyplugin "$in" "$tmp/ap.wav" gtcrn_ladspa.so $label 1 100 0 0 &&
			check "compare applyplugin $what" "$B/tests/ladspa/wavcmp" --floor16 --shift "$lat" \
				"$tmp/ap.wav" "$tmp/ref.wav"
		if [ $ch = s ]; then   # the mono plugin replicated over two channels
			check "sox -l -r gtcrn_mono at $r Hz" sox "$in" -e floating-point -b 32 \
				"$tmp/sox_r.wav" ladspa -l -r gtcrn_ladspa gtcrn_mono &&
				check "compare sox -r at $r Hz" "$B/tests/ladspa/wavcmp" "$tmp/sox_r.wav" \
					"$tmp/ref_l.wav"
		fi
	done
done

# --- the controls: mix and attenuation limit as gtcrn-run's --mix and
# --atten-lim; bypass gives the input back (compensated)
in=$tmp/s48000.wav
lat=$("$B/tests/ladspa/probe" "$PLUG" gtcrn_stereo 48000) &&
	ref_l "$in" "$lat" "$tmp/ref.wav" --mix 0.5 --atten-lim 12 || fail "gtcrn-run --mix"
check "sox mix 0.5 atten 12" sox "$in" -e floating-point -b 32 "$tmp/sox_m.wav" \
	ladspa -l gtcrn_ladspa gtcrn_stereo 0.5 12 0 &&
	check "compare mix 0.5 atten 12" "$B/tests/ladspa/wavcmp" "$tmp/sox_m.wav" "$tmp/ref.wav"
check "sox bypass" sox "$in" -e floating-point -b 32 "$tmp/sox_b.wav" \
	ladspa -l gtcrn_ladspa gtcrn_stereo 1 100 1 &&
	check "compare bypass with the input" "$B/tests/ladspa/wavcmp" "$tmp/sox_b.wav" "$in"

# --- no model: the host fails and the plugin says why on stderr
checks=$((checks + 1))
if GTCRN_MODEL=$tmp/none.onnx sox "$MIX" "$tmp/x.wav" ladspa -l gtcrn_ladspa gtcrn_mono \
	2>"$tmp/err.txt"; then
	fail "sox succeeded without a model"
elif ! grep -q "gtcrn_mono: cannot load the GTCRN model $tmp/none.onnx" "$tmp/err.txt" ||
	! grep -q "set GTCRN_MODEL" "$tmp/err.txt"; then
	fail "no clear message without a model: $(cat "$tmp/err.txt")"
else
	echo "no model: $(head -n 1 "$tmp/err.txt")"
fi

echo "check-hosts: $checks checks, $fails failed"
[ $fails -eq 0 ]
