# A command published retained (mosquitto_pub -r) while the gate is
# connected: the broker clears the retain flag on live delivery, so the
# gate cannot tell it from any other and runs it, once.  The copy the
# broker keeps comes with the flag at every later subscription (a
# restart, a reconnect) and is refused `retained`; its id is kept as
# executed too.  Over MQTT 5 the gate subscribes to its commands with
# "retain as published", sees the flag on live delivery too, and a
# retained command never runs.  Issue 12, row 11.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

# cmd_results ID WHAT N: at least N results for command ID satisfy WHAT.
cmd_results() {
	[ "$(payloads all cmd/result | jq -c "select(.id == \"$1\" and ($2))" | wc -l)" -ge "$3" ]
}

test_mqtt_retained_command_runs_once_live_never_again() {
	local expires
	gate_config mqtt_retained_command_runs_once_live_never_again blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	expires=$(( $(date +%s) * 1000 + 300000 ))
	spub "$TOPIC/cmd" "{\"id\":\"rl-1\",\"cmd\":\"open\",\"way\":\"entry\",\"expires\":$expires}" -r
	# Live: run once.
	mqtt_wait "the live result" 10 cmd_results rl-1 '.ok' 1
	wait_for "the remote open" rows_are reason remote-open
	wait_for "the way to lock" last_value_is entry_relay 0
	expect_eq "kept as executed" "$(sql "SELECT count(*) FROM cmd_done WHERE id = 'rl-1';")" 1
	# A restart: the new subscription gets the broker's retained copy.
	stop_gate
	start_gate
	wait_for "the connection after the restart" status_is '.mqtt.state == "connected"'
	mqtt_wait "the retained copy refused" 10 cmd_results rl-1 '(.ok | not) and .reason == "retained"' 1
	# A reconnect of the same gate: the same again.
	broker_stop
	broker_start
	wait_for "the reconnection" status_is '.mqtt.state == "connected" and .mqtt.connects >= 2'
	mqtt_wait "the retained copy refused again" 10 cmd_results rl-1 '(.ok | not) and .reason == "retained"' 2
	# A fresh command after them: the gate has read everything before it.
	spub "$TOPIC/cmd" "{\"id\":\"rl-2\",\"cmd\":\"normal\",\"expires\":$expires}"
	mqtt_wait "the fresh command" 10 cmd_results rl-2 '.ok' 1
	stop_gate
	pub "$TOPIC/cmd" "" -r	# clear the retained message
	expect_eq "results for rl-1" "$(payloads all cmd/result | jq -c 'select(.id == "rl-1") | .ok' | tr '\n' ' ')" "true false false "
	expect_eq "rows" "$(rows "type||' '||reason")" "remote remote-open"
	# (Each start sets every output to 0 first.)
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0 0"
}

test_mqtt5_retained_command_never_runs() {
	local expires
	gate_config mqtt5_retained_command_never_runs blank.png
	set_option camera.loop true
	mqtt_setup
	set_option mqtt.protocol 5
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	expires=$(( $(date +%s) * 1000 + 300000 ))
	spub "$TOPIC/cmd" "{\"id\":\"r5-1\",\"cmd\":\"open\",\"way\":\"entry\",\"expires\":$expires}" -r
	mqtt_wait "the live copy refused" 10 cmd_results r5-1 '(.ok | not) and .reason == "retained"' 1
	# A fresh command after it runs: the gate read the first one first.
	spub "$TOPIC/cmd" "{\"id\":\"r5-2\",\"cmd\":\"normal\",\"expires\":$expires}"
	mqtt_wait "the fresh command" 10 cmd_results r5-2 '.ok' 1
	stop_gate
	pub "$TOPIC/cmd" "" -r	# clear the retained message
	expect_eq "results for r5-1" "$(payloads all cmd/result | jq -c 'select(.id == "r5-1") | .ok' | tr '\n' ' ')" "false "
	expect_eq "rows" "$(rows "type||' '||reason")" ""
	expect_eq "entry relay" "$(output_values entry_relay)" "0"
}
