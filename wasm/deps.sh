#!/bin/sh
# wasm/deps.sh PREFIX - builds the WebAssembly build's dependencies (protobuf-c's
# C runtime, FFTW float and double with a subset of their codelets, speexdsp) from
# Debian's source packages with emscripten, static, into PREFIX (lib/, include/,
# lib/pkgconfig/). The sources come from `apt-get source` (a deb-src line is needed)
# into PREFIX/src; each package is built once: PREFIX/stamp-NAME marks it done. Run
# by `make wasm`.
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
# the wasm build's flags: small and fast; SIMD128 lets clang vectorise loops. FFTW at
# -Os: 35 KB smaller, and a 512-point r2c + c2r pair takes the same 5 us in Node.
cflags="-O3 -msimd128"
fftw_cflags="-Os -msimd128"

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

# build NAME PKG CFLAGS CONFIGURE-ARGS...: configure out of tree, make, make install
build() {
	name=$1 pkg=$2 flags=$3
	shift 3
	test -f "$prefix/stamp-$name" && return 0
	src=`fetch $pkg`
	echo "wasm/deps.sh: building $name from $src" >&2
	rm -rf "$prefix/build-$name" && mkdir -p "$prefix/build-$name"
	(cd "$prefix/build-$name" &&
	 CFLAGS="$flags" emconfigure "$src/configure" --prefix="$prefix" \
		--host=wasm32-unknown-emscripten --enable-static --disable-shared "$@" \
		>configure.out 2>&1 &&
	 emmake make -j$jobs >make.out 2>&1 && emmake make install >>make.out 2>&1) || {
		echo "wasm/deps.sh: $name failed: see $prefix/build-$name/*.out" >&2; exit 1; }
	touch "$prefix/stamp-$name"
}

# FFTW's planner tables (codlist.c in dft/scalar/codelets and rdft/scalar/r2cf, r2cb,
# r2r) name every codelet, so a static link keeps all 221 of them: 413 KB of the
# 928 KB gtcrn.wasm. The wasm build registers only these 79 (85 KB): the ones
# FFTW_ESTIMATE picks for r2c and c2r of 256, 320, 400, 480, 512 (GTCRN's STFT), 640
# and 1024 points but r2cb_128 (fftwf_print_plan in Node), and radices 2, 3, 4, 5,
# 8, 16, 32 of the families the real and complex transforms need (no t2, q1, hc2c*2,
# hc2c*dft or r2r codelets). Every other size still transforms correctly through
# FFTW's generic solvers (Cooley-Tukey with generic twiddles, Rader, Bluestein), only
# slower (sizes 1 to 1100, r2c, c2r and complex, float and double, against a naive
# DFT: worst relative error 2.0e-6 and 1.0e-14, the uncut library's 2.4e-6 and
# 1.0e-14). The cut codelets' files are emptied, so they compile to nothing.
codelets="n1_2 n1_3 n1_4 n1_5 n1_8 n1_16 n1_32 t1_2 t1_3 t1_4 t1_5 t1_8 t1_16 t1_32"
for f in r2cf r2cb r2cfII r2cbIII; do
	for r in 2 3 4 5 8 12 16 20 32; do codelets="$codelets ${f}_$r"; done
done
for f in hf hb; do
	for r in 2 3 4 5 8 12 16; do codelets="$codelets ${f}_$r"; done
done
for f in hc2cf hc2cb; do
	for r in 2 4 8 16 20 32; do codelets="$codelets ${f}_$r"; done
done
codelets="$codelets r2cb_64 hf2_20 hb2_20"

# cut_fftw: applies that cut to a fresh copy of FFTW's source, once per codelet list
# and flags (stamp-fftw-CKSUM); FFTW built with others is built again
cut_fftw() {
	stamp=$prefix/stamp-fftw-`echo "$fftw_cflags $codelets" | cksum | cut -d ' ' -f 1`
	test -f "$stamp" && return 0
	rm -rf "$prefix"/src/fftw3-[0-9]*/ "$prefix/stamp-fftw3f" "$prefix/stamp-fftw3" \
		"$prefix"/stamp-fftw-* "$prefix/fftw.cache"
	src=`fetch fftw3`
	for d in dft/scalar/codelets rdft/scalar/r2cf rdft/scalar/r2cb rdft/scalar/r2r; do
		for f in "$src/$d"/*_[0-9]*.c; do
			c=`basename "$f" .c`
			case " $codelets " in
			*" $c "*) ;;
			*) : >"$f"; sed -i "/(codelet_$c)/d" "$src/$d/codlist.c" ;;
			esac
		done
	done
	touch "$stamp"
}

# protobuf-c: its C runtime only (protoc-c stays the host's)
build protobuf-c protobuf-c "$cflags" --disable-protoc
cut_fftw
# the double library's configure reuses the float one's answers (fftw.cache): with
# emcc each of its checks takes a second or more
build fftw3f fftw3 "$fftw_cflags" --enable-float --disable-fortran --disable-threads \
	--disable-doc --cache-file="$prefix/fftw.cache"
build fftw3 fftw3 "$fftw_cflags" --disable-fortran --disable-threads --disable-doc \
	--cache-file="$prefix/fftw.cache"
build speexdsp speexdsp "$cflags" --disable-examples
