#!/bin/sh
# check-valgrind.sh TOOL MODELS_DIR TESTDATA_DIR [PLUGIN_DIR]
# gtcrn-run under valgrind memcheck: every run must end with status 0, no
# memory error and no leak (definite, indirect or possible; memory that
# libraries keep reachable until exit, FFTW's planner for one, is not a leak).
# With PLUGIN_DIR, the LADSPA plugin too, in sox (instantiate, run at 48 kHz
# with resampling, cleanup, dlclose).
set -u
T=$1 M=$2 D=$3 P=${4:-}
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# TOOL is a libtool wrapper script: LT_EXECUTE ("libtool --mode=execute")
# runs valgrind on the program it wraps
VG="${LT_EXECUTE:-} valgrind -q --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect,possible \
--show-leak-kinds=definite,indirect,possible"
status=0
check() {   # name, expected exit status, then the gtcrn-run arguments
	name=$1 want=$2
	shift 2
	$VG "$T" -q "$@" >"$dir/$name.log" 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then
		echo "valgrind $name: ok"
	else
		echo "valgrind $name: FAILED (exit $got, expected $want; 99 = memcheck)"
		cat "$dir/$name.log"
		status=1
	fi
}
cp "$D/mix.wav" "$dir/a.wav"
cp "$D/mix.wav" "$dir/b.wav"
mkdir "$dir/out"
check stream 0 "$M/gtcrn_simple.onnx" "$D/mix.wav" "$dir/s.wav"
check out-rate 0 --out-rate 48000 -e float "$M/gtcrn_simple.onnx" "$D/mix.wav" "$dir/r.wav"
check offline 0 "$M/gtcrn_offline_op13.onnx" "$D/mix.wav" "$dir/o.wav"
check batch 0 -j 2 -m "$M/gtcrn_simple.onnx" -o "$dir/out" "$dir/a.wav" "$dir/b.wav"
# error paths free what they made: a model that is not a model (exit 3),
# an output that cannot be created (exit 4)
check bad-model 3 "$D/mix.wav" "$D/mix.wav" "$dir/x.wav"
check bad-output 4 "$M/gtcrn_simple.onnx" "$D/mix.wav" "$dir/no/such/x.wav"
# the speech models: the gate and segments on a 5 s clip, DNSMOS once (one
# window of its 107 MB session costs minutes under memcheck: --score's two
# windows run in the sanitizer suite, whose LeakSanitizer sees leaks too),
# --vad-only, a wrong model
check speech 0 --vad-model "$M/silero_vad.onnx" --vad-gate --segments "$dir/seg.json" \
	"$M/gtcrn_simple.onnx" "$D/dnsmos/mix_first5s.wav" "$dir/g.wav"
check score-only 0 --score-only --dnsmos-model "$M/dnsmos_sig_bak_ovr.onnx" \
	"$D/dnsmos/mix_first5s.wav"
check vad-only 0 --vad-only -j 2 --vad-model "$M/silero_vad.onnx" "$dir/a.wav" "$dir/b.wav"
check bad-vad 3 --vad-only --vad-model "$M/gtcrn_simple.onnx" "$D/mix.wav"
if [ -n "$P" ]; then
	sox -D "$D/mix.wav" -r 48000 "$dir/m48.wav" trim 0 3 && sox -M "$dir/m48.wav" "$dir/m48.wav" \
		"$dir/s48.wav" || exit 1
	# with the VAD gate: on (24 dB) in the first, off under bypass in the second
	for c in "gtcrn_ladspa gtcrn_stereo 1 100 0 24" "-r gtcrn_ladspa gtcrn_mono 0.5 12 1"; do
		# shellcheck disable=SC2086 # $c: options, plugin, label and controls
		LADSPA_PATH=$P GTCRN_MODEL=$M/gtcrn_simple.onnx GTCRN_VAD_MODEL=$M/silero_vad.onnx \
			$VG sox "$dir/s48.wav" "$dir/p.wav" ladspa -l $c >"$dir/plugin.log" 2>&1
		got=$?
		if [ $got -eq 0 ]; then
			echo "valgrind sox ladspa $c: ok"
		else
			echo "valgrind sox ladspa $c: FAILED (exit $got; 99 = memcheck)"
			cat "$dir/plugin.log"
			status=1
		fi
	done
fi
exit $status
