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
