#!/bin/sh
# check-tsan.sh BUILD MODELS_DIR TESTDATA_DIR
# The batch mode under ThreadSanitizer: 8 files, 4 jobs sharing one model;
# then the runtime's thread tests. Any report fails the run.
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
if CK_FORK=no "$B/tests/check_runtime" >"$dir/runtime.log" 2>&1; then
	echo "tsan check_runtime: ok"
else
	echo "tsan check_runtime: FAILED"
	tail -n 60 "$dir/runtime.log"
	status=1
fi
exit $status
