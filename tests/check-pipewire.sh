#!/bin/sh
# check-pipewire.sh PLUGIN_DIR MODEL.onnx SRCDIR VAD.onnx
# docs/pipewire/gtcrn-source.conf in a real PipeWire: a private, headless
# daemon (no dbus, no session manager, no sound card; its only source is a
# null-audio-sink) and a second pipewire process running the filter-chain
# from that file, with the plugin path rewritten to PLUGIN_DIR and
# GTCRN_MODEL set to MODEL. Checks that:
#  - the filter-chain process loads the file and stays up,
#  - the node "GTCRN noise-cancelled" (gtcrn_source) appears as
#    Audio/Source, with its capture stream, and the plugin's controls
#    appear as Props "gtcrn:Mix", "gtcrn:Attenuation limit (dB)", "gtcrn:Bypass",
#    "gtcrn:VAD gate (dB)",
#  - audio flows: white noise played into the null source comes out of
#    gtcrn_source (recorded with pw-record): with "gtcrn:Bypass" set at run
#    time it comes out unchanged in level, enhanced it comes out quieter,
#    and with "gtcrn:VAD gate (dB)" set to 30 at run time (GTCRN_VAD_MODEL
#    set to VAD.onnx) quieter again by about 30 dB: noise is no speech,
#  - with GTCRN_MODEL naming no file, the source stays silent and the
#    plugin's message naming the model is in the filter-chain's log.
# There is no session manager, so the test does its work: it sets each
# node's PortConfig (dsp: one port per channel) and links ports with pw-link.
# Every process runs under timeout and is stopped on exit; prints what it
# checked; exits 0 on success, 1 on the first failure, with the reason.
# Needs pipewire and pipewire-bin (Debian 12: PipeWire 0.3.65).
set -u
me=check-pipewire
if [ $# -ne 4 ]; then
	echo "usage: tests/check-pipewire.sh PLUGIN_DIR MODEL.onnx SRCDIR VAD.onnx"
	exit 1
fi
PLUG=$1/gtcrn_ladspa.so MODEL=$2 CONF=$3/docs/pipewire/gtcrn-source.conf VAD=$4
# absolute: PipeWire looks a relative plugin name up in the LADSPA path
case $PLUG in /*) ;; *) PLUG=$(pwd)/$PLUG ;; esac
case $MODEL in /*) ;; *) MODEL=$(pwd)/$MODEL ;; esac
case $VAD in /*) ;; *) VAD=$(pwd)/$VAD ;; esac
LIFE=90            # s: the longest any process started here may live
RATE=48000

fail() { echo "$me: $*"; exit 1; }
ok() { echo "$me: ok: $*"; }

for t in pipewire pw-cli pw-link pw-record pw-play pw-metadata; do
	command -v $t >/dev/null ||
		fail "$t not found: PipeWire is not installed (Debian: apt-get install --no-install-recommends pipewire pipewire-bin)"
done
for t in timeout od awk sed; do
	command -v $t >/dev/null || fail "$t not found (Debian: coreutils, mawk, sed)"
done
[ -r "$PLUG" ] || fail "no plugin $PLUG (build it first)"
[ -r "$MODEL" ] || fail "no model $MODEL"
[ -r "$VAD" ] || fail "no VAD model $VAD"
[ -r "$CONF" ] || fail "no $CONF"

tmp=$(mktemp -d) || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "$me: interrupted"; exit 1' INT TERM HUP
t0=$(date +%s)

# A private PipeWire: its own socket dir, and no user or system config
# (~/.config/pipewire, /etc/pipewire) mixed into ours.
mkdir "$tmp/run" "$tmp/xdg" "$tmp/daemon" "$tmp/fc" "$tmp/fc/filter-chain.conf.d" || exit 1
export XDG_RUNTIME_DIR="$tmp/run" PIPEWIRE_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/xdg"
unset PIPEWIRE_REMOTE PIPEWIRE_CONFIG_DIR PIPEWIRE_CONFIG_NAME PIPEWIRE_CONFIG_PREFIX \
	LADSPA_PATH DBUS_SESSION_BUS_ADDRESS GTCRN_VAD_MODEL
export PIPEWIRE_LOG_SYSTEMD=false

# The daemon: the modules a client needs, a dummy driver, and a null
# source as the default source; the null-audio-sink drives the graph.
cat >"$tmp/daemon/pipewire.conf" <<EOF
context.properties = {
    core.daemon        = true
    core.name          = pipewire-0
    support.dbus       = false
    log.level          = 2
    default.clock.rate = $RATE
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
      args = { factory.name = support.node.driver node.name = Dummy-Driver
               node.group = pipewire.dummy priority.driver = 20000 } }
    { factory = adapter
      args = { factory.name     = support.null-audio-sink
               node.name        = check_null_source
               node.description = "check-pipewire null source"
               media.class      = Audio/Source/Virtual
               audio.position   = [ MONO ]
               object.linger    = true } }
]
EOF

# The filter-chain process: Debian 12 ships no filter-chain.conf, so this
# is the minimal one the file's comments describe, with the file under
# test in filter-chain.conf.d and its plugin path pointing at PLUGIN_DIR.
cat >"$tmp/fc/filter-chain.conf" <<'EOF'
context.properties = { log.level = 2 }
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-adapter }
]
EOF
sed "s|^\([ 	]*plugin[ 	]*=[ 	]*\).*\$|\1\"$PLUG\"|" "$CONF" \
	>"$tmp/fc/filter-chain.conf.d/gtcrn-source.conf" || exit 1
[ "$(grep -c "^[ 	]*plugin[ 	]*= \"$PLUG\"\$" "$tmp/fc/filter-chain.conf.d/gtcrn-source.conf")" -eq 1 ] ||
	fail "could not point the one 'plugin =' line of $CONF at $PLUG"

# A sanitizer build: pipewire is not instrumented, so the filter-chain
# process preloads the runtimes the plugin needs; pipewire's own leaks are
# not ours to judge.
pre=$(ldd "$PLUG" | awk '/lib(a|ub)san\.so/ { print $3 }' | tr '\n' ':')
[ -n "$pre" ] && export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"

# bg NAME SECONDS CMD...: start CMD in the background under timeout, log in
# $tmp/NAME.log; its pid (timeout's, which passes signals on) in $pid
bg() {
	_name=$1 _secs=$2
	shift 2
	timeout "$_secs" "$@" >"$tmp/$_name.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
}
# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds
wait_for() {
	_n=$(($1 * 5))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}
alive() { kill -0 "$1" 2>/dev/null; }
# wait_node NAME: wait up to 10 s for the node NAME while the filter-chain
# process ($fc) lives
wait_node() {
	_n=50
	while [ "$_n" -gt 0 ] && alive "$fc"; do
		node_id "$1" >/dev/null && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}
log_tail() { echo "--- $1.log:"; tail -n 20 "$tmp/$1.log"; echo "---"; }
# nodes: one line per node, "id<TAB>node.name<TAB>media.class<TAB>node.description"
nodes() {
	timeout 5 pw-cli ls Node | awk '
		function val(v) { v = $0; sub(/^[^=]*= "?/, "", v); sub(/"$/, "", v); return v }
		function out() { if (id != "") printf "%s\t%s\t%s\t%s\n", id, nm, cl, ds }
		/^[ \t]*id [0-9]+, type/ { out(); id = $2; sub(/,/, "", id); nm = cl = ds = "" }
		/^[ \t]*node\.name = / { nm = val() }
		/^[ \t]*media\.class = / { cl = val() }
		/^[ \t]*node\.description = / { ds = val() }
		END { out() }'
}
node_id() { nodes | awk -F '\t' -v n="$1" '$2 == n { print $1; f = 1 } END { exit !f }'; }
has_port() { pw-link "$1" | grep -qxF "$2"; }   # -o|-i NODE:PORT
# dsp ID Input|Output [monitor = true]: what a session manager does to a
# new node, one port per channel, F32P mono at the graph rate
dsp() {
	timeout 5 pw-cli s "$1" PortConfig "{ direction = $2 mode = dsp ${3:-} format = {
		mediaType = audio mediaSubtype = raw format = F32P rate = $RATE
		channels = 1 position = [ MONO ] } }" >/dev/null
}
set_prop() { timeout 5 pw-cli s "$1" Props "{ params = [ \"$2\" $3 ] }" >/dev/null; }
# rms FILE: the RMS of the last 0.5 s of a float WAV (its end is all data)
rms() {
	tail -c $((RATE * 2)) "$1" | od -An -v -tf4 |
		awk '{ for (i = 1; i <= NF; i++) { s += $i * $i; n++ } }
		     END { if (n) printf "%.5f\n", sqrt(s / n); else print "none" }'
}
# noise FILE SECONDS: 16-bit mono white noise as a WAV, from /dev/urandom
le32() {
	_v=$1 _s='' _i=0
	while [ $_i -lt 4 ]; do
		_s="$_s\\$(printf %03o $((_v % 256)))"
		_v=$((_v / 256)) _i=$((_i + 1))
	done
	# shellcheck disable=SC2059 # the format is the point: octal escapes
	printf "$_s"
}
noise() {
	_b=$((RATE * 2 * $2))
	{ printf 'RIFF'; le32 $((_b + 36)); printf 'WAVEfmt '; le32 16
	  printf '\001\000\001\000'; le32 $RATE; le32 $((RATE * 2)); printf '\002\000\020\000'
	  printf 'data'; le32 $_b; head -c $_b /dev/urandom; } >"$1"
}

# --- the daemon
bg daemon $LIFE pipewire -c "$tmp/daemon/pipewire.conf"
wait_for 5 timeout 2 pw-cli info 0 ||
	{ log_tail daemon; fail "the private PipeWire daemon did not start within 5 s"; }
wait_for 5 node_id check_null_source ||
	{ log_tail daemon; fail "the daemon's null source did not appear within 5 s"; }
null=$(node_id check_null_source)
timeout 5 pw-metadata 0 default.audio.source '{ "name": "check_null_source" }' >/dev/null
ok "headless daemon up (no dbus, no session manager), null source id $null"

# --- the configuration under test
bg fc $LIFE env ${pre:+"LD_PRELOAD=$pre"} GTCRN_MODEL="$MODEL" GTCRN_VAD_MODEL="$VAD" \
	PIPEWIRE_CONFIG_DIR="$tmp/fc" pipewire -c filter-chain.conf
fc=$pid
if ! wait_node gtcrn_source; then
	log_tail fc
	alive "$fc" || fail "the filter-chain process exited while loading gtcrn-source.conf"
	fail "the node 'GTCRN noise-cancelled' did not appear within 10 s"
fi
src=$(node_id gtcrn_source) cap=$(node_id capture.gtcrn_source) ||
	fail "the filter's capture stream capture.gtcrn_source is missing"
line=$(nodes | awk -F '\t' -v i="$src" '$1 == i')
case $line in
*"	Audio/Source	GTCRN noise-cancelled") ;;
*) fail "gtcrn_source is not an Audio/Source named 'GTCRN noise-cancelled': $line" ;;
esac
nodes | awk -F '\t' -v i="$cap" '$1 == i && $3 == "Stream/Input/Audio" { f = 1 } END { exit !f }' ||
	fail "capture.gtcrn_source is not a Stream/Input/Audio"
ok "node $src gtcrn_source 'GTCRN noise-cancelled' is an Audio/Source; its capture stream is node $cap"
timeout 5 pw-cli enum-params "$cap" Props >"$tmp/props.txt" 2>&1
for c in "gtcrn:Mix" "gtcrn:Attenuation limit (dB)" "gtcrn:Bypass" "gtcrn:VAD gate (dB)"; do
	grep -qF "\"$c\"" "$tmp/props.txt" || fail "the control \"$c\" is not among node $cap's Props"
done
ok "controls gtcrn:Mix, gtcrn:Attenuation limit (dB), gtcrn:Bypass, gtcrn:VAD gate (dB) are Props of node $cap"

# chain: what a session manager would do for the filter-chain's two nodes:
# give them ports, link the null source (the default source) to the capture
chain() {
	cap=$(node_id capture.gtcrn_source) src=$(node_id gtcrn_source) ||
		fail "the filter's nodes are missing"
	dsp "$cap" Input
	dsp "$src" Output
	for p in "-o check_null_source:capture_MONO" "-i capture.gtcrn_source:input_MONO" \
		"-o gtcrn_source:capture_MONO"; do
		# shellcheck disable=SC2086 # "-o NODE:PORT" is two words on purpose
		wait_for 5 has_port $p || fail "the port ${p#-? } did not appear within 5 s"
	done
	timeout 5 pw-link check_null_source:capture_MONO capture.gtcrn_source:input_MONO ||
		fail "pw-link could not link the null source to the filter's capture stream"
}

# --- audio: noise -> null source -> capture.gtcrn_source -> gtcrn_source -> pw-record
noise "$tmp/noise.wav" 30
bg play $LIFE pw-play --target 0 -P '{ node.name = check_play }' "$tmp/noise.wav"
wait_for 5 node_id check_play || { log_tail play; fail "pw-play's node did not appear within 5 s"; }
dsp "$(node_id check_play)" Output
dsp "$null" Input "monitor = true"
if ! wait_for 5 has_port -o check_play:output_MONO ||
	! wait_for 5 has_port -i check_null_source:input_MONO; then
	fail "the ports of pw-play and the null source did not appear within 5 s"
fi
timeout 5 pw-link check_play:output_MONO check_null_source:input_MONO ||
	fail "pw-link could not link pw-play to the null source"
chain
ok "linked pw-play (white noise) -> null source -> capture.gtcrn_source"

# record NAME SECONDS [empty]: record gtcrn_source into $tmp/NAME.wav (f32);
# fails if that is less than a second of audio, unless "empty" is given
record() {
	bg "$1" $(($2 + 5)) timeout -s INT "$2" pw-record --target 0 --rate $RATE --channels 1 \
		--format f32 -P "{ node.name = check_$1 }" "$tmp/$1.wav"
	_rec=$pid
	wait_for 5 node_id "check_$1" || { log_tail "$1"; fail "pw-record's node did not appear within 5 s"; }
	dsp "$(node_id "check_$1")" Input
	wait_for 5 has_port -i "check_$1:input_MONO" || fail "pw-record's port did not appear within 5 s"
	timeout 5 pw-link gtcrn_source:capture_MONO "check_$1:input_MONO" ||
		fail "pw-link could not link gtcrn_source to pw-record"
	wait "$_rec"
	alive "$fc" || { log_tail fc; fail "the filter-chain process died while recording"; }
	_bytes=0
	[ -f "$tmp/$1.wav" ] && _bytes=$(wc -c <"$tmp/$1.wav")
	[ "${3:-}" = empty ] && return 0
	[ "$_bytes" -gt $((RATE * 4)) ] ||
		{ log_tail "$1"; fail "recorded $_bytes bytes from gtcrn_source in $2 s: no audio flows"; }
	ok "recorded $_bytes bytes from gtcrn_source ($1, RMS of the last 0.5 s: $(rms "$tmp/$1.wav"))"
}
set_prop "$cap" "gtcrn:Bypass" true || fail "pw-cli could not set gtcrn:Bypass"
record bypass 3
set_prop "$cap" "gtcrn:Bypass" false || fail "pw-cli could not set gtcrn:Bypass"
record enhanced 3
# white noise at full scale is about 0.58 RMS; bypassed it comes out at that
# level (the graph carries the signal), enhanced far below it
b=$(rms "$tmp/bypass.wav") e=$(rms "$tmp/enhanced.wav")
awk -v b="$b" 'BEGIN { exit !(b > 0.3 && b < 0.8) }' ||
	fail "bypassed, the noise came out at RMS $b, not near 0.58: the signal did not pass through"
awk -v b="$b" -v e="$e" 'BEGIN { exit !(e < b / 2) }' ||
	fail "enhanced, the noise came out at RMS $e, not below half the bypassed $b: the plugin did not act"
ok "bypassed RMS $b, enhanced RMS $e: the plugin runs and set-param reaches it"
# the live gate: white noise holds no speech, so a 30 dB gate takes the
# enhanced noise down by about that much (more than 20 dB asked here: the
# last 0.5 s of 3 s are well past the release ramp)
set_prop "$cap" "gtcrn:VAD gate (dB)" 30.0 || fail "pw-cli could not set gtcrn:VAD gate (dB)"
record gated 3
g=$(rms "$tmp/gated.wav")
awk -v e="$e" -v g="$g" 'BEGIN { exit !(g < e / 10) }' ||
	fail "gated at 30 dB, the noise came out at RMS $g, not 20 dB below the enhanced $e"
ok "gated at 30 dB: RMS $g against the enhanced $e ($(awk -v e="$e" -v g="$g" 'BEGIN { printf "%.1f", 20 * log(g / e) / log(10) }') dB)"
set_prop "$cap" "gtcrn:VAD gate (dB)" 0.0 || fail "pw-cli could not set gtcrn:VAD gate (dB)"

# --- a model that does not load: PipeWire 0.3.65 instantiates the plugin
# only when the stream starts, so the source still appears; it must then
# stay silent, with the plugin's message naming the model in the log.
kill "$fc"
wait "$fc"
gone() { ! node_id gtcrn_source; }
wait_for 5 gone || fail "the node gtcrn_source was still there 5 s after its process stopped"
bg badmodel $LIFE env ${pre:+"LD_PRELOAD=$pre"} GTCRN_MODEL="$tmp/no-such-model.onnx" \
	PIPEWIRE_CONFIG_DIR="$tmp/fc" pipewire -c filter-chain.conf
fc=$pid
wait_node gtcrn_source ||
	{ log_tail badmodel; fail "with GTCRN_MODEL naming no file, gtcrn_source did not appear within 10 s"; }
chain
record badmodel 2 empty
grep -qF "$tmp/no-such-model.onnx" "$tmp/badmodel.log" ||
	{ log_tail badmodel; fail "with GTCRN_MODEL naming no file, the filter-chain's log does not name the model"; }
[ "$_bytes" -le 100 ] ||
	fail "with GTCRN_MODEL naming no file, $_bytes bytes were recorded from gtcrn_source"
ok "with GTCRN_MODEL naming no file, gtcrn_source stays silent and the log names the model"

echo "$me: all checks passed in $(($(date +%s) - t0)) s"
exit 0
