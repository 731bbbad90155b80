# The MQTT uplink against a real mosquitto: the event schema, the passage
# update, no event lost across broker outages and kill -9, the retained
# status and the last will, alarms, the outbox cap, and the inbound wiring.

. "$SRCDIR/tests/integration/lib_mqtt.sh"

EVENT_KEYS='["credential_id","decode_us","direction","event_id","gate","kind","lane","latency_us","passage","reason","result","rev","seq","site","source","subject","time","ts_ms","type"]'

test_mqtt_events_schema_and_passage() {
	gate_config mqtt_events_schema_and_passage badge-W0001.png badge-W9999.png
	set_option gpio.passage_sensor ""
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_idle
	mqtt_wait "the outbox to drain" 10 outbox_empty
	# Two decisions and the grant's passage update.
	mqtt_wait "three event messages" 10 sh -c "[ \$(grep -c '^$TOPIC/events ' '$T/all.sub') -ge 3 ]"
	stop_gate
	payloads all events >"$T/events.json"
	expect_eq "messages" "$(wc -l <"$T/events.json")" 3
	# Every message has exactly the documented members, of their types.
	jq -e --argjson k "$EVENT_KEYS" 'keys == $k and (.seq | type) == "number" and
		(.rev | type) == "number" and (.ts_ms | type) == "number" and
		(.decode_us | type) == "number" and (.latency_us | type) == "number" and
		(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and
		(.event_id | test("^[0-9a-f]{32}$")) and .gate == "it-gate" and
		.site == "it-site" and .lane == "1"' "$T/events.json" >/dev/null
	# As the log has them, in seq order, then the passage as rev 1.
	expect_eq "decisions" "$(jq -r 'select(.rev == 0) | "\(.seq) \(.result) \(.reason) \(.subject)"' "$T/events.json" | tr '\n' ',')" \
		"1 granted granted **0001,2 denied unknown **9999,"
	expect_eq "passage update" "$(jq -r 'select(.rev == 1) | "\(.seq) \(.passage)"' "$T/events.json")" "1 unsensed"
	expect_eq "event ids" "$(jq -r 'select(.rev == 0) | .event_id' "$T/events.json" | tr '\n' ' ')" \
		"$(rows event_id) "
	expect_eq "same id for the update" "$(jq -r 'select(.seq == 1) | .event_id' "$T/events.json" | sort -u | wc -l)" 1
	[ "$(jq -r 'select(.seq == 1 and .rev == 0) | .time' "$T/events.json")" = \
	    "$(jq -r 'select(.seq == 1 and .rev == 1) | .time' "$T/events.json")" ]
	# Events are not retained.
	[ -z "$(grep "^$TOPIC/events 1 " "$T/all.sub")" ]
}

# A burst of decisions (a looping camera, no hold-off) with the broker
# stopped in the middle: every event arrives, decisions in seq order.
test_mqtt_broker_outage_loses_nothing() {
	gate_config mqtt_broker_outage_loses_nothing badge-W0001.png badge-W9999.png
	set_option camera.loop true
	set_option camera.fps 30
	set_option decoder.holdoff_ms 0
	set_option lane.pulse_ms 100
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "20 events" sh -c "[ \$(sqlite3 '$T/qrgate.db' 'SELECT count(*) FROM events;') -ge 20 ]"
	broker_stop
	local at_stop; at_stop=$(sql 'SELECT count(*) FROM events;')
	wait_for "60 more events" sh -c "[ \$(sqlite3 '$T/qrgate.db' 'SELECT count(*) FROM events;') -ge $((at_stop + 60)) ]"
	# They wait in the outbox meanwhile.
	[ "$(outbox_rows)" -ge 40 ] || { echo "outbox holds $(outbox_rows) rows"; return 1; }
	status_is '.mqtt.state != "connected"'
	broker_start
	wait_for "the reconnection" status_is '.mqtt.state == "connected" and .mqtt.connects == 2'
	# The burst ends; everything drains.
	set_option camera.source "$SRCDIR/images/blank.png"
	set_option camera.loop false
	kill -HUP "$GATE_PID"
	wait_for "the reload" grep -q "new config applied" "$T/qrgated.log"
	wait_idle
	wait_for "the outbox to drain" outbox_empty
	mqtt_wait "every event at the subscriber" 15 all_events_received all || {
		echo "$(missing_events) of $(wc -l <"$T/want.ids") events missing"; return 1; }
	decisions_in_order all
	stop_gate
	expect_grep "mqtt: lost 127.0.0.1" "$T/qrgated.log"
}

# The broker freezes with messages in flight (no PUBACKs), then dies: what
# it never acknowledged is sent again to the next one.  The gate is idle
# when the broker freezes, so no message can be half delivered.
test_mqtt_unacknowledged_resent_after_broker_death() {
	gate_config mqtt_unacknowledged_resent_after_broker_death blank.png
	set_option camera.loop true
	set_option gpio.fire_alarm "6 pull-up"
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	kill -STOP "$BROKER_PID"
	for _ in $(seq 1 20); do input fire_alarm 1; input fire_alarm 0; done
	wait_for "40 alarm rows" sh -c "[ \$(sqlite3 '$T/qrgate.db' 'SELECT count(*) FROM events;') -ge 40 ]"
	# A full window of rows (each an event and an alarm message) waits.
	wait_for "a full window" status_is '.mqtt.inflight == 20 and .mqtt.published == 0'
	expect_eq "outbox" "$(outbox_rows)" 40
	kill -KILL "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=""
	broker_start
	wait_for "the outbox to drain" outbox_empty
	mqtt_wait "every event at the subscriber" 15 all_events_received all || {
		echo "$(missing_events) of $(wc -l <"$T/want.ids") events missing"; return 1; }
	decisions_in_order all
	expect_eq "alarm messages" "$(payloads all alarm | jq -r .event_id | sort -u | wc -l)" 40
	stop_gate
}

# kill -9 with a full outbox (broker down), then a restart with the broker
# up: the new daemon sends what the old one could not.
test_mqtt_kill9_with_full_outbox() {
	gate_config mqtt_kill9_with_full_outbox badge-W0001.png badge-W9999.png
	set_option camera.loop true
	set_option camera.fps 30
	set_option decoder.holdoff_ms 0
	set_option lane.pulse_ms 100
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	broker_stop
	start_gate
	wait_for "50 events" sh -c "[ \$(sqlite3 '$T/qrgate.db' 'SELECT count(*) FROM outbox;') -ge 50 ]"
	kill -9 "$GATE_PID"
	wait "$GATE_PID" 2>/dev/null || true
	GATE_PID=""
	expect_eq "integrity" "$(sql 'PRAGMA integrity_check;')" "ok"
	# Every event has its outbox row (the decision, and passages).
	expect_eq "queued" "$(sql 'SELECT count(*) FROM events WHERE seq NOT IN (SELECT seq FROM outbox WHERE rev = 0);')" 0
	expect_eq "depth" "$(sql 'SELECT depth FROM outbox_meta;')" "$(outbox_rows)"
	broker_start
	set_option camera.source "$SRCDIR/images/blank.png"
	set_option camera.loop false
	start_gate
	wait_idle
	wait_for "the outbox to drain" outbox_empty
	mqtt_wait "every event at the subscriber" 15 all_events_received all || {
		echo "$(missing_events) of $(wc -l <"$T/want.ids") events missing"; return 1; }
	decisions_in_order all
	stop_gate
}

test_mqtt_status_retained_online_offline_and_will() {
	local st
	gate_config mqtt_status_retained_online_offline_and_will blank.png
	mqtt_setup
	broker_start
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	# A subscriber arriving later still gets the retained status.
	st=$(retained "$TOPIC/status" -v)
	[[ $st == "$TOPIC/status "* ]]
	st=${st#* }
	json_is '.state == "online" and .gate == "it-gate" and .site == "it-site" and
		.version == "0.1.0" and (.counters | has("frames") and has("codes") and
		has("grants") and has("denials") and has("outbox")) and
		(.decode_us | has("p50") and has("p99")) and .config_version == 0 and
		.cred_version == 0 and (.ways.entry | type) == "string" and
		(.camera.state | type) == "string" and (.uptime_s | type) == "number"' "$st"
	# A clean stop leaves "offline", clean.
	stop_gate
	st=$(retained "$TOPIC/status")
	json_is '.state == "offline" and .clean == true and (.ts_ms | type) == "number"' "$st"
	expect_grep "offline status published" "$T/qrgated.log"
	# Back online; then kill -9: the broker publishes the will.
	start_gate
	mqtt_wait "online again" 10 sh -c "mosquitto_sub -p $BROKER_PORT -t '$TOPIC/status' -C 1 -W 5 | grep -q '\"state\":\"online\"'"
	kill -9 "$GATE_PID"
	wait "$GATE_PID" 2>/dev/null || true
	GATE_PID=""
	mqtt_wait "the will" 10 sh -c "mosquitto_sub -p $BROKER_PORT -t '$TOPIC/status' -C 1 -W 5 | grep -q '\"clean\":false'"
	st=$(retained "$TOPIC/status")
	json_is '.state == "offline" and .clean == false and .gate == "it-gate" and (has("ts_ms") | not)' "$st"
}

test_mqtt_heartbeat_and_alarms() {
	gate_config mqtt_heartbeat_and_alarms blank.png
	set_option camera.loop true
	set_option gpio.fire_alarm "6 pull-up"
	set_option gpio.tamper "16 pull-up"
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	input fire_alarm 1
	wait_for "the fire alarm" status_is '.fire_alarm == true'
	input fire_alarm 0
	wait_for "the end of the fire alarm" status_is '.fire_alarm == false'
	input tamper 1
	wait_for "the tamper alarm" status_is '.tamper == true'
	input tamper 0
	wait_for "the end of the tamper alarm" status_is '.tamper == false'
	mqtt_wait "four alarm messages" 10 sh -c "[ \$(grep -c '^$TOPIC/alarm ' '$T/all.sub') -ge 4 ]"
	payloads all alarm >"$T/alarms.json"
	expect_eq "alarms" "$(jq -r '"\(.alarm) \(.active) \(.reason)"' "$T/alarms.json" | tr '\n' ',')" \
		"fire-alarm true fire-alarm-on,fire-alarm false fire-alarm-off,tamper true tamper-on,tamper false tamper-off,"
	# Each is also an event, with the same event_id.
	expect_eq "as events" "$(payloads all events | jq -r 'select(.type == "alarm") | .event_id' | tr '\n' ' ')" \
		"$(jq -r .event_id "$T/alarms.json" | tr '\n' ' ')"
	# The status comes again every heartbeat_s (5 s).
	mqtt_wait "a heartbeat" 12 sh -c "[ \$(grep -c '^$TOPIC/status [01] .*\"online\"' '$T/all.sub') -ge 2 ]"
	stop_gate
}

# The supervised loops' faults are state alarms as the fire alarm is: on
# and off, each also an event; a cut tamper loop is the tamper alarm too.
test_mqtt_supervised_loop_alarms() {
	loop_config mqtt_supervised_loop_alarms
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected" and .supervision.fire_loop.state == "normal" and .supervision.tamper_loop.state == "normal"'
	loop_reads fire.raw 1023
	wait_for "the cut fire loop" status_is '.supervision.fire_loop.fault'
	loop_reads fire.raw 512
	wait_for "the fire loop mended" status_is '.supervision.fire_loop.fault | not'
	loop_reads tamper.raw 0
	wait_for "the shorted tamper loop" status_is '.supervision.tamper_loop.fault and .tamper'
	loop_reads tamper.raw 512
	wait_for "the tamper loop mended" status_is '(.supervision.tamper_loop.fault | not) and .tamper == false'
	mqtt_wait "six alarm messages" 10 sh -c "[ \$(grep -c '^$TOPIC/alarm ' '$T/all.sub') -ge 6 ]"
	payloads all alarm >"$T/alarms.json"
	expect_eq "alarms" "$(jq -r '"\(.alarm) \(.active) \(.reason)"' "$T/alarms.json" | tr '\n' ',')" \
		"fire-loop true fire-loop-fault,fire-loop false fire-loop-ok,tamper-loop true tamper-loop-fault,tamper true tamper-on,tamper false tamper-off,tamper-loop false tamper-loop-ok,"
	expect_eq "as events" "$(payloads all events | jq -r 'select(.type == "alarm") | .event_id' | tr '\n' ' ')" \
		"$(jq -r .event_id "$T/alarms.json" | tr '\n' ' ')"
	stop_gate
}

# The outbox cap: near-full at 90%, full at the cap; decisions are still
# logged; both alarms are published once connected and clear as it drains.
test_mqtt_outbox_cap_alarms_and_keeps_logging() {
	gate_config mqtt_outbox_cap_alarms_and_keeps_logging badge-W0001.png badge-W9999.png
	set_option camera.loop true
	set_option camera.fps 30
	set_option decoder.holdoff_ms 0
	set_option lane.pulse_ms 100
	mqtt_setup
	set_option mqtt.outbox_max 20
	# The same unknown code at 30 fps would otherwise be slowed down.
	set_option policy.deny_code_max 0
	set_option policy.deny_lane_max 0
	start_gate
	wait_for "more events than the cap" sh -c "[ \$(sqlite3 '$T/qrgate.db' 'SELECT count(*) FROM events;') -ge 40 ]"
	expect_eq "outbox" "$(outbox_rows)" 20
	expect_grep "ALARM outbox-near-full" "$T/qrgated.log"
	expect_grep "ALARM outbox-full" "$T/qrgated.log"
	status_is '.counters.outbox == 20 and .mqtt.outbox_max == 20'
	set_option camera.source "$SRCDIR/images/blank.png"
	set_option camera.loop false
	kill -HUP "$GATE_PID"
	wait_for "the reload" grep -q "new config applied" "$T/qrgated.log"
	# The alarms raised while the broker was away go out as the gate
	# connects: held still until the subscriber listens, it cannot
	# connect first and publish them to nobody.
	kill -STOP "$GATE_PID"
	broker_start
	sub_start all 'qrgate/#'
	kill -CONT "$GATE_PID"
	wait_for "the outbox to drain" outbox_empty
	mqtt_wait "the alarms to clear" 10 grep -q '"alarm":"outbox-near-full","active":false' "$T/all.sub"
	# Raised while the broker was away, published on connecting, then
	# cleared as the outbox drained.
	expect_eq "alarms" "$(payloads all alarm | jq -r '"\(.alarm) \(.active)"' | sort | uniq | tr '\n' ',')" \
		"outbox-full false,outbox-full true,outbox-near-full false,outbox-near-full true,"
	expect_eq "order" "$(payloads all alarm | jq -r 'select(.alarm == "outbox-full") | .active' | tr '\n' ' ')" "true false "
	expect_grep "alarm outbox-full over" "$T/qrgated.log"
	# The log kept every decision; the oldest 20 were queued and sent.
	[ "$(sql 'SELECT count(*) FROM events;')" -gt 20 ]
	expect_eq "sent" "$(payloads all events | jq -r .seq | sort -n | head -1)" 1
	stop_gate
}

# What comes in reaches the inbound handlers, signed; their answer goes
# out on the result topic; an oversized message is refused before them.
test_mqtt_inbound_dispatch_and_limits() {
	local big expires
	gate_config mqtt_inbound_dispatch_and_limits blank.png
	set_option camera.loop true
	mqtt_setup
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	big=$(head -c 5000 /dev/zero | tr '\0' x)
	pub "$TOPIC/cmd" "$big"
	mqtt_wait "the refusal" 10 grep -q "^$TOPIC/cmd/result " "$T/all.sub"
	json_is '.ok == false and .error == "too large" and .limit == 4096' "$(payloads all cmd/result)"
	expect_grep "over the limit of 4096" "$T/qrgated.log"
	# A command addressed to another gate is not ours.
	pub "qrgate/it-site/other-gate/cmd" '{"id":"x","cmd":"lockdown"}'
	expires=$(( $(date +%s) * 1000 + 60000 ))
	spub "$TOPIC/cmd" "{\"id\":\"it-1\",\"cmd\":\"lockdown\",\"expires\":$expires}"
	wait_for "the lockdown" status_is '.lockdown == true'
	mqtt_wait "its result" 10 sh -c "[ \$(grep -c '^$TOPIC/cmd/result ' '$T/all.sub') -ge 2 ]"
	# The site-wide config push is subscribed too, and answered.
	spub "qrgate/it-site/all/config/set" 'not json'
	mqtt_wait "the config result" 10 grep -q "^$TOPIC/config/result " "$T/all.sub"
	json_is '(.ok | not) and .scope == "site" and (.errors[0] | contains("not JSON"))' "$(payloads all config/result)"
	stop_gate
}

test_mqtt_disabled_queues_nothing() {
	gate_config mqtt_disabled_queues_nothing badge-W0001.png
	start_gate
	wait_idle
	stop_gate
	expect_eq "events" "$(sql 'SELECT count(*) FROM events;')" 1
	expect_eq "outbox" "$(outbox_rows)" 0
	expect_eq "cap" "$(sql 'SELECT max FROM outbox_meta;')" 0
}

test_mqtt_protocol_5() {
	gate_config mqtt_protocol_5 badge-W0001.png
	mqtt_setup
	set_option mqtt.protocol 5
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_idle
	wait_for "the outbox to drain" outbox_empty
	mqtt_wait "the decision and its passage" 10 all_events_received all
	expect_grep "as it-gate (p5, c1, k5)" "$T/mosquitto.log"
	stop_gate
	json_is '.state == "offline" and .clean == true' "$(retained "$TOPIC/status")"
}

# A reload that turns MQTT on, then one that moves it to another broker:
# the first broker is told "offline", the second gets what follows.
test_mqtt_reload_enables_and_moves() {
	local port2
	gate_config mqtt_reload_enables_and_moves badge-W9999.png
	set_option camera.loop true
	set_option camera.fps 2
	# Every frame decided, so there are decisions after the reload: a
	# reload keeps a code in view held (issue 12, row 7).
	set_option decoder.holdoff_ms 0
	mqtt_setup
	set_option mqtt.enabled false
	broker_start
	sub_start all 'qrgate/#'
	start_gate
	wait_for "a decision" sh -c "[ \$(sqlite3 '$T/qrgate.db' 'SELECT count(*) FROM events;') -ge 1 ]"
	status_is '.mqtt.state == "off" and .counters.outbox == 0'
	set_option mqtt.enabled true
	kill -HUP "$GATE_PID"
	wait_for "the connection" status_is '.mqtt.state == "connected"'
	mqtt_wait "an event" 10 grep -q "^$TOPIC/events " "$T/all.sub"
	# Decisions made while MQTT was off were not queued.
	[ "$(payloads all events | jq -r .seq | sort -n | head -1)" -gt 1 ]

	port2=$(free_port)
	sed "s/^listener $BROKER_PORT /listener $port2 /; s|^persistence_location .*|persistence_location $T/b2-|; s|^log_dest file .*|log_dest file $T/mosquitto2.log|" \
		"$T/mosquitto.conf" >"$T/mosquitto2.conf"
	mosquitto -c "$T/mosquitto2.conf" >>"$T/mosquitto.out" 2>&1 &
	MQTT_PIDS="$MQTT_PIDS $!"
	mqtt_wait "the second broker" 10 port_open "$port2"
	set_option mqtt.port "$port2"
	kill -HUP "$GATE_PID"
	wait_for "the move" status_is ".mqtt.state == \"connected\" and .mqtt.port == $port2"
	json_is '.state == "offline" and .clean == true' "$(retained "$TOPIC/status")"
	json_is '.state == "online"' "$(mosquitto_sub -h 127.0.0.1 -p "$port2" -t "$TOPIC/status" -C 1 -W 5)"
	expect_grep "mqtt: settings changed: reconnecting" "$T/qrgated.log"
	stop_gate
}
