#!/bin/sh
# check-cross.sh HOST DISTDIR BUILDDIR [CONFIGURE FLAGS...] [CROSS_TESTS="PROGRAMS"]
# - `make check-cross-aarch64`:
# the tree built for another architecture with Debian's cross compiler
# (HOST-gcc, the HOST multiarch -dev packages and HOST-pkg-config) and its
# whole test suite run under qemu-user: configure --host=HOST from DISTDIR in
# BUILDDIR, make, make check. The test programs, the tools they start and the
# plugin's hosts' children all run through the kernel's binfmt_misc entry
# for the architecture (qemu-user's), with QEMU_LD_PREFIX at the target's
# libraries. Registers that entry when it is missing and this is root (as
# Debian's qemu-user-binfmt would); prints what it needs when something is
# missing. CROSS_TESTS (an argument) names the test programs make check
# runs (default: all). Exits with make check's status.
set -u
HOST=$1 DIST=$2 BUILD=$3
shift 3
tests=
for a in "$@"; do   # CROSS_TESTS=... is ours, the rest configure's
	case $a in CROSS_TESTS=*) tests=${a#CROSS_TESTS=} ;; esac
done
me=check-cross-$HOST
fail() { echo "$me: $*" >&2; exit 1; }

case $HOST in
aarch64-linux-gnu)
	qemu=qemu-aarch64 arch=arm64
	magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
	mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff' ;;
*) fail "unknown host $HOST (known: aarch64-linux-gnu)" ;;
esac
pkgs="gcc-$HOST qemu-user libc6-dev:$arch libprotobuf-c-dev:$arch libfftw3-dev:$arch"
pkgs="$pkgs libspeexdsp-dev:$arch libsndfile1-dev:$arch libsamplerate0-dev:$arch check:$arch"
need="(Debian: dpkg --add-architecture $arch; apt-get install $pkgs)"
command -v "$HOST-gcc" >/dev/null || fail "no $HOST-gcc $need"
command -v "$qemu" >/dev/null || fail "no $qemu $need"
command -v "$HOST-pkg-config" >/dev/null || fail "no $HOST-pkg-config $need"
QEMU_LD_PREFIX=/usr/$HOST
[ -d "$QEMU_LD_PREFIX/lib" ] || fail "no $QEMU_LD_PREFIX/lib $need"
export QEMU_LD_PREFIX

# binfmt_misc: the kernel runs HOST binaries through qemu
bf=/proc/sys/fs/binfmt_misc
if [ ! -e "$bf/$qemu" ]; then
	[ "$(id -u)" -eq 0 ] || fail "no binfmt_misc entry $bf/$qemu, and only root can add it"
	[ -e "$bf/register" ] || mount -t binfmt_misc binfmt_misc "$bf" ||
		fail "cannot mount binfmt_misc on $bf"
	printf '%s' ":$qemu:M::$magic:$mask:$(command -v "$qemu"):" >"$bf/register" ||
		fail "cannot register $qemu with binfmt_misc"
fi
grep -q '^enabled' "$bf/$qemu" || fail "$bf/$qemu is disabled"

rm -rf "$BUILD" && mkdir -p "$BUILD" || exit 1
cd "$BUILD" || exit 1
flags=
for a in "$@"; do
	case $a in CROSS_TESTS=*) ;; *) flags="$flags '$a'" ;; esac
done
eval "\"../\$DIST/configure\" -q --host=\"\$HOST\" $flags" || fail "configure --host=$HOST failed"
make -j2 || fail "make failed"
echo "$me: $(file -b tools/.libs/gtcrn-run | cut -d, -f1-2)"
if [ -n "$tests" ]; then
	make -j2 check TESTS="$tests"
else
	make -j2 check
fi
