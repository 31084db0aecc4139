#!/bin/sh
# check-tsan.sh BUILD MODELS_DIR TESTDATA_DIR
# The batch mode under ThreadSanitizer: 8 files, 4 jobs sharing one model;
# the speech features on 4 jobs (the VAD gate and segments; DNSMOS scores,
# whose model lends its sessions to the threads); then the runtime's thread
# tests. Any report fails the run.
set -u
B=$1 M=$2 D=$3
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
status=0
mkdir "$dir/in" "$dir/out"
for i in 1 2 3 4 5 6 7 8; do cp "$D/mix.wav" "$dir/in/f$i.wav"; done
if "$B/tools/gtcrn-run" -q -j 4 -m "$M/gtcrn_simple.onnx" -o "$dir/out" "$dir"/in/*.wav \
	>"$dir/batch.log" 2>&1 && [ "$(ls "$dir/out" | wc -l)" -eq 8 ]; then
	echo "tsan batch -j 4: ok (8 files)"
else
	echo "tsan batch -j 4: FAILED"
	cat "$dir/batch.log"
	status=1
fi
mkdir "$dir/out2"
if "$B/tools/gtcrn-run" -q -j 4 -m "$M/gtcrn_simple.onnx" --vad-model "$M/silero_vad.onnx" \
	--vad-gate --segments "$dir/seg.json" -o "$dir/out2" "$dir"/in/f[1-4].wav >"$dir/gate.log" 2>&1 &&
	[ "$(wc -l <"$dir/seg.json")" -eq 4 ] &&
	"$B/tools/gtcrn-run" -q -j 4 --score-only --dnsmos-model "$M/dnsmos_sig_bak_ovr.onnx" \
	"$D/dnsmos/mix_first5s.wav" "$D/dnsmos/mix_first5s.wav" "$D/dnsmos/mix_first5s.wav" \
	"$D/dnsmos/mix_first5s.wav" >"$dir/score.log" 2>&1 && [ "$(wc -l <"$dir/score.log")" -eq 4 ]; then
	echo "tsan speech -j 4: ok (gate and segments of 4 files, DNSMOS of 4)"
else
	echo "tsan speech -j 4: FAILED"
	cat "$dir/gate.log" "$dir/score.log"
	status=1
fi
if CK_FORK=no "$B/tests/check_runtime" >"$dir/runtime.log" 2>&1; then
	echo "tsan check_runtime: ok"
else
	echo "tsan check_runtime: FAILED"
	tail -n 60 "$dir/runtime.log"
	status=1
fi
exit $status
