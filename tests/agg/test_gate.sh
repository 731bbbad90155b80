# A real qrgated (file camera on images/, sim GPIO, MQTT on) publishing to
# the broker: its decisions, their passage updates and its status arrive
# in the aggregator as the gate's own log has them.

agg_has_gate_events() {
	[ "$(db_sql "SELECT count(*) FROM events WHERE gate = 'it-gate'")" = 2 ] &&
	    [ "$(db_sql "SELECT rev || passage FROM events WHERE gate = 'it-gate' AND seq = 1")" = 1unsensed ]
}

agg_gate_state() { [ "$(aq_jq gates '.[] | select(.gate == "it-gate") | "\(.site) \(.state) \(.clean)"')" = "$1" ]; }

test_real_gate() {
	agg_setup real_gate
	local at=$T gt
	agg_start
	# The gate in a directory of its own inside the test's.
	gate_config "real_gate-$BACKEND/gate" badge-W0001.png badge-W9999.png
	gt=$T
	T=$at
	set_option gpio.passage_sensor ""
	gate_mqtt_section
	cat >>"$CONF" <<CONF
[security]
unsigned_pushes = true
CONF
	start_gate
	wait_idle
	mqtt_wait "the gate's events in the aggregator" 15 agg_has_gate_events
	mqtt_wait "the gate online" 10 agg_gate_state "it-site online false"
	# The same rows as the gate's own log.
	expect_eq "events" "$(db_sql "SELECT seq || ' ' || event_id || ' ' || result || ' ' || reason || ' ' || subject FROM events WHERE gate = 'it-gate' ORDER BY seq" | tr '\n' ',')" \
		"$(sqlite3 -batch -noheader "$gt/qrgate.db" "SELECT seq || ' ' || event_id || ' ' || result || ' ' || reason || ' ' || subject FROM events ORDER BY seq" | tr '\n' ',')"
	expect_eq "masked" "$(aq_jq events --gate it-gate '[.[] | .subject] | join(",")')" "**0001,**9999"
	expect_eq "daily" "$(aq_jq daily '[.gates[] | select(.gate == "it-gate") | "\(.scans) \(.grants) \(.denials) \(.denials_by_reason.unknown)"] | join(",")')" "2 1 1 1"
	expect_eq "no gaps" "$(aq_jq gaps --all length)" 0
	stop_gate
	mqtt_wait "the gate offline" 10 agg_gate_state "it-site offline true"
}

agg_clock_alarms() { aq_jq alarms --all '[.[] | select(.gate == "it-gate" and .alarm == "clock") | "\(.detail) \(.ended_ms != null)"] | join(",")'; }
agg_clock_alarms_are() { [ "$(agg_clock_alarms)" = "$1" ]; }

# A real gate whose clock is not synchronised: its "clock" alarm reaches
# the aggregator's alarms (which the live page lists, whatever their
# name) and ends there once the gate's clock is trusted again.
test_real_gate_clock_alarm() {
	agg_setup real_gate_clock
	local at=$T
	agg_start
	gate_config "real_gate_clock-$BACKEND/gate" blank.png
	T=$at
	set_option camera.loop true
	set_option policy.clock unsynced
	gate_mqtt_section
	start_gate
	mqtt_wait "the clock alarm in the aggregator" 15 agg_clock_alarms_are "not synchronised false"
	set_option policy.clock synced
	kill -HUP "$GATE_PID"
	mqtt_wait "the clock alarm to end" 15 agg_clock_alarms_are "not synchronised true"
	stop_gate
}

agg_gate_pushes_are() { [ "$(aq_jq gates '.[] | select(.gate == "it-gate") | "\(.creds_version) \(.creds_push) \(.config_gate) \(.config_site)"')" = "$1" ]; }

# Which lists and config pushes a real gate holds, and what its last
# credential push came to, as its status carries them to the aggregator's
# `gates` (JSON and table).
test_real_gate_pushes() {
	agg_setup real_gate_pushes
	local at=$T
	agg_start
	gate_config "real_gate_pushes-$BACKEND/gate" blank.png
	T=$at
	set_option camera.loop true
	gate_mqtt_section
	admin_key_setup
	start_gate
	mqtt_wait "the gate online" 10 agg_gate_state "it-site online false"
	printf 'id,kind,subject,name,valid_from,valid_until,status,lanes\nP-1,badge,P-1,n,,,active,*\n' >"$T/list.csv"
	qrgatectl push site-credentials --csv "$T/list.csv" --version 8 --key "$ADMIN_SK" 2>/dev/null
	printf '{"version":2,"settings":{"lane.deny_ms":200}}' >"$T/site.json"
	qrgatectl push site-config "$T/site.json" --key "$ADMIN_SK"
	mqtt_wait "the versions in gates" 10 agg_gate_pushes_are "8 applied 0 2"
	# The same list again: the gate ignores it, and says so.
	qrgatectl push site-credentials --csv "$T/list.csv" --version 8 --key "$ADMIN_SK" 2>/dev/null
	mqtt_wait "the replay in gates" 10 agg_gate_pushes_are "8 ignored: replayed 0 2"
	aq gates >"$T/gates.txt"
	expect_grep "creds_version.*creds_push.*config_gate.*config_site" "$T/gates.txt"
	expect_grep "it-gate .* 8 *ignored: replayed *0 *2" "$T/gates.txt"
	stop_gate
}
