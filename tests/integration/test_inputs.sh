# The lane's inputs: fire alarm, forced passage, exit button; the control
# socket: status, remote open, lockdown.

# A gate that keeps running on code-free frames, for input tests.
idle_gate() {
	gate_config "$1" blank.png
	set_option camera.loop true
	set_option lane.exit true
	set_option gpio.passage_sensor "5 active-low pull-up"
	set_option gpio.fire_alarm "6 pull-up"
	set_option gpio.exit_button "13 active-low pull-up"
	start_gate
}

test_fire_alarm_releases_every_way() {
	idle_gate fire_alarm_releases_every_way
	input fire_alarm 1
	wait_for "the ways to go free" status_is '.ways.entry == "free" and .ways.exit == "free" and .fire_alarm'
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1"
	expect_eq "exit relay" "$(output_values exit_relay)" "0 1"
	# Someone fleeing through the free lane is not "forced".
	input passage_sensor 1
	input passage_sensor 0
	input fire_alarm 0
	wait_for "the ways to lock" status_is '.ways.entry == "locked" and (.fire_alarm | not)'
	stop_gate
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0"
	expect_eq "exit relay" "$(output_values exit_relay)" "0 1 0"
	expect_eq "alarms" "$(rows "type||':'||reason")" "alarm:fire-alarm-on alarm:fire-alarm-off"
}

test_forced_passage_raises_alarm() {
	idle_gate forced_passage_raises_alarm
	input passage_sensor 1
	input passage_sensor 0
	wait_for "the alarm row" rows_are reason forced
	stop_gate
	expect_eq "relays" "$(output_values entry_relay) / $(output_values exit_relay)" "0 / 0"
}

# The cabinet's tamper switch: an alarm while open, on status and in the
# log; the ways stay as they were.
test_tamper_switch_alarm() {
	gate_config tamper_switch_alarm blank.png
	set_option camera.loop true
	set_option gpio.tamper "16 pull-up"
	start_gate
	wait_for "the gate" status_is '.tamper == false'
	input tamper 1
	wait_for "the tamper alarm" status_is '.tamper == true'
	expect_grep "tamper    OPEN (alarm)" <("$BUILD/qrgatectl" -c "$T/qrgate.conf" status)
	expect_eq "ways" "$(gate_status | jq -r '.ways.entry')" "locked"
	input tamper 0
	wait_for "its end" status_is '.tamper == false'
	stop_gate
	expect_eq "alarms" "$(rows "type||':'||reason")" "alarm:tamper-on alarm:tamper-off"
	expect_eq "relays" "$(output_values entry_relay) / $(output_values exit_relay)" "0 / 0"
}

# loop_reads FILE RAW: the supervised loop's "IIO file" now reads RAW,
# replaced in one step as the kernel's would be (never seen half written).
loop_reads() { printf '%s\n' "$2" >"$T/$1.new" && mv "$T/$1.new" "$T/$1"; }

# A gate whose fire alarm and tamper switch are end-of-line supervised
# loops, read from files standing for an ADC's IIO files (the default
# levels 256 597 853: 512 normal, 682 active, 1023 open, 0 short).
# loop_config NAME: such a gate's config (test_mqtt.sh's too), both loops
# reading normal; loop_gate NAME: that gate, with its exit way, started.
loop_config() {
	gate_config "$1" blank.png
	set_option camera.loop true
	set_option gpio.fire_alarm ""
	loop_reads fire.raw 512
	loop_reads tamper.raw 512
	set_option supervision.fire_loop "$T/fire.raw"
	set_option supervision.tamper_loop "$T/tamper.raw"
	set_option supervision.period_ms 20
}
loop_gate() {
	loop_config "$1"
	set_option lane.exit true
	start_gate
	wait_for "both loops normal" status_is '.supervision.fire_loop.state == "normal" and .supervision.tamper_loop.state == "normal" and .supervision.fire_loop.raw == 512 and .tamper == false'
}

# The fire loop: active frees every way as the GPIO input does; cut, it
# is the fire-loop alarm and the exit alone is held free; cut during a
# fire alarm, the alarm stays on until the loop reads normal.
test_supervised_fire_loop() {
	loop_gate supervised_fire_loop
	loop_reads fire.raw 682
	wait_for "the fire alarm" status_is '.fire_alarm and .ways.entry == "free" and .ways.exit == "free" and .supervision.fire_loop.state == "active"'
	loop_reads fire.raw 512
	wait_for "its end" status_is '(.fire_alarm | not) and .ways.entry == "locked" and .ways.exit == "locked"'
	loop_reads fire.raw 1023
	wait_for "the cut loop" status_is '.supervision.fire_loop.state == "open" and .supervision.fire_loop.fault and .ways.exit == "free"'
	expect_eq "entry while cut" "$(gate_status | jq -r '"\(.ways.entry) \(.fire_alarm)"')" "locked false"
	expect_grep "^loop      fire_loop open, raw 1023 (ALARM" <(qrgatectl status)
	loop_reads fire.raw 512
	wait_for "the loop mended" status_is '(.supervision.fire_loop.fault | not) and .ways.exit == "locked"'
	# A loop that burns through in the fire it reports: still a fire.
	loop_reads fire.raw 682
	wait_for "the fire alarm" status_is '.fire_alarm'
	loop_reads fire.raw 0
	wait_for "the shorted loop" status_is '.supervision.fire_loop.state == "short"'
	expect_eq "ways while shorted" "$(gate_status | jq -r '"\(.ways.entry) \(.ways.exit) \(.fire_alarm)"')" "free free true"
	loop_reads fire.raw 512
	wait_for "all over" status_is '(.fire_alarm | not) and (.supervision.fire_loop.fault | not) and .ways.entry == "locked" and .ways.exit == "locked"'
	stop_gate
	expect_eq "alarms" "$(rows "reason")" "fire-alarm-on fire-alarm-off fire-loop-fault fire-loop-ok fire-alarm-on fire-loop-fault fire-alarm-off fire-loop-ok"
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0 1 0"
	expect_eq "exit relay" "$(output_values exit_relay)" "0 1 0 1 0 1 0"
}

# The tamper loop: active is the tamper alarm; cut, shorted or unreadable,
# the tamper-loop alarm and the tamper alarm with it; the ways untouched.
# A reading that fails is logged once, not at each reading.
test_supervised_tamper_loop() {
	loop_gate supervised_tamper_loop
	loop_reads tamper.raw 682
	wait_for "the tamper alarm" status_is '.tamper and .supervision.tamper_loop.state == "active" and (.supervision.tamper_loop.fault | not)'
	loop_reads tamper.raw 512
	wait_for "its end" status_is '.tamper == false'
	loop_reads tamper.raw 1023
	wait_for "the cut loop" status_is '.tamper and .supervision.tamper_loop.fault and .supervision.tamper_loop.state == "open"'
	loop_reads tamper.raw 512
	wait_for "the loop mended" status_is '.tamper == false and (.supervision.tamper_loop.fault | not)'
	loop_reads tamper.raw garbage
	wait_for "the unreadable loop" status_is '.tamper and .supervision.tamper_loop.state == "unreadable"'
	rm "$T/tamper.raw"
	failed=$(gate_status | jq .supervision.tamper_loop.failed)
	wait_for "ten readings more of no file" status_is ".supervision.tamper_loop.failed >= $failed + 10"
	loop_reads tamper.raw 512
	wait_for "the loop back" status_is '.tamper == false and .supervision.tamper_loop.state == "normal"'
	expect_eq "ways" "$(gate_status | jq -r '"\(.ways.entry) \(.ways.exit)"')" "locked locked"
	stop_gate
	expect_eq "alarms" "$(rows "reason")" "tamper-on tamper-off tamper-loop-fault tamper-on tamper-off tamper-loop-ok tamper-loop-fault tamper-on tamper-off tamper-loop-ok"
	expect_eq "unreadable, logged" "$(grep -c 'supervision: tamper_loop: unreadable' "$T/qrgated.log")" 1
	expect_eq "relays" "$(output_values entry_relay) / $(output_values exit_relay)" "0 / 0"
}

# A reload: new loop settings keep the alarms the loops raised (no row
# again), and a loop taken out of the config ends what it had raised.
test_supervised_loop_reload() {
	loop_gate supervised_loop_reload
	loop_reads fire.raw 1023
	wait_for "the cut loop" status_is '.supervision.fire_loop.fault and .ways.exit == "free"'
	set_option supervision.samples 2
	kill -HUP "$GATE_PID"
	wait_for "the reload" grep -q "new config applied" "$T/qrgated.log"
	wait_for "the loop read again" status_is '.supervision.fire_loop.state == "open" and .supervision.fire_loop.fault and .ways.exit == "free"'
	set_option supervision.fire_loop ""
	kill -HUP "$GATE_PID"
	wait_for "the loop gone" status_is '.supervision.fire_loop == null and .ways.exit == "locked"'
	stop_gate
	expect_eq "alarms" "$(rows "reason")" "fire-loop-fault fire-loop-ok"
	expect_eq "exit relay" "$(output_values exit_relay)" "0 1 0"
}

# One input for one alarm: a fire loop beside a wired gpio.fire_alarm is
# refused, and levels out of order with their line.
test_supervised_loop_config_refused() {
	gate_config supervised_loop_config_refused blank.png
	set_option supervision.fire_loop "$T/fire.raw"
	! qrgated -n -c "$CONF" >"$T/n.out" 2>&1 || { echo "    qrgated -n took it"; return 1; }
	expect_grep "supervision.fire_loop is set, but gpio.fire_alarm is wired too" "$T/n.out"
	set_option gpio.fire_alarm ""
	set_option supervision.levels "600 500 900"
	! qrgated -n -c "$CONF" >"$T/n.out" 2>&1 || { echo "    qrgated -n took it"; return 1; }
	expect_grep "qrgate.conf:$(grep -n '^levels' "$CONF" | cut -d: -f1): supervision.levels: 600 500 900: the thresholds must increase" "$T/n.out"
}

test_exit_button_releases_exit() {
	idle_gate exit_button_releases_exit
	input exit_button 1
	input exit_button 0
	wait_for "the exit relay" grep -q "exit_relay 1" "$T/gpio.log"
	input passage_sensor 1
	input passage_sensor 0
	wait_for "the exit relay to drop" last_value_is exit_relay 0
	stop_gate
	expect_eq "row" "$(rows "type||' '||direction||' '||result||' '||reason||' '||passage")" \
		"button exit granted exit-button passed"
}

test_control_status_open_and_lockdown() {
	gate_config control_status_open_and_lockdown blank.png
	set_option camera.loop true
	start_gate
	# The socket is for root and the daemon's group only.
	expect_eq "socket mode" "$(stat -c %a "$T/control.sock")" "660"
	wait_for "the camera" status_is '.gate == "it-gate" and .camera.state == "running" and .ways.entry == "locked"'
	qrgatectl status | grep -q "^way       entry locked"
	qrgatectl open entry >/dev/null
	wait_for "the remote pulse to end" rows_are passage not-passed
	# The exit way is not enabled on this gate.
	if qrgatectl open exit 2>"$T/err"; then echo "opened a disabled way"; return 1; fi
	expect_grep "not enabled" "$T/err"
	json_is '.ok and .lockdown' "$(qrgatectl lockdown)"
	status_is '.lockdown'
	json_is '.ok and (.lockdown | not)' "$(qrgatectl normal)"
	status_is '.lockdown | not'
	stop_gate
	expect_eq "rows" "$(rows "type||' '||reason")" "remote remote-open"
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0"
}

test_lockdown_denies_codes() {
	gate_config lockdown_denies_codes blank.png blank.png blank.png blank.png \
		blank.png blank.png badge-W0001.png
	set_option camera.fps 5
	start_gate
	qrgatectl lockdown >/dev/null
	wait_idle
	stop_gate
	expect_eq "reason" "$(rows reason)" "lane-locked"
	expect_eq "entry relay" "$(output_values entry_relay)" "0"
}

# within SECONDS WHAT COMMAND...: wait_for with a deadline in wall time,
# for a daemon that may not answer at all (each qrgatectl call waits 10 s
# at most).
within() {
	local secs=$1 end=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || { echo "    no $what within $secs s"; return 1; }
		sleep 0.05
	done
}

# A decoding slower than the camera's frame period (a 5 Mpixel frame at
# 120 fps) must not starve the loop: the exit button still releases the
# exit way and its pulse still ends (a timer), the control socket
# answers, SIGTERM stops the daemon.  The camera's callback once took
# frames until none was left, and with every decoding longer than a
# period one always was: nothing else ever ran again.
test_slow_decoding_starves_nothing() {
	local f
	gate_config slow_decoding_starves_nothing blank.png
	"$BUILD/qrframe" --none --size 2592x1944 "$T/large.png" >/dev/null ||
		{ echo "    qrframe made no frame"; return 1; }
	set_option camera.source "$T/large.png"
	set_option camera.fps 120
	set_option camera.loop true
	set_option lane.exit true
	set_option gpio.exit_button "13 active-low pull-up"
	# start_gate, but bounded: a starved daemon answers no status.
	"$BUILD/qrgated" -c "$CONF" 2>>"$T/qrgated.log" &
	GATE_PID=$!
	within 30 "answer from the daemon" status_is '.gate != null' || return 1
	within 30 "3 frames decoded" status_is '.counters.frames >= 3' || return 1
	input exit_button 1
	input exit_button 0
	within 30 "exit relay" grep -q "exit_relay 1" "$T/gpio.log" || return 1
	within 30 "end of the exit relay's pulse" last_value_is exit_relay 0 || return 1
	f=$(gate_status | jq '.counters.frames')
	within 30 "frame decoded after it" status_is ".counters.frames > ${f:-0}" || return 1
	stop_gate
	expect_eq "row" "$(rows "type||' '||direction||' '||result||' '||reason")" \
		"button exit granted exit-button"
}
