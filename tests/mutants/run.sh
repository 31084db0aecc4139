#!/bin/sh
# tests/mutants/run.sh PATCHDIR SCRATCH [CONFIGURE-ARG...]: `make mutants`.
#
# SCRATCH is a fresh copy of the source tree (the Makefile moves a
# `make distdir` there); the working tree is never touched. The copy is
# configured and built once and the suite run once unpatched (it must pass).
# Then, for each PATCHDIR/*.patch in order (MUTANTS='0[1-5]-*' narrows the
# list): apply it with patch -p1, rebuild incrementally, run the whole suite
# (make -k check), record the test programs that failed (from the .trs files
# automake's harness writes), revert it with patch -R, and print
#   mutant NN-name: caught by tests/check_x, tests/check_y (Ns)
#   mutant NN-name: SURVIVED[ (why)]
# A patch that does not apply (stale), a mutant that does not build and a
# suite that runs past MUTANT_TIMEOUT seconds count as survived: the list is
# maintained, so a stale fault is fixed, not skipped. The last line is
#   mutants: N caught, M survived
# and the exit status is non-zero if M > 0.
set -u
[ $# -ge 2 ] || { echo "usage: $0 PATCHDIR SCRATCH [CONFIGURE-ARG...]" >&2; exit 2; }
patchdir=$(cd "$1" && pwd) || exit 2
scratch=$2
shift 2
pattern=${MUTANTS:-*}
timeout_s=${MUTANT_TIMEOUT:-900}
jobs=${MUTANT_JOBS:-2}
t0=$(date +%s)

cd "$scratch" || exit 2
logs=$(pwd)/../logs
mkdir -p "$logs" || exit 2

# suite LOG: the whole suite, the test programs built first so that a
# build failure is not mistaken for a failing test; 0 ran, 1 did not build,
# 2 timed out. The failing programs are then in failed().
suite() {
	find . -name '*.trs' -exec rm -f {} + 2>/dev/null
	make -j"$jobs" >"$1" 2>&1 && make -j"$jobs" check TESTS= >>"$1" 2>&1 || return 1
	timeout "$timeout_s" make -j"$jobs" -k check >>"$1" 2>&1
	[ $? -eq 124 ] && return 2
	return 0
}

# failed: the test programs whose .trs says FAIL, ERROR or XPASS, comma-separated
failed() {
	grep -lE '^:test-result: (FAIL|ERROR|XPASS)' $(find . -name '*.trs' | sort) 2>/dev/null |
		sed 's|^\./||; s|\.trs$||' | paste -sd, - | sed 's/,/, /g'
}

echo "mutants: configuring and building the scratch copy in $scratch"
./configure -q "$@" >"$logs/configure.log" 2>&1 ||
	{ echo "mutants: configure failed ($logs/configure.log)"; exit 2; }
suite "$logs/baseline.log"
rc=$?
bad=$(failed)
if [ $rc -ne 0 ] || [ -n "$bad" ]; then
	echo "mutants: the unpatched suite does not pass (${bad:-build or timeout}; $logs/baseline.log)"
	exit 2
fi
echo "mutants: the unpatched suite passes ($(( $(date +%s) - t0 )) s)"

caught=0
survived=0
for p in "$patchdir"/$pattern.patch; do
	[ -f "$p" ] || continue
	name=$(basename "$p" .patch)
	start=$(date +%s)
	if ! patch -p1 -f -s --dry-run <"$p" >/dev/null 2>&1; then
		echo "mutant $name: SURVIVED (stale: the patch does not apply)"
		survived=$((survived + 1))
		continue
	fi
	patch -p1 -f -s --no-backup-if-mismatch <"$p" >/dev/null ||
		{ echo "mutants: $name: patch failed after a clean dry run"; exit 2; }
	suite "$logs/$name.log"
	rc=$?
	who=$(failed)
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 1 ]; then
		echo "mutant $name: SURVIVED (does not build; $logs/$name.log)"
		survived=$((survived + 1))
	elif [ $rc -eq 2 ]; then
		echo "mutant $name: SURVIVED (the suite ran past ${timeout_s} s)"
		survived=$((survived + 1))
	elif [ -n "$who" ]; then
		echo "mutant $name: caught by $who (${secs}s)"
		caught=$((caught + 1))
	else
		echo "mutant $name: SURVIVED (${secs}s)"
		survived=$((survived + 1))
	fi
	patch -R -p1 -f -s --no-backup-if-mismatch <"$p" >/dev/null ||
		{ echo "mutants: $name: could not revert; the scratch copy is dirty"; exit 2; }
done
total=$(( $(date +%s) - t0 ))
echo "mutants: total time $((total / 60)) min $((total % 60)) s"
echo "mutants: $caught caught, $survived survived"
[ $survived -eq 0 ] && [ $caught -gt 0 ]
