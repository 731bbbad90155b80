# What IT sends, end to end through a real broker: config pushes (applied,
# rejected with every reason, stale, surviving a restart), a 100,000-entry
# credential snapshot loaded while the lane keeps deciding, an interrupted
# snapshot, a patch, and commands that must do nothing (retained, expired).
# Every push is signed with the test's admin key (lib_mqtt.sh), as the
# gate takes no other; test_signed_push.sh tests the signatures.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

# result NAME TOPIC N: the Nth payload on TOPIC (1 = first).
result() { payloads "$1" "$2" | sed -n "${3}p"; }
results_at_least() { [ "$(payloads "$1" "$2" | wc -l)" -ge "$3" ]; }

test_mqtt_config_push_applied_rejected_stale_and_kept() {
	gate_config mqtt_config_push_applied_rejected_stale_and_kept blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	local big
	spub "$TOPIC/config/set" '{"version":5,"settings":{"lane.pulse_ms":4000,"policy.badge":false}}'
	mqtt_wait "result 1" 10 results_at_least all config/result 1
	json_is '.ok and .version == 5 and (.applied | index("lane.pulse_ms") != null)' "$(result all config/result 1)"
	wait_for "the push in the status" status_is '.config_version >= 5'
	# Every reason, each rejected whole: wrong type, out of range, unknown
	# key, a restart-only key, not JSON, 1 MB.
	spub "$TOPIC/config/set" '{"version":6,"settings":{"lane.pulse_ms":"soon","camera.fps":5000,"gate.nosuch":1,"store.path":"/tmp/x"}}'
	spub "$TOPIC/config/set" 'not json'
	big=$(head -c 1048576 /dev/zero | tr '\0' x)
	printf '{"version":7,"settings":{"gate.lane":"%s"}}' "$big" >"$T/big.json"
	spubf "$TOPIC/config/set" "$T/big.json"
	# Stale: not newer than the last applied one.
	spub "$TOPIC/config/set" '{"version":5,"settings":{"lane.pulse_ms":9000}}'
	mqtt_wait "four more results" 10 results_at_least all config/result 5
	local r2 r3 r4 r5
	r2=$(result all config/result 2) r3=$(result all config/result 3)
	r4=$(result all config/result 4) r5=$(result all config/result 5)
	json_is '(.ok | not) and (.errors | length) >= 4' "$r2"
	for want in lane.pulse_ms camera.fps gate.nosuch store.path; do
		json_is "[.errors[] | tostring | contains(\"$want\")] | any" "$r2" || { echo "no error for $want: $r2"; return 1; }
	done
	json_is '.ok | not' "$r3"
	json_is '(.ok | not) and .error == "too large"' "$r4"
	json_is '(.ok | not) and .ignored == "stale" and .reason == "replayed"' "$r5"
	# The running config is the one of version 5, and a restart keeps it.
	stop_gate
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected" and .config_version >= 5'
	stop_gate
}

test_mqtt_pushed_policy_survives_restart() {
	gate_config mqtt_pushed_policy_survives_restart blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	spub "$TOPIC/config/set" '{"version":1,"settings":{"policy.badge":false}}'
	mqtt_wait "the result" 10 results_at_least all config/result 1
	stop_gate
	# The same gate, now shown a badge: the pushed policy still refuses it.
	set_option camera.source "$SRCDIR/images/badge-W0001.png"
	set_option camera.loop false
	start_gate
	wait_idle
	stop_gate
	expect_eq "reason" "$(rows reason)" "kind-disabled"
}

# credentials JSON for ids [FROM, TO): N.B. W-0001 is among them.
cred_chunk() {
	local version=$1 chunk=$2 chunks=$3 from=$4 to=$5
	awk -v v="$version" -v c="$chunk" -v n="$chunks" -v a="$from" -v b="$to" 'BEGIN {
		printf "{\"version\":%d,\"chunk\":%d,\"chunks\":%d,\"credentials\":[", v, c, n
		for (i = a; i < b; i++)
			printf "%s{\"id\":\"W-%04d\",\"kind\":\"badge\",\"subject\":\"W-%04d\",\"name\":\"Worker %d\",\"status\":\"active\",\"lanes\":\"*\"}", (i > a ? "," : ""), i, i, i
		printf "]}"
	}'
}

test_mqtt_snapshot_100k_while_deciding_patch_and_interrupted() {
	gate_config mqtt_snapshot_100k_while_deciding_patch_and_interrupted badge-W0001.png blank.png
	set_option camera.loop true
	set_option camera.fps 20
	set_option decoder.holdoff_ms 0
	set_option lane.pulse_ms 100
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	local c before during
	for c in 0 1 2 3 4 5 6 7 8 9; do
		cred_chunk 10 "$c" 10 $((c * 10000 + 1)) $(((c + 1) * 10000 + 1)) >"$T/chunk$c.json"
	done
	before=$(sql "SELECT count(*) FROM events;")
	for c in 3 1 0 2 4 5 6 7 8 9; do	# any order
		spubf "$TOPIC/credentials/set" "$T/chunk$c.json"
	done
	mqtt_wait "the snapshot" 60 grep -q '"applied":100000' "$T/all.sub"
	during=$(sql "SELECT count(*) FROM events;")
	# The lane kept deciding while the snapshot loaded.
	[ "$during" -gt "$before" ] || { echo "no decision during the load ($before, $during)"; return 1; }
	expect_eq "credentials" "$(sql 'SELECT count(*) FROM credentials;')" "100000"
	wait_for "the credential-set version" status_is '.cred_version == 10'
	# An interrupted snapshot (9 chunks of 10) changes nothing.
	for c in 0 1 2 3 4 5 6 7 8; do
		cred_chunk 11 "$c" 10 1 2 >"$T/s$c.json"
		spubf "$TOPIC/credentials/set" "$T/s$c.json"
	done
	spub "$TOPIC/credentials/patch" '{"version":12,"remove":["W-0001"]}'
	# (The subscriber also sees the patch itself: wait for its result.)
	mqtt_wait "the patch" 20 sh -c "grep '^$TOPIC/credentials/result ' '$T/all.sub' | grep -q '\"version\":12'"
	expect_eq "credentials after the patch" "$(sql 'SELECT count(*) FROM credentials;')" "99999"
	local last
	last=$(sql "SELECT max(seq) FROM events;")
	wait_for "a decision after the patch" sh -c "[ \$(sqlite3 '$T/qrgate.db' \"SELECT count(*) FROM events WHERE seq > $last AND reason = 'unknown';\") -ge 1 ]"
	stop_gate
	expect_eq "granted W-0001 before the patch" "$(sql "SELECT count(*) > 0 FROM events WHERE reason = 'granted' AND seq <= $last;")" "1"
}

test_mqtt_retained_and_expired_commands_do_nothing() {
	gate_config mqtt_retained_and_expired_commands_do_nothing blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	local now
	now=$(( $(date +%s) * 1000 ))
	# A retained "open" waiting at the broker before the gate connects.
	spub "$TOPIC/cmd" "{\"id\":\"r-1\",\"cmd\":\"open\",\"way\":\"entry\",\"expires\":$((now + 300000))}" -r
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	mqtt_wait "the retained command's result" 10 grep -q '"ignored":"retained"' "$T/all.sub"
	spub "$TOPIC/cmd" "{\"id\":\"e-1\",\"cmd\":\"open\",\"way\":\"entry\",\"expires\":$((now - 1000))}"
	mqtt_wait "the expired command's result" 10 grep -q '"ignored":"expired"' "$T/all.sub"
	# A reconnect gets the retained message again: still nothing.
	broker_stop
	broker_start
	wait_for "the reconnection" status_is '.mqtt.state == "connected" and .mqtt.connects >= 2'
	mqtt_wait "the retained command again" 10 sh -c "[ \$(grep -c '\"ignored\":\"retained\"' '$T/all.sub') -ge 2 ]"
	# A fresh one does open.
	spub "$TOPIC/cmd" "{\"id\":\"o-1\",\"cmd\":\"open\",\"way\":\"entry\",\"expires\":$(( $(date +%s) * 1000 + 60000 ))}"
	wait_for "the remote open" rows_are reason remote-open
	stop_gate
	pub "$TOPIC/cmd" "" -r	# clear the retained message
	expect_eq "entry relay" "$(output_values entry_relay)" "0 1 0"
}
