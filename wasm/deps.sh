#!/bin/sh
# wasm/deps.sh PREFIX - builds the WebAssembly build's dependencies (protobuf-c's
# C runtime, FFTW float and double, speexdsp) from Debian's source packages with
# emscripten, static, into PREFIX (lib/, include/, lib/pkgconfig/). The sources
# come from `apt-get source` (a deb-src line is needed) into PREFIX/src; each
# package is built once: PREFIX/stamp-NAME marks it done. Run by `make wasm`.
set -e
prefix=$1
test -n "$prefix" || { echo "usage: $0 PREFIX" >&2; exit 2; }
for c in emconfigure emmake emcc apt-get dpkg-source; do
	command -v $c >/dev/null 2>&1 || {
		echo "wasm/deps.sh: $c not found (apt-get install emscripten dpkg-dev)" >&2; exit 1; }
done
mkdir -p "$prefix/src"
prefix=`cd "$prefix" && pwd`
jobs=${WASM_DEPS_JOBS:-2}
# Debian's emscripten 3.1.6 finds acorn there
NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs
export NODE_PATH
# the wasm build's flags: small and fast; SIMD128 lets clang vectorise loops
cflags="-O3 -msimd128"

# fetch PKG: unpacks Debian's source of PKG (patches applied) in src/, prints its folder
fetch() {
	d=`ls -d "$prefix/src/$1"-[0-9]*/ 2>/dev/null | head -n 1`
	if test -z "$d"; then
		(cd "$prefix/src" && apt-get source -qq "$1" >&2) || {
			echo "wasm/deps.sh: 'apt-get source $1' failed: add deb-src to the Types" \
				"of /etc/apt/sources.list.d/debian.sources, then apt-get update" >&2
			exit 1; }
		d=`ls -d "$prefix/src/$1"-[0-9]*/ | head -n 1`
		# as Debian's own builds do (dh_update_autotools_config): an older
		# config.sub does not know wasm32-unknown-emscripten
		for f in config.sub config.guess; do
			test -f /usr/share/misc/$f && find "$d" -name $f -exec cp /usr/share/misc/$f {} \;
		done
	fi
	echo "${d%/}"
}

# build NAME PKG CONFIGURE-ARGS...: configure out of tree, make, make install
build() {
	name=$1 pkg=$2
	shift 2
	test -f "$prefix/stamp-$name" && return 0
	src=`fetch $pkg`
	echo "wasm/deps.sh: building $name from $src" >&2
	rm -rf "$prefix/build-$name" && mkdir -p "$prefix/build-$name"
	(cd "$prefix/build-$name" &&
	 CFLAGS="$cflags" emconfigure "$src/configure" --prefix="$prefix" \
		--host=wasm32-unknown-emscripten --enable-static --disable-shared "$@" \
		>configure.out 2>&1 &&
	 emmake make -j$jobs >make.out 2>&1 && emmake make install >>make.out 2>&1) || {
		echo "wasm/deps.sh: $name failed: see $prefix/build-$name/*.out" >&2; exit 1; }
	touch "$prefix/stamp-$name"
}

# protobuf-c: its C runtime only (protoc-c stays the host's)
build protobuf-c protobuf-c --disable-protoc
build fftw3f fftw3 --enable-float --disable-fortran --disable-threads --disable-doc
build fftw3 fftw3 --disable-fortran --disable-threads --disable-doc
build speexdsp speexdsp --disable-examples
