#!/bin/sh
# wasm/build.sh SRCDIR W DISTDIR VERSION - `make wasm`: the WebAssembly build in folder
# W, from the tree copy DISTDIR (a `make distdir`, moved to W/src: the configured source
# tree stays untouched). Builds the dependencies (wasm/deps.sh, cached in W/deps), our
# libraries with emconfigure/emmake in W/lib (configured once, then rebuilt
# incrementally), then links
#   W/gtcrn.wasm        libgtcrn + libgrt, standalone (no emscripten glue), for
#                       wasm/gtcrn.js; the operators of the GTCRN exports (WASM_OPS)
#   W/wasm-goldens.js   the model goldens in Node (tests/wasm_goldens.c, every operator)
# and writes the package folder wasm-pkg/ in the current folder. Environment:
# ONNX_PROTO, MODELS_DIR (configure's), WASM_CFLAGS (default -Os -msimd128
# -mbulk-memory: a variable-length memcpy is then one memory.copy, not a call).
set -e
S=$1 W=$2 D=$3 V=$4
test -n "$V" || { echo "usage: $0 SRCDIR W DISTDIR VERSION" >&2; exit 2; }
for c in emcc emconfigure emmake node; do
	command -v $c >/dev/null 2>&1 || {
		echo "wasm/build.sh: $c not found (apt-get install emscripten nodejs node-acorn)" >&2
		exit 1; }
done
# Debian's emscripten 3.1.6 finds acorn there (kept when the caller sets NODE_PATH
# for other modules: make bench-wasm)
NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
export NODE_PATH
cflags=${WASM_CFLAGS:--Os -msimd128 -mbulk-memory}
jobs=${WASM_JOBS:-2}
mkdir -p "$W"
W=`cd "$W" && pwd`
$SHELL "$S/wasm/deps.sh" "$W/deps"

rm -rf "$W/src"
mv "$D" "$W/src"
# two builds of the libraries: every operator (the goldens), and the GTCRN exports'
# (the package: about half the size)
ops=`ls "$MODELS_DIR"/gtcrn*.onnx | tr '\n' ',' | sed 's/,$//'`
for b in full slim; do
	test -f "$W/$b/Makefile" && continue
	mkdir -p "$W/$b"
	test $b = slim && with_ops=--with-ops=$ops || with_ops=
	# (emconfigure sets PKG_CONFIG_PATH from EM_PKG_CONFIG_PATH)
	(cd "$W/$b" && EM_PKG_CONFIG_PATH="$W/deps/lib/pkgconfig" CFLAGS="$cflags" \
	 emconfigure ../src/configure -q --host=wasm32-unknown-emscripten --enable-static \
		--disable-shared --with-onnx-proto="$ONNX_PROTO" $with_ops) || {
		echo "wasm/build.sh: configure failed: see $W/$b/config.log" >&2; exit 1; }
done
(cd "$W/full" && emmake make -j$jobs libgtcrn-internal.la libgrt-testset.la)
(cd "$W/slim" && emmake make -j$jobs libgtcrn-internal.la)

deps="-L$W/deps/lib -lspeexdsp -lfftw3f -lfftw3 -lprotobuf-c"
inc="-I$W/src -I$W/src/runtime -I$W/src/enhance -I$W/full"
# what gtcrn.js calls
exports=_malloc,_free,_gtcrn_version,_gtcrn_strerror,_gtcrn_model_load_buffer
exports=$exports,_gtcrn_model_free,_gtcrn_wasm_model_info,_gtcrn_wasm_state_create
exports=$exports,_gtcrn_wasm_enhance,_gtcrn_state_free,_gtcrn_process,_gtcrn_flush
exports=$exports,_gtcrn_reset,_gtcrn_latency,_gtcrn_set_mix,_gtcrn_set_atten_limit
exports=$exports,_gtcrn_state_errmsg,_gtcrn_frames,_gtcrn_record_frame_times
# -Oz last: binaryen's wasm-opt at its size level after the link (7.7 KB smaller than
# -Os, the same speed in bench-wasm)
emcc $cflags $inc -o "$W/gtcrn.wasm" "$S/wasm/gtcrn_wasm.c" "$W/slim/.libs/libgtcrn-internal.a" \
	$deps -sSTANDALONE_WASM=1 --no-entry -sALLOW_MEMORY_GROWTH=1 \
	-sEXPORTED_FUNCTIONS=$exports -Oz
emcc $cflags $inc -DGRT_BUILDING -o "$W/wasm-goldens.js" "$S/tests/wasm_goldens.c" \
	"$W/full/.libs/libgrt-testset.a" "$W/full/.libs/libgtcrn-internal.a" $deps \
	-sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -sENVIRONMENT=node

# the package
P=wasm-pkg
rm -rf $P && mkdir -p $P
cp "$S/wasm/gtcrn.js" "$W/gtcrn.wasm" $P/
cp "$S/wasm/README.md" $P/README.md
files='"gtcrn.js", "gtcrn.wasm", "README.md"'
if test -f "$S/wasm/gtcrn-worklet.js"; then
	cp "$S/wasm/gtcrn-worklet.js" $P/
	files="$files, \"gtcrn-worklet.js\""
fi
if test -d "$S/wasm/demo"; then
	cp -R "$S/wasm/demo" $P/demo
	files="$files, \"demo/\""
fi
cat >$P/package.json <<EOT
{
  "name": "gtcrn-wasm",
  "version": "$V",
  "description": "GTCRN speech enhancement in WebAssembly (gtcrn-run's libgtcrn)",
  "type": "module",
  "main": "gtcrn.js",
  "exports": { ".": "./gtcrn.js", "./gtcrn.wasm": "./gtcrn.wasm" },
  "files": [$files],
  "private": true
}
EOT
wc -c $P/gtcrn.js $P/gtcrn.wasm | sed 's/^/wasm: bytes /'
