#!/bin/sh
# bench-gate.sh BUILDDIR MODEL VAD MIX.wav [ROUNDS] - `make bench-gate`: what
# the VAD gate adds to gtcrn-run's streaming time. A 10-minute 16 kHz file
# (MIX repeated, made once with sox in BUILDDIR, the file make bench-dnsmos
# uses) and the same at 48 kHz are enhanced with --stream to /dev/null,
# alternately without and with --vad-gate, ROUNDS times (default 3); prints
# each run's wall time and the ratio, then the medians per rate. Not part
# of make check.
set -u
B=$1 M=$2 V=$3 MIX=$4 ROUNDS=${5:-3}
F=$B/bench-dnsmos-10min.wav
command -v sox >/dev/null || { echo "bench-gate: needs sox" >&2; exit 2; }
if [ ! -s "$F" ]; then
	# mix.wav is 9.77 s: 62 copies, cut to 600 s, 16-bit 16 kHz mono
	sox "$MIX" -r 16000 -c 1 -b 16 "$F" repeat 61 trim 0 600 || exit 1
fi
F48=$B/bench-gate-10min-48k.wav
[ -s "$F48" ] || sox "$F" -r 48000 "$F48" || exit 1
now() { date +%s.%N; }
times=$(mktemp) || exit 1
trap 'rm -f "$times" "$times.a" "$times.b"' EXIT
for F in "$F" "$F48"; do
: >"$times"
r=1
echo "bench-gate: $(soxi -D "$F") s at $(soxi -r "$F") Hz in $F; load $(cut -d' ' -f1-3 /proc/loadavg)"
while [ "$r" -le "$ROUNDS" ]; do
	t0=$(now)
	"$B/tools/gtcrn-run" -q --stream "$M" "$F" /dev/null || exit 1
	t1=$(now)
	"$B/tools/gtcrn-run" -q --stream --vad-model "$V" --vad-gate "$M" "$F" /dev/null || exit 1
	t2=$(now)
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$r" 'BEGIN {
		printf "bench-gate round %d: enhancement %.3f s, with --vad-gate %.3f s, +%.1f%%\n",
		       r, b - a, c - b, 100 * ((c - b) / (b - a) - 1)
		printf "%.6f %.6f\n", b - a, c - b >"/dev/stderr" }' 2>>"$times"
	r=$((r + 1))
done
sort -n -k1,1 "$times" | awk '{ a[NR] = $1 } END { printf "%.6f\n", a[int((NR + 1) / 2)] }' >"$times.a"
sort -n -k2,2 "$times" | awk '{ b[NR] = $2 } END { printf "%.6f\n", b[int((NR + 1) / 2)] }' >"$times.b"
awk -v a="$(cat "$times.a")" -v b="$(cat "$times.b")" -v hz="$(soxi -r "$F")" 'BEGIN {
	printf "bench-gate: %d Hz, medians: enhancement %.3f s, with --vad-gate %.3f s: the gate adds %.1f%%\n",
	       hz, a, b, 100 * (b / a - 1) }'
done
echo "bench-gate: load after $(cut -d' ' -f1-3 /proc/loadavg)"
