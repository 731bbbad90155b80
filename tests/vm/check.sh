#!/usr/bin/env bash
# Judges what the guest wrote down (facts, status snapshots, gpioinfo, the
# kernel's GPIO trace, the gates' databases) and what the host's MQTT
# subscriber received.  One line per check, "ok - ..." or "not ok - ...",
# then "NAME: N passed, M failed"; exits 0 only when every check passed.
#
#   tests/vm/check.sh OUT_DIR ABI MQTT_MESSAGE MQTT_RECEIVED_FILE \
#	[NAME GPIOD_VERSION LIBCAMERA_VERSION]
#
# NAME is the tier's (vm); the versions are libgpiod's and libcamera's in
# the guest's userland, which qrgated must say it ran with.
set -u
OUT=$1 ABI=$2 MSG=$3 RECEIVED=$4 NAME=${5:-vm} WANT_GPIOD=${6:-} WANT_LIBCAMERA=${7:-}
. "$(dirname "$0")/judge.sh"
. "$(dirname "$0")/figures.sh"
. "$(dirname "$0")/../bench/lib_figures.sh"
. "$(dirname "$0")/../integration/wiegand_enc.sh"
# The screen phase's comparer (built by run.sh) and the QMP log.
SCREENCMP=${SCREENCMP:-$(dirname "$0")/../../build/vm/screencmp}
QMP_LOG=${QMP_LOG:-/dev/null}
WAVSTAT=${WAVSTAT:-$(dirname "$0")/../../build/vm/wavstat}
# SCANS, the badges the scanner phase typed, as the host asked.
SCANS=$(sed -n 's/^SCANS=//p' "$OUT/../in/params" 2>/dev/null)
SCANS=${SCANS:-3}

# check_eq WHAT GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}

# check_waited WHAT FACT [MAX_CS]: the guest saw it happen (in at most
# MAX_CS hundredths of a second).
check_waited() {
	local v r t
	v=$(fact "$2")
	r=${v%% *} t=${v#* }
	if [ "$r" != ok ]; then
		not_ok "$1" "${2}: ${v:-never written}"
	elif [ -n "${3:-}" ] && [ "$t" -gt "$3" ]; then
		not_ok "$1" "$2: took ${t}0 ms, more than ${3}0 ms"
	else
		ok "$1 (${t}0 ms)"
	fi
}

# check_json WHAT SNAPSHOT JQ_EXPR
check_json() {
	local f=$OUT/$2.json
	if [ -s "$f" ] && jq -e "$3" "$f" >/dev/null 2>&1; then
		ok "$1"
	else
		not_ok "$1" "$2.json: $(head -c 300 "$f" 2>/dev/null || echo missing) does not satisfy $3"
	fi
}

# rows DB EXPR [WHERE]: EXPR of each event, in order, on one line.
rows() {
	[ -f "$OUT/$1.db" ] || return 0
	sqlite3 -batch -noheader "$OUT/$1.db" \
	    "SELECT $2 FROM events WHERE ${3:-1} ORDER BY seq;" 2>&1 | tr '\n' ' ' | sed 's/ $//'
}

# check_log WHAT GATE REGEX WORD: GATE's qrgated log has a line matching
# REGEX; if not, its lines with WORD are shown.
check_log() {
	if grep -q "$3" "$OUT/$2.qrgated.log" 2>/dev/null; then ok "$1"
	else not_ok "$1" "$(grep "$4" "$OUT/$2.qrgated.log" 2>/dev/null | head -3)"; fi
}

# gpioinfo_lines FILE: each line in gpioinfo's report, in libgpiod 1's
# format or 2's, as "OFFSET NAME CONSUMER DIRECTION POLARITY": CONSUMER
# "unused" for a free line, POLARITY active-high or active-low (libgpiod 2
# writes only active-low; 1 writes either), so that every check below
# judges the same fact on either userland.
#   1.6:	line   5: "PASSAGE" "qrgated" input active-low [used]
#   2.2:	line   5:	"PASSAGE"	input active-low bias=pull-up consumer="qrgated"
gpioinfo_lines() {
	awk '
	function word(   w) {	# the leading quoted string or word of s
		sub(/^[ \t]+/, "", s)
		if (substr(s, 1, 1) == "\"") {
			s = substr(s, 2); w = substr(s, 1, index(s, "\"") - 1)
			s = substr(s, index(s, "\"") + 1)
		} else { w = s; sub(/[ \t].*/, "", w); s = substr(s, length(w) + 1) }
		return w
	}
	/^[ \t]*line[ \t]+[0-9]+:/ {
		s = $0; sub(/^[ \t]*line[ \t]+/, "", s)
		off = s; sub(/:.*/, "", off); s = substr(s, index(s, ":") + 1)
		quoted = s ~ /^[ \t]*"/; name = word()
		if (!quoted && name != "unnamed") next
		consumer = "unused"
		t = s; sub(/^[ \t]+/, "", t)
		if (t ~ /^"/ || t ~ /^unused/) {	# libgpiod 1
			consumer = word()
		} else if (match(s, /consumer="[^"]*"/)) {	# libgpiod 2
			consumer = substr(s, RSTART + 10, RLENGTH - 11)
		} else if (match(s, /consumer=[^ \t]+/)) {
			consumer = substr(s, RSTART + 9, RLENGTH - 9)
		}
		dir = "none"; pol = "active-high"
		n = split(s, w, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] == "input" || w[i] == "output") dir = w[i]
			if (w[i] == "active-low") pol = w[i]
		}
		print off, name, consumer, dir, pol
	}' "$OUT/$1" 2>/dev/null
}

# gpioinfo_line FILE NAME: "CONSUMER DIRECTION POLARITY" of that line.
gpioinfo_line() { gpioinfo_lines "$1" | awk -v n="$2" '$2 == n { print $3, $4, $5 }'; }

# check_line WHAT FILE NAME WANT: the line is as WANT says.
check_line() {
	local l
	l=$(gpioinfo_line "$2" "$3")
	if [ "$l" = "$4" ]; then ok "$1"
	else not_ok "$1" "$3: got '$l', want '$4'; gpioinfo: $(grep "\"$3\"" "$OUT/$2" 2>/dev/null | tr -s ' \t' ' ')"; fi
}

# The values set on one line in the GPIO trace file, collapsed so that a
# value set again is not repeated ("0 1 0"), and the seconds each 1 lasted.
BASE=$(fact sim.base)
trace_values() {
	[ -n "$BASE" ] || return 0
	awk -v g=$(( BASE + $2 )) '$0 ~ /gpio_value:/ && $(NF-2) == g && $(NF-1) == "set" {
		if (!seen || $NF != last) { printf "%s%s", sep, $NF; sep = " "; last = $NF; seen = 1 } }' "$OUT/$1" 2>/dev/null
}
trace_pulses() {
	[ -n "$BASE" ] || return 0
	awk -v g=$(( BASE + $2 )) '$0 ~ /gpio_value:/ && $(NF-2) == g && $(NF-1) == "set" {
		for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) t = substr($i, 1, length($i) - 1)
		if ($NF == 1 && !on) { on = 1; t1 = t }
		else if ($NF == 0 && on) { on = 0; printf "%s%.2f", sep, t - t1; sep = " " } }' "$OUT/$1" 2>/dev/null
}

# ---- the guest ----
check_eq "the guest ran Debian's kernel $ABI" "$(fact guest.kernel)" "$ABI"

# ---- which stack ran: the userland's libgpiod and libcamera ----
# want_version WHAT GOT WANT: GOT (a "v" and a "+..." suffix aside) is
# WANT, which the userland's pkg-config gave (none: a failure).
want_version() {
	local v=${2#v}
	v=${v%%+*}
	if [ -n "$3" ] && [ "$v" = "$3" ]; then ok "$1 $3"
	else not_ok "$1 ${3:-(unknown: pkg-config had none)}" "got '${2}'"; fi
}
want_version "the guest's gpioinfo is libgpiod's" \
	"$(fact guest.gpioinfo | sed -n 's/.* v\([0-9][0-9.]*\).*/\1/p')" "$WANT_GPIOD"
l=$(sed -n 's/.*gpio gpiod: libgpiod \([^ ,]*\), API \([0-9]*\),.*/\1 \2/p' "$OUT/g1.qrgated.log" 2>/dev/null | head -1)
want_version "g1: qrgated's gpiod backend runs libgpiod" "${l% *}" "$WANT_GPIOD"
check_eq "g1: ... through the API of its major version" "${l#* }" "${WANT_GPIOD%%.*}"
want_version "l: qrgated's libcamera backend runs libcamera" \
	"$(sed -n 's/.*camera libcamera: libcamera \([^ ]*\)$/\1/p' "$OUT/l.qrgated.log" 2>/dev/null | head -1)" \
	"$WANT_LIBCAMERA"

# ---- gpio-sim ----
names=$(gpioinfo_lines gpioinfo-idle.txt | awk '{ printf "%s%s", sep, $2; sep = " " }')
check_eq "gpio-sim chip made through configfs with 12 named lines" "$names" \
	"RELAY_ENTRY RELAY_EXIT LED_GREEN LED_RED BUZZER PASSAGE FIRE EXIT_BTN WG_D0 WG_D1 WG_OUT_D0 WG_OUT_D1"
check_eq "gpioinfo read every line free before qrgated ran" \
	"$(gpioinfo_lines gpioinfo-idle.txt | awk '$3 == "unused" { n++ } END { print n + 0 }')" 12
check_eq "the kernel's GPIO trace is on" "$(fact sim.trace)" "on"

# ---- gate g1: a badge on the file camera ----
check_waited "g1: qrgated (gpiod backend, lines by name) started" g1.started
check_eq "g1: every output de-energised right after start" "$(fact g1.start_outputs)" \
	"RELAY_ENTRY=0 RELAY_EXIT=0 LED_GREEN=0 LED_RED=0 BUZZER=0"
check_json "g1: no decision yet, entry locked at that moment" g1-start \
	'.counters.grants == 0 and .ways.entry == "locked" and .camera.backend == "file"'
check_line "g1: gpioinfo shows RELAY_ENTRY held by qrgated as an output" \
	gpioinfo-held.txt RELAY_ENTRY "qrgated output active-high"
check_line "g1: the exit relay, given as chip:offset, is held as an output" \
	gpioinfo-held.txt RELAY_EXIT "qrgated output active-high"
check_line "g1: PASSAGE held as an active-low input" \
	gpioinfo-held.txt PASSAGE "qrgated input active-low"
check_line "g1: FIRE, given as chip path:name, held as an input" \
	gpioinfo-held.txt FIRE "qrgated input active-high"
check_waited "g1: RELAY_ENTRY rises to 1 on badge-W0001.png" g1.relay_up
check_eq "g1: the green lamp is lit during the release" "$(fact g1.green_during)" 1
check_waited "g1: RELAY_ENTRY falls back to 0 after the pulse" g1.relay_down 400
check_eq "g1: the trace shows RELAY_ENTRY requested at 0, then one pulse" \
	"$(trace_values gpio-trace-g1.txt 0)" "0 1 0"
p=$(trace_pulses gpio-trace-g1.txt 0)
if [ -n "$p" ] && awk -v p="$p" 'BEGIN { exit !(p >= 1.45 && p <= 2.5) }'; then
	ok "g1: the pulse lasted ${p} s (pulse_ms 1500)"
else
	not_ok "g1: the pulse lasted about 1.5 s" "pulses: '${p}'"
fi
check_eq "g1: the log has the grant, nobody passed" \
	"$(rows g1 "type||' '||direction||' '||result||' '||credential_id||' '||passage")" \
	"scan entry granted W-0001 not-passed"
check_waited "g1: the file camera says ended after its last frame" g1.camera_ended
check_eq "g1: qrgated exited 0 on SIGTERM" "$(fact g1.exit)" 0

# ---- gate g2: inputs ----
check_waited "g2: qrgated started" g2.started
check_eq "g2: PASSAGE (active-low, pull-up) rests high" "$(fact g2.passage_rest)" 1
check_json "g2: ... and reads inactive" g2-rest '.passage_sensor == false and .fire_alarm == false'
check_waited "g2: PASSAGE pulled low reads active" g2.passage_on
check_eq "g2: ... at level 0" "$(fact g2.passage_active_level)" 0
check_json "g2: status says passage_sensor true" g2-passage-active '.passage_sensor == true'
check_waited "g2: PASSAGE pulled high again reads inactive" g2.passage_off
check_waited "g2: FIRE active energises both relays" g2.fire_relays_up
check_json "g2: ... every way free, fire_alarm true" g2-fire \
	'.fire_alarm == true and .ways.entry == "free" and .ways.exit == "free"'
check_waited "g2: FIRE inactive de-energises both relays" g2.fire_relays_down
check_waited "g2: remote open raises RELAY_ENTRY" g2.open_up
check_waited "g2: a passage closes the way at once (pulse 8 s)" g2.open_down 300
check_waited "g2: the exit button (active-low, debounced) raises RELAY_EXIT" g2.button_up
check_waited "g2: ... until someone has passed" g2.button_down 300
check_waited "g2: another release raises RELAY_ENTRY" g2.term_up
check_eq "g2: RELAY_ENTRY is 1 when SIGTERM comes" "$(fact g2.term_level_before)" 1
check_eq "g2: qrgated exited 0 on SIGTERM during the pulse" "$(fact g2.exit)" 0
check_eq "g2: the trace shows RELAY_ENTRY driven to 0 before qrgated let go" \
	"$(trace_values gpio-trace-g2.txt 0)" "0 1 0 1 0 1 0"
check_eq "g2: the trace shows RELAY_EXIT (chip:offset) freed by the alarm and the button" \
	"$(trace_values gpio-trace-g2.txt 1)" "0 1 0 1 0"
check_eq "g2: the log has the forced passage, the fire alarm, the passed releases" \
	"$(rows g2 "type||' '||direction||' '||reason||' '||passage" "seq < (SELECT max(seq) FROM events)")" \
	"alarm entry forced none alarm entry fire-alarm-on none alarm entry fire-alarm-off none remote entry remote-open passed button exit exit-button passed"
l=$(rows g2 "type||' '||passage" "seq = (SELECT max(seq) FROM events)")
case $l in "remote passed"|"") not_ok "g2: the release cut by SIGTERM is logged, not as passed" "'$l'";;
	"remote "*) ok "g2: the release cut by SIGTERM is logged, not as passed ($l)";;
	*) not_ok "g2: the release cut by SIGTERM is logged, not as passed" "'$l'";; esac

# ---- gate c: V4L2 on vivid ----
check_eq "c: vivid loaded with an HDMI capture looped from an HDMI output" "$(fact c.vivid)" ready
check_waited "c: qrgated (v4l2 backend) started" c.started
check_waited "c: the camera runs" c.running
f=$(fact c.frames)
if [ -n "$f" ] && [ "${f% *}" != none ] && [ "${f#* }" != none ] && [ "${f#* }" -gt "${f% *}" ]; then
	ok "c: frames flow (counters.frames ${f% *} -> ${f#* } in 2 s)"
else
	not_ok "c: frames flow" "counters.frames: '$f'"
fi
check_json "c: status: v4l2 camera running, entry locked" c-running \
	'.camera.backend == "v4l2" and .camera.state == "running" and .ways.entry == "locked"'
case $(fact c.format) in GREY|YUYV|NV12) ok "c: capture format $(fact c.format)";;
	*) not_ok "c: capture format is one qrgated takes" "$(fact c.format)";; esac
check_waited "c: a QR frame on vivid's output comes back on the capture and raises RELAY_ENTRY" c.relay_up
check_waited "c: RELAY_ENTRY falls back to 0" c.relay_down 400
check_eq "c: the log's scans are grants of W-0001" \
	"$(rows c "DISTINCT result||'/'||credential_id" "type = 'scan'")" "granted/W-0001"
check_waited "c: at 60 frames a second the control socket still answers" c.fast_status 300
check_waited "c: ... a remote open raises RELAY_ENTRY" c.fast_open_up 300
check_waited "c: ... and its pulse (1500 ms) ends on time" c.fast_open_down 300
check_waited "c: a still picture looped to the capture: state frozen" c.frozen
check_json "c: ... every way locked" c-frozen '.camera.state == "frozen" and ([.ways[] | select(. != "locked")] | length == 0)'
check_eq "c: ... logged once as identical frames" "$(fact c.frozen_logged)" 1
check_waited "c: vivid's noise again: running" c.live_again
check_waited "c: every buffer dropped: state frozen" c.stalled
check_json "c: ... every way locked" c-stalled '.camera.state == "frozen" and ([.ways[] | select(. != "locked")] | length == 0)'
r=$(fact c.reopened)
if [ -n "$r" ] && [ "$r" -ge 1 ]; then ok "c: ... the stalled camera was reopened ($r times)"; else not_ok "c: ... the stalled camera was reopened" "'$r'"; fi
check_waited "c: frames again: running" c.unstalled
check_waited "c: the camera unbound: state failed" c.failed
check_json "c: ... every way locked" c-failed '.camera.state == "failed" and ([.ways[] | select(. != "locked")] | length == 0)'
check_eq "c: ... and the relay de-energised" "$(fact c.relay_while_failed)" 0
check_waited "c: the camera bound again: back to running" c.back
f=$(fact c.frames_back)
if [ -n "$f" ] && [ "${f% *}" != none ] && [ "${f#* }" != none ] && [ "${f#* }" -gt "${f% *}" ]; then
	ok "c: frames flow again (${f% *} -> ${f#* })"
else
	not_ok "c: frames flow again" "counters.frames: '$f'"
fi
check_eq "c: qrgated exited 0" "$(fact c.exit)" 0
v=$(trace_values gpio-trace-c.txt 0)
case $v in "0 1 0"*) [ "${v##* }" = 0 ] && ok "c: the trace shows RELAY_ENTRY pulsed and left at 0 ($v)" ||
		not_ok "c: the trace shows RELAY_ENTRY left at 0" "$v";;
	*) not_ok "c: the trace shows RELAY_ENTRY requested at 0, then pulsed" "'$v'";; esac

# ---- MQTT through qemu's user network ----
check_waited "mqtt: the guest's network is up" m.link
check_eq "mqtt: mosquitto_pub in the guest succeeded" "$(fact m.pub)" 0
check_eq "mqtt: the host's subscriber received the guest's message" \
	"$(cat "$RECEIVED" 2>/dev/null)" "$MSG"

# ---- libcamera on vimc: its tools, then qrgated's libcamera backend ----
case $(fact l.media) in /dev/media*) ok "libcamera: vimc loaded, its media device is $(fact l.media)";;
	*) not_ok "libcamera: vimc loaded, its media device found" "l.media: '$(fact l.media)'";; esac
if [ "$(fact l.list)" = 0 ] && grep -q "(platform/vimc.0 Sensor B)" "$OUT/l-cam-list.txt" 2>/dev/null; then
	ok "libcamera: cam -l lists vimc's Sensor B"
else
	not_ok "libcamera: cam -l lists vimc's Sensor B" "exit '$(fact l.list)'; $(tail -2 "$OUT/l-cam-list.txt" 2>/dev/null)"
fi
n=$(grep -c 'cam0-stream0 seq: ' "$OUT/l-cam-capture.txt" 2>/dev/null)
if [ "$(fact l.capture)" = 0 ] && [ "${n:-0}" -eq 3 ]; then
	ok "libcamera: cam captured 3 frames from vimc"
else
	not_ok "libcamera: cam captured 3 frames from vimc" "exit '$(fact l.capture)', ${n:-0} frames"
fi
check_waited "l: qrgated (libcamera backend, camera by id '$(fact l.id)') started" l.started
check_waited "l: the camera runs" l.running
f=$(fact l.frames)
if [ -n "$f" ] && [ "${f% *}" != none ] && [ "${f#* }" != none ] && [ "${f#* }" -gt "${f% *}" ]; then
	ok "l: frames flow (counters.frames ${f% *} -> ${f#* } in 2 s)"
else
	not_ok "l: frames flow" "counters.frames: '$f'"
fi
check_json "l: status: libcamera camera running, entry locked" l-running \
	'.camera.backend == "libcamera" and .camera.state == "running" and .ways.entry == "locked"'
if grep -q 'camera libcamera: .*: [A-Z0-9]* [0-9]*x[0-9]*, [0-9]* bytes a line, [0-9]* buffers' "$OUT/l.qrgated.log" 2>/dev/null; then
	ok "l: $(grep -o 'camera libcamera: .*buffers' "$OUT/l.qrgated.log" | head -1)"
else
	not_ok "l: the backend logged the stream it configured" "$(grep 'camera libcamera' "$OUT/l.qrgated.log" 2>/dev/null | head -3)"
fi
check_waited "l: vimc unbound: state failed" l.failed
check_json "l: ... every way locked" l-failed \
	'.camera.state == "failed" and ([.ways[] | select(. != "locked")] | length == 0)'
check_eq "l: ... seen by the backend's watchdog: the device nodes went" "$(fact l.lost_by)" \
	"its device is gone"
check_json "l: 4 s later the gate still answers, camera failed, ways locked" l-failed-later \
	'.camera.state == "failed" and ([.ways[] | select(. != "locked")] | length == 0)'
if grep -q "camera libcamera: .*: its device went while streaming; libcamera cannot open a camera again until qrgated restarts" "$OUT/l.qrgated.log" 2>/dev/null; then
	ok "l: the log says the camera cannot be reopened until qrgated restarts"
else
	not_ok "l: the log says the camera cannot be reopened until qrgated restarts" \
		"$(grep 'camera' "$OUT/l.qrgated.log" 2>/dev/null | tail -3)"
fi
check_eq "l: qrgated with a lost camera exited 0 on SIGTERM" "$(fact l.exit)" 0
check_waited "l2: vimc bound again, qrgated restarted (as systemd would): running" l2.running
f=$(fact l2.frames)
if [ -n "$f" ] && [ "${f% *}" != none ] && [ "${f#* }" != none ] && [ "${f#* }" -gt "${f% *}" ]; then
	ok "l2: frames flow again (${f% *} -> ${f#* })"
else
	not_ok "l2: frames flow again" "counters.frames: '$f'"
fi
check_eq "l2: qrgated exited 0" "$(fact l2.exit)" 0

# ---- gate w: a Wiegand reader in, the grant out to a controller ----
check_waited "w: qrgated with a Wiegand reader and a Wiegand output started" w.started
check_line "w: WG_D0 held by qrgated as an active-low input" gpioinfo-w.txt WG_D0 "qrgated input active-low"
check_line "w: WG_D1 held by qrgated as an active-low input" gpioinfo-w.txt WG_D1 "qrgated input active-low"
check_line "w: WG_OUT_D0 held by qrgated as an active-low output" gpioinfo-w.txt WG_OUT_D0 "qrgated output active-low"
check_line "w: WG_OUT_D1 held by qrgated as an active-low output" gpioinfo-w.txt WG_OUT_D1 "qrgated output active-low"
lost=0
for f in grant revoked noise $(seq -f grant-%g 1 "$SCANS"); do
	l=$(cat "$OUT/w-$f.txt" 2>/dev/null)
	set -- $l
	if [ $# = 4 ]; then
		echo "# w: the guest's reader sent the $f frame (${#1} bits): $2 pulses more than 1 ms late, the latest by ${3} us"
		lost=$((lost + $4))
	else
		echo "# w: the guest's reader did not send the $f frame: '$l'"
		lost=$((lost + 1))
	fi
done
check_eq "w: the kernel counted every pulse of the guest's reader (gpio-sim's interrupts)" "$lost" 0
check_waited "w: an H10301 card of C-1 raises RELAY_ENTRY" w.relay_up
check_waited "w: ... its card goes out on WG_OUT_D0/D1" w.sent
check_waited "w: ... RELAY_ENTRY falls back to 0" w.relay_down
check_waited "w: a revoked card C-2 is denied" w.denied
check_waited "w: a 3-bit burst is counted as noise" w.noise
check_waited "w: $SCANS more grants of C-1, each card sent on" w.cards
want="wiegand card C-1 granted granted wiegand card C-2 denied revoked"
relay="0 1 0"
for i in $(seq 1 "$SCANS"); do want="$want wiegand card C-1 granted granted"; relay="$relay 1 0"; done
check_eq "w: the log has the grants and the denial, source wiegand, and no row for the noise" \
	"$(rows w "source||' '||kind||' '||credential_id||' '||result||' '||reason")" "$want"
check_json "w: status: every granted card sent on, none dropped, one noise" w-end \
	".wiegand.sent == $((SCANS + 1)) and .wiegand.dropped == 0 and .wiegand.noise == 1 and .counters.grants == $((SCANS + 1))"
check_eq "w: the trace shows RELAY_ENTRY requested at 0, then a pulse a grant" \
	"$(trace_values gpio-trace-w.txt 0)" "$relay"
check_eq "w: qrgated exited 0" "$(fact w.exit)" 0
# The controller's side, decoded from the kernel's trace apart from
# qrgated: the card's own bits (wiegand.out_format card), in order, as
# one frame; every pulse at least wiegand.out_pulse_us (80) wide and at
# least 120 us from the pulse before, the bounds a timer that never fires
# early keeps; the times themselves are reported, not judged (emulation).
if [ -n "$BASE" ] && [ -f "$OUT/gpio-trace-w.txt" ]; then
	wiegand_out_read "$OUT/gpio-trace-w.txt" "$BASE" 10 11 >"$OUT/w-out.txt"
fi
# Framing: the output rests 100 ms between cards, so each card's first
# bit follows a silence of 50 ms or more (where figures.sh puts a space);
# a guest stalled that long inside a card (seen under emulation on a
# loaded host) splits it too, which is reported, not judged.
want="" cuts=""
for i in $(seq 0 "$SCANS"); do
	want="$want$(h10301_bits 12 3456)"
	[ "$i" -gt 0 ] && cuts="$cuts $((26 * i))"
done
got=$(sed -n 's/^bits //p' "$OUT/w-out.txt" 2>/dev/null)
check_eq "w: the controller's lines carried C-1's H10301 frame, once a grant, in order" \
	"$(printf '%s' "$got" | tr -d ' ')" "$want"
at=$(printf '%s' "$got" | awk '{ n = 0; for (i = 1; i < NF; i++) { n += length($i); printf " %d", n } }')
missing="" extra=""
for c in $cuts; do case " $at " in *" $c "*) ;; *) missing="$missing $c";; esac; done
for c in $at; do case " $cuts " in *" $c "*) ;; *) extra="$extra $c";; esac; done
check_eq "w: ... each card after a silence of 50 ms or more (at bits$cuts)" "${missing:-none}" none
[ -z "$extra" ] || echo "# w: the guest stalled 50 ms or more inside a card, after bits$extra (emulation)"
n=$(awk '$1 == "width" && $2 >= 80 { n++ } END { print n + 0 }' "$OUT/w-out.txt" 2>/dev/null)
check_eq "w: ... 26 pulses each, every one at least 80 us wide" "$n" $((26 * (SCANS + 1)))
n=$(awk '$1 == "gap" && $2 < 120 { n++ } END { print n + 0 }' "$OUT/w-out.txt" 2>/dev/null)
check_eq "w: ... no pulse less than 120 us after the one before" "$n" 0

# ---- gate wb: Wiegand cards while the loop decodes a large frame ----
check_waited "wb: qrgated decoding a 1280x720 frame at 10 fps" wb.decoding
d=$(jq -r '.counters.last_decode_us // .last_decode_us // empty' "$OUT/wb-end.json" 2>/dev/null)
echo "# wb: the loop's last decode took ${d:-?} us; a card takes 52 ms to come in"
lost=0
for i in 1 2 3; do
	set -- $(cat "$OUT/wb-grant-$i.txt" 2>/dev/null)
	[ $# = 4 ] && lost=$((lost + $4)) || lost=$((lost + 1))
done
check_eq "wb: the kernel counted every pulse of the guest's reader" "$lost" 0
check_waited "wb: 3 cards of C-1 granted, each read whole" wb.cards
check_json "wb: status: no card read as noise, none refused" wb-end \
	".wiegand.noise == 0 and .counters.grants == 3 and .counters.denials == 0"
check_eq "wb: the log has the three grants, source wiegand" \
	"$(rows wb "source||' '||credential_id||' '||result")" \
	"wiegand C-1 granted wiegand C-1 granted wiegand C-1 granted"
check_eq "wb: qrgated exited 0" "$(fact wb.exit)" 0

# ---- gate e: a USB scanner (uinput) on the evdev reader ----
case $(fact e.device) in /dev/input/event*) ok "e: uinput made the scanner $(fact e.device)";;
	*) not_ok "e: uinput made an input device" "e.device: '$(fact e.device)'";; esac
check_waited "e: qrgated with the evdev reader started" e.started
check_log "e: qrgated grabbed the scanner, by its device node" e \
	"reader: $(fact e.device): qrgate-vm scanner, grabbed" reader
check_waited "e: the CCCD's code typed on the scanner is granted" e.cccd
check_waited "e: a signed token typed on the scanner is granted" e.token
check_waited "e: then $SCANS badges" e.badges
want="scanner cccd V-0001 granted scanner dynamic D-0101 granted"
for i in $(seq 1 "$SCANS"); do want="$want scanner badge W-0001 granted"; done
check_eq "e: the log has them, source scanner, as the camera's codes are" \
	"$(rows e "source||' '||kind||' '||credential_id||' '||result" "type = 'scan'")" "$want"
check_eq "e: the CCCD's number is in no log line" \
	"$(grep -c 079190001234 "$OUT/e.qrgated.log" 2>/dev/null)" 0
check_eq "e: the scanner's device went when its input ended" "$(fact e.uinput_exit)" 0
check_eq "e: qrgated exited 0" "$(fact e.exit)" 0

# ---- gate s: the lane's screen on a KMS device ----
check_waited "s: the bochs driver made /dev/dri/card0 for qemu's bochs-display" s.card
check_waited "s: qrgated with the drm screen started" s.started
check_log "s: qrgated set the display to the screen's size, 800x480" s \
	"screen drm: /dev/dri/card0: 800x480 (800x480)$" screen
check_waited "s: the idle screen is drawn" s.idle
check_waited "s: a badge on the scanner: the granted screen" s.granted
check_waited "s: a suspended badge: the denied screen" s.denied
# screen_same NAME: the dump of the display equals one of the two PNGs
# qrgatectl drew of that screen around it (the clock's minute may turn).
screen_same() {
	local r1 r2
	if [ ! -s "$OUT/$1.ppm" ]; then
		not_ok "s: $1: the display was dumped" "$(fact "$1.dumped"); $(grep "^$1:" "$QMP_LOG" 2>/dev/null | tail -2)"
		return
	fi
	r1=$("$SCREENCMP" "$OUT/$1.ppm" "$OUT/$1-ref1.png" 2>&1)
	r2=$("$SCREENCMP" "$OUT/$1.ppm" "$OUT/$1-ref2.png" 2>&1)
	case "$r1
$r2" in
	*": 0 pixels differ"*) ok "s: $1: the display shows, pixel for pixel, what qrgatectl screen draws to a PNG";;
	*) not_ok "s: $1: the display shows what qrgatectl screen draws" "before: $r1; after: $r2";;
	esac
}
screen_same s-idle
screen_same s-granted
screen_same s-denied
check_json "s: status: the drm backend showed the screens, none failed" s-end \
	'.screen.backend == "drm" and .screen.failed == 0 and .screen.shown >= 3'
check_eq "s: qrgated exited 0" "$(fact s.exit)" 0

# ---- gate a: the lane's voice through ALSA ----
check_waited "a: snd-aloop made the loopback card" a.card
check_waited "a: qrgated with the alsa sound started" a.started
check_waited "a: its prompts synthesised (espeak-ng, vi)" a.ready
check_waited "a: a badge on the scanner is granted" a.granted
check_waited "a: ... and its prompt played" a.played
# The prompt's length as qrgated made it, and what the loopback's capture
# side recorded meanwhile: sound (10 ms windows above -40 dBFS) for at
# least half the clip's length (its words, not its silences) and never
# longer than the clip, give or take two windows.
# prompt_recorded WHAT N WAV: the N-th prompt started (its clip's length
# in the log) is in the recording WAV.
prompt_recorded() {
	local clip rec snd
	clip=$(sed -n 's/.*sound: [a-z-]* started: .*, \([0-9]*\) ms long$/\1/p' "$OUT/a.qrgated.log" 2>/dev/null | sed -n "$2p")
	rec=$("$WAVSTAT" "$OUT/$3" 2>&1)
	snd=$(printf '%s\n' "$rec" | sed -n 's/.*sound \([0-9]*\) ms.*/\1/p')
	# Two 10 ms windows of slack: a window cut by the prompt's edge,
	# and the loopback's resampling.
	if [ -n "$clip" ] && [ -n "$snd" ] && [ "$snd" -ge $((clip / 2)) ] && [ "$snd" -le $((clip + 20)) ]; then
		ok "a: the recording holds $1: $snd ms of sound, the clip $clip ms ($rec)"
	else
		not_ok "a: the recording holds $1" "clip '${clip}' ms; recorded: $rec"
	fi
}
prompt_recorded "the grant's prompt" 1 a-grant.wav
check_waited "a: a suspended badge is denied" a.denied
check_waited "a: ... and its prompt played" a.played_deny
prompt_recorded "the denial's prompt" 2 a-deny.wav
check_waited "a: quiet hours $(fact a.quiet_hours) (site time) reloaded" a.reloaded
check_waited "a: a badge in quiet hours is granted" a.granted_quiet
check_waited "a: ... its prompt not played" a.skipped
rec=$("$WAVSTAT" "$OUT/a-quiet.wav" 2>&1)
case $rec in *", sound 0 ms,"*) ok "a: nothing recorded during quiet hours ($rec)";;
	*) not_ok "a: nothing recorded during quiet hours" "$rec";; esac
check_json "a: status since the reload: one prompt kept quiet, none failed" a-end \
	'.sound.backend == "alsa" and .sound.played == 0 and .sound.quiet == 1 and .sound.failed == 0'
check_eq "a: qrgated exited 0" "$(fact a.exit)" 0

reader_figures "$OUT" "$BASE" | sed 's/^/# /'
echo "$NAME: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
