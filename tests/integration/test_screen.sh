# The lane's screen (issue 19) on the file backend: the lane's own screen
# at start, a grant's and a denial's each written as a PNG of the
# configured size, each drawn only after the relay (or the red lamp) had
# been driven, and a lockdown's screen and back.  Built only with cairo
# and pango (pkg-config pangocairo); a build without says so.

# screen_config NAME IMAGE...: a gate with the file screen in $T/screens.
screen_config() {
	gate_config "$@"
	mkdir -p "$T/screens"
	set_option screen.backend file
	set_option screen.directory "$T/screens"
	set_option screen.width 480
	set_option screen.height 320
	set_option screen.hold_ms 500
	# Four frames a second: each decision's screen is drawn before the
	# next decision replaces it, even on a loaded machine.
	set_option camera.fps 4
	set_option gpio.passage_sensor ""
	# The thread's lines with their monotonic times.
	set_option log.level debug
}

# The screens written, in order: "idle granted idle ...", each once where
# it was drawn again in a row (the clock's minute redraws the same).
screens() { ls "$T/screens" | sed -n 's/^[0-9]*-\(.*\)\.png$/\1/p' | uniq | tr '\n' ' ' | sed 's/ $//'; }
last_screen_is() { [ "$(screens | awk '{ print $NF }')" = "$1" ]; }
screen_written() { ls "$T/screens" | grep -q -- "-$1\.png$"; }

# screen_time NAME FIELD: the monotonic ns of the first "screen: NAME
# shown" line's FIELD ("asked at", "drawn from").
screen_time() {
	sed -n "s/.*screen: $1 shown: .*$2 \([0-9]*\) ns.*/\1/p" "$T/qrgated.log" | head -1
}

# The monotonic ns at which ROLE first went to 1 (the sim's log).
first_on_ns() { awk -v r="$1" '$2 == r && $3 == 1 { print $1; exit }' "$T/gpio.log"; }

# After start_gate: a build without cairo and pango has no file screen,
# and says so at start.
screen_built() {
	! grep -q "screen: backend file is not built in" "$T/qrgated.log" && return 0
	stop_gate
	skip_test "qrgated built without cairo and pango (pkg-config pangocairo)"
}

test_screen_grant_and_denial_after_the_relay() {
	screen_config screen_grant_and_denial_after_the_relay badge-W0001.png badge-W9999.png
	start_gate
	screen_built || return
	wait_idle
	wait_for "the denial's screen" screen_written denied
	# The denial's screen ends after screen.hold_ms: the lane's again.
	wait_for "idle after the denial" last_screen_is idle
	stop_gate
	expect_eq "rows" "$(rows "result||' '||reason")" "granted granted denied unknown"
	# The lane's screen first, then the grant's and the denial's, each
	# drawn (the denial came before the grant's hold_ms was over).
	expect_eq "screens" "$(screens)" "idle granted denied idle" || return 1
	# Each a PNG of the configured size.
	local f
	for f in "$T"/screens/*-granted.png "$T"/screens/*-denied.png; do
		expect_grep "PNG image data, 480 x 320" <(file "$f") || return 1
	done
	# The relay moved before the grant's screen was asked for, let alone
	# drawn; the red lamp lit before the denial's.
	local relay asked drawn red
	relay=$(first_on_ns entry_relay)
	asked=$(screen_time granted "asked at")
	drawn=$(screen_time granted "drawn from")
	[ -n "$relay" ] && [ -n "$asked" ] && [ -n "$drawn" ] || {
		echo "    relay '$relay', screen asked '$asked', drawn '$drawn'"; return 1; }
	[ "$relay" -le "$asked" ] && [ "$asked" -le "$drawn" ] || {
		echo "    relay at $relay ns, granted screen asked at $asked, drawn from $drawn"; return 1; }
	red=$(first_on_ns red_led)
	asked=$(screen_time denied "asked at")
	[ -n "$red" ] && [ -n "$asked" ] && [ "$red" -le "$asked" ] || {
		echo "    red lamp at '$red' ns, denied screen asked at '$asked'"; return 1; }
}

test_screen_lockdown_and_back() {
	screen_config screen_lockdown_and_back blank.png
	set_option screen.language en
	start_gate
	screen_built || return
	wait_for "the idle screen" screen_written idle
	qrgatectl lockdown >/dev/null
	wait_for "the lockdown's screen" screen_written locked-down
	qrgatectl normal >/dev/null
	wait_for "idle again" last_screen_is idle
	expect_eq "status" "$(gate_status | jq -r '.screen.backend + " " + .screen.showing')" "file idle"
	stop_gate
	expect_eq "screens" "$(screens)" "idle locked-down idle"
}

# An uplink without its broker: the idle screen says offline once
# screen.offline_s is over, and the gate goes on deciding.  Nothing
# listens on port 1.
test_screen_offline() {
	screen_config screen_offline badge-W0001.png
	set_option mqtt.enabled true
	set_option mqtt.host 127.0.0.1
	set_option mqtt.port 1
	set_option screen.offline_s 1
	start_gate
	screen_built || return
	wait_for "the offline screen" screen_written offline
	wait_idle
	stop_gate
	expect_eq "rows" "$(rows result)" "granted"
	# Idle first: a second without the broker is not yet offline.
	case "$(screens)" in
	idle*offline*) ;;
	*) echo "    screens: '$(screens)'"; return 1 ;;
	esac
}

# qrgatectl screen: the daemon's drawing, without a daemon.
test_screen_qrgatectl_draws_and_times() {
	T="$WORK/screen_qrgatectl_draws_and_times"
	mkdir -p "$T"
	local ctl="$BUILD/qrgatectl" out
	if ! "$ctl" screen idle --png "$T/idle.png" 2>"$T/err"; then
		grep -q "this build has no screen" "$T/err" &&
			skip_test "qrgatectl built without cairo and pango"
		cat "$T/err"; return 1
	fi
	expect_grep "PNG image data, 800 x 480" <(file "$T/idle.png") || return 1
	"$ctl" -o screen.width=480 -o screen.height=320 screen denied \
		--reason wrong-lane --png "$T/denied.png" || return 1
	expect_grep "PNG image data, 480 x 320" <(file "$T/denied.png") || return 1
	out=$("$ctl" screen denied --reason all --bench 40) || return 1
	expect_grep "first draw .* ms (fonts loaded); 39 more: median" <(echo "$out") || return 1
	# Mistakes are refused with a usage, exit 2.
	local rc=0
	"$ctl" screen happy 2>/dev/null || rc=$?
	expect_eq "unknown state" "$rc" 2 || return 1
	rc=0
	"$ctl" screen denied --reason nope 2>/dev/null || rc=$?
	expect_eq "unknown reason" "$rc" 2
}

# qrgated -n: the file screen needs its directory, there; drm its card.
test_screen_config_checked() {
	gate_config screen_config_checked blank.png
	local rc=0
	qrgated -n -c "$CONF" -o screen.backend=file >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted without screen.directory"; return 1; }
	expect_grep "screen.directory must be set when screen.backend is file" "$T/out" || return 1
	rc=0
	qrgated -n -c "$CONF" -o screen.backend=file \
		-o "screen.directory=$T/none" >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted a missing directory"; return 1; }
	expect_grep "screen.directory: $T/none: No such file or directory" "$T/out" || return 1
	rc=0
	qrgated -n -c "$CONF" -o screen.backend=drm \
		-o "screen.device=$T/qrgate.conf" >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted a file as the KMS card"; return 1; }
	expect_grep "screen.device: $T/qrgate.conf" "$T/out" || return 1
	mkdir "$T/screens"
	qrgated -n -c "$CONF" -o screen.backend=file -o "screen.directory=$T/screens" \
		-o screen.language=en >"$T/out" 2>&1 || { cat "$T/out"; return 1; }
	rc=0
	qrgated -n -c "$CONF" -o screen.language=fr >"$T/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { echo "    accepted screen.language fr"; return 1; }
}

# The fire alarm's screen outranks the lockdown's, which comes back when
# the alarm ends, and idle after the lockdown.
test_screen_fire_alarm() {
	screen_config screen_fire_alarm blank.png
	set_option gpio.fire_alarm "6 pull-up"
	start_gate
	screen_built || return
	wait_for "the idle screen" screen_written idle
	qrgatectl lockdown >/dev/null
	wait_for "the lockdown's screen" last_screen_is locked-down
	input fire_alarm 1
	wait_for "the fire alarm's screen" last_screen_is fire-alarm
	input fire_alarm 0
	wait_for "the lockdown's screen again" last_screen_is locked-down
	qrgatectl normal >/dev/null
	wait_for "idle again" last_screen_is idle
	stop_gate
	expect_eq "screens" "$(screens)" "idle locked-down fire-alarm locked-down idle"
}
