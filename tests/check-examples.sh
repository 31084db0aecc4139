#!/bin/sh
# check-examples.sh - every example in README.md and the man pages runs as
# written. The examples are read from the documents themselves (README.md's
# indented code blocks; every .EX/.EE block of man/gtcrn-run.1, gtcrn.3 and
# grt.3, and their .nf/.fi blocks outside SYNOPSIS), so editing a document
# changes what is tested. A marker just before a block says how it is
# checked (<!-- example: KIND ... --> in Markdown, .\" example: KIND ... in
# roff); a block without one is a command block run by make check:
#
#   run            (the default) run by make check with the built tools
#   installcheck   run by make installcheck with the installed ones
#   plugin         both: make check with the build tree's LADSPA plugin
#                  (LADSPA_PATH's /usr/local/lib/ladspa rewritten to it), make
#                  installcheck with the installed one
#   c-program      a C program: compiled against the build tree and run (make
#                  check); it is also the page's prog.c for installcheck
#   c-fragment     C statements: compiled inside a function against grt.h
#   layout         a listing of the source folders: each one must exist
#   declaration    a typedef struct from grt.h or gtcrn.h: its code (without
#                  comments and spacing) must be the header's
#   not-run: WHY   not run, for the reason given (a synopsis, sample output,
#                  the install step itself)
#
# A marker's rest may hold OUT=IN (after the block, audio file OUT has IN's
# rate, channels and length) and "exit 1" (the block's last command, a grep
# for failures, finds none). A marker of another kind, or one not followed by
# a block, fails the test.
#
# A command block runs with bash -e -o pipefail, as its own script, in a
# fresh folder holding the files the examples name (made from mix.wav: 3 s,
# 16 kHz mono; stereo.wav 44.1 kHz stereo; recordings/, corpus/ and the tree
# data/noisy/{s1,s2}/ with repeated names), with the tools under test first
# on PATH, then tests/examples/ (arecord, aplay, parallel, sbatch: see each
# file). Then: every audio file it wrote must be readable, 3 s long at its
# rate, and keep the rate, channels and length of the input of the same
# name; every .jsonl line it wrote must say "ok" or "skipped" for an output
# that exists; every program it built must run and exit 0; and it must write
# something.
#
# Usage: check-examples.sh             (make check; GRT_* from the environment)
#        check-examples.sh --installed (installcheck.sh; also bindir ladspadir)
set -u
S=$(cd "${GRT_SRCDIR:?}" && pwd) B=$(cd "${GRT_BUILDDIR:?}" && pwd) || exit 1
MODEL=${GRT_MODELS_DIR:?}/gtcrn_simple.onnx
MIX=${GRT_TESTDATA_DIR:?}/mix.wav
phase=run
[ "${1:-}" = --installed ] && phase=installcheck
DOCS="$S/README.md $B/man/gtcrn-run.1 $B/man/gtcrn.3 $B/man/grt.3"
STANDINS=$S/tests/examples
SECONDS_LONG=3
fails=0 ran=0 excused=0 later=0
fail() { echo "check-examples: FAIL $*"; fails=$((fails + 1)); }
for t in sox soxi bash; do
	command -v $t >/dev/null || { echo "check-examples: needs $t"; exit 1; }
done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/blocks" "$tmp/logs" "$tmp/run"

# Paths the examples name that a test machine lacks: only the prefix is
# rewritten, here and nowhere else, to the block's folder ($1) or the
# installed plugin folder.
rewrite() {
	sed -e "s#\(^\|[ '\"=]\)/data/#\1$1/data/#g" -e "s#/path/to/#$1/#g" \
		-e "s#/usr/local/lib/ladspa#${ladspadir:-/nonexistent}#g"
}

# --- the blocks: $tmp/blocks/NNN.txt, and one line per block in index.txt:
# NNN <tab> file:line <tab> kind <tab> rest of the marker
awk -v dir="$tmp/blocks" '
function err(msg) { print "ERR\t" msg; bad = 1 }
function orphan() { if (pk != "") err(mloc ": a marker not followed by a block"); pk = "" }
function doc() { n = split(FILENAME, p, "/"); return p[n] }
function mark(s, where) {
	orphan()
	sub(/^.*example:[ \t]*/, "", s); sub(/[ \t]*-->[ \t]*$/, "", s)
	pk = s; sub(/[ :;].*$/, "", pk); pn = substr(s, length(pk) + 1); sub(/^[ :;]+/, "", pn)
	if (pk !~ /^(run|installcheck|plugin|c-program|c-fragment|layout|declaration|not-run)$/)
		err(where ": unknown example kind \"" pk "\"")
	if (pk == "not-run" && pn == "") err(where ": not-run without a reason")
	mloc = where
}
function start() {
	nb++; f = sprintf("%s/%03d.txt", dir, nb); printf "" > f
	printf "%03d\t%s:%d\t%s\t%s\n", nb, doc(), FNR, pk == "" ? "run" : pk, pn
	if (pk == "c-program") prog[nb] = dir "/prog." doc() ".c"
	pk = ""; pn = ""; inb = 1; blanks = 0
}
function stop() {
	close(f); inb = 0
	if (nb in prog) { system("cp \"" f "\" \"" prog[nb] "\""); delete prog[nb] }
}
function unroff(s) {
	gsub(/\\-/, "-", s); gsub(/\\\(aq/, "\047", s); gsub(/\\\(dq/, "\"", s)
	gsub(/\\\(ga/, "`", s); gsub(/\\\(ti/, "~", s); gsub(/\\f[BIRP]/, "", s)
	gsub(/\\[&%:]/, "", s); gsub(/\\e/, "\\", s)
	return s
}
FNR == 1 { orphan(); inb = 0
	prevblank = 1; md = FILENAME ~ /\.md$/; sec = "" }
md && /^<!-- example:/ { mark($0, doc() ":" FNR); next }
md {
	if (inb) {
		if ($0 ~ /^    /) {
			for (; blanks > 0; blanks--) print "" > f
			print substr($0, 5) > f
			next
		}
		if ($0 ~ /^[ \t]*$/) { blanks++; next }
		stop()
	}
	if ($0 ~ /^    / && prevblank) { start(); print substr($0, 5) > f; next }
	if ($0 !~ /^[ \t]*$/) orphan()
	prevblank = $0 ~ /^[ \t]*$/
	next
}
/^\.\\" *example:/ { mark($0, doc() ":" FNR); next }
/^\.SH/ { sec = $2 }
inb && (/^\.EE/ || /^\.fi/) { stop(); next }
inb { if ($0 !~ /^\./) print unroff($0) > f; next }
/^\.EX/ || (/^\.nf/ && sec != "SYNOPSIS") { start(); next }
!/^\.(PP|in|sp|RS|RE)( |$)/ && !/^[ \t]*$/ { orphan() }
END { orphan(); exit bad }
' $DOCS >"$tmp/index.txt" || true
sed -n 's/^ERR\t/check-examples: FAIL /p' "$tmp/index.txt"
fails=$(grep -c '^ERR' "$tmp/index.txt")
[ -s "$tmp/index.txt" ] || { echo "check-examples: no block found in $DOCS"; exit 1; }

# --- the folder every command block starts from (T) and its environment
T=$tmp/template
mkdir -p "$T/recordings" "$T/corpus" "$T/data/noisy/s1" "$T/data/noisy/s2"
sox "$MIX" -b 16 "$T/noisy.wav" trim 1 "$SECONDS_LONG" &&
	sox "$T/noisy.wav" "$T/noisy.flac" && cp "$T/noisy.wav" "$T/in.wav" &&
	sox "$T/noisy.wav" "$T/stereo.wav" remix 1 1v0.5 rate 44100 &&
	for f in recordings/a recordings/b recordings/c corpus/a corpus/b corpus/c \
		data/noisy/s1/a data/noisy/s1/b data/noisy/s2/a; do
		cp "$T/noisy.wav" "$T/$f.wav" || exit 1
	done &&
	cp "$MODEL" "$T/gtcrn_simple.onnx" && cp "$S/tests/install/denoise.c" "$T/" &&
	cp "$GRT_MODELS_DIR/silero_vad.onnx" "$T/silero_vad.onnx" &&
	cp "$GRT_MODELS_DIR/dnsmos_sig_bak_ovr.onnx" "$T/sig_bak_ovr.onnx" &&
	cp "$GRT_MODELS_DIR/gtcrn_stream_vctk.onnx" "$T/gtcrn_vctk.onnx" ||
	{ echo "check-examples: cannot prepare the example files"; exit 1; }
if [ $phase = installcheck ]; then
	PATH=${bindir:?}:$STANDINS:$PATH
	[ -n "${ladspadir:-}" ] && export LADSPA_PATH=$ladspadir
else
	PATH=$B/tools:$STANDINS:$PATH
	# plugin blocks: the build tree's plugin stands where make install puts it
	[ -f "$B/plugins/.libs/gtcrn_ladspa.so" ] && ladspadir=$B/plugins/.libs
	# a sanitizer build: the hosts (sox, applyplugin) are not instrumented, so
	# the runtimes the plugin needs are preloaded, as tests/ladspa/check-hosts.sh
	# does; the hosts' own leaks are not ours to judge
	plugpre=$(env -u LD_PRELOAD ldd "$B/plugins/.libs/gtcrn_ladspa.so" 2>/dev/null |
		awk '/lib(a|ub)san\.so/ { print $3 }' | tr '\n' ' ')
	if [ -n "${ladspadir:-}" ] && [ -n "$plugpre" ]; then
		export LD_PRELOAD="$plugpre"
		export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
	fi
fi
export PATH PARALLEL_HOME="$tmp/parallel"
unset GTCRN_MODEL
# a sanitizer build: programs linked against the instrumented libraries
# (ldd without LD_PRELOAD: it would list the preloaded runtimes without a path)
pre=$(env -u LD_PRELOAD ldd "$B/.libs/libgtcrn.so" 2>/dev/null | awk '/lib(a|ub)san\.so/ { print $3 }' | tr '\n' ' ')

# check_audio BLOCK-DIR FILE: readable, SECONDS_LONG s at its rate, and the
# rate, channels and length of the template input of the same name (if any)
check_audio() {
	r=$(soxi -r "$1/$2" 2>/dev/null) && n=$(soxi -s "$1/$2" 2>/dev/null) ||
		{ fail "$loc: $2 is not a readable audio file"; return; }
	want=$((SECONDS_LONG * r))
	[ "$n" -ge $((want - 1)) ] && [ "$n" -le $((want + 1)) ] ||
		fail "$loc: $2: $n samples at $r Hz, not $want"
	in=$(cd "$T" && find . -name "$(basename "$2")" | head -n 1)
	[ -n "$in" ] && check_same "$1" "$2" "$in"
}
# soxi_format FILE: "Channels N, Sample Rate R, L samples"
soxi_format() { soxi "$1" 2>/dev/null | awk -F' *: ' '/^(Channels|Sample Rate)/ { printf "%s %s, ", $1, $2 }
	/^Duration/ { sub(/^.*= /, "", $2); sub(/ .*/, " samples", $2); print $2 }'; }
# check_same BLOCK-DIR OUT IN: OUT has IN's rate, channels and length
check_same() {
	[ -r "$1/$2" ] || { fail "$loc: $2 (from $3) was not written"; return; }
	a=$(soxi_format "$1/$2") && b=$(soxi_format "$T/$3") ||
		{ fail "$loc: $2 or $3 unreadable"; return; }
	[ "$a" = "$b" ] || fail "$loc: $2 ($a) should keep $3's format ($b)"
}
# check_jsonl BLOCK-DIR FILE: not empty, every line "ok" or "skipped" and
# naming an output that exists
check_jsonl() {
	bad=$(grep -v '"status":"\(ok\|skipped\)"' "$1/$2" | head -n 3)
	[ -z "$bad" ] || fail "$loc: $2: $bad"
	sed -n 's/.*"output":"\([^"]*\)".*/\1/p' "$1/$2" | while read -r o; do
		case $o in /*) ;; *) o=$1/$o ;; esac
		[ -r "$o" ] || echo "check-examples: FAIL $loc: $2 names $o, which does not exist"
	done | grep . && fails=$((fails + 1))
	[ -s "$1/$2" ] || fail "$loc: $2 is empty"
}

# run_block ID LOC NOTE: run a command block in its folder, check what it did
run_block() {
	d=$tmp/run/$1 log=$tmp/logs/$1
	cp -a "$T" "$d"
	doc=${2%%:*}
	[ -r "$tmp/blocks/prog.$doc.c" ] && cp "$tmp/blocks/prog.$doc.c" "$d/prog.c"
	rewrite "$d" <"$tmp/blocks/$1.txt" >"$log.sh"
	touch "$log.stamp"
	# the first failing command's line and status go to $log.err
	(cd "$d" && EXAMPLES_MIC=$d/stereo.wav EXAMPLES_SPEAKER=$d/speaker.wav \
		X_ERR="$log.err" timeout 300 bash -o pipefail -c \
		'set -e; trap "echo \$LINENO \$? >\"\$X_ERR\"" ERR; . "$0"' "$log.sh" \
		) >"$log.out" 2>&1
	rc=$?
	last=$(grep -n -v -e '^[ \t]*$' -e '^[ \t]*#' "$log.sh" | tail -n 1 | cut -d: -f1)
	case $3 in
	*"exit 1"*) want="$last 1" ;;
	*) want= ;;
	esac
	got=$(cat "$log.err" 2>/dev/null)
	if [ "$got" != "$want" ] || { [ -z "$want" ] && [ $rc -ne 0 ]; }; then
		fail "$loc: exit $rc (line, status: ${got:-none}; expected ${want:-none}):"
		sed 's/^/    /' "$log.sh"
		echo "  output:"
		tail -n 20 "$log.out" | sed 's/^/    /'
		return
	fi
	files=$(cd "$d" && find . -newer "$log.stamp" -type f | sed 's#^\./##' | sort)
	[ -n "$files" ] || fail "$loc: wrote no file"
	for f in $files; do
		case $f in
		*.wav | *.flac) check_audio "$d" "$f" ;;
		*.jsonl) check_jsonl "$d" "$f" ;;
		*)
			if [ -x "$d/$f" ]; then
				(cd "$d" && LD_PRELOAD=$pre "./$f") >"$log.prog" 2>&1 || {
					fail "$loc: the program it built, ./$f, failed:"
					cat "$log.prog"
				}
			fi ;;
		esac
		checked="$checked${checked:+ }$f"
	done
	for p in $3; do
		case $p in *=*) check_same "$d" "${p%%=*}" "${p#*=}" ;; esac
	done
}

# c_program ID LOC: compile and run against the build tree
c_program() {
	d=$tmp/run/$1
	cp -a "$T" "$d" && cp "$tmp/blocks/$1.txt" "$d/prog.c"
	if ! ${CC:-cc} -Wall -Werror -o "$d/prog" "$d/prog.c" -I"$S/runtime" -I"$S/enhance" \
		-L"$B/.libs" -lgtcrn -lgrt -lm -Wl,-rpath,"$B/.libs" >"$d/cc.txt" 2>&1; then
		fail "$loc: does not compile:"; cat "$d/cc.txt"; return
	fi
	(cd "$d" && GTCRN_MODEL=$d/gtcrn_simple.onnx LD_PRELOAD=$pre ./prog) >"$d/out.txt" 2>&1 &&
		[ -s "$d/out.txt" ] || {
		fail "$loc: the program failed or printed nothing:"
		cat "$d/out.txt"
	}
}

# c_fragment ID LOC: statements in a function, against grt.h
c_fragment() {
	{
		printf '#include <grt.h>\nvoid example(void)\n{\n'
		cat "$tmp/blocks/$1.txt"
		echo '}'
	} >"$tmp/logs/$1.c"
	${CC:-cc} -fsyntax-only -I"$S/runtime" "$tmp/logs/$1.c" >"$tmp/logs/$1.cc" 2>&1 ||
		{ fail "$loc: does not compile as statements:"; cat "$tmp/logs/$1.cc"; }
}

# layout ID LOC: each entry (a line's first word, unindented, ending in /)
# is a folder of the source tree
layout() {
	for w in $(awk '/^[^ ]/ && $1 ~ /\/$/ { print $1 }' "$tmp/blocks/$1.txt"); do
		[ -d "$S/$w" ] || fail "$loc: lists $w, which is not a folder of the tree"
	done
}

# declaration ID LOC: the typedef as the public header has it, comments and
# spacing aside
c_code() { tr '\n' ' ' | sed -E -e 's#/\*([^*]|\*+[^*/])*\*+/##g' -e 's/[[:space:]]+/ /g'; }
declaration() {
	name=$(sed -n 's/^typedef struct \([a-z_]*\) {.*/\1/p' "$tmp/blocks/$1.txt")
	[ -n "$name" ] || { fail "$loc: not a typedef struct"; return; }
	c_code <"$tmp/blocks/$1.txt" >"$tmp/logs/$1.doc"
	sed -n "/^typedef struct $name {/,/^} $name;/p" "$S/runtime/grt.h" "$S/enhance/gtcrn.h" |
		c_code >"$tmp/logs/$1.h"
	cmp -s "$tmp/logs/$1.doc" "$tmp/logs/$1.h" || {
		fail "$loc: $name differs from the header's:"
		echo "    page:   $(cat "$tmp/logs/$1.doc")"
		echo "    header: $(cat "$tmp/logs/$1.h")"
	}
}

while IFS='	' read -r id loc kind note; do
	[ "$id" = ERR ] && continue
	before=$fails checked=
	case $phase/$kind in
	installcheck/installcheck|*/plugin)
		if [ -z "${ladspadir:-}" ] && grep -q ladspa "$tmp/blocks/$id.txt"; then
			echo "check-examples: $loc: not run: configured without the LADSPA plugin"
			continue
		fi
		run_block "$id" "$loc" "$note" ;;
	run/run) run_block "$id" "$loc" "$note" ;;
	run/c-program) c_program "$id" "$loc" ;;
	run/c-fragment) c_fragment "$id" "$loc" ;;
	run/layout) layout "$id" "$loc" ;;
	run/declaration) declaration "$id" "$loc" ;;
	run/not-run)
		echo "check-examples: $loc: not run: $note"
		excused=$((excused + 1))
		continue ;;
	run/installcheck) later=$((later + 1)); continue ;;
	*) continue ;;
	esac
	ran=$((ran + 1))
	[ $fails -eq $before ] && echo "check-examples: $loc: $kind: ok${checked:+ ($checked)}"
done <"$tmp/index.txt"
echo "check-examples: $ran checked, $excused not run (reasons above)," \
	"$later left to make installcheck; $fails failed"
[ $fails -eq 0 ]
