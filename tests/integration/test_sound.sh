# The lane's voice (issue 19) on the file backend: a grant's prompt and a
# denial's each written as a WAV in order (16-bit mono at espeak-ng's
# 22050 Hz, as long as the prompt takes, not silent), each asked for only
# after the relay (or the red lamp) had been driven; nothing during quiet
# hours; the ALSA backend on ALSA's null PCM, played in real time off the
# loop; the settings checked.  Built only with espeak-ng and alsa
# (pkg-config); a build without says so.

# sound_config NAME IMAGE...: a gate with the file sound in $T/sound.
sound_config() {
	gate_config "$@"
	mkdir -p "$T/sound"
	set_option sound.backend file
	set_option sound.directory "$T/sound"
	# Four frames a second: each decision is asked for apart.
	set_option camera.fps 4
	set_option gpio.passage_sensor ""
	# The site's clock in UTC, so the test can say when quiet hours are.
	set_option site.timezone UTC
	# The thread's lines with their monotonic times.
	set_option log.level debug
}

# The prompts written, in order: "way-entry reason-unknown".
prompts() { ls "$T/sound" | sed -n 's/^[0-9]*-\(.*\)\.wav$/\1/p' | tr '\n' ' ' | sed 's/ $//'; }
prompt_written() { ls "$T/sound" | grep -q -- "-$1\.wav$"; }

# sound_time NAME FIELD: the monotonic ns of the first "sound: NAME
# started" line's FIELD ("asked at", "started at").
sound_time() {
	sed -n "s/.*sound: $1 started: .*$2 \([0-9]*\) ns.*/\1/p" "$T/qrgated.log" | head -1
}

# The monotonic ns at which ROLE first went to 1 (the sim's log).
first_on_ns() { awk -v r="$1" '$2 == r && $3 == 1 { print $1; exit }' "$T/gpio.log"; }

# wav_info FILE: "RIFF WAVE fmt, format channels rate bits, ms, peak".
wav_info() {
	local f=$1 h
	h=$(od -An -v -tu1 -N44 "$f" | tr -s ' \n' '  ')
	# shellcheck disable=SC2086
	set -- $h
	local riff wave fmt fmtc ch rate bits data
	riff=$(printf '%b' "\\x$(printf %x "$1")\\x$(printf %x "$2")\\x$(printf %x "$3")\\x$(printf %x "$4")")
	wave=$(printf '%b' "\\x$(printf %x "$9")\\x$(printf %x "${10}")\\x$(printf %x "${11}")\\x$(printf %x "${12}")")
	fmtc=$(( ${21} + 256 * ${22} ))
	ch=$(( ${23} + 256 * ${24} ))
	rate=$(( ${25} + 256 * ${26} + 65536 * ${27} ))
	bits=$(( ${35} + 256 * ${36} ))
	data=$(( ${41} + 256 * ${42} + 65536 * ${43} + 16777216 * ${44} ))
	fmt="$riff $wave $fmtc $ch $rate $bits"
	local ms=$(( data / 2 * 1000 / (rate > 0 ? rate : 1) ))
	local peak
	peak=$(od -An -v -td2 -j44 "$f" | tr -s ' ' '\n' |
		awk 'BEGIN { p = 0 } NF { v = $1 < 0 ? -$1 : $1; if (v > p) p = v } END { print p }')
	echo "$fmt $ms $peak"
}

# check_wav FILE: a PCM WAV, mono 16-bit at 22050 Hz, of 0.2 to 4 s, whose
# loudest sample is well above silence.
check_wav() {
	local info
	info=$(wav_info "$1")
	set -- $info
	[ "$1 $2 $3 $4 $5 $6" = "RIFF WAVE 1 1 22050 16" ] || {
		echo "    $(basename "$1"): header '$info'"; return 1; }
	[ "$7" -ge 200 ] && [ "$7" -le 4000 ] || {
		echo "    a prompt of $7 ms"; return 1; }
	[ "$8" -ge 1000 ] || { echo "    a silent prompt (peak $8)"; return 1; }
}

# After start_gate: a build without espeak-ng and alsa has no file sound,
# and says so at start.
sound_built() {
	! grep -q "sound: backend .* is not built in" "$T/qrgated.log" && return 0
	stop_gate
	skip_test "qrgated built without espeak-ng and alsa (pkg-config)"
}

test_sound_grant_and_denial_after_the_relay() {
	sound_config sound_grant_and_denial_after_the_relay badge-W0001.png badge-W9999.png
	start_gate
	sound_built || return
	wait_idle
	wait_for "the denial's prompt" prompt_written reason-unknown
	stop_gate
	expect_eq "rows" "$(rows "result||' '||reason")" "granted granted denied unknown"
	expect_eq "prompts" "$(prompts)" "way-entry reason-unknown" || return 1
	expect_grep "sound: [0-9]* of [0-9]* prompts in vi synthesised" "$T/qrgated.log" || return 1
	local f
	for f in "$T"/sound/*.wav; do
		check_wav "$f" || return 1
	done
	# The relay moved before the grant's prompt was asked for, let alone
	# started; the red lamp lit before the denial's.
	local relay asked started red
	relay=$(first_on_ns entry_relay)
	asked=$(sound_time way-entry "asked at")
	started=$(sound_time way-entry "started at")
	[ -n "$relay" ] && [ -n "$asked" ] && [ -n "$started" ] || {
		echo "    relay '$relay', prompt asked '$asked', started '$started'"; return 1; }
	[ "$relay" -le "$asked" ] && [ "$asked" -le "$started" ] || {
		echo "    relay at $relay ns, the grant's prompt asked at $asked, started at $started"; return 1; }
	red=$(first_on_ns red_led)
	asked=$(sound_time reason-unknown "asked at")
	[ -n "$red" ] && [ -n "$asked" ] && [ "$red" -le "$asked" ] || {
		echo "    red lamp at '$red' ns, the denial's prompt asked at '$asked'"; return 1; }
}

# Quiet hours around now (UTC, the site's zone here): the gate decides,
# the buzzer sounds, no prompt is written.  A window of ten minutes from
# a minute ago, so the test's own run cannot leave it.
test_sound_quiet_hours() {
	sound_config sound_quiet_hours badge-W0001.png badge-W9999.png
	set_option sound.quiet_hours "$(date -u -d '-1 min' +%H:%M)-$(date -u -d '+10 min' +%H:%M)"
	start_gate
	sound_built || return
	wait_idle
	wait_for "the denial's row" rows_are result "granted denied"
	stop_gate
	expect_eq "prompts" "$(prompts)" "" || return 1
	expect_grep "sound: way-entry not played: quiet hours" "$T/qrgated.log" || return 1
	expect_grep "sound: reason-unknown not played: quiet hours" "$T/qrgated.log" || return 1
	# The buzzer stays.
	expect_grep "1" <(output_values buzzer) || return 1
	# Outside them (a window that ended an hour ago), the same gate speaks.
	sound_config sound_quiet_hours_over badge-W0001.png
	set_option sound.quiet_hours "$(date -u -d '-3 hour' +%H:%M)-$(date -u -d '-1 hour' +%H:%M)"
	start_gate
	wait_idle
	wait_for "the grant's prompt" prompt_written way-entry
	stop_gate
}

# The lane's states speak: a lockdown, and in English when the screen is.
test_sound_lockdown_in_english() {
	sound_config sound_lockdown_in_english blank.png
	set_option screen.language en
	start_gate
	sound_built || return
	wait_for "the prompts made" grep -q "prompts in en synthesised" "$T/qrgated.log"
	qrgatectl lockdown >/dev/null
	wait_for "the lockdown's prompt" prompt_written state-locked-down
	qrgatectl normal >/dev/null
	expect_eq "status" "$(gate_status | jq -r '.sound | "\(.backend) \(.language) \(.ready) \(.prompts > 0)"')" "file en true true"
	stop_gate
	expect_eq "prompts" "$(prompts)" "state-locked-down" || return 1
	check_wav "$T"/sound/*-state-locked-down.wav
}

# Through ALSA: the daemon's HOME holds an .asoundrc whose PCM "qrtest"
# is ALSA's file plugin over its null PCM, so the samples the daemon
# played through libasound land in a raw file the test reads.  (The null
# PCM keeps no time, so the prompt's real-time length is for the qemu
# guest's snd-aloop test.)
test_sound_alsa_file_plugin() {
	sound_config sound_alsa_file_plugin badge-W0001.png blank.png badge-W9999.png
	cat >"$T/.asoundrc" <<ASOUNDRC
pcm.qrtest {
	type file
	slave.pcm "null"
	file "$T/alsa.raw"
	format "raw"
}
ASOUNDRC
	set_option sound.backend alsa
	set_option sound.device qrtest
	GATE_ENV="HOME=$T" start_gate
	sound_built || return
	wait_idle
	wait_for "the denial's prompt to end" grep -q "sound: reason-unknown ended" "$T/qrgated.log"
	stop_gate
	expect_eq "rows" "$(rows result)" "granted denied" || return 1
	local ms1 ms2 bytes peak
	ms1=$(sed -n 's/.*sound: way-entry started: .* \([0-9]*\) ms long.*/\1/p' "$T/qrgated.log")
	ms2=$(sed -n 's/.*sound: reason-unknown started: .* \([0-9]*\) ms long.*/\1/p' "$T/qrgated.log")
	[ -n "$ms1" ] && [ -n "$ms2" ] || { echo "    no start lines"; return 1; }
	bytes=$(stat -c %s "$T/alsa.raw" 2>/dev/null || echo 0)
	# Both prompts, whole: 2 bytes a sample at 22050 Hz (within a period).
	local want=$(( (ms1 + ms2) * 441 / 10 ))
	[ "$bytes" -ge $((want - 4410)) ] && [ "$bytes" -le $((want + 4410)) ] || {
		echo "    $bytes bytes through ALSA for prompts of $ms1 + $ms2 ms"; return 1; }
	peak=$(od -An -v -td2 "$T/alsa.raw" | tr -s ' ' '\n' |
		awk 'BEGIN { p = 0 } NF { v = $1 < 0 ? -$1 : $1; if (v > p) p = v } END { print p }')
	[ "$peak" -ge 1000 ] || { echo "    silence through ALSA (peak $peak)"; return 1; }
}

# qrgated -n: the file sound needs its directory, there; quiet hours
# their form.
test_sound_config_checked() {
	gate_config sound_config_checked blank.png
	local rc=0
	qrgated -n -c "$CONF" -o sound.backend=file >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted without sound.directory"; return 1; }
	expect_grep "sound.directory must be set when sound.backend is file" "$T/out" || return 1
	rc=0
	qrgated -n -c "$CONF" -o sound.backend=file \
		-o "sound.directory=$T/none" >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted a missing directory"; return 1; }
	expect_grep "sound.directory: $T/none: No such file or directory" "$T/out" || return 1
	rc=0
	qrgated -n -c "$CONF" -o sound.quiet_hours=22:00 >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted quiet hours 22:00"; return 1; }
	expect_grep "sound.quiet_hours: \"22:00\" is not HH:MM-HH:MM" "$T/out" || return 1
	rc=0
	qrgated -n -c "$CONF" -o sound.volume=101 >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted volume 101"; return 1; }
	mkdir "$T/sound"
	qrgated -n -c "$CONF" -o sound.backend=file -o "sound.directory=$T/sound" \
		-o sound.quiet_hours=22:00-06:00 -o sound.volume=50 >"$T/out" 2>&1 ||
		{ cat "$T/out"; return 1; }
}

# A reload that changes [sound] (here the language, through
# screen.language) makes the clips again on a new thread, and the gate
# goes on: the old thread is joined, the synthesiser kept.  Twice, as a
# second start of espeak-ng is where it once hung.
test_sound_reload() {
	sound_config sound_reload blank.png
	start_gate
	sound_built || return
	wait_for "the prompts in vi" grep -q "prompts in vi synthesised" "$T/qrgated.log"
	set_option screen.language en
	kill -HUP "$GATE_PID"
	wait_for "the prompts in en" grep -q "prompts in en synthesised" "$T/qrgated.log"
	set_option screen.language vi
	kill -HUP "$GATE_PID"
	wait_for "the prompts in vi again" status_is '.sound.language == "vi" and .sound.ready'
	qrgatectl lockdown >/dev/null
	wait_for "the lockdown's prompt" prompt_written state-locked-down
	stop_gate
}

# qrgatectl prompt: the prompts by name, their words in screen.language,
# and --bench's synthesis times (in builds that speak).
test_sound_qrgatectl_prompt() {
	T="$WORK/sound_qrgatectl_prompt"
	mkdir -p "$T"
	local ctl="$BUILD/qrgatectl" out rc=0
	out=$("$ctl" prompt) || return 1
	# Every prompt once, each name its own.
	expect_eq "names" "$(awk '{ print $1 }' <<<"$out" | sort | uniq -d)" "" || return 1
	expect_grep "^reason-clock-unsynced  *Đồng hồ chưa đồng bộ$" <(echo "$out") || return 1
	expect_grep "^state-fire-alarm  *Có cháy, mời ra ngoài$" <(echo "$out") || return 1
	expect_grep "^way-entry  *Please go in$" <("$ctl" -o screen.language=en prompt way-entry) || return 1
	"$ctl" prompt happy 2>/dev/null || rc=$?
	expect_eq "unknown prompt" "$rc" 2 || return 1
	if ! out=$("$ctl" prompt way-entry reason-expired --bench 2>"$T/err"); then
		grep -q "this build has no sound" "$T/err" &&
			skip_test "qrgatectl built without espeak-ng and alsa"
		cat "$T/err"; return 1
	fi
	expect_grep "^reason-expired  *[0-9.]* ms  *[0-9]* ms of sound  Thẻ hết hạn$" <(echo "$out") || return 1
	expect_grep "^2 prompts in [0-9.]* ms, [0-9.]* ms a prompt$" <(echo "$out")
}

# The fire alarm speaks when it starts and, back to an idle lane, when it
# ends; over a lockdown, the lockdown is spoken again after it; a
# lockdown's end says nothing.
test_sound_fire_alarm() {
	sound_config sound_fire_alarm blank.png
	set_option gpio.fire_alarm "6 pull-up"
	start_gate
	sound_built || return
	wait_for "the prompts made" status_is '.sound.ready'
	qrgatectl lockdown >/dev/null
	wait_for "the lockdown's prompt" prompt_written state-locked-down
	input fire_alarm 1
	wait_for "the fire alarm's prompt" prompt_written state-fire-alarm
	input fire_alarm 0
	wait_for "the lockdown's prompt again" eval '[ "$(prompts)" = "state-locked-down state-fire-alarm state-locked-down" ]'
	qrgatectl normal >/dev/null
	wait_for "the lane normal" status_is '.lockdown == false'
	# From the idle lane: the alarm, and its end.
	input fire_alarm 1
	wait_for "the second fire alarm" eval '[ "$(prompts | wc -w)" -eq 4 ]'
	input fire_alarm 0
	wait_for "the fire alarm's end" prompt_written reason-fire-alarm-off
	stop_gate
	expect_eq "prompts" "$(prompts)" "state-locked-down state-fire-alarm state-locked-down state-fire-alarm reason-fire-alarm-off"
}
