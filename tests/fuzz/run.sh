#!/bin/sh
# run.sh BUILD SECONDS SRCDIR MODELS_DIR NODE_TESTS_DIR
# Runs each libFuzzer target of BUILD for SECONDS on a corpus in
# BUILD/corpus/<target>, seeded from tests/fuzz/seeds.c and regress.c
# (make_seeds) or tests/fuzz/corpus/stream, the GTCRN exports and one ONNX
# node test per set of op types this build runs; prints each target's executions and coverage. Crash inputs go
# to BUILD/crashes/<target>/ (once fixed, rebuild a model in
# tests/fuzz/regress.c, or copy a stream program into regress/stream/, so
# that make check replays them).
set -u
B=$1 T=$2 S=$3 M=$4 N=$5
status=0
for t in load mutate stream; do
	c=$B/corpus/$t
	mkdir -p "$c" "$B/crashes/$t"
	if [ "$t" = stream ]; then
		cp "$S"/tests/fuzz/corpus/stream/* "$c"/
	else
		"$B/tests/fuzz/make_seeds" "$c" || status=1
		for f in "$M"/*.onnx; do [ -r "$f" ] && cp "$f" "$c/model-$(basename "$f")"; done
		# one ONNX node test per set of op types the registry runs (grt-ops
		# says which), so that every operator is in the corpus
		seen=" "
		[ -x "$B/tools/grt-ops" ] || { echo "fuzz $t: $B/tools/grt-ops not built"; exit 1; }
		for d in "$N"/test_*; do
			case $d in *_expanded) continue ;; esac
			ops=$("$B/tools/grt-ops" --list "$d/model.onnx" 2>/dev/null) || continue
			case $seen in *" $ops "*) continue ;; esac
			seen="$seen$ops "
			cp "$d/model.onnx" "$c/node-$(basename "$d").onnx"
		done
	fi
	log=$B/fuzz-$t.log
	echo "fuzz $t: $T s"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$B/tests/fuzz/fuzz_$t" -max_total_time="$T" -rss_limit_mb=2048 -timeout=30 \
		-print_final_stats=1 -artifact_prefix="$B/crashes/$t/" "$c" >"$log" 2>&1 || {
		status=1
		echo "fuzz $t: FAILED, see $log and $B/crashes/$t/"
		grep -m 3 -E "ERROR|SUMMARY|runtime error|deadly signal" "$log"
	}
	grep -E "^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" |
		sed "s/^/fuzz $t: /"
	echo "fuzz $t: corpus $(ls "$c" | wc -l) inputs"
done
exit $status
