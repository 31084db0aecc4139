#!/bin/sh
# bench-dnsmos.sh BUILDDIR SRCDIR MODEL MIX.wav [ROUNDS] - `make bench-dnsmos`:
# DNSMOS P.835 over a 10-minute 16 kHz file (MIX repeated, made once with sox
# in BUILDDIR), timed as wall time per program run, alternately: libgtcrn
# (gtcrn-run --score-only when it has the option, else tests/dnsmos-score)
# and ONNX Runtime (tools/ort-dnsmos.js: onnxruntime-node, one thread, found
# through NODE_PATH). Prints both runs' output, their times and the ratio
# ORT / libgtcrn for each round. Not part of make check.
set -u
B=$1 S=$2 M=$3 MIX=$4 ROUNDS=${5:-1}
F=$B/bench-dnsmos-10min.wav
command -v sox >/dev/null || { echo "bench-dnsmos: needs sox" >&2; exit 2; }
command -v node >/dev/null || { echo "bench-dnsmos: needs node" >&2; exit 2; }
[ -n "${NODE_PATH:-}" ] || {
	echo "bench-dnsmos: set NODE_PATH to the node_modules folder holding onnxruntime-node" >&2
	exit 2
}
if [ ! -s "$F" ]; then
	# mix.wav is 9.77 s: 62 copies, cut to 600 s, 16-bit 16 kHz mono
	sox "$MIX" -r 16000 -c 1 -b 16 "$F" repeat 61 trim 0 600 || exit 1
fi
if "$B/tools/gtcrn-run" --help 2>&1 | grep -q -e '--score-only'; then
	set -- "$B/tools/gtcrn-run" --dnsmos-model "$M" --score-only "$F"
else
	set -- "$B/tests/dnsmos-score" "$M" "$F"
fi
echo "bench-dnsmos: $(soxi -D "$F") s in $F; load $(cut -d' ' -f1-3 /proc/loadavg)"
now() { date +%s.%N; }
r=1
while [ "$r" -le "$ROUNDS" ]; do
	t0=$(now)
	"$@" || exit 1
	t1=$(now)
	node "$S/tools/ort-dnsmos.js" "$M" "$F" || exit 1
	t2=$(now)
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$r" 'BEGIN {
		printf "bench-dnsmos round %d: libgtcrn %.2f s, ONNX Runtime %.2f s, ratio %.2f\n",
		       r, b - a, c - b, (c - b) / (b - a) }'
	r=$((r + 1))
done
echo "bench-dnsmos: load after $(cut -d' ' -f1-3 /proc/loadavg)"
