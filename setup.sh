#!/bin/sh
# setup.sh - install the Debian packages gtcrn-run needs, then configure and
# build the tree in place. Safe to run again.
set -eu
cd "$(dirname "$0")"

PACKAGES="build-essential autoconf automake libtool pkg-config \
protobuf-c-compiler libprotobuf-c-dev libonnx-dev libonnx-testdata check \
libfftw3-dev libsamplerate0-dev libspeexdsp-dev libsndfile1-dev \
ladspa-sdk sox groff-base parallel"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup.sh: installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure "$@"
make -j"$(nproc)"
