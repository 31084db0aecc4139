#!/bin/sh
# check-cross.sh HOST DISTDIR BUILDDIR [CONFIGURE FLAGS...] [CROSS_TESTS="PROGRAMS"]
# - `make check-cross-aarch64`, `make check-cross-armhf`:
# the tree built for another architecture with Debian's cross compiler
# (HOST-gcc, the HOST multiarch -dev packages and HOST-pkg-config) and its
# tests run under qemu-user: configure --host=HOST from DISTDIR in BUILDDIR,
# make, make check. The test programs and the tools they start run through
# the kernel's binfmt_misc entry for the architecture (qemu-user's). Registers
# that entry when it is missing and this is root (as Debian's qemu-user-binfmt
# would); prints what it needs when something is missing. CROSS_TESTS (an
# argument) names the test programs make check runs (default: all), in one
# make -j2 check; an entry PROGRAM:TCASE runs only that Check test case of the
# program (CK_RUN_CASE). Only the named programs are built. Each entry runs
# through a script tests/cross/NAME.sh (NAME: the program's file name, -TCASE)
# that ends its log (tests/cross/NAME.log) with its wall and CPU seconds.
# Prints the build's and the tests' times, and each entry's, slowest first;
# exits 1 if any test failed.
#
# The programs run with the multiarch loader and libc (libc6:ARCH, in /lib),
# never with the cross toolchain's copy in /usr/HOST (QEMU_LD_PREFIX): the
# libraries they need exist only in the multiarch folders, so libc.so.6 comes
# from there, and glibc's loader and libc must come from the same build. With
# the loader of libc6-arm64-cross 2.36-8cross1 and the libc of libc6:arm64
# 2.36-9+deb12u14, every forked child spun forever in fork()'s walk of the
# thread stack list: Check's fork mode hung (issue 18).
#
# check-cross.sh --packages HOST: prints the Debian packages it needs (.ci/run).
set -u
if [ "$1" = --packages ]; then
	HOST=$2 list=1
else
	HOST=$1 DIST=$2 BUILD=$3 list=
	shift 3
fi
tests=
for a in "$@"; do   # CROSS_TESTS=... is ours, the rest configure's
	case $a in CROSS_TESTS=*) tests=${a#CROSS_TESTS=} ;; esac
done
me=check-cross-$HOST
fail() { echo "$me: $*" >&2; exit 1; }

# binfmt_misc's magic and mask: an ELF executable or shared object
# (e_type 2 or 3) of the machine (EM_AARCH64 0xb7, EM_ARM 0x28)
case $HOST in
aarch64-linux-gnu)
	qemu=qemu-aarch64 arch=arm64 loader=/lib/ld-linux-aarch64.so.1
	magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00' ;;
arm-linux-gnueabihf)
	qemu=qemu-arm arch=armhf loader=/lib/ld-linux-armhf.so.3
	magic='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00' ;;
*) fail "unknown host $HOST (known: aarch64-linux-gnu, arm-linux-gnueabihf)" ;;
esac
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
pkgs="gcc-$HOST qemu-user pkgconf:$arch libc6-dev:$arch libprotobuf-c-dev:$arch"
pkgs="$pkgs libfftw3-dev:$arch libspeexdsp-dev:$arch libsndfile1-dev:$arch"
pkgs="$pkgs libsamplerate0-dev:$arch check:$arch"
[ -z "$list" ] || { echo "$pkgs"; exit 0; }
need="(Debian: dpkg --add-architecture $arch; apt-get install $pkgs)"
command -v "$HOST-gcc" >/dev/null || fail "no $HOST-gcc $need"
command -v "$qemu" >/dev/null || fail "no $qemu $need"
command -v "$HOST-pkg-config" >/dev/null || fail "no $HOST-pkg-config $need"
[ -e "$loader" ] || fail "no $loader (libc6:$arch) $need"
unset QEMU_LD_PREFIX
# emulation runs 10 to 40 times slower than natively: Check's per-test
# timeouts (sized for native runs) stretch by as much
CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-10}
export CK_TIMEOUT_MULTIPLIER

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
t0=$(date +%s)
eval "\"../\$DIST/configure\" -q --host=\"\$HOST\" $flags" || fail "configure --host=$HOST failed"
make -j2 || fail "make failed"
if [ -z "$tests" ]; then
	t1=$(date +%s)
	echo "$me: $(file -b tools/.libs/gtcrn-run | cut -d, -f1-2); built in $((t1 - t0)) s"
	make -j2 check
	rc=$?
	echo "$me: tests ran in $(($(date +%s) - t1)) s (status $rc)"
	exit $rc
fi
# the programs CROSS_TESTS names, and for each entry a script that make check
# runs in its place: it ends the log with the wall and CPU (user, system)
# seconds of the test (the shell's `times`, children's line)
progs= scripts=
mkdir -p tests/cross || exit 1
for t in $tests; do
	prog=${t%%:*} tcase=
	case $t in *:*) tcase=${t#*:} ;; esac
	sh=tests/cross/${prog##*/}${tcase:+-$tcase}.sh
	{
		[ -z "$tcase" ] || echo "CK_RUN_CASE=$tcase; export CK_RUN_CASE"
		echo 't0=$(date +%s)'
		echo "./$prog; rc=\$?"
		echo 'times >"${0%.sh}.times"'
		echo "echo \"$me: \$((\$(date +%s) - t0)) s, CPU \$(tail -n 1 \"\${0%.sh}.times\"): $t\""
		echo 'exit $rc'
	} >"$sh" || exit 1
	progs="$progs $prog" scripts="$scripts $sh"
done
make -j2 check TESTS= check_PROGRAMS="$progs" >/dev/null || fail "make (the test programs) failed"
t1=$(date +%s)
echo "$me: $(file -b tools/.libs/gtcrn-run | cut -d, -f1-2); built in $((t1 - t0)) s" \
	"(the test programs included)"
make -j2 check TESTS="$scripts" check_PROGRAMS="$progs"
rc=$?
echo "$me: tests ran in $(($(date +%s) - t1)) s (status $rc); per entry, slowest first:"
grep -h "^$me: [0-9]* s, CPU " tests/cross/*.log | sort -t: -k2 -n -r
exit $rc
