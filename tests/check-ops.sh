#!/bin/sh
# check-ops.sh - grt-ops (tools/grt-ops.c) against an independent reading of the
# models: protoc-c --decode's op_type lines (what configure --with-ops reads),
# and against this build's registry (ops/op_selected.h: all, or the selection):
#   - --list of the GTCRN exports is the set of op types protoc-c finds in them;
#   - every op type of Silero VAD and DNSMOS is "ok" exactly when this build
#     carries it, and the exit status is 1 when one is missing, else 0;
#   - a missing file: exit 2 and a message naming it.
# Environment (set by make check): GRT_BUILDDIR, GRT_SRCDIR, GRT_MODELS_DIR.
set -u
B=${GRT_BUILDDIR:?} M=${GRT_MODELS_DIR:?}
run() { "$B/libtool" --mode=execute "$B/tools/grt-ops" "$@"; }
proto=$(sed -n 's/^ONNX_PROTO = //p' "$B/Makefile")
selected=$(sed -n 's/^#define GRT_OPS_LIST "\(.*\)"$/\1/p' "$B/ops/op_selected.h")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() { echo "check-ops: $*"; fails=$((fails + 1)); }

decoded() {   # the op types of the given models, one per line, sorted
	for f in "$@"; do
		protoc-c --decode=onnx.ModelProto --proto_path="$(dirname "$proto")" "$proto" <"$f"
	done | sed -n 's/^ *op_type: "\([A-Za-z0-9_]*\)"$/\1/p' | LC_ALL=C sort -u
}

run --list "$M"/gtcrn*.onnx >"$tmp/list"; rc=$?
[ $rc -eq 0 ] || [ "$selected" != all ] || fail "--list of the GTCRN exports exits $rc"
tr ',' '\n' <"$tmp/list" >"$tmp/got"
decoded "$M"/gtcrn*.onnx >"$tmp/want"
if diff -u "$tmp/want" "$tmp/got"; then
	echo "check-ops: --list of the GTCRN exports: $(wc -l <"$tmp/got") op types, as protoc-c reads them"
else
	fail "--list differs from protoc-c's op types (- protoc-c, + grt-ops)"
fi

for model in silero_vad dnsmos_sig_bak_ovr; do
	run "$M/$model.onnx" >"$tmp/out"; rc=$?
	missing=0
	for t in $(decoded "$M/$model.onnx"); do
		if [ "$selected" = all ] || printf ',%s,' "$selected" | grep -q ",$t,"; then
			want=ok
		else
			want=missing
			missing=1
		fi
		grep -q "^  $t  *ai\.onnx  *[0-9][0-9]*  *[0-9][0-9]*  $want\$" "$tmp/out" ||
			fail "$model: $t is not listed as $want"
	done
	[ $rc -eq $missing ] || fail "$model: exit status $rc, expected $missing"
	echo "check-ops: $model: $(grep -c ' ok$' "$tmp/out") ok, $(grep -c ' missing$' "$tmp/out") missing (exit $rc)"
done

run "$tmp/no-such.onnx" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "no-such.onnx" "$tmp/err" ||
	fail "a missing model: exit $rc, message: $(cat "$tmp/err")"
[ $fails -eq 0 ]
